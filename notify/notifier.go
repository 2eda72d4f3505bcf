// Package notify delivers the customer notifications waiting in the store's outbox as web push.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"pitlane/i18n"
	"pitlane/store"
)

// DefaultRate is how many notifications a second are sent at most. A
// campaign to ten thousand customers leaves in about four seconds, and
// the CPU it takes at a time (about 0.2 ms a message in the sender and as
// much in the appliance) is bounded: measured on two cores, the staff's
// p99 rose by two thirds of what it did at the push service's own pace.
// Push services on the internet answer in tens of milliseconds, which caps
// the rate lower anyway (32 in flight); only one on the same network
// reaches this bound.
const DefaultRate = 2500

// DefaultConcurrency is how many notifications are sent at once: push
// services answer in tens to hundreds of milliseconds, so a few dozen
// requests in flight keep a queue moving without flooding any of them.
const DefaultConcurrency = 32

// Retry is when a notification is tried again and when it is given up.
type Retry struct {
	MaxAttempts int           // attempts before it is failed
	GiveUpAfter time.Duration // after its creation, it is failed rather than retried
	Base, Max   time.Duration // exponential backoff: Base, 2×Base, … up to Max, with jitter
}

// DefaultRetry spreads ten attempts over about five hours and never retries
// a notification older than a day: by then the news is stale, and it is
// better shown as failed.
var DefaultRetry = Retry{MaxAttempts: 10, GiveUpAfter: 24 * time.Hour, Base: 30 * time.Second, Max: time.Hour}

// Notifier drains the outbox: it sends each due notification to the
// customer's subscribed devices and records the outcome.
//
// Delivery is at least once. The push service's 201 and the commit that
// records it cannot be one transaction, so a crash between them leaves the
// notification pending and it is sent again after the restart. Marking it
// "sending" before the request instead would turn that crash into a lost
// notification, which the appliance's promise (delivered or visibly
// failed) forbids. The duplicate is made invisible at the receiver: the
// payload's tag is the notification's ID and the service worker shows it
// with that tag, so the second copy replaces the first on the phone instead
// of adding another. The window is the tens of milliseconds between the
// 201 and the commit that records it with others (recordEvery).
type Notifier struct {
	Store *store.Store
	// Process starts the process that encrypts, signs and posts the
	// messages (ServeSender, through SelfProcess), so that work does not
	// share this process's scheduler and garbage collector with the staff's
	// pages; nil: this process does it, through Client.
	Process func() *exec.Cmd
	// Client sends the requests when there is no Process; nil: one with a
	// 30 s timeout that never follows redirects.
	Client      *http.Client
	Concurrency int // 0: DefaultConcurrency
	Rate        int // notifications a second at most; 0: DefaultRate
	// Encryptions bounds how many messages this process encrypts and signs
	// at once (without a Process; the sender has one CPU, so one at a time),
	// the CPU-heavy part of sending: a campaign to a fast push service then
	// leaves CPUs to the staff. 0: half the CPUs, at least one.
	Encryptions int
	Retry       Retry
	Logger      *slog.Logger
	// Grace is how long requests in flight may finish once Run's context
	// ends; 0: 5 s, within the appliance's shutdown budget.
	Grace time.Duration
}

// requestTimeout bounds one request to a push service.
const requestTimeout = 30 * time.Second

