package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"pitlane/auth"
	"pitlane/notify"
	"pitlane/notify/pushtest"
	"pitlane/store"
)

// The push scenario: every customer has a paired phone subscribed on a push
// service on 127.0.0.1 (pushtest: it verifies each VAPID token and
// decrypts each message, as a real push service and phone would), and one
// workshop notification each waits in the outbox. The notifier is started,
// and the scenario reports how long the whole outbox took to drain, and the
// staff's dashboard latency while it drained against the same load with
// the notifier idle.
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
	// drainLimit ends the scenario if the outbox has not drained by then.
	drainLimit = 2 * time.Minute
	// pushDevice names the benchmark's phones, so a reused data folder
	// reuses them rather than pairing more.
	pushDevice = "pitlane-bench phone"
)

// runPush prepares the subscriptions and notifications, measures the
// dashboard for cfg.Window without the notifier, then while it drains the
// outbox with concurrency requests in flight. The result is the latter.
func runPush(ctx context.Context, a *appliance, concurrency int, cfg Config) (Result, error) {
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	var push pushService
	where := "in this process"
	if cfg.PushInProcess {
		push = pushtest.Start()
	} else {
		p, niced, err := startPushProcess(ctx, concurrency)
		if err != nil {
			return Result{}, err
		}
		push, where = p, "in a process of its own"
		if niced {
			where += " at the lowest CPU priority (nice 19)"
		}
	}
	defer push.Close()
	fmt.Fprintf(out, "  push: the test push service runs %s\n", where)
	began := time.Now()
	n, err := preparePushOutbox(ctx, a.st, push)
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
	} else if staff, err = startStaffProcess(ctx, a.base, sessions); err != nil {
		return Result{}, err
	}
	defer staff.Close()
	if !cfg.PushInProcess {
		fmt.Fprintln(out, "  push: the staff's load runs in a process of its own")
	}

	if _, err := staff.measure(ctx, cfg.Warmup, nil); err != nil {
		return Result{}, err
	}
	before := sampleCPU()
	idle, err := staff.measure(ctx, cfg.Window, nil)
	if err != nil {
		return Result{}, err
	}
	after := sampleCPU()
	idle.OtherCPU = otherCPU(before, after)
	if before.ok && after.ok {
		idle.CPU = after.own - before.own
	}

	nctx, stop := context.WithCancel(ctx)
	defer stop()
	nt := &notify.Notifier{Store: a.st, Client: push.Client(), Concurrency: concurrency,
		Logger: slog.New(slog.DiscardHandler)}
	drained := make(chan struct{})
	var took time.Duration
	go func() {
		defer close(drained)
		took = waitDrained(nctx, a.st, push, n)
	}()
	var busy Result
	ran := make(chan error, 1)
	started := false
	perr := cfg.profiled(func() {
		before = sampleCPU()
		started = true
		go func() { ran <- nt.Run(nctx) }()
		busy, err = staff.measure(ctx, drainLimit, drained)
		<-drained
		after = sampleCPU()
	})
	if err := errors.Join(perr, err); err != nil {
		stop()
		if started {
			<-ran
		}
		return Result{}, err
	}
	busy.OtherCPU = otherCPU(before, after)
	if before.ok && after.ok {
		busy.CPU = after.own - before.own
	}
	stop()
	if err := <-ran; err != nil {
		return Result{}, err
	}
	if took == 0 {
		return Result{}, fmt.Errorf("the outbox did not drain within %v: %d of %d messages arrived", drainLimit, push.Count(), n)
	}
	if got := push.Count(); got != n {
		return Result{}, fmt.Errorf("%d messages for %d notifications: each must be sent once", got, n)
	}
	if r := push.Rejections(); len(r) > 0 {
		return Result{}, fmt.Errorf("the push service refused %d messages, first: %+v", len(r), r[0])
	}
	idleP99, busyP99 := idle.Percentile(99), busy.Percentile(99)
	fmt.Fprintf(out, "  push: %d subscriptions (prepared in %v), one notification each, delivered in %v (%.0f/s; target ≤ 5 s), %d in flight\n",
		n, prepared.Round(time.Second), took.Round(time.Millisecond), float64(n)/took.Seconds(), concurrency)
	if busy.CPU > 0 && idle.CPU > 0 {
		// What the staff load cost while idle is subtracted: the rest is the
		// notifier, and the push service when it runs in this process.
		staff := idle.CPUPerRequest() * time.Duration(busy.Requests)
		what := "the appliance's"
		if cfg.PushInProcess {
			what = "the appliance's and the test push service's together"
		}
		fmt.Fprintf(out, "  push: CPU per notification, %s: %s\n", what, fmtDur((busy.CPU-staff)/time.Duration(n)))
	}
	fmt.Fprintf(out, "  push: staff dashboard at %d req/s: p99 %s idle (%d requests, other processes %s), %s while sending (%d requests, other processes %s): %+.0f %% (target ≤ +20 %%)\n",
		staffRate, fmtDur(idleP99), idle.Requests, pct(idle.OtherCPU), fmtDur(busyP99), busy.Requests, pct(busy.OtherCPU),
		100*(float64(busyP99)/float64(idleP99)-1))
	busy.Scenario, busy.Concurrency = "push", concurrency
	busy.Errors += idle.Errors
	if busy.FirstError == nil {
		busy.FirstError = idle.FirstError
	}
	return busy, nil
}

