package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"pitlane/auth"
	"pitlane/notify"
	"pitlane/notify/pushtest"
	"pitlane/store"
)

// The push scenario: every customer has a paired phone subscribed on a push
// service on 127.0.0.1 (pushtest: it verifies each VAPID token as it takes
// the message, as a real push service does, and decrypts each message
// after the round, as the phone would), and one
// workshop notification each waits in the outbox. The notifier is started,
// with its sender in a process of its own as pitlane runs it, and the
// scenario reports how long the whole outbox took to drain, and the staff's
// dashboard latency while it drained against the same load with the
// notifier idle just before. The outbox is filled and drained pushRounds
// times, and the staff's requests of all rounds make one p99 for each.
//
// The staff load is open: requests start at a fixed rate, each timed from
// when it was due to start, as staff clicking at their own pace do (a
// closed loop would slow its own clicks down when the server is busy and
// hide the very delay being measured). The push service runs in a process
// of its own at the lowest priority (pushproc.go), standing for the push
// services on the internet, which cost the dealership's PC nothing.

const (
	// staffRate is the dashboard requests per second while measuring: far
	// more than a dealership's staff click.
	staffRate = 100
	// staffSessions are the signed-in browsers the requests rotate over.
	staffSessions = 8
	// loopWorkers send the staff's requests in turn (openLoop).
	loopWorkers = 8
	// drainLimit ends the scenario if the outbox has not drained by then.
	drainLimit = 2 * time.Minute
	// pushRounds is how many times the outbox is filled and drained.
	pushRounds = 3
	// pushDevice names the benchmark's phones, so a reused data folder
	// reuses them rather than pairing more.
	pushDevice = "pitlane-bench phone"
)

