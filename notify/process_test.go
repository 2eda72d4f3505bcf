package notify

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pitlane/store"
)

// TestMain lets the test binary be started again as the push sender, as
// pitlane is.
func TestMain(m *testing.M) {
	if IsSenderProcess() {
		os.Exit(ServeSender(os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// senders starts this test binary as the sender, trusting the fixture's
// push service, and keeps every command it started.
type senders struct {
	start func() *exec.Cmd
	mu    sync.Mutex
	cmds  []*exec.Cmd
}

func (f *fixture) senders(t *testing.T) *senders {
	t.Helper()
	cert := filepath.Join(t.TempDir(), "push.pem")
	if err := os.WriteFile(cert, f.push.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	start, err := SelfProcess("SSL_CERT_FILE=" + cert)
	if err != nil {
		t.Fatal(err)
	}
	return &senders{start: start}
}

func (s *senders) Process() *exec.Cmd {
	cmd := s.start()
	s.mu.Lock()
	s.cmds = append(s.cmds, cmd)
	s.mu.Unlock()
	return cmd
}

func (s *senders) started() []*exec.Cmd {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cmds)
}

// The sender process encrypts and signs as this process would (the push
// service decrypts every message and checks its token), is started again
// when it dies, and exits when the notifier stops.
func TestSenderProcessDeliversAndIsStartedAgain(t *testing.T) {
	f := newFixture(t)
	procs := f.senders(t)
	ids := f.queued(t, 6)
	stop := f.run(t, &Notifier{Process: procs.Process, Concurrency: 4})
	for _, id := range ids {
		if n := f.settled(t, id); n.Status != store.NotifyDelivered || n.Attempts != 1 {
			t.Errorf("notification %+v", n)
		}
	}
	f.noRejections(t)
	tags := map[string]int{}
	for _, m := range f.push.Messages() {
		tags[decode(t, m).Tag]++
	}
	if len(tags) != len(ids) || len(f.push.Messages()) != len(ids) {
		t.Errorf("%d messages with %d tags for %d notifications", len(f.push.Messages()), len(tags), len(ids))
	}
	if n := len(procs.started()); n != 1 {
		t.Fatalf("%d sender processes started, want 1", n)
	}

	// The sender dies with a request in flight: the notification is tried
	// again, through a sender started for it.
	f.push.SetDelay(time.Minute)
	_, id := f.jobReady(t, f.cust.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := f.push.Wait(ctx, len(ids)+1); err != nil {
		t.Fatal(err)
	}
	f.push.SetDelay(0)
	if err := procs.started()[0].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	n := f.settled(t, id)
	if n.Status != store.NotifyDelivered || n.Attempts != 2 {
		t.Errorf("after the sender died: %+v", n)
	}
	if len(procs.started()) != 2 {
		t.Errorf("%d sender processes started, want 2", len(procs.started()))
	}
	f.noRejections(t)

	stop()
	for i, cmd := range procs.started() {
		if cmd.ProcessState == nil {
			t.Errorf("sender %d still running after the notifier stopped", i+1)
		}
	}
}

// A stop signal meant for the whole process group (Ctrl-C, a service
// manager) does not cut the sender's requests short: the appliance ends
// it when they are done.
func TestSenderOutlivesStopSignals(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM to send on Windows")
	}
	f := newFixture(t)
	procs := f.senders(t)
	f.run(t, &Notifier{Process: procs.Process})
	f.push.SetDelay(300 * time.Millisecond)
	_, id := f.jobReady(t, f.cust.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := f.push.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := procs.started()[0].Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if n := f.settled(t, id); n.Status != store.NotifyDelivered || n.Attempts != 1 {
		t.Errorf("after SIGTERM to the sender: %+v", n)
	}
	if n := len(procs.started()); n != 1 {
		t.Errorf("%d senders started, want 1", n)
	}
}

// A sender that says nothing long after its request should have timed out
// is stopped, and the next message starts another.
func TestStuckSenderIsReplaced(t *testing.T) {
	f := newFixture(t)
	procs := f.senders(t)
	keys, err := f.st.VAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	p := newProcessPoster(procs.Process, senderHello{VAPID: keys, Concurrency: 1}, slog.New(slog.DiscardHandler))
	defer p.Close()
	p.stuckAfter = 300 * time.Millisecond
	msg := message{payload: []byte(`{"tag":"1"}`), ttl: time.Minute, urgency: "normal", subject: dealerEmail}
	sub := store.PushSubscription{Endpoint: f.sub.Endpoint, P256dh: f.sub.Keys.P256dh, Auth: f.sub.Keys.Auth}

	f.push.SetDelay(time.Minute)
	if a := p.post(context.Background(), msg, sub); a.Status != 0 || !strings.Contains(a.Err, "did not answer") {
		t.Fatalf("from a stuck sender: %+v", a)
	}
	f.push.SetDelay(0)
	p.stuckAfter = time.Minute // a new sender's start is no sign of being stuck
	if a := p.post(context.Background(), msg, sub); a.Status != http.StatusCreated {
		t.Fatalf("after the stuck sender was replaced: %+v", a)
	}
	started := procs.started()
	if len(started) != 2 {
		t.Fatalf("%d senders started, want 2", len(started))
	}
	p.Close()
	if started[0].ProcessState == nil || started[0].ProcessState.Success() {
		t.Errorf("the stuck sender was not stopped: %v", started[0].ProcessState)
	}
	f.noRejections(t)
}

// Sending keeps to the notifier's rate: ten notifications at 20 a second
// (the first at once) take at least 450 ms from the start to the last
// request.
func TestRateSpacesRequests(t *testing.T) {
	f := newFixture(t)
	ids := f.queued(t, 10)
	start := time.Now()
	f.run(t, &Notifier{Rate: 20})
	for _, id := range ids {
		if n := f.settled(t, id); n.Status != store.NotifyDelivered {
			t.Errorf("notification %+v", n)
		}
	}
	reqs := f.push.Requests(f.sub.Endpoint)
	if len(reqs) != len(ids) {
		t.Fatalf("%d requests for %d notifications", len(reqs), len(ids))
	}
	if span := reqs[len(reqs)-1].Sub(start); span < 450*time.Millisecond {
		t.Errorf("10 notifications at 20/s went out within %v of the start", span)
	}
}
