package pushtest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/SherClockHolmes/webpush-go"
)

func send(t *testing.T, s *Server, sub Subscription, msg string, o webpush.Options) int {
	t.Helper()
	o.HTTPClient = s.Client()
	if o.TTL == 0 {
		o.TTL = 60
	}
	res, err := webpush.SendNotificationWithContext(context.Background(), []byte(msg),
		&webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}, &o)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func TestServer(t *testing.T) {
	s := Start()
	defer s.Close()
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %s, want https on 127.0.0.1", s.URL)
	}
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	_, otherPub, _ := webpush.GenerateVAPIDKeys()
	otherPriv, _, _ := webpush.GenerateVAPIDKeys()
	sub, err := s.Subscribe(pub)
	if err != nil {
		t.Fatal(err)
	}
	good := webpush.Options{Subscriber: "service@garage-rossi.it", VAPIDPublicKey: pub, VAPIDPrivateKey: priv,
		Urgency: webpush.UrgencyHigh, TTL: 3600, RecordSize: 3072}

	if got := send(t, s, sub, "Ciao, Mario", good); got != http.StatusCreated {
		t.Fatalf("status %d, rejections %+v", got, s.Rejections())
	}
	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	m := msgs[0]
	if string(m.Payload) != "Ciao, Mario" || m.TTL != 3600 || m.Urgency != "high" || m.BodySize != 3072 ||
		m.Claims.Sub != "mailto:service@garage-rossi.it" || m.Claims.Aud != s.URL || m.Claims.Key != pub {
		t.Errorf("message %+v", m)
	}

	// What a real push service refuses, this one refuses too.
	for _, c := range []struct {
		name   string
		opts   webpush.Options
		status int
		reason string
	}{
		{"doubled mailto:", webpush.Options{Subscriber: "mailto:service@garage-rossi.it", VAPIDPublicKey: pub, VAPIDPrivateKey: priv}, 403, "not mailto: and one e-mail"},
		{"placeholder subject", webpush.Options{Subscriber: "pitlane@localhost", VAPIDPublicKey: pub, VAPIDPrivateKey: priv}, 403, "placeholder"},
		{"another application server key", webpush.Options{Subscriber: "service@garage-rossi.it", VAPIDPublicKey: otherPub, VAPIDPrivateKey: priv}, 403, "another key"},
		{"signed with another private key", webpush.Options{Subscriber: "service@garage-rossi.it", VAPIDPublicKey: pub, VAPIDPrivateKey: otherPriv}, 403, "does not verify"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(s.Rejections())
			if got := send(t, s, sub, "x", c.opts); got != c.status {
				t.Fatalf("status %d, want %d", got, c.status)
			}
			rej := s.Rejections()
			if len(rej) != before+1 || !strings.Contains(rej[len(rej)-1].Reason, c.reason) {
				t.Errorf("rejections %+v, want one with %q", rej, c.reason)
			}
		})
	}

	s.Script(sub.Endpoint, Reply{Status: 429, RetryAfter: "7"}, Reply{Status: 500})
	if got := send(t, s, sub, "a", good); got != 429 {
		t.Errorf("first scripted answer %d", got)
	}
	if got := send(t, s, sub, "b", good); got != 500 {
		t.Errorf("second scripted answer %d", got)
	}
	if got := send(t, s, sub, "c", good); got != 201 {
		t.Errorf("after the script %d", got)
	}
	s.Expire(sub.Endpoint)
	if got := send(t, s, sub, "d", good); got != 410 {
		t.Errorf("expired endpoint answered %d", got)
	}
	if n := len(s.Requests(sub.Endpoint)); n != 9 {
		t.Errorf("%d requests recorded, want 9", n)
	}
	if s.Count() != 2 {
		t.Errorf("%d messages accepted, want 2", s.Count())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := s.Wait(ctx, 3); err == nil {
		t.Error("Wait for a third message returned without it")
	}
}

// With DecryptLater a message is accepted on its token alone, as by a real
// push service, and Verify then opens it as the phone would: one sealed
// for another subscription's keys becomes a rejection.
func TestDecryptLater(t *testing.T) {
	s := Start()
	defer s.Close()
	s.DecryptLater()
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := s.Subscribe(pub)
	other, _ := s.Subscribe(pub)
	opts := webpush.Options{Subscriber: "service@garage-rossi.it", VAPIDPublicKey: pub, VAPIDPrivateKey: priv}
	if got := send(t, s, sub, "Ciao, Mario", opts); got != http.StatusCreated {
		t.Fatalf("status %d", got)
	}
	wrong := sub
	wrong.Keys = other.Keys
	if got := send(t, s, wrong, "for someone else", opts); got != http.StatusCreated {
		t.Fatalf("a message sealed for other keys answered %d before Verify", got)
	}
	if msgs := s.Messages(); len(msgs) != 2 || msgs[0].Payload != nil {
		t.Fatalf("before Verify: %+v", msgs)
	}
	if n := s.Verify(); n != 1 {
		t.Errorf("Verify decrypted %d, want 1", n)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || string(msgs[0].Payload) != "Ciao, Mario" {
		t.Errorf("after Verify: %+v", msgs)
	}
	if rej := s.Rejections(); len(rej) != 1 || !strings.Contains(rej[0].Reason, "cannot decrypt") {
		t.Errorf("rejections %+v", rej)
	}
	if n := s.Verify(); n != 0 {
		t.Errorf("a second Verify decrypted %d", n)
	}
}
