package notify

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/SherClockHolmes/webpush-go"

	"pitlane/notify/pushtest"
	"pitlane/store"
)

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return b
}

// With the RFC's key pair and salt, the body is the RFC's, byte for byte.
func TestSealReproducesRFC8291Example(t *testing.T) {
	as, err := ecdh.P256().NewPrivateKey(unb64(t, pushtest.RFC8291ASPrivate))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(as.PublicKey().Bytes()); got != pushtest.RFC8291ASPublic {
		t.Fatalf("sender's public key %s, want the RFC's", got)
	}
	plain := []byte(pushtest.RFC8291Plaintext)
	body, err := seal(plain, unb64(t, pushtest.RFC8291UAPublic), unb64(t, pushtest.RFC8291Auth), as,
		unb64(t, pushtest.RFC8291Salt), pushtest.RFC8291RecordSize, len(plain)+1)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(body); got != pushtest.RFC8291Body {
		t.Fatalf("body\n%s\nwant\n%s", got, pushtest.RFC8291Body)
	}
}

// subscriber is a phone's side of a subscription: its key pair and secret.
func subscriber(t testing.TB) (store.PushSubscription, *ecdh.PrivateKey, []byte) {
	t.Helper()
	ua, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return store.PushSubscription{Endpoint: "https://push.example/send/1",
		P256dh: base64.RawURLEncoding.EncodeToString(ua.PublicKey().Bytes()),
		Auth:   base64.RawURLEncoding.EncodeToString(auth)}, ua, auth
}

func TestEncryptPadsToTheRecordAndDecrypts(t *testing.T) {
	sub, ua, auth := subscriber(t)
	for _, n := range []int{0, 1, 300, MaxPayload} {
		payload := bytes.Repeat([]byte("é"), n/2)
		payload = append(payload, bytes.Repeat([]byte("x"), n%2)...)
		body, err := encrypt(payload, sub, recordSize)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if len(body) != recordSize {
			t.Errorf("%d bytes of payload: body of %d bytes, want %d whatever the length", n, len(body), recordSize)
		}
		got, err := pushtest.Decrypt(body, ua, auth)
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("%d bytes: decrypted %d bytes, %v", n, len(got), err)
		}
	}
	// A fresh key pair and salt per message: the same payload twice is
	// two different bodies.
	a, _ := encrypt([]byte("same"), sub, recordSize)
	b, _ := encrypt([]byte("same"), sub, recordSize)
	if bytes.Equal(a[:aes128gcmHeader], b[:aes128gcmHeader]) {
		t.Error("two messages share a salt and key")
	}
	if _, err := encrypt(make([]byte, MaxPayload+1), sub, recordSize); err == nil {
		t.Error("a payload over MaxPayload was encrypted")
	}
	bad := sub
	bad.P256dh = base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{4}, 65))
	if _, err := encrypt([]byte("x"), bad, recordSize); err == nil {
		t.Error("a p256dh key off the curve was used")
	}
	bad = sub
	bad.Auth = "AAAA"
	if _, err := encrypt([]byte("x"), bad, recordSize); err == nil {
		t.Error("a 3-byte auth secret was used")
	}
	// Padded base64url, as some browsers send it, is read too.
	padded := sub
	padded.Auth += "=="
	if _, err := encrypt([]byte("x"), padded, recordSize); err != nil {
		t.Errorf("padded auth secret: %v", err)
	}
}

func vapidKeys(t testing.TB) store.VAPIDKeys {
	t.Helper()
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	return store.VAPIDKeys{Private: priv, Public: pub}
}

func TestVAPIDHeaderIsVerifiedAndReusedPerPushService(t *testing.T) {
	keys := vapidKeys(t)
	v, err := newVAPID(keys)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return now }
	const endpoint = "https://fcm.example/send/abc"
	h1, err := v.header(endpoint, "officina@example.it")
	if err != nil {
		t.Fatal(err)
	}
	c, err := pushtest.VerifyVAPID(h1, endpoint, keys.Public, now)
	if err != nil {
		t.Fatalf("push service refuses %q: %v", h1, err)
	}
	if c.Sub != "mailto:officina@example.it" || c.Aud != "https://fcm.example" || !c.Exp.Equal(now.Add(vapidLife)) {
		t.Errorf("claims %+v", c)
	}
	if h, _ := v.header("https://fcm.example/send/other", "officina@example.it"); h != h1 {
		t.Error("a second subscription on the same push service got a new token")
	}
	h2, _ := v.header("https://push.apple.example/3/device/x", "officina@example.it")
	if h2 == h1 {
		t.Error("another push service got the first one's token")
	}
	if _, err := pushtest.VerifyVAPID(h2, "https://push.apple.example/3/device/x", keys.Public, now); err != nil {
		t.Error(err)
	}
	if h, _ := v.header(endpoint, "mailto:service@example.it"); h == h1 {
		t.Error("a new contact address kept the old token")
	}
	// Renewed before it runs short: every token sent has hours left.
	now = now.Add(vapidReuse)
	h3, _ := v.header(endpoint, "officina@example.it")
	if h3 == h1 {
		t.Fatal("the token was not renewed after an hour")
	}
	if c, err := pushtest.VerifyVAPID(h3, endpoint, keys.Public, now); err != nil || !c.Exp.Equal(now.Add(vapidLife)) {
		t.Errorf("renewed token %+v: %v", c, err)
	}
	if _, err := v.header("not a url", "officina@example.it"); err == nil {
		t.Error("an endpoint that is not a URL was signed for")
	}
}

func TestNewVAPIDRefusesMismatchedKeys(t *testing.T) {
	a, b := vapidKeys(t), vapidKeys(t)
	if _, err := newVAPID(store.VAPIDKeys{Private: a.Private, Public: b.Public}); err == nil {
		t.Error("a public key of another pair was accepted")
	}
	if _, err := newVAPID(store.VAPIDKeys{Private: "not-base64!", Public: a.Public}); err == nil ||
		!strings.Contains(err.Error(), "VAPID private key") {
		t.Errorf("unreadable private key: %v", err)
	}
}

// BenchmarkEncryptAndSign is the CPU one message costs the sender: the
// encryption, and the VAPID header from the cache.
func BenchmarkEncryptAndSign(b *testing.B) {
	keys := vapidKeys(b)
	v, err := newVAPID(keys)
	if err != nil {
		b.Fatal(err)
	}
	sub, _, _ := subscriber(b)
	payload := bytes.Repeat([]byte("x"), 300)
	for b.Loop() {
		if _, err := encrypt(payload, sub, recordSize); err != nil {
			b.Fatal(err)
		}
		if _, err := v.header(sub.Endpoint, "officina@example.it"); err != nil {
			b.Fatal(err)
		}
	}
}
