package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"pitlane/i18n"
	"pitlane/notify/pushtest"
	"pitlane/store"
)

const dealerEmail = "service@garage-rossi.it"

var staff = store.Actor{Kind: "user", UserID: 1, Name: "Anna"}

// fixture is a store with a dealership, an Italian customer with one paired
// phone subscribed on a local push service.
type fixture struct {
	st   *store.Store
	push *pushtest.Server
	cust store.Customer
	dev  store.Device
	sub  pushtest.Subscription
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	settings := store.DefaultSettings()
	settings.Email = dealerEmail
	if _, err := st.SaveSettings(staff, settings); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, push: pushtest.Start()}
	t.Cleanup(f.push.Close)
	f.cust, err = st.CreateCustomer(staff, store.Customer{Name: "Mario Rossi", Email: "mario@example.it", Lang: "it"})
	if err != nil {
		t.Fatal(err)
	}
	f.dev = f.pair(t, f.cust.ID, "phone")
	f.sub = f.subscribe(t, f.dev)
	return f
}

func (f *fixture) pair(t *testing.T, customerID uint64, name string) store.Device {
	t.Helper()
	token, _, err := f.st.CreatePairLink(staff, customerID, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.st.Pair(store.Actor{Kind: "customer"}, hash(token), name, hash("cred-"+name+token))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// subscribe does what the app does: subscribe with the appliance's public
// key, then hand the subscription to the store.
func (f *fixture) subscribe(t *testing.T, d store.Device) pushtest.Subscription {
	t.Helper()
	keys, err := f.st.VAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := f.push.Subscribe(keys.Public)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SavePushSubscription(store.Actor{Kind: "customer"}, store.PushSubscription{Endpoint: sub.Endpoint,
		P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth, DeviceID: d.ID, CustomerID: d.CustomerID}); err != nil {
		t.Fatal(err)
	}
	return sub
}

var plates int

// jobReady queues one workshop notification (a job made ready) for the
// customer and returns the job and the notification's ID.
func (f *fixture) jobReady(t *testing.T, customerID uint64) (store.Job, uint64) {
	t.Helper()
	plates++
	v, err := f.st.CreateVehicle(staff, store.Vehicle{CustomerID: customerID, Plate: fmt.Sprintf("AB%03dCD", plates), Make: "Fiat", Model: "Panda"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := f.st.CreateJob(staff, store.Job{VehicleID: v.ID, Description: "service"})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := f.st.DueNotifications(1 << 20)
	if j, err = f.st.SetJobStage(staff, j.ID, store.StageReady); err != nil {
		t.Fatal(err)
	}
	after, _ := f.st.DueNotifications(1 << 20)
	if len(after) != len(before)+1 {
		t.Fatalf("SetJobStage queued %d notifications", len(after)-len(before))
	}
	return j, after[len(after)-1].ID
}

// run starts a notifier and returns a function that stops it and waits.
func (f *fixture) run(t *testing.T, n *Notifier) (stop func()) {
	t.Helper()
	n.Store = f.st
	if n.Client == nil {
		n.Client = f.push.Client()
	}
	if n.Logger == nil {
		n.Logger = slog.New(slog.DiscardHandler)
	}
	if n.Retry == (Retry{}) {
		n.Retry = Retry{MaxAttempts: 5, GiveUpAfter: time.Hour, Base: 10 * time.Millisecond, Max: 100 * time.Millisecond}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	var stopped bool
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return within 10 s of its context ending")
		}
	}
	t.Cleanup(stop)
	return stop
}

// settled waits until the notification is no longer pending.
// queued puts n notifications for the fixture's customer in the outbox
// and returns their IDs.
func (f *fixture) queued(t *testing.T, n int) []uint64 {
	t.Helper()
	var ids []uint64
	for range n {
		_, id := f.jobReady(t, f.cust.ID)
		ids = append(ids, id)
	}
	return ids
}

func (f *fixture) settled(t *testing.T, id uint64) store.Notification {
	t.Helper()
	// Generous: the sender process yields the CPU to everything else, and
	// tests of other packages may keep both busy.
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := f.st.Notification(id)
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != store.NotifyPending {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("notification %d still pending: %+v", id, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) noRejections(t *testing.T) {
	t.Helper()
	if r := f.push.Rejections(); len(r) > 0 {
		t.Errorf("the push service refused messages: %+v", r)
	}
}

func decode(t *testing.T, m pushtest.Message) Payload {
	t.Helper()
	var p Payload
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatalf("payload %q: %v", m.Payload, err)
	}
	return p
}

func TestDeliversEncryptedInTheCustomersLanguage(t *testing.T) {
	f := newFixture(t)
	f.run(t, &Notifier{})
	j, id := f.jobReady(t, f.cust.ID)
	n := f.settled(t, id)
	if n.Status != store.NotifyDelivered || n.Attempts != 1 || n.LastError != "" {
		t.Fatalf("notification %+v", n)
	}
	f.noRejections(t)
	msgs := f.push.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	p := decode(t, m)
	want := Payload{Tag: strconv.FormatUint(id, 10), Title: "La tua auto: commessa " + j.Number, Body: "Pronto per il ritiro",
		URL: fmt.Sprintf("/app/jobs/%d", j.ID), Category: store.CategoryWorkshop}
	if p != want {
		t.Errorf("decrypted payload %+v, want %+v", p, want)
	}
	if m.Urgency != "high" || m.TTL != int((24*time.Hour).Seconds()) || m.BodySize != recordSize {
		t.Errorf("urgency %q, TTL %d, body %d bytes", m.Urgency, m.TTL, m.BodySize)
	}
	keys, _ := f.st.VAPIDKeys()
	if m.Claims.Sub != "mailto:"+dealerEmail || m.Claims.Key != keys.Public || m.Claims.Aud != f.push.URL {
		t.Errorf("VAPID claims %+v", m.Claims)
	}
}

func TestGoneSubscriptionIsDeleted(t *testing.T) {
	f := newFixture(t)
	tablet := f.pair(t, f.cust.ID, "tablet")
	tabletSub := f.subscribe(t, tablet)
	f.push.Expire(f.sub.Endpoint)
	f.run(t, &Notifier{})

	// One device gone, the other takes it: delivered, and the gone one is
	// forgotten.
	_, id := f.jobReady(t, f.cust.ID)
	if n := f.settled(t, id); n.Status != store.NotifyDelivered {
		t.Errorf("with one live device: %+v", n)
	}
	subs, _ := f.st.PushSubscriptions(f.cust.ID)
	if len(subs) != 1 || subs[0].Endpoint != tabletSub.Endpoint {
		t.Errorf("subscriptions after a 410: %+v", subs)
	}

	// The last one gone too: failed, visibly, and none left.
	f.push.Expire(tabletSub.Endpoint)
	_, id = f.jobReady(t, f.cust.ID)
	n := f.settled(t, id)
	if n.Status != store.NotifyFailed || n.LastError != errGone {
		t.Errorf("with every device gone: %+v", n)
	}
	if subs, _ := f.st.PushSubscriptions(f.cust.ID); len(subs) != 0 {
		t.Errorf("subscriptions left: %+v", subs)
	}
	// From then on the customer simply has no device.
	_, id = f.jobReady(t, f.cust.ID)
	if n := f.settled(t, id); n.Status != store.NotifyFailed || n.LastError != errNoDevice {
		t.Errorf("without devices: %+v", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	f := newFixture(t)
	f.push.Script(f.sub.Endpoint, pushtest.Reply{Status: 429, RetryAfter: "1"})
	f.run(t, &Notifier{})
	_, id := f.jobReady(t, f.cust.ID)
	n := f.settled(t, id)
	if n.Status != store.NotifyDelivered || n.Attempts != 2 {
		t.Fatalf("notification %+v", n)
	}
	reqs := f.push.Requests(f.sub.Endpoint)
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	// The backoff alone would have retried within 10 ms.
	if gap := reqs[1].Sub(reqs[0]); gap < time.Second {
		t.Errorf("retried %v after a 429 with Retry-After: 1", gap)
	}
	f.noRejections(t)
}

func TestServerErrorsAreRetriedThenFailed(t *testing.T) {
	f := newFixture(t)
	for range 10 {
		f.push.Script(f.sub.Endpoint, pushtest.Reply{Status: 500})
	}
	f.run(t, &Notifier{Retry: Retry{MaxAttempts: 4, GiveUpAfter: time.Hour, Base: 20 * time.Millisecond, Max: time.Second}})
	_, id := f.jobReady(t, f.cust.ID)
	n := f.settled(t, id)
	if n.Status != store.NotifyFailed || n.Attempts != 4 || !strings.Contains(n.LastError, "500") || !strings.Contains(n.LastError, "gave up") {
		t.Fatalf("notification %+v", n)
	}
	reqs := f.push.Requests(f.sub.Endpoint)
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	// Backoff with jitter: each wait at least half of 20 ms, 40 ms, 80 ms.
	for i, least := range []time.Duration{10, 20, 40} {
		if gap := reqs[i+1].Sub(reqs[i]); gap < least*time.Millisecond {
			t.Errorf("wait before attempt %d was %v, want at least %v", i+2, gap, least*time.Millisecond)
		}
	}
	if subs, _ := f.st.PushSubscriptions(f.cust.ID); len(subs) != 1 {
		t.Error("a subscription was dropped for server errors")
	}
}

func TestSwitchedOffCategoryIsNotSent(t *testing.T) {
	f := newFixture(t)
	if _, err := f.st.SetPushPreferences(store.Actor{Kind: "customer"}, f.cust.ID, store.PushPreferences{store.CategoryWorkshop: false}); err != nil {
		t.Fatal(err)
	}
	f.run(t, &Notifier{})
	_, id := f.jobReady(t, f.cust.ID)
	if n := f.settled(t, id); n.Status != store.NotifySkipped {
		t.Errorf("notification %+v", n)
	}
	if reqs := f.push.Requests(f.sub.Endpoint); len(reqs) != 0 {
		t.Errorf("%d requests for a category the customer switched off", len(reqs))
	}
}

func TestWithoutDealershipEmailItWaitsVisibly(t *testing.T) {
	f := newFixture(t)
	settings, _ := f.st.Settings()
	settings.Email = ""
	if _, err := f.st.SaveSettings(staff, settings); err != nil {
		t.Fatal(err)
	}
	f.run(t, &Notifier{Retry: Retry{MaxAttempts: 5, GiveUpAfter: time.Hour, Base: time.Hour, Max: time.Hour}})
	_, id := f.jobReady(t, f.cust.ID)
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, _ := f.st.Notification(id)
		if n.Attempts == 1 {
			if n.Status != store.NotifyPending || n.LastError != errNoContact {
				t.Errorf("notification %+v", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no attempt recorded: %+v", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if reqs := f.push.Requests(f.sub.Endpoint); len(reqs) != 0 {
		t.Errorf("sent with no contact address: %d requests", len(reqs))
	}
}

func TestBoundedConcurrency(t *testing.T) {
	f := newFixture(t)
	f.push.SetDelay(40 * time.Millisecond)
	ids := f.queued(t, 16)
	f.run(t, &Notifier{Concurrency: 4})
	for _, id := range ids {
		if n := f.settled(t, id); n.Status != store.NotifyDelivered || n.Attempts != 1 {
			t.Errorf("notification %+v", n)
		}
	}
	if p := f.push.Peak(); p != 4 {
		t.Errorf("at most %d requests at once, want 4", p)
	}
	if got := f.push.Count(); got != len(ids) {
		t.Errorf("%d messages for %d notifications", got, len(ids))
	}
}

// A campaign's outcomes are committed together, not one commit each.
func TestOutcomesAreRecordedTogether(t *testing.T) {
	f := newFixture(t)
	ids := f.queued(t, 40)
	before := f.st.Writes()
	f.run(t, &Notifier{})
	for _, id := range ids {
		if n := f.settled(t, id); n.Status != store.NotifyDelivered || n.Attempts != 1 {
			t.Errorf("notification %+v", n)
		}
	}
	commits := f.st.Writes() - before
	t.Logf("%d notifications recorded in %d commits", len(ids), commits)
	if commits > uint64(len(ids))/8 {
		t.Errorf("%d notifications recorded in %d commits, want at least 8 to a commit", len(ids), commits)
	}
}

func TestStopLetsRequestsInFlightFinish(t *testing.T) {
	f := newFixture(t)
	f.push.SetDelay(300 * time.Millisecond)
	stop := f.run(t, &Notifier{})
	_, id := f.jobReady(t, f.cust.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.push.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	stop()
	if n, _ := f.st.Notification(id); n.Status != store.NotifyDelivered {
		t.Errorf("after a stop mid-request: %+v", n)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("stopping took %v", took)
	}
}

func TestPayloadStaysUnder3KB(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("Ș€𝄞\"<>", 2000) // multi-byte runes, and characters JSON escapes
	n := store.Notification{ID: 42, CustomerID: f.cust.ID, Category: store.CategorySales, TitleKey: "notify.job_stage.title",
		BodyKey: "notify.job_stage.title", Args: []string{"number", long}, URL: "/app/quotes/7"}
	b := render(n, i18n.Romanian)
	if len(b) > MaxPayload {
		t.Fatalf("payload %d bytes, limit %d", len(b), MaxPayload)
	}
	if len(b) < MaxPayload-16 {
		t.Errorf("payload cut to %d bytes, far below the limit %d", len(b), MaxPayload)
	}
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(p.Body) || !strings.HasSuffix(p.Body, "…") || !strings.HasPrefix(p.Body, "Mașina dumneavoastră") {
		t.Errorf("body %q…", p.Body[:40])
	}
	if utf8.RuneCountInString(p.Title) != maxTitle || !strings.HasSuffix(p.Title, "…") {
		t.Errorf("title of %d runes", utf8.RuneCountInString(p.Title))
	}
	if p.Tag != "42" || p.URL != "/app/quotes/7" {
		t.Errorf("payload %+v", p)
	}

	// The largest payload still fits one 3 KB record, and arrives whole.
	keys, _ := f.st.VAPIDKeys()
	signer, err := newVAPID(keys)
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{Notifier: &Notifier{Retry: DefaultRetry}, poster: newLocalPoster(f.push.Client(), signer, 1),
		sendCtx: context.Background(), paused: map[string]time.Time{}}
	subs, _ := f.st.PushSubscriptions(f.cust.ID)
	o := r.send(message{payload: b, ttl: time.Hour, urgency: urgency(n), subject: dealerEmail}, subs[0])
	if o.kind != accepted {
		t.Fatalf("outcome %+v", o)
	}
	m := f.push.Messages()[0]
	if string(m.Payload) != string(b) || m.BodySize > 3<<10 || m.Urgency != "normal" {
		t.Errorf("arrived %d bytes (body %d), urgency %q", len(m.Payload), m.BodySize, m.Urgency)
	}
	f.noRejections(t)
}

func TestAppURL(t *testing.T) {
	for in, want := range map[string]string{
		"/app/jobs/3":            "/app/jobs/3",
		"":                       "/app/",
		"https://evil.example/x": "/app/",
		"//evil.example/x":       "/app/",
		"/\\evil.example":        "/app/",
		"javascript:alert(1)":    "/app/",
	} {
		if got := appURL(in); got != want {
			t.Errorf("appURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"120":                           2 * time.Minute,
		"-5":                            0,
		"soon":                          0,
		"99999999999999999":             7 * 24 * time.Hour,
		"Sat, 14 Mar 2026 09:31:30 GMT": 90 * time.Second,
		"Sat, 14 Mar 2026 09:00:00 GMT": 0,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestUrgencyAndTTL(t *testing.T) {
	for _, c := range []struct {
		n       store.Notification
		urgency string
		ttl     time.Duration
	}{
		{store.Notification{Category: store.CategoryWorkshop}, "high", 24 * time.Hour},
		{store.Notification{Category: store.CategorySales, Urgent: true}, "high", 72 * time.Hour},
		{store.Notification{Category: store.CategoryDocuments}, "normal", 72 * time.Hour},
		{store.Notification{Category: store.CategoryMarketing}, "low", 7 * 24 * time.Hour},
	} {
		if u := string(urgency(c.n)); u != c.urgency {
			t.Errorf("%+v: urgency %s, want %s", c.n, u, c.urgency)
		}
		if d := ttl(c.n.Category); d != c.ttl {
			t.Errorf("%s: TTL %v, want %v", c.n.Category, d, c.ttl)
		}
	}
}

func TestVAPIDSubject(t *testing.T) {
	for in, want := range map[string]string{
		dealerEmail:             dealerEmail,
		"mailto:" + dealerEmail: dealerEmail,
		" " + dealerEmail + " ": dealerEmail,
		"":                      "",
		"Service <a@b.it>":      "",
		"not an address":        "",
	} {
		if got := vapidSubject(in); got != want {
			t.Errorf("vapidSubject(%q) = %q, want %q", in, got, want)
		}
	}
}
