// Package pushtest is a web push service for tests on 127.0.0.1 that, like a browser and its push service together, verifies each message's VAPID token (RFC 8292) and decrypts its payload (RFC 8291).
package pushtest

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody is the largest message a push service must accept (RFC 8030
// section 7.2).
const maxBody = 4096

// Subscription is what a browser's PushSubscription.toJSON() gives the
// page: the endpoint to POST to and the keys to encrypt for.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// Message is one message the service accepted, decrypted.
type Message struct {
	Endpoint string
	Payload  []byte // the plaintext, padding removed
	BodySize int    // bytes on the wire, encrypted
	TTL      int
	Urgency  string // "" when the sender gave none
	Topic    string
	Claims   Claims
	At       time.Time

	// Accepted with DecryptLater and not yet verified: the encrypted body,
	// and the subscription whose keys open it.
	sealed []byte
	sub    *subscription
}

// Rejection is a request the service refused because it was not a valid
// web push message: the reason says which check failed.
type Rejection struct {
	Endpoint string
	Status   int
	Reason   string
}

// Reply scripts the service's next answer for an endpoint instead of 201.
type Reply struct {
	Status     int
	RetryAfter string // the Retry-After header, "" for none
}

type subscription struct {
	endpoint string
	appKey   string // the application server key it was made with
	private  *ecdh.PrivateKey
	auth     []byte
	gone     bool
	scripted []Reply
	requests []time.Time
}

// Server is a running push service. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the service's origin, https://127.0.0.1:port.
	URL string
	srv *httptest.Server

	mu        sync.Mutex
	subs      map[string]*subscription // by path
	messages  []Message
	rejected  []Rejection
	delay     time.Duration
	later     bool          // DecryptLater
	changed   chan struct{} // closed and replaced when a message is recorded
	pathCount int
	active    int // requests being served
	peak      int // the most served at once
	// verified holds the tokens whose signature checked out, by header and
	// application server key.
	verified map[string]Claims
}

// Start runs a push service with TLS (push services are https, and
// Pitlane refuses other endpoints) and HTTP/2 on 127.0.0.1.
func Start() *Server {
	s := &Server{subs: map[string]*subscription{}, changed: make(chan struct{}), verified: map[string]Claims{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.EnableHTTP2 = true
	s.srv.StartTLS()
	s.URL = s.srv.URL
	return s
}

// Close stops the service.
func (s *Server) Close() { s.srv.Close() }

// Client is an HTTP client that trusts the service's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// CertPEM is the service's certificate, for a process that must trust it
// (SSL_CERT_FILE).
func (s *Server) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Subscribe makes a subscription as a browser would for a page that called
// pushManager.subscribe with applicationServerKey: a fresh P-256 key pair
// and authentication secret, and an endpoint on this service that accepts
// only tokens signed with that key.
func (s *Server) Subscribe(applicationServerKey string) (Subscription, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return Subscription{}, err
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	s.mu.Lock()
	s.pathCount++
	path := fmt.Sprintf("/push/%d-%s", s.pathCount, base64.RawURLEncoding.EncodeToString(auth[:6]))
	sub := &subscription{endpoint: s.URL + path, appKey: applicationServerKey, private: priv, auth: auth}
	s.subs[path] = sub
	s.mu.Unlock()
	var out Subscription
	out.Endpoint = sub.endpoint
	out.Keys.P256dh = base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes())
	out.Keys.Auth = base64.RawURLEncoding.EncodeToString(auth)
	return out, nil
}

func (s *Server) sub(endpoint string) *subscription {
	return s.subs[strings.TrimPrefix(endpoint, s.URL)]
}

// DecryptLater makes the service accept a message once its headers and
// VAPID token check out, as a push service does (it cannot read the
// payload either), and leaves decrypting it, the phone's work, to Verify:
// a benchmark then does not count the phone's CPU on the machine it
// measures. Payload stays nil until then.
func (s *Server) DecryptLater() {
	s.mu.Lock()
	s.later = true
	s.mu.Unlock()
}

// Verify decrypts the messages accepted since DecryptLater that were not
// yet. One that does not decrypt is taken out of Messages and becomes a
// Rejection, as a phone would drop it. It returns how many it decrypted.
func (s *Server) Verify() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	kept := s.messages[:0]
	for _, m := range s.messages {
		if m.sealed != nil {
			plain, err := Decrypt(m.sealed, m.sub.private, m.sub.auth)
			if err != nil {
				s.rejected = append(s.rejected, Rejection{Endpoint: m.Endpoint, Status: http.StatusBadRequest, Reason: "cannot decrypt: " + err.Error()})
				continue
			}
			m.Payload, m.sealed, m.sub = plain, nil, nil
			n++
		}
		kept = append(kept, m)
	}
	s.messages = kept
	return n
}