// runPush subscribes the phones, then in each of pushRounds queues a
// notification for every phone and measures the dashboard for a third of
// cfg.Window without the notifier, then while the notifier drains the
// outbox with concurrency requests in flight. The result is the rounds'
// requests while draining, together.
func runPush(ctx context.Context, a *appliance, concurrency int, cfg Config) (Result, error) {
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	var push pushService
	where := "in this process"
	if cfg.PushInProcess {
		p := pushtest.Start()
		p.DecryptLater()
		push = p
	} else {
		p, priority, err := startPushProcess(ctx, concurrency)
		if err != nil {
			return Result{}, err
		}
		push, where = p, "in a process of its own"
		if priority != "" {
			where += " in " + priority
		}
	}
	defer push.Close()
	fmt.Fprintf(out, "  push: the test push service runs %s\n", where)
	began := time.Now()
	phones, err := subscribePhones(ctx, a.st, push)
	if err != nil {
		return Result{}, err
	}
	prepared := time.Since(began)

	c := newClient(staffSessions)
	sessions := make([]string, staffSessions)
	for i := range sessions {
		if sessions[i], err = a.login(ctx, c, a.users[i%len(a.users)]); err != nil {
			return Result{}, fmt.Errorf("sign in: %w", err)
		}
	}
	c.CloseIdleConnections()
	var staff staffLoad
	if cfg.PushInProcess {
		do, done := dashboardLoad(a, sessions)
		staff = inProcessLoad{do: do, done: done}
	} else {
		sp, priority, err := startStaffProcess(ctx, a.base, sessions)
		if err != nil {
			return Result{}, err
		}
		staff = sp
		if priority == "" {
			priority = "the normal CPU priority (real-time needs root or CAP_SYS_NICE)"
		}
		fmt.Fprintf(out, "  push: the staff's load runs in a process of its own in %s\n", priority)
	}
	defer staff.Close()

	if _, err := staff.measure(ctx, cfg.Warmup, nil); err != nil {
		return Result{}, err
	}

	nt := &notify.Notifier{Store: a.st, Client: push.Client(), Concurrency: concurrency,
		Logger: slog.New(slog.DiscardHandler)}
	if !cfg.PushInProcess {
		// The appliance sends from a process of its own, as pitlane does;
		// that process trusts the test push service's certificate.
		certFile, err := writeTemp(push.CertPEM())
		if err != nil {
			return Result{}, err
		}
		defer os.Remove(certFile)
		if nt.Process, err = notify.SelfProcess("SSL_CERT_FILE=" + certFile); err != nil {
			return Result{}, err
		}
	}
	// Each round queues a notification for every phone, measures the staff
	// for a third of the window with the notifier idle, then while the
	// outbox drains. Each kind's requests are pooled over the rounds: the
	// idle p99 stands on the window's requests, the busy one on about as
	// many, and whatever else this machine does at the time (it is shared,
	// and a burst of it moved the idle p99 from 0.6 to 1.7 ms between
	// runs) weighs on both alike.
	var idle, busy Result
	var took, rounds []time.Duration // each round's drain and staff p99
	n, queued := len(phones), 0
	for round := range pushRounds {
		if err := queuePush(ctx, a.st, phones); err != nil {
			return Result{}, err
		}
		// Queuing changed a job per phone, which the search index applies,
		// writes and merges in the background: that is over before the
		// staff are measured, so they are measured against the sending
		// alone, and idle against nothing.
		if err := settled(ctx, a.search); err != nil {
			return Result{}, err
		}
		queued += n
		before := sampleCPU()
		quiet, err := staff.measure(ctx, cfg.Window/pushRounds, nil)
		if err != nil {
			return Result{}, err
		}
		after := sampleCPU()
		idle = pool(idle, quiet)
		if before.ok && after.ok {
			idle.CPU += after.own - before.own
			idle.OtherCPU = max(idle.OtherCPU, otherCPU(before, after))
		}

		rctx, stop := context.WithCancel(ctx)
		drained := make(chan struct{})
		var d time.Duration
		go func() {
			defer close(drained)
			d = waitDrained(rctx, a.st, push, queued)
		}()
		var r Result
		ran := make(chan error, 1)
		perr := cfg.profiled(func() {
			before = sampleCPU()
			go func() { ran <- nt.Run(rctx) }()
			r, err = staff.measure(ctx, drainLimit, drained)
			<-drained
			after = sampleCPU()
		})
		stop()
		if err := errors.Join(perr, err, <-ran); err != nil {
			return Result{}, err
		}
		if d == 0 {
			return Result{}, fmt.Errorf("round %d: the outbox did not drain within %v: %d of %d messages arrived", round+1, drainLimit, push.Count()-(queued-n), n)
		}
		if v := push.Verify(); v != n {
			return Result{}, fmt.Errorf("round %d: %d of %d messages decrypted, rejections: %+v", round+1, v, n, push.Rejections())
		}
		took = append(took, d)
		rounds = append(rounds, r.Percentile(99))
		busy = pool(busy, r)
		if before.ok && after.ok {
			busy.CPU += after.own - before.own
			busy.OtherCPU = max(busy.OtherCPU, otherCPU(before, after))
		}
	}
	if got := push.Count(); got != queued {
		return Result{}, fmt.Errorf("%d messages for %d notifications: each must be sent once", got, queued)
	}
	if r := push.Rejections(); len(r) > 0 {
		return Result{}, fmt.Errorf("the push service refused %d messages, first: %+v", len(r), r[0])
	}
	idleP99, busyP99 := idle.Percentile(99), busy.Percentile(99)
	fmt.Fprintf(out, "  push: %d subscriptions (prepared in %v), one notification each, %d rounds, delivered in %s (slowest %.0f/s; target ≤ 5 s), %d in flight\n",
		n, prepared.Round(time.Second), pushRounds, fmtDurs(took), float64(n)/slices.Max(took).Seconds(), concurrency)
	if busy.CPU > 0 && idle.CPU > 0 {
		// What the staff load cost while idle is subtracted: the rest is the
		// notifier, and the push service when it runs in this process.
		staff := idle.CPUPerRequest() * time.Duration(busy.Requests)
		what := "the appliance's"
		if cfg.PushInProcess {
			what = "the appliance's and the test push service's together"
		}
		fmt.Fprintf(out, "  push: CPU per notification, %s: %s\n", what, fmtDur((busy.CPU-staff)/time.Duration(queued)))
	}
	fmt.Fprintf(out, "  push: staff dashboard at %d req/s: p99 %s idle (%d requests, other processes %s), %s while sending (%d requests, other processes up to %s; by round %s): %+.0f %% (target ≤ +20 %%)\n",
		staffRate, fmtDur(idleP99), idle.Requests, pct(idle.OtherCPU), fmtDur(busyP99), busy.Requests, pct(busy.OtherCPU),
		fmtDurs(rounds), 100*(float64(busyP99)/float64(idleP99)-1))
	fmt.Fprintf(out, "  push: the staff load started its requests late by p99 %s idle, %s while sending (counted in the latencies above)\n",
		fmtDur(percentile(idle.Late, 99)), fmtDur(percentile(busy.Late, 99)))
	busy.Scenario, busy.Concurrency = "push", concurrency
	busy.Errors += idle.Errors
	if busy.FirstError == nil {
		busy.FirstError = idle.FirstError
	}
	return busy, nil
}

