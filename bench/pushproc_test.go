package bench

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/SherClockHolmes/webpush-go"
)

// The push service process, run here in a goroutine with pipes for its
// standard input and output: the scenario subscribes through it, a message
// sent to the subscription is verified and counted there, and closing its
// input ends it.
func TestPushServiceProcess(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go func() { exited <- ServePushService(inR, outW, &stderr) }()
	p, err := connectPush(inW, outR, 4)
	if err != nil {
		t.Fatal(err)
	}
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := p.Subscribe(pub)
	if err != nil {
		t.Fatal(err)
	}
	if p.Count() != 0 {
		t.Fatalf("count %d before any message", p.Count())
	}
	res, err := webpush.SendNotification([]byte(`{"title":"x"}`), &webpush.Subscription{Endpoint: sub.Endpoint,
		Keys: webpush.Keys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}},
		&webpush.Options{HTTPClient: p.Client(), Subscriber: "officina@example.it", TTL: 60,
			VAPIDPublicKey: pub, VAPIDPrivateKey: priv})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("push service answered %d", res.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if n, r := p.Count(), p.Rejections(); n != 1 || len(r) != 0 {
		t.Fatalf("count %d, rejections %+v", n, r)
	}
	// A message signed with another key than the subscription's is refused
	// there and reported here.
	otherPriv, otherPub, _ := webpush.GenerateVAPIDKeys()
	res, err = webpush.SendNotification([]byte("x"), &webpush.Subscription{Endpoint: sub.Endpoint,
		Keys: webpush.Keys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}},
		&webpush.Options{HTTPClient: p.Client(), Subscriber: "officina@example.it", TTL: 60,
			VAPIDPublicKey: otherPub, VAPIDPrivateKey: otherPriv})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if r := p.Rejections(); len(r) != 1 || res.StatusCode != 403 {
		t.Errorf("status %d, rejections %+v", res.StatusCode, r)
	}
	p.Close()
	endsCleanly(t, "the push service", exited, &stderr)
}

// endsCleanly waits for a process served in the test (what, its exit code
// on exited) to end with code 0 once its input is closed.
func endsCleanly(t *testing.T, what string, exited <-chan int, stderr *bytes.Buffer) {
	t.Helper()
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("exit code %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal(what + " did not end when its input closed")
	}
}
