package e2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pitlane/notify"
	"pitlane/notify/pushtest"
	"pitlane/store"
)

const dealerEmail = "officina@garage-rossi.it"

var staffActor = store.Actor{Kind: "user", UserID: 1, Name: "e2e"}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// process is a pitlane binary serving a given data folder.
type process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan error
}

// serveData runs `pitlane serve` on dir with extra environment variables
// and waits until it answers.
func serveData(t *testing.T, dir string, env ...string) (*process, string) {
	t.Helper()
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p := &process{done: make(chan error, 1)}
	p.cmd = exec.Command(binary, "serve", "--data", dir, "--tls", "off", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	p.cmd.Env = append(os.Environ(), env...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("pitlane output:\n%s", p.out.String())
			p.mu.Unlock()
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p, base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pitlane did not answer /healthz: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the process with SIGTERM and expects a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("pitlane exited with %v after SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("pitlane did not stop within 10 s of SIGTERM")
	}
}

// pushCustomer prepares, in dir, a dealership with a real e-mail and a
// customer whose paired phone is subscribed on push.
func pushCustomer(t *testing.T, st *store.Store, push *pushtest.Server) (store.Customer, store.Device) {
	t.Helper()
	settings := store.DefaultSettings()
	settings.Email = dealerEmail
	if _, err := st.SaveSettings(staffActor, settings); err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCustomer(staffActor, store.Customer{Name: "Giulia Verdi", Email: "giulia@example.it", Lang: "it"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := st.CreatePairLink(staffActor, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.Pair(store.Actor{Kind: "customer"}, sha(token), "Chrome on Android", sha("credential"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := st.VAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := push.Subscribe(keys.Public)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SavePushSubscription(store.Actor{Kind: "customer"}, store.PushSubscription{Endpoint: sub.Endpoint,
		P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth, DeviceID: d.ID, CustomerID: c.ID}); err != nil {
		t.Fatal(err)
	}
	return c, d
}

// tags counts the messages per notification (the payload's tag).
func tags(t *testing.T, msgs []pushtest.Message) map[string][]notify.Payload {
	t.Helper()
	out := map[string][]notify.Payload{}
	for _, m := range msgs {
		var p notify.Payload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatalf("payload %q: %v", m.Payload, err)
		}
		out[p.Tag] = append(out[p.Tag], p)
	}
	return out
}

// TestPushSurvivesKill9 queues notifications while the appliance is
// stopped, starts it against a slow push service, kills it (SIGKILL) in
// the middle of delivering, and starts it again.
//
// What it proves: every notification committed to the outbox reaches the
// phone, and each notification is seen by the customer once. Delivery is
// at least once at the transport: the messages the push service accepted
// but whose 201 the killed process never read are still pending after the
// restart and are sent again (the push service below records a message
// before it answers, so those requests count as delivered). Those second
// copies carry the same tag, the notification's ID, and the service
// worker shows notifications with that tag, so a copy replaces the one
// already on the screen instead of adding a second: the phone shows each
// notification once. The test checks that every duplicate is the same
// message as the first copy, and that there are no more of them than
// requests could be in flight at the kill.
func TestPushSurvivesKill9(t *testing.T) {
	const queued = 300
	dir := t.TempDir()
	push := pushtest.Start()
	defer push.Close()
	// The binary trusts the push service's certificate as a CA: Go reads
	// SSL_CERT_FILE on Linux.
	certFile := filepath.Join(t.TempDir(), "push-ca.pem")
	if err := os.WriteFile(certFile, push.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := pushCustomer(t, st, push)
	v, err := st.CreateVehicle(staffActor, store.Vehicle{CustomerID: c.ID, Plate: "GV123AB", Make: "Fiat", Model: "500"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, queued)
	slots := make(chan struct{}, 32)
	for range queued {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			j, err := st.CreateJob(staffActor, store.Job{VehicleID: v.ID, Description: "tagliando"})
			if err == nil {
				_, err = st.SetJobStage(staffActor, j.ID, store.StageReady)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	pending, err := st.DueNotifications(queued + 1)
	if err != nil || len(pending) != queued {
		t.Fatalf("%d notifications queued, %v", len(pending), err)
	}
	want := map[string]bool{}
	for _, n := range pending {
		want[fmt.Sprint(n.ID)] = true
	}
	keys, _ := st.VAPIDKeys()
	st.Close()

	// First run: a slow push service, killed a third of the way.
	push.SetDelay(40 * time.Millisecond)
	first, _ := serveData(t, dir, "SSL_CERT_FILE="+certFile)
	// Generous bounds: the sender yields the CPU to everything else, and
	// other packages' tests may keep both cores busy.
	deadline := time.Now().Add(60 * time.Second)
	for push.Count() < queued/3 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages arrived", push.Count())
		}
		time.Sleep(time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	atKill := push.Count()

	st, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	left, _ := st.DueNotifications(queued + 1)
	st.Close()
	t.Logf("killed with %d messages accepted by the push service, %d notifications still pending", atKill, len(left))
	if len(left) == 0 || atKill >= queued {
		t.Fatal("the kill came after delivery finished: it proves nothing")
	}

	// Second run, same data folder.
	push.SetDelay(0)
	second, _ := serveData(t, dir, "SSL_CERT_FILE="+certFile)
	deadline = time.Now().Add(90 * time.Second)
	for len(tags(t, push.Messages())) < queued {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d notifications reached the phone", len(tags(t, push.Messages())), queued)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The key is the one the notifications were signed with, read through
	// the running service's control socket.
	out, err := exec.Command(binary, "vapid", "--data", dir).Output()
	if err != nil || strings.TrimSpace(string(out)) != keys.Public {
		t.Errorf("pitlane vapid printed %q (%v), want %q", out, err, keys.Public)
	}
	// Let anything still pending show itself before stopping.
	time.Sleep(200 * time.Millisecond)
	second.stop(t)

	if r := push.Rejections(); len(r) > 0 {
		t.Errorf("the push service refused %d messages (VAPID or encryption): %+v", len(r), r[0])
	}
	msgs := push.Messages()
	seen := tags(t, msgs)
	duplicates := 0
	for tag, copies := range seen {
		if !want[tag] {
			t.Errorf("a message for unknown notification %s", tag)
		}
		for _, p := range copies[1:] {
			duplicates++
			if p != copies[0] {
				t.Errorf("notification %s sent twice with different content: %+v and %+v", tag, copies[0], p)
			}
		}
	}
	if len(seen) != queued {
		t.Errorf("the customer saw %d distinct notifications, want %d", len(seen), queued)
	}
	t.Logf("%d requests for %d notifications: %d duplicates at the transport, each replaced on the phone by its tag",
		len(msgs), queued, duplicates)
	if most := notify.Unrecorded(notify.DefaultConcurrency); duplicates > most {
		t.Errorf("%d duplicates: more than could have been sent and not recorded at the kill (%d)", duplicates, most)
	}

	st, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for id := range want {
		var nid uint64
		fmt.Sscan(id, &nid)
		n, err := st.Notification(nid)
		if err != nil || n.Status != store.NotifyDelivered || n.Done.IsZero() {
			t.Errorf("notification %s: %+v, %v", id, n, err)
		}
	}
	if still, _ := st.DueNotifications(1); len(still) != 0 {
		t.Errorf("notifications still pending: %+v", still)
	}
}