// pool adds r's requests to acc's, keeping the latencies sorted.
func pool(acc, r Result) Result {
	if acc.Latencies == nil {
		acc.OtherCPU = -1
	}
	acc.Window += r.Window
	acc.Requests += r.Requests
	acc.Errors += r.Errors
	if acc.FirstError == nil {
		acc.FirstError = r.FirstError
	}
	acc.Latencies = append(acc.Latencies, r.Latencies...)
	slices.Sort(acc.Latencies)
	acc.Late = append(acc.Late, r.Late...)
	slices.Sort(acc.Late)
	return acc
}

// fmtDurs prints durations as fmtDur does, separated by commas.
func fmtDurs(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmtDur(d)
	}
	return strings.Join(parts, ", ")
}

// writeTemp writes b to a new temporary file and returns its name.
func writeTemp(b []byte) (string, error) {
	f, err := os.CreateTemp("", "pitlane-bench-*.pem")
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if err := errors.Join(err, f.Close()); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// pushPhone is a customer with a subscribed phone and the job whose
// stage changes to notify them.
type pushPhone struct {
	customer, job uint64
	stage         string // the job's stage now
}

// subscribePhones gives every customer with a job one subscribed phone.
func subscribePhones(ctx context.Context, st *store.Store, push pushService) ([]pushPhone, error) {
	if leftover, err := st.DueNotifications(1); err != nil || len(leftover) > 0 {
		return nil, errors.Join(err, errors.New("the outbox already has pending notifications: use a fresh data folder"))
	}
	keys, err := st.VAPIDKeys()
	if err != nil {
		return nil, err
	}
	settings, err := st.Settings()
	if err != nil {
		return nil, err
	}
	if settings.Email == "" {
		settings.Email = "officina@bench.pitlane.it"
		if _, err := st.SaveSettings(seedActor, settings); err != nil {
			return nil, err
		}
	}
	var ids []uint64
	page := store.CustomerPage{}
	after := ""
	for {
		if page, err = st.Customers(store.SortOldest, after, 1000); err != nil {
			return nil, err
		}
		for _, c := range page.Customers {
			ids = append(ids, c.ID)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	var mu sync.Mutex
	var phones []pushPhone
	err = inParallel(ctx, ids, func(id uint64) error {
		p, ok, err := subscribePhone(st, push, keys.Public, id)
		if ok {
			mu.Lock()
			phones = append(phones, p)
			mu.Unlock()
		}
		if err != nil {
			return fmt.Errorf("customer %d: %w", id, err)
		}
		return nil
	})
	return phones, err
}

// queuePush moves every phone's job to another stage, which queues the
// customer's notification in the same transaction.
func queuePush(ctx context.Context, st *store.Store, phones []pushPhone) error {
	idx := make([]int, len(phones))
	for i := range idx {
		idx[i] = i
	}
	return inParallel(ctx, idx, func(i int) error {
		p := &phones[i]
		stage := store.StageReady
		if p.stage == stage {
			stage = store.StageInProgress
		}
		if _, err := st.SetJobStage(seedActor, p.job, stage); err != nil {
			return err
		}
		p.stage = stage
		return nil
	})
}

// inParallel calls do for each item on 64 goroutines, and returns the
// first error.
func inParallel[T any](ctx context.Context, items []T, do func(T) error) error {
	errs := make(chan error, 1)
	jobs := make(chan T)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for it := range jobs {
				if err := do(it); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	var err error
feed:
	for _, it := range items {
		select {
		case jobs <- it:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// subscribePhone subscribes the customer's benchmark phone (pairing it the
// first time); ok is false for a customer without a job (another
// scenario's), who gets nothing.
func subscribePhone(st *store.Store, push pushService, appKey string, id uint64) (p pushPhone, ok bool, err error) {
	vehs, err := st.CustomerVehicles(id)
	if err != nil || len(vehs) == 0 {
		return p, false, err
	}
	jobs, err := st.VehicleJobs(vehs[0].ID)
	if err != nil || len(jobs) == 0 {
		return p, false, err
	}
	devs, err := st.CustomerDevices(id)
	if err != nil {
		return p, false, err
	}
	i := slices.IndexFunc(devs, func(d store.Device) bool { return d.Name == pushDevice && d.Active() })
	var dev store.Device
	if i >= 0 {
		dev = devs[i]
	} else {
		token, _, err := st.CreatePairLink(seedActor, id, 0)
		if err != nil {
			return p, false, err
		}
		if dev, err = st.Pair(seedActor, auth.HashToken(token), pushDevice, auth.HashToken("bench-credential-"+strconv.FormatUint(id, 10)+token)); err != nil {
			return p, false, err
		}
	}
	sub, err := push.Subscribe(appKey)
	if err != nil {
		return p, false, err
	}
	if _, err := st.SavePushSubscription(seedActor, store.PushSubscription{Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh,
		Auth: sub.Keys.Auth, DeviceID: dev.ID, CustomerID: id}); err != nil {
		return p, false, err
	}
	return pushPhone{customer: id, job: jobs[0].ID, stage: jobs[0].Stage}, true, nil
}

// waitDrained returns how long it took until n messages reached the push
// service and the outbox has nothing pending; 0 if ctx ended first.
func waitDrained(ctx context.Context, st *store.Store, push pushService, n int) time.Duration {
	start := time.Now()
	if push.Wait(ctx, n) != nil {
		return 0
	}
	for ctx.Err() == nil {
		due, err := st.DueNotifications(1)
		_, later, err2 := st.NextNotificationTry()
		if err == nil && err2 == nil && len(due) == 0 && !later {
			return time.Since(start)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0
}

// openLoop starts do at staffRate for window, or until stop is closed,
// and times each request from when it was due to start. Requests that
// fail count as errors. How late each request started (the load
// generator's own delay, which the latency includes) is kept in Late.
//
// loopWorkers goroutines take the requests in turn, each sleeping until
// its next one is due and sending it itself: a goroutine started at the
// due time would add the wake-up of another thread to every request. A
// request slower than loopWorkers intervals delays that worker's next
// one, and the delay is counted, since each is timed from when it was due.
func openLoop(ctx context.Context, window time.Duration, stop <-chan struct{}, do op) Result {
	interval := time.Second / staffRate
	start := time.Now()
	var mu sync.Mutex
	r := Result{OtherCPU: -1}
	var wg sync.WaitGroup
	for w := range loopWorkers {
		wg.Go(func() {
			for i := w; ; i += loopWorkers {
				due := start.Add(time.Duration(i) * interval)
				if due.Sub(start) >= window {
					return
				}
				sleepUntil(due)
				if stopped(ctx, stop) {
					return
				}
				late := time.Since(due)
				err := do(ctx, i)
				lat := time.Since(due)
				mu.Lock()
				if err != nil {
					r.Errors++
					if r.FirstError == nil {
						r.FirstError = err
					}
				} else {
					r.Latencies = append(r.Latencies, lat)
					r.Late = append(r.Late, late)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r.Window = time.Since(start)
	slices.Sort(r.Latencies)
	slices.Sort(r.Late)
	r.Requests = len(r.Latencies)
	return r
}

// stopped reports whether ctx has ended or stop is closed.
func stopped(ctx context.Context, stop <-chan struct{}) bool {
	select {
	case <-ctx.Done():
		return true
	case <-stop:
		return true
	default:
		return false
	}
}

// pct prints a share of the machine's CPU, "?" when unknown.
func pct(share float64) string {
	if share < 0 {
		return "?"
	}
	return strconv.FormatFloat(100*share, 'f', 0, 64) + " %"
}
