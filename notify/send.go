package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/SherClockHolmes/webpush-go"

	"pitlane/store"
)

// message is one notification ready to send to any of the customer's
// subscriptions.
type message struct {
	payload []byte
	ttl     time.Duration
	urgency webpush.Urgency
	subject string
}

// What a push service's answer means for one subscription.
type outcomeKind int

const (
	accepted  outcomeKind = iota // 2xx: the push service has it
	gone                         // 404, 410: the subscription no longer exists
	refused                      // other 4xx: this message will never be taken
	transient                    // 429, 5xx, network: try again later
	stopped                      // the appliance stopped before an answer came
)

type outcome struct {
	kind  outcomeKind
	after time.Duration // the least wait before retrying (Retry-After)
	err   string
}

// pauseMax bounds how long one push service's Retry-After can stop all
// requests to it.
const pauseMax = time.Hour

// answer is what a push service answered to one message, or why no
// answer came. A poster in another process sends it back as JSON.
type answer struct {
	Status     int    `json:"status,omitempty"` // the HTTP status; 0: no answer
	RetryAfter string `json:"retry_after,omitempty"`
	Detail     string `json:"detail,omitempty"` // the start of the body, spaces folded
	Err        string `json:"err,omitempty"`    // why no answer came
	// Unusable: the request could not be made (the subscription's keys or
	// ours), and trying again will not change that.
	Unusable bool `json:"unusable,omitempty"`
	Stopped  bool `json:"stopped,omitempty"` // stopped before an answer came
}

// poster encrypts a message for one subscription, signs it for its push
// service and posts it: in this process (localPoster) or in a process of
// its own (processPoster).
type poster interface {
	post(ctx context.Context, msg message, sub store.PushSubscription) answer
}

// send posts msg to one subscription and says what the answer means.
func (r *runner) send(msg message, sub store.PushSubscription) outcome {
	host := sub.Endpoint
	if u, err := url.Parse(sub.Endpoint); err == nil {
		host = u.Host
	}
	now := time.Now()
	if until := r.pausedUntil(host); until.After(now) {
		// The push service asked everyone of ours to slow down (429):
		// waiting is the answer for this subscription too.
		return outcome{kind: transient, after: until.Sub(now), err: host + " asked to slow down (429)"}
	}
	a := r.poster.post(r.sendCtx, msg, sub)
	switch {
	case a.Stopped:
		return outcome{kind: stopped}
	case a.Unusable:
		return outcome{kind: refused, err: host + ": " + a.Err}
	case a.Status == 0:
		return outcome{kind: transient, err: host + ": " + a.Err}
	}
	reason := fmt.Sprintf("%s answered %d %s", host, a.Status, http.StatusText(a.Status))
	if a.Detail != "" {
		reason += ": " + a.Detail
	}
	switch code := a.Status; {
	case code >= 200 && code < 300:
		return outcome{kind: accepted}
	case code == http.StatusNotFound || code == http.StatusGone:
		return outcome{kind: gone, err: reason}
	case code == http.StatusTooManyRequests:
		after := min(retryAfter(a.RetryAfter, time.Now()), pauseMax)
		if after <= 0 {
			after = r.Retry.Base
		}
		r.pause(host, time.Now().Add(after))
		return outcome{kind: transient, after: after, err: reason}
	case code >= 500, code == http.StatusRequestTimeout:
		return outcome{kind: transient, after: min(retryAfter(a.RetryAfter, time.Now()), pauseMax), err: reason}
	}
	return outcome{kind: refused, err: reason}
}

// localPoster sends from this process: it encrypts (RFC 8291) and signs
// (RFC 8292; both in webpush.go), and posts with client.
type localPoster struct {
	client *http.Client
	vapid  *vapid
	crypto chan struct{} // a slot per message being encrypted and signed
}

func newLocalPoster(client *http.Client, signer *vapid, encryptions int) *localPoster {
	return &localPoster{client: client, vapid: signer, crypto: make(chan struct{}, max(1, encryptions))}
}

func (p *localPoster) post(ctx context.Context, msg message, sub store.PushSubscription) answer {
	sendCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := p.request(ctx, msg, sub)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return answer{Stopped: true}
	}
	if err != nil {
		return answer{Err: err.Error(), Unusable: true}
	}
	res, err := p.client.Do(req)
	if err != nil {
		if sendCtx.Err() != nil {
			return answer{Stopped: true}
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return answer{Err: err.Error()}
	}
	defer res.Body.Close()
	detail, _ := io.ReadAll(io.LimitReader(res.Body, 300))
	return answer{Status: res.StatusCode, RetryAfter: res.Header.Get("Retry-After"),
		Detail: strings.Join(strings.Fields(string(detail)), " ")}
}

// request builds the push request. The crypto slot is held while it
// encrypts and signs, not while the push service answers, so sending
// leaves the appliance's other work a share of the CPUs.
func (p *localPoster) request(ctx context.Context, msg message, sub store.PushSubscription) (*http.Request, error) {
	select {
	case p.crypto <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.crypto }()
	body, err := encrypt(msg.payload, sub, recordSize)
	if err != nil {
		return nil, err
	}
	auth, err := p.vapid.header(sub.Endpoint, msg.subject)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("TTL", strconv.Itoa(int(msg.ttl.Seconds())))
	req.Header.Set("Urgency", string(msg.urgency))
	return req, nil
}

func (r *runner) pausedUntil(host string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused[host]
}

func (r *runner) pause(host string, until time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if until.After(r.paused[host]) {
		r.paused[host] = until
	}
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date
// (RFC 9110 section 10.2.3); 0 when there is none or it is unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		// Bounded before multiplying, so a huge value cannot overflow.
		return time.Duration(min(max(s, 0), 7*24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