// SetDelay makes the service wait d after accepting each message before it
// answers 201, as a slow or distant push service does.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Script queues answers for an endpoint's next requests, in order; after
// them it accepts messages again.
func (s *Server) Script(endpoint string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub := s.sub(endpoint); sub != nil {
		sub.scripted = append(sub.scripted, replies...)
	}
}

// Expire makes an endpoint answer 410 Gone from now on, as when the user
// revokes the permission or the browser drops the subscription.
func (s *Server) Expire(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub := s.sub(endpoint); sub != nil {
		sub.gone = true
	}
}

// Messages lists the accepted messages, in arrival order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Rejections lists the requests refused as invalid.
func (s *Server) Rejections() []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Rejection(nil), s.rejected...)
}

// Requests lists when each request to endpoint arrived, whatever the answer.
func (s *Server) Requests(endpoint string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub := s.sub(endpoint); sub != nil {
		return append([]time.Time(nil), sub.requests...)
	}
	return nil
}

// Count is the number of messages accepted so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// Peak is the most requests the service was serving at once.
func (s *Server) Peak() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// Wait blocks until at least n messages were accepted, or ctx ends.
func (s *Server) Wait(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := len(s.messages), s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%d of %d push messages arrived: %w", got, n, ctx.Err())
		}
	}
}

func (s *Server) reject(w http.ResponseWriter, endpoint string, status int, reason string) {
	s.mu.Lock()
	s.rejected = append(s.rejected, Rejection{Endpoint: endpoint, Status: status, Reason: reason})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"reason\":%q}\n", reason)
}

// verifyVAPID is VerifyVAPID checking each token's signature once, as a
// push service may: a token already verified for the same key (and so the
// same origin, all endpoints here sharing one) is only checked for expiry.
// Senders reuse a token for hours; verifying its signature on every
// message would make this service, not the sender, the benchmark's cost.
func (s *Server) verifyVAPID(header, endpoint, key string, now time.Time) (Claims, error) {
	cacheKey := header + "\x00" + key
	s.mu.Lock()
	c, ok := s.verified[cacheKey]
	s.mu.Unlock()
	if ok && c.Exp.After(now) && !c.Exp.After(now.Add(maxExp)) {
		return c, nil
	}
	c, err := VerifyVAPID(header, endpoint, key, now)
	if err == nil {
		s.mu.Lock()
		s.verified[cacheKey] = c
		s.mu.Unlock()
	}
	return c, err
}

// serve is the push service's message endpoint (RFC 8030 section 5).
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	sub := s.subs[r.URL.Path]
	if sub != nil {
		sub.requests = append(sub.requests, now)
	}
	s.active++
	s.peak = max(s.peak, s.active)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	}()
	if r.Method != http.MethodPost || sub == nil {
		http.NotFound(w, r)
		return
	}
	endpoint := sub.endpoint
	if r.Header.Get("Content-Encoding") != "aes128gcm" {
		s.reject(w, endpoint, http.StatusBadRequest, "Content-Encoding is not aes128gcm")
		return
	}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		s.reject(w, endpoint, http.StatusBadRequest, "missing or bad TTL header")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return
	}
	if len(body) > maxBody {
		s.reject(w, endpoint, http.StatusRequestEntityTooLarge, "payload larger than 4096 bytes")
		return
	}
	claims, err := s.verifyVAPID(r.Header.Get("Authorization"), endpoint, sub.appKey, now)
	if err != nil {
		s.reject(w, endpoint, http.StatusForbidden, "BadJwtToken: "+err.Error())
		return
	}
	s.mu.Lock()
	later := s.later
	s.mu.Unlock()
	var plain, sealed []byte
	if later {
		sealed = body
	} else if plain, err = Decrypt(body, sub.private, sub.auth); err != nil {
		s.reject(w, endpoint, http.StatusBadRequest, "cannot decrypt: "+err.Error())
		return
	}

	s.mu.Lock()
	if sub.gone {
		s.mu.Unlock()
		http.Error(w, "subscription expired", http.StatusGone)
		return
	}
	if len(sub.scripted) > 0 {
		reply := sub.scripted[0]
		sub.scripted = sub.scripted[1:]
		s.mu.Unlock()
		if reply.RetryAfter != "" {
			w.Header().Set("Retry-After", reply.RetryAfter)
		}
		http.Error(w, http.StatusText(reply.Status), reply.Status)
		return
	}
	s.messages = append(s.messages, Message{Endpoint: endpoint, Payload: plain, BodySize: len(body), TTL: ttl,
		Urgency: r.Header.Get("Urgency"), Topic: r.Header.Get("Topic"), Claims: claims, At: now, sealed: sealed, sub: sub})
	id := len(s.messages)
	close(s.changed)
	s.changed = make(chan struct{})
	delay := s.delay
	s.mu.Unlock()

	// The message is accepted (recorded) before the answer: a sender that
	// dies while waiting for it has delivered without knowing.
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Location", fmt.Sprintf("%s/message/%d", s.URL, id))
	w.WriteHeader(http.StatusCreated)
}