// preparePushOutbox gives every customer one subscribed phone and one
// pending workshop notification, and returns how many.
func preparePushOutbox(ctx context.Context, st *store.Store, push pushService) (int, error) {
	if leftover, err := st.DueNotifications(1); err != nil || len(leftover) > 0 {
		return 0, errors.Join(err, errors.New("the outbox already has pending notifications: use a fresh data folder"))
	}
	keys, err := st.VAPIDKeys()
	if err != nil {
		return 0, err
	}
	settings, err := st.Settings()
	if err != nil {
		return 0, err
	}
	if settings.Email == "" {
		settings.Email = "officina@bench.pitlane.it"
		if _, err := st.SaveSettings(seedActor, settings); err != nil {
			return 0, err
		}
	}
	var ids []uint64
	page := store.CustomerPage{}
	after := ""
	for {
		if page, err = st.Customers(store.SortOldest, after, 1000); err != nil {
			return 0, err
		}
		for _, c := range page.Customers {
			ids = append(ids, c.ID)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	var done atomic.Int64
	errs := make(chan error, 1)
	jobs := make(chan uint64)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for id := range jobs {
				queued, err := preparePushCustomer(st, push, keys.Public, id)
				if err != nil {
					select {
					case errs <- fmt.Errorf("customer %d: %w", id, err):
					default:
					}
					continue
				}
				if queued {
					done.Add(1)
				}
			}
		})
	}
	for _, id := range ids {
		select {
		case jobs <- id:
		case err := <-errs:
			close(jobs)
			wg.Wait()
			return 0, err
		case <-ctx.Done():
			close(jobs)
			wg.Wait()
			return 0, ctx.Err()
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return int(done.Load()), nil
}

// preparePushCustomer subscribes the customer's benchmark phone (pairing
// it the first time) and moves one of their jobs to another stage, which
// queues the notification in the same transaction. A customer without a
// job (another scenario's) gets nothing.
func preparePushCustomer(st *store.Store, push pushService, appKey string, id uint64) (queued bool, err error) {
	vehs, err := st.CustomerVehicles(id)
	if err != nil || len(vehs) == 0 {
		return false, err
	}
	jobs, err := st.VehicleJobs(vehs[0].ID)
	if err != nil || len(jobs) == 0 {
		return false, err
	}
	devs, err := st.CustomerDevices(id)
	if err != nil {
		return false, err
	}
	i := slices.IndexFunc(devs, func(d store.Device) bool { return d.Name == pushDevice && d.Active() })
	var dev store.Device
	if i >= 0 {
		dev = devs[i]
	} else {
		token, _, err := st.CreatePairLink(seedActor, id, 0)
		if err != nil {
			return false, err
		}
		if dev, err = st.Pair(seedActor, auth.HashToken(token), pushDevice, auth.HashToken("bench-credential-"+strconv.FormatUint(id, 10)+token)); err != nil {
			return false, err
		}
	}
	sub, err := push.Subscribe(appKey)
	if err != nil {
		return false, err
	}
	if _, err := st.SavePushSubscription(seedActor, store.PushSubscription{Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh,
		Auth: sub.Keys.Auth, DeviceID: dev.ID, CustomerID: id}); err != nil {
		return false, err
	}
	stage := store.StageReady
	if jobs[0].Stage == stage {
		stage = store.StageInProgress
	}
	_, err = st.SetJobStage(seedActor, jobs[0].ID, stage)
	return err == nil, err
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
// fail count as errors.
func openLoop(ctx context.Context, window time.Duration, stop <-chan struct{}, do op) Result {
	interval := time.Second / staffRate
	start := time.Now()
	var mu sync.Mutex
	r := Result{OtherCPU: -1}
	var wg sync.WaitGroup
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= window {
			break
		}
		select {
		case <-ctx.Done():
		case <-stop:
		case <-time.After(time.Until(due)):
			wg.Go(func() {
				err := do(ctx, i)
				lat := time.Since(due)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					r.Errors++
					if r.FirstError == nil {
						r.FirstError = err
					}
					return
				}
				r.Latencies = append(r.Latencies, lat)
			})
			continue
		}
		break
	}
	wg.Wait()
	r.Window = time.Since(start)
	slices.Sort(r.Latencies)
	r.Requests = len(r.Latencies)
	return r
}

// pct prints a share of the machine's CPU, "?" when unknown.
func pct(share float64) string {
	if share < 0 {
		return "?"
	}
	return strconv.FormatFloat(100*share, 'f', 0, 64) + " %"
}
