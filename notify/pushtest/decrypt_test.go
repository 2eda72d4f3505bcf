package pushtest

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

// The RFC's values under the short names the tests use.
const (
	rfcPlaintext = RFC8291Plaintext
	rfcUAPrivate = RFC8291UAPrivate
	rfcUAPublic  = RFC8291UAPublic
	rfcASPrivate = RFC8291ASPrivate
	rfcASPublic  = RFC8291ASPublic
	rfcAuth      = RFC8291Auth
	rfcSalt      = RFC8291Salt
	rfcECDH      = "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"
	rfcIKM       = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg"
	rfcCEK       = "oIhVW04MRdy2XN9CiKLxTg"
	rfcNonce     = "4h_95klXJ5E_qnoN"
	rfcBody      = RFC8291Body
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return b
}

func rfcUA(t *testing.T) *ecdh.PrivateKey {
	t.Helper()
	k, err := ecdh.P256().NewPrivateKey(b64(t, rfcUAPrivate))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()); got != rfcUAPublic {
		t.Fatalf("public key of the RFC's private key = %s, want %s", got, rfcUAPublic)
	}
	return k
}

func TestRFC8291KeyDerivation(t *testing.T) {
	ua := rfcUA(t)
	as, err := ecdh.P256().NewPublicKey(b64(t, rfcASPublic))
	if err != nil {
		t.Fatal(err)
	}
	secret, err := ua.ECDH(as)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(secret); got != rfcECDH {
		t.Fatalf("ecdh_secret = %s, want %s", got, rfcECDH)
	}
	// The sender computes the same secret from its side.
	asPriv, err := ecdh.P256().NewPrivateKey(b64(t, rfcASPrivate))
	if err != nil {
		t.Fatal(err)
	}
	if other, _ := asPriv.ECDH(ua.PublicKey()); !bytes.Equal(other, secret) {
		t.Fatal("sender's ECDH differs")
	}
	k, err := deriveKeys(secret, b64(t, rfcAuth), b64(t, rfcUAPublic), b64(t, rfcASPublic), b64(t, rfcSalt))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  []byte
		want string
	}{{"IKM", k.ikm, rfcIKM}, {"CEK", k.cek, rfcCEK}, {"NONCE", k.nonce, rfcNonce}} {
		if got := base64.RawURLEncoding.EncodeToString(c.got); got != c.want {
			t.Errorf("%s = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestDecryptRFC8291Example(t *testing.T) {
	got, err := Decrypt(b64(t, rfcBody), rfcUA(t), b64(t, rfcAuth))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != rfcPlaintext {
		t.Fatalf("plaintext = %q, want %q", got, rfcPlaintext)
	}
}

func TestDecryptRefusesWhatIsNotTheMessage(t *testing.T) {
	body := b64(t, rfcBody)
	flip := func(i int) []byte {
		b := append([]byte(nil), body...)
		b[i] ^= 1
		return b
	}
	otherAuth := b64(t, rfcAuth)
	otherAuth[0] ^= 1
	other, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		body []byte
		key  *ecdh.PrivateKey
		auth []byte
	}{
		{"ciphertext flipped", flip(len(body) - 20), rfcUA(t), b64(t, rfcAuth)},
		{"tag flipped", flip(len(body) - 1), rfcUA(t), b64(t, rfcAuth)},
		{"salt flipped", flip(0), rfcUA(t), b64(t, rfcAuth)},
		{"wrong auth secret", body, rfcUA(t), otherAuth},
		{"wrong receiver", body, other, b64(t, rfcAuth)},
		{"truncated", body[:headerLen+10], rfcUA(t), b64(t, rfcAuth)},
		{"header only", body[:headerLen], rfcUA(t), b64(t, rfcAuth)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, err := Decrypt(c.body, c.key, c.auth); err == nil {
				t.Fatalf("decrypted to %q", got)
			}
		})
	}
}

func TestUnpad(t *testing.T) {
	for _, c := range []struct {
		in   string
		last bool
		want string
		ok   bool
	}{
		{"hi\x02", true, "hi", true},
		{"hi\x02\x00\x00", true, "hi", true},
		{"\x02\x00", true, "", true},
		{"hi\x01\x00", false, "hi", true},
		{"hi\x01", true, "", false},
		{"hi\x02", false, "", false},
		{"\x00\x00", true, "", false},
		{"hi", true, "", false},
	} {
		got, err := unpad([]byte(c.in), c.last)
		if (err == nil) != c.ok || (c.ok && string(got) != c.want) {
			t.Errorf("unpad(%q, %t) = %q, %v", c.in, c.last, got, err)
		}
	}
}

func TestCheckSubject(t *testing.T) {
	for sub, ok := range map[string]bool{
		"mailto:service@garage-rossi.it":           true,
		"https://garage-rossi.it":                  true,
		"mailto:mailto:service@garage-rossi.it":    false,
		"service@garage-rossi.it":                  false,
		"mailto:pitlane@localhost":                 false,
		"mailto:admin@garage.local":                false,
		"mailto:security@pitlane.invalid":          false,
		"mailto:you@example.com":                   false,
		"https://localhost":                        false,
		"mailto:Service <service@garage-rossi.it>": false,
	} {
		if err := checkSubject(sub); (err == nil) != ok {
			t.Errorf("checkSubject(%q) = %v", sub, err)
		}
	}
	if !strings.Contains(checkSubject("mailto:x@localhost").Error(), "placeholder") {
		t.Error("placeholder not named")
	}
}