// NewClient returns the HTTP client the notifier uses by default: enough
// idle connections per push service for conc requests in flight, no
// redirects (a push service does not send any, and following one would let
// an endpoint point the appliance elsewhere).
func NewClient(conc int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conc
	return &http.Client{Transport: tr, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (n *Notifier) defaults() {
	if n.Concurrency <= 0 {
		n.Concurrency = DefaultConcurrency
	}
	if n.Client == nil {
		n.Client = NewClient(n.Concurrency)
	}
	if n.Retry == (Retry{}) {
		n.Retry = DefaultRetry
	}
	if n.Logger == nil {
		n.Logger = slog.Default()
	}
	if n.Grace <= 0 {
		n.Grace = 5 * time.Second
	}
	if n.Rate <= 0 {
		n.Rate = DefaultRate
	}
	if n.Encryptions <= 0 {
		n.Encryptions = max(1, runtime.GOMAXPROCS(0)/2)
	}
}

// poll is how often the outbox is read even when nothing woke the
// notifier, in case a wake-up was missed.
const poll = time.Minute

// Run delivers notifications until ctx ends, then lets the requests in
// flight finish (for at most Grace) and records their outcome. It makes
// the VAPID key pair on its first run.
func (n *Notifier) Run(ctx context.Context) error {
	n.defaults()
	keys, err := n.Store.VAPIDKeys()
	if err != nil {
		return fmt.Errorf("VAPID keys: %w", err)
	}
	signer, err := newVAPID(keys)
	if err != nil {
		return err
	}
	// Requests outlive ctx by the grace period, so a stop does not cut a
	// message off halfway.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	stopGrace := context.AfterFunc(ctx, func() { time.AfterFunc(n.Grace, cancelSends) })
	defer stopGrace()

	var p poster
	if n.Process != nil {
		pp := newProcessPoster(n.Process, senderHello{VAPID: keys, Concurrency: n.Concurrency}, n.Logger)
		defer pp.Close() // after the requests in flight, below
		p = pp
	} else {
		p = newLocalPoster(n.Client, signer, n.Encryptions)
	}
	r := &runner{Notifier: n, poster: p, sendCtx: sendCtx, work: make(chan uint64),
		recs:     make(chan outcomeOf, n.Concurrency),
		pace:     rate.NewLimiter(rate.Limit(n.Rate), max(1, n.Rate/100)),
		finished: make(chan struct{}, 1), inflight: map[uint64]bool{}, paused: map[string]time.Time{}}
	for range n.Concurrency {
		r.wg.Go(r.worker)
	}
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		r.recorder()
	}()
	// The workers end first, then the recorder, once it recorded what they
	// handed it.
	defer func() {
		close(r.work)
		r.wg.Wait()
		close(r.recs)
		<-recorded
	}()
	r.rescan()
	for {
		wake := n.Store.Changed()
		if err := r.dispatch(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			n.Logger.Error("reading the notification outbox", "err", err)
		}
		wait := poll
		if at := r.nextWake(); !at.IsZero() {
			wait = min(wait, max(time.Until(at), 0))
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-wake:
		case <-r.finished:
		case <-timer.C:
			r.rescan()
		}
		timer.Stop()
	}
}

// runner is one Run's state.
type runner struct {
	*Notifier
	poster  poster
	sendCtx context.Context
	// work hands a notification to one of Concurrency workers, which
	// sends it and hands its outcome to the recorder (recs). It stays in
	// flight until the outcome is committed: so a crash can leave at most
	// Unrecorded(Concurrency) notifications sent but not recorded, which
	// are the ones sent twice.
	work     chan uint64
	recs     chan outcomeOf
	pace     *rate.Limiter // DefaultRate
	wg       sync.WaitGroup
	finished chan struct{}

	mu       sync.Mutex
	inflight map[uint64]bool
	settings atomic.Pointer[store.Settings] // as dispatch last read them
	wakeAt   time.Time                      // earliest retry known to be pending; zero: none
	paused   map[string]time.Time           // push service host → no requests before
}

// dispatch hands every due notification not already in flight to a
// worker, at the pace allowed, waiting for a free worker when all are busy.
func (r *runner) dispatch(ctx context.Context) error {
	settings, err := r.Store.Settings()
	if err != nil {
		return err
	}
	// In-flight notifications are still pending, and the oldest: they are
	// passed over.
	due, err := r.Store.DueNotificationIDs(2*r.Concurrency, func(id uint64) bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.inflight[id]
	})
	if err != nil {
		return err
	}
	r.settings.Store(&settings)
	// Only dispatch adds to inflight, so none of these entered it since.
	for _, id := range due {
		if err := r.pace.Wait(ctx); err != nil {
			return err
		}
		r.mu.Lock()
		r.inflight[id] = true
		r.mu.Unlock()
		select {
		case r.work <- id:
		case <-ctx.Done():
			r.mu.Lock()
			delete(r.inflight, id)
			r.mu.Unlock()
			return ctx.Err()
		}
	}
	return nil
}

// worker delivers the notifications dispatch hands it until Run returns.
func (r *runner) worker() {
	for id := range r.work {
		if !r.deliver(id, *r.settings.Load()) {
			r.done(id)
		}
	}
}

// done takes id out of flight and lets dispatch know there is room.
func (r *runner) done(id uint64) {
	r.mu.Lock()
	delete(r.inflight, id)
	r.mu.Unlock()
	select {
	case r.finished <- struct{}{}:
	default:
	}
}

// outcomeOf is an attempt's outcome, waiting to be recorded.
type outcomeOf struct {
	nt  store.Notification
	res store.PushResult
}

// recordEvery is how long the recorder gathers outcomes before it commits
// them together, Concurrency at most to a commit. A commit per message
// was a thousand fdatasyncs a second while a campaign went out, and the
// journal and disk work behind each took CPU the staff's pages waited for.
const recordEvery = 20 * time.Millisecond

