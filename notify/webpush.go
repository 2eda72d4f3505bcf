package notify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"pitlane/store"
)

// The sending side of web push, written out from RFC 8291 (message
// encryption) and RFC 8292 (VAPID) with the standard library. webpush-go
// does the same, but derives the VAPID key and signs a new token for every
// message through crypto/elliptic's generic scalar multiplication: that was
// half of its 135 µs per message, and a token is good for hours for every
// subscription on one push service. Signing once per push service and
// encrypting with crypto/ecdh cut a message to about a third. webpush-go
// still makes the VAPID key pair (store.VAPIDKeys) and names the Urgency
// values; notify/pushtest, which decrypts and verifies as a phone and a push
// service do, proves this side against the RFCs' own examples.

// aes128gcmHeader is the aes128gcm content coding's header with a P-256
// key as its key ID: salt (16), record size (4), key ID length (1) and the
// uncompressed point (65).
const aes128gcmHeader = 16 + 4 + 1 + 65

// gcmTag is AES-GCM's authentication tag.
const gcmTag = 16

// encrypt seals payload for the subscription as one aes128gcm record,
// padded so the body is exactly rs bytes whatever the payload's length.
func encrypt(payload []byte, sub store.PushSubscription, rs int) ([]byte, error) {
	ua, err := decodeKey(sub.P256dh)
	if err != nil {
		return nil, fmt.Errorf("subscription's p256dh key: %w", err)
	}
	auth, err := decodeKey(sub.Auth)
	if err != nil {
		return nil, fmt.Errorf("subscription's auth secret: %w", err)
	}
	// A key pair for this message alone (RFC 8291 section 3.1).
	as, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return seal(payload, ua, auth, as, salt, rs, rs-aes128gcmHeader-gcmTag)
}

// seal is encrypt with the sender's key pair and the salt given, and the
// plaintext padded to plainLen bytes (the delimiter included): fixed
// values make RFC 8291's example reproducible byte for byte.
func seal(payload, uaPublic, authSecret []byte, as *ecdh.PrivateKey, salt []byte, rs, plainLen int) ([]byte, error) {
	if len(authSecret) != 16 {
		return nil, fmt.Errorf("auth secret of %d bytes, want 16", len(authSecret))
	}
	if len(payload)+1 > plainLen || plainLen+gcmTag > rs {
		return nil, fmt.Errorf("payload of %d bytes does not fit a %d-byte record", len(payload), rs)
	}
	ua, err := ecdh.P256().NewPublicKey(uaPublic)
	if err != nil {
		return nil, fmt.Errorf("subscription's p256dh key: %w", err)
	}
	secret, err := as.ECDH(ua)
	if err != nil {
		return nil, err
	}
	asPublic := as.PublicKey().Bytes()
	// RFC 8291 section 3.4: the input keying material from the ECDH secret
	// and the auth secret, then RFC 8188 section 2.2 and 2.3: the content
	// encryption key and nonce from it and the salt.
	prkKey, err := hkdf.Extract(sha256.New, secret, authSecret)
	if err != nil {
		return nil, err
	}
	info := append(append([]byte("WebPush: info\x00"), uaPublic...), asPublic...)
	ikm, err := hkdf.Expand(sha256.New, prkKey, string(info), 32)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	body := make([]byte, 0, aes128gcmHeader+plainLen+gcmTag)
	body = append(body, salt...)
	body = binary.BigEndian.AppendUint32(body, uint32(rs))
	body = append(body, byte(len(asPublic)))
	body = append(body, asPublic...)
	// The only record is the last: its delimiter is 2, then zeros.
	plain := make([]byte, plainLen)
	copy(plain, payload)
	plain[len(payload)] = 2
	return gcm.Seal(body, nonce, plain, nil), nil
}

// decodeKey reads a base64url key with or without padding, and the
// standard alphabet some browsers and libraries still send.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// VAPID tokens: each is signed for vapidLife and reused for vapidReuse, so
// every token sent has at least vapidLife-vapidReuse left (push services
// refuse an exp more than 24 hours ahead, and a phone's clock is not ours).
const (
	vapidLife  = 12 * time.Hour
	vapidReuse = time.Hour
)

// vapid signs the VAPID Authorization header (RFC 8292) and keeps one per
// push service and contact until it is due for renewal.
type vapid struct {
	key    *ecdsa.PrivateKey
	public string // the k= parameter: the uncompressed public key, base64url
	now    func() time.Time

	mu     sync.Mutex
	tokens map[string]vapidToken // audience + "\x00" + subject
}

type vapidToken struct {
	header string
	renew  time.Time
}

func newVAPID(keys store.VAPIDKeys) (*vapid, error) {
	priv, err := decodeKey(keys.Private)
	if err != nil {
		return nil, fmt.Errorf("VAPID private key: %w", err)
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), priv)
	if err != nil {
		return nil, fmt.Errorf("VAPID private key: %w", err)
	}
	pub, err := key.PublicKey.Bytes()
	if err != nil {
		return nil, err
	}
	if stored, err := decodeKey(keys.Public); err != nil || string(stored) != string(pub) {
		return nil, errors.New("the VAPID public key is not the private key's")
	}
	return &vapid{key: key, public: base64.RawURLEncoding.EncodeToString(pub), now: time.Now,
		tokens: map[string]vapidToken{}}, nil
}

// header returns the Authorization header for a request to endpoint, with
// subject (the dealership's e-mail address or an https URL) as contact.
func (v *vapid) header(endpoint, subject string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("endpoint %q is not a URL", endpoint)
	}
	audience := u.Scheme + "://" + u.Host
	if !strings.HasPrefix(subject, "https:") && !strings.HasPrefix(subject, "mailto:") {
		subject = "mailto:" + subject
	}
	now := v.now()
	cacheKey := audience + "\x00" + subject
	v.mu.Lock()
	defer v.mu.Unlock()
	if t, ok := v.tokens[cacheKey]; ok && now.Before(t.renew) {
		return t.header, nil
	}
	token, err := v.sign(audience, subject, now.Add(vapidLife))
	if err != nil {
		return "", err
	}
	h := "vapid t=" + token + ", k=" + v.public
	v.tokens[cacheKey] = vapidToken{header: h, renew: now.Add(vapidReuse)}
	return h, nil
}

// sign makes the ES256 JSON Web Token of RFC 8292 section 2.
func (v *vapid) sign(audience, subject string, exp time.Time) (string, error) {
	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}{audience, exp.Unix(), subject})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`)) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, v.key, digest[:])
	if err != nil {
		return "", err
	}
	// JWS wants r and s as two 32-byte big-endian numbers, not ASN.1.
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signed + "." + enc.EncodeToString(sig), nil
}