// Unrecorded is how many notifications a crash can leave sent but not
// recorded, at most, with concurrency in flight: those being sent, those
// handed to the recorder, and those in the commit it is making. The next
// start sends them again; the phone shows each once (the payload's tag).
func Unrecorded(concurrency int) int { return 3 * concurrency }

// recorder commits the outcomes the workers hand it, gathered for up to
// recordEvery, until the workers are done.
func (r *runner) recorder() {
	batch := make([]outcomeOf, 0, r.Concurrency)
	for first := range r.recs {
		batch = append(batch[:0], first)
		timer := time.NewTimer(recordEvery)
	gather:
		for len(batch) < r.Concurrency {
			select {
			case o, ok := <-r.recs:
				if !ok {
					break gather
				}
				batch = append(batch, o)
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		r.record(batch)
		clear(batch)
	}
}

// record commits batch's outcomes in one transaction.
func (r *runner) record(batch []outcomeOf) {
	recs := make([]store.PushRecord, len(batch))
	for i, o := range batch {
		recs[i] = store.PushRecord{ID: o.nt.ID, Result: o.res}
	}
	if err := r.Store.RecordPushes(recs); err != nil {
		r.Logger.Error("recording notifications' outcomes", "count", len(batch), "err", err)
		// They stay in flight a little, so a failing store is not
		// hammered; then they are pending still, and are sent again.
		select {
		case <-time.After(time.Second):
		case <-r.sendCtx.Done():
		}
		for _, o := range batch {
			r.done(o.nt.ID)
		}
		return
	}
	for _, o := range batch {
		if o.res.Status == store.NotifyPending {
			r.retryAt(o.res.Next)
		}
		r.logOutcome(o.nt, o.res)
		r.done(o.nt.ID)
	}
}

// rescan learns the earliest pending retry from the store: at start, and
// when the one known has come.
func (r *runner) rescan() {
	next, ok, err := r.Store.NextNotificationTry()
	if err != nil {
		r.Logger.Error("reading the notification outbox", "err", err)
		return
	}
	r.mu.Lock()
	r.wakeAt = time.Time{}
	if ok {
		r.wakeAt = next
	}
	r.mu.Unlock()
}

func (r *runner) nextWake() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.wakeAt
}

func (r *runner) retryAt(at time.Time) {
	r.mu.Lock()
	if r.wakeAt.IsZero() || at.Before(r.wakeAt) {
		r.wakeAt = at
	}
	r.mu.Unlock()
}

// deliver makes one attempt at a notification and hands its outcome to
// the recorder; false when there is nothing to record, and id is out of
// flight at once.
func (r *runner) deliver(id uint64, settings store.Settings) bool {
	// The due list dispatch worked from may be older than an attempt that
	// just finished, or than a merge that moved the notification to another
	// customer: it is read again, with where to send it, in one go.
	nt, tgt, due, err := r.Store.DueTarget(id)
	if err == nil && !due {
		return false
	}
	if nt.ID == 0 {
		r.Logger.Error("reading a notification", "notification", id, "err", err)
		return false
	}
	res, ok := r.attempt(nt, tgt, err, settings)
	if !ok {
		// Stopped while every request was in flight: nothing is known, so
		// nothing is recorded, and the next start sends it again.
		return false
	}
	r.recs <- outcomeOf{nt: nt, res: res}
	return true
}

// logOutcome logs what an attempt at nt came to. A campaign makes
// thousands of attempts a second, so nothing is put together for a level
// the logger leaves out (delivered is Debug).
func (r *runner) logOutcome(nt store.Notification, res store.PushResult) {
	level, msg, detail := slog.LevelDebug, "notification not sent", []any{"status", res.Status}
	switch res.Status {
	case store.NotifyPending:
		level, msg, detail = slog.LevelInfo, "notification not delivered yet; will retry", []any{"next", res.Next, "err", res.Error}
	case store.NotifyFailed:
		level, msg, detail = slog.LevelWarn, "notification failed", []any{"err", res.Error}
	case store.NotifyDelivered:
		msg, detail = "notification delivered", []any{"devices", len(res.Accepted)}
	}
	ctx := context.Background()
	if r.Logger.Enabled(ctx, level) {
		args := append([]any{"notification", nt.ID, "customer", nt.CustomerID, "category", nt.Category, "attempt", nt.Attempts + 1}, detail...)
		r.Logger.Log(ctx, level, msg, args...)
	}
	if len(res.Gone) > 0 {
		r.Logger.Info("push subscriptions the push service says are gone were deleted", "notification", nt.ID, "customer", nt.CustomerID, "count", len(res.Gone))
	}
}

// Reasons a notification fails without a request, as staff read them.
const (
	errNoDevice   = "no device: the customer has not turned on notifications on any paired phone"
	errGone       = "no device: the push service says every subscription of the customer is gone"
	errNoCustomer = "the customer no longer exists"
	errNoContact  = "the dealership's e-mail is not set in Settings: push services require a real contact address"
)

// attempt sends nt to each of the customer's subscriptions (tgt, or err
// when they could not be read) and says what to record. ok is false when
// the appliance stopped before any answer came.
func (r *runner) attempt(nt store.Notification, tgt store.PushTarget, err error, settings store.Settings) (res store.PushResult, ok bool) {
	switch {
	case store.Is(err, store.CodeNotFound):
		return store.PushResult{Status: store.NotifyFailed, Error: errNoCustomer}, true
	case err != nil:
		return r.retry(nt, 0, "read the customer's devices: "+err.Error(), tgt.Accepted), true
	case !tgt.Allowed:
		return store.PushResult{Status: store.NotifySkipped, Error: "the customer switched " + nt.Category + " notifications off"}, true
	case len(tgt.Subscriptions) == 0 && tgt.Accepted:
		return store.PushResult{Status: store.NotifyDelivered}, true
	case len(tgt.Subscriptions) == 0:
		return store.PushResult{Status: store.NotifyFailed, Error: errNoDevice}, true
	}
	subject := vapidSubject(settings.Email)
	if subject == "" {
		return r.retry(nt, 0, errNoContact, false), true
	}
	lang, _ := i18n.Parse(tgt.Lang)
	msg := message{payload: render(nt, lang), ttl: ttl(nt.Category), urgency: urgency(nt), subject: subject}

	var errs []string
	var after time.Duration
	retry, aborted := false, 0
	for _, sub := range tgt.Subscriptions {
		o := r.send(msg, sub)
		switch o.kind {
		case accepted:
			res.Accepted = append(res.Accepted, sub.Endpoint)
		case gone:
			res.Gone = append(res.Gone, sub.Endpoint)
		case refused:
			res.Failed = append(res.Failed, sub.Endpoint)
			errs = append(errs, o.err)
		case transient:
			retry = true
			after = max(after, o.after)
			errs = append(errs, o.err)
		case stopped:
			retry = true
			aborted++
		}
	}
	if aborted == len(tgt.Subscriptions) {
		return res, false
	}
	delivered := tgt.Accepted || len(res.Accepted) > 0
	errText := strings.Join(errs, "; ")
	switch {
	case retry:
		rr := r.retry(nt, after, errText, delivered)
		res.Status, res.Next, res.Error = rr.Status, rr.Next, rr.Error
	case delivered:
		res.Status, res.Error = store.NotifyDelivered, errText
	case len(res.Gone) == len(tgt.Subscriptions):
		res.Status, res.Error = store.NotifyFailed, errGone
	default:
		res.Status, res.Error = store.NotifyFailed, errText
	}
	return res, true
}

// retry schedules the next attempt after exponential backoff with jitter,
// or at least after the push service's Retry-After; or it gives up, once
// the attempts or the time allowed are spent.
func (r *runner) retry(nt store.Notification, after time.Duration, errText string, delivered bool) store.PushResult {
	attempt := nt.Attempts + 1
	backoff := r.Retry.Base
	for i := 1; i < attempt && backoff < r.Retry.Max; i++ {
		backoff *= 2
	}
	backoff = min(backoff, r.Retry.Max)
	// Half fixed, half random: retries of a burst spread out instead of
	// hitting a recovering push service together.
	backoff = backoff/2 + rand.N(backoff/2+1)
	// Counted from the answer, not from the start of the attempt, so a
	// Retry-After is honoured in full.
	next := time.Now().Add(max(backoff, after))
	if attempt >= r.Retry.MaxAttempts || next.After(nt.Created.Add(r.Retry.GiveUpAfter)) {
		status := store.NotifyFailed
		if delivered {
			status = store.NotifyDelivered
		}
		return store.PushResult{Status: status, Error: fmt.Sprintf("gave up after %d attempts: %s", attempt, errText)}
	}
	return store.PushResult{Status: store.NotifyPending, Next: next, Error: errText}
}

// vapidSubject is the contact the VAPID token names: the dealership's real
// e-mail, since Apple's push service refuses placeholders: the bare
// address, to which the VAPID signer adds "mailto:".
func vapidSubject(email string) string {
	email = strings.TrimPrefix(strings.TrimSpace(email), "mailto:")
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email {
		return ""
	}
	return email
}
