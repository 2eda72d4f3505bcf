package store

import (
	"bytes"
	"crypto/ecdh"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/SherClockHolmes/webpush-go"
	bolt "go.etcd.io/bbolt"
)

// Web push: the appliance's VAPID key pair, the customers' push
// subscriptions (one per paired device) and the notification categories
// each customer lets through.

var (
	bPushSubs       = []byte("push_subscriptions")             // sha256(endpoint) → PushSubscription
	bPushSubsByCust = []byte("push_subscriptions_by_customer") // customer ID + sha256(endpoint) → nil
	bPushSubsByDev  = []byte("push_subscriptions_by_device")   // device ID + sha256(endpoint) → nil
	bPushPrefs      = []byte("push_preferences")               // customer ID → map category → on
	bPushProgress   = []byte("push_progress")                  // notification ID → pushProgress, while part-sent
	pushBuckets     = [][]byte{bPushSubs, bPushSubsByCust, bPushSubsByDev, bPushPrefs, bPushProgress}

	keyVAPID = []byte("vapid")
)

// Notification categories: a customer switches each on or off.
const (
	CategoryWorkshop  = "workshop"
	CategorySales     = "sales"
	CategoryDocuments = "documents"
	CategoryMarketing = "marketing"
)

// Categories lists the notification categories in the order the customer
// sees them.
var Categories = []string{CategoryWorkshop, CategorySales, CategoryDocuments, CategoryMarketing}

// NotifySkipped is the final state of a notification the customer had
// switched off: not sent, by their choice, which is neither delivered nor a
// failure.
const NotifySkipped = "skipped"

// VAPIDKeys is the appliance's application-server key pair (RFC 8292),
// base64url without padding as browsers and webpush-go expect. Browsers bind
// each subscription to the public key, so it is made once and kept: a new
// pair would silently orphan every subscription.
type VAPIDKeys struct {
	Public  string `json:"public"`
	Private string `json:"private"`
}

// VAPIDKeys returns the key pair, generating and storing it on first use.
func (s *Store) VAPIDKeys() (VAPIDKeys, error) {
	var k VAPIDKeys
	err := s.view(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bMeta), keyVAPID, &k) })
	if !Is(err, CodeNotFound) {
		return k, err
	}
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return k, fmt.Errorf("generate VAPID keys: %w", err)
	}
	err = s.update(func(tx *bolt.Tx) error {
		// Another caller may have stored a pair since the read: theirs wins.
		k = VAPIDKeys{}
		meta := tx.Bucket(bMeta)
		if err := getJSON(meta, keyVAPID, &k); !Is(err, CodeNotFound) {
			return err
		}
		k = VAPIDKeys{Public: pub, Private: priv}
		return putJSON(meta, keyVAPID, k)
	})
	return k, err
}

// PushSubscription is a browser's PushSubscription on one paired device:
// where to send (Endpoint, on the browser vendor's push service) and the
// keys to encrypt for it (RFC 8291).
type PushSubscription struct {
	Endpoint   string    `json:"endpoint"`
	P256dh     string    `json:"p256dh"` // the browser's P-256 public key, base64url
	Auth       string    `json:"auth"`   // the 16-byte authentication secret, base64url
	DeviceID   uint64    `json:"device_id"`
	CustomerID uint64    `json:"customer_id"`
	Created    time.Time `json:"created"`
}

// maxEndpoint bounds an endpoint URL; real ones are a few hundred bytes.
const maxEndpoint = 2048

func endpointKey(endpoint string) []byte {
	sum := sha256.Sum256([]byte(endpoint))
	return sum[:]
}

// decodeKey reads a base64 key in any of the encodings browsers and
// libraries produce (URL or standard alphabet, with or without padding).
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func (p *PushSubscription) normalize() error {
	var v Validation
	p.Endpoint = strings.TrimSpace(p.Endpoint)
	// Only https: every browser's push service is https, and the appliance
	// should not be made to POST to arbitrary plain-HTTP addresses.
	u, err := url.Parse(p.Endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" || len(p.Endpoint) > maxEndpoint {
		v.Add("endpoint", "notify.error.endpoint")
	}
	if b, err := decodeKey(p.P256dh); err != nil {
		v.Add("p256dh", "notify.error.keys")
	} else if _, err := ecdh.P256().NewPublicKey(b); err != nil {
		v.Add("p256dh", "notify.error.keys")
	} else {
		p.P256dh = base64.RawURLEncoding.EncodeToString(b)
	}
	if b, err := decodeKey(p.Auth); err != nil || len(b) != 16 {
		v.Add("auth", "notify.error.keys")
	} else {
		p.Auth = base64.RawURLEncoding.EncodeToString(b)
	}
	return v.Err()
}

// SavePushSubscription stores the subscription a paired device's browser
// made. A device has one subscription (one browser, one service worker), so
// it replaces the device's previous one; an endpoint already on file moves
// to this device, since the browser that owns it just gave it here. The
// device must be active and the customer's.
func (s *Store) SavePushSubscription(a Actor, p PushSubscription) (PushSubscription, error) {
	if err := p.normalize(); err != nil {
		return p, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		var d Device
		if err := getJSON(tx.Bucket(bDevices), itob(p.DeviceID), &d); err != nil || d.CustomerID != p.CustomerID || !d.Active() {
			if err != nil && !Is(err, CodeNotFound) {
				return err
			}
			return Forbidden()
		}
		w := s.writer(tx)
		if err := deletePushSubscription(tx, p.Endpoint); err != nil {
			return err
		}
		if err := deleteDevicePushSubscriptions(tx, p.DeviceID); err != nil {
			return err
		}
		p.Created = w.now
		if err := putPushSubscription(tx, p); err != nil {
			return err
		}
		host := p.Endpoint
		if u, err := url.Parse(p.Endpoint); err == nil {
			host = u.Host
		}
		return w.audit(a, "push_subscribe", "customer", p.CustomerID, d.Name+" ("+host+")")
	})
	return p, err
}

func putPushSubscription(tx *bolt.Tx, p PushSubscription) error {
	key := endpointKey(p.Endpoint)
	if err := putJSON(tx.Bucket(bPushSubs), key, p); err != nil {
		return err
	}
	if err := tx.Bucket(bPushSubsByCust).Put(append(itob(p.CustomerID), key...), nil); err != nil {
		return err
	}
	return tx.Bucket(bPushSubsByDev).Put(append(itob(p.DeviceID), key...), nil)
}

// deletePushSubscription removes one subscription and its index entries;
// an unknown endpoint is not an error (the push service and the customer
// may both ask to forget it).
func deletePushSubscription(tx *bolt.Tx, endpoint string) error {
	key := endpointKey(endpoint)
	var p PushSubscription
	if err := getJSON(tx.Bucket(bPushSubs), key, &p); err != nil {
		if Is(err, CodeNotFound) {
			return nil
		}
		return err
	}
	if err := tx.Bucket(bPushSubsByCust).Delete(append(itob(p.CustomerID), key...)); err != nil {
		return err
	}
	if err := tx.Bucket(bPushSubsByDev).Delete(append(itob(p.DeviceID), key...)); err != nil {
		return err
	}
	return tx.Bucket(bPushSubs).Delete(key)
}

// deleteDevicePushSubscriptions removes every subscription of a device. A
// revoked device must stop receiving notifications in the same commit that
// revokes it, so RevokeDevice calls this inside its transaction.
func deleteDevicePushSubscriptions(tx *bolt.Tx, deviceID uint64) error {
	var endpoints []string
	all := tx.Bucket(bPushSubs)
	c := tx.Bucket(bPushSubsByDev).Cursor()
	for k, _ := c.Seek(itob(deviceID)); k != nil && btoi(k[:8]) == deviceID; k, _ = c.Next() {
		var p PushSubscription
		if err := getJSON(all, k[8:], &p); err != nil {
			return err
		}
		endpoints = append(endpoints, p.Endpoint)
	}
	for _, e := range endpoints {
		if err := deletePushSubscription(tx, e); err != nil {
			return err
		}
	}
	return nil
}

// DeletePushSubscription forgets a device's subscription (the customer
// turned notifications off in that browser). Another device's endpoint is
// left alone.
func (s *Store) DeletePushSubscription(a Actor, deviceID uint64, endpoint string) error {
	return s.update(func(tx *bolt.Tx) error {
		var p PushSubscription
		if err := getJSON(tx.Bucket(bPushSubs), endpointKey(endpoint), &p); err != nil || p.DeviceID != deviceID {
			if err != nil && !Is(err, CodeNotFound) {
				return err
			}
			return nil
		}
		if err := deletePushSubscription(tx, endpoint); err != nil {
			return err
		}
		return s.writer(tx).audit(a, "push_unsubscribe", "customer", p.CustomerID, "")
	})
}

// PushSubscriptions lists a customer's subscriptions.
func (s *Store) PushSubscriptions(customerID uint64) ([]PushSubscription, error) {
	var out []PushSubscription
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = pushSubscriptionsOf(tx, customerID)
		return err
	})
	return out, err
}

// DevicePushSubscription returns a device's subscription; NotFound when it
// has none.
func (s *Store) DevicePushSubscription(deviceID uint64) (PushSubscription, error) {
	var p PushSubscription
	err := s.view(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bPushSubsByDev).Cursor().Seek(itob(deviceID))
		if k == nil || btoi(k[:8]) != deviceID {
			return NotFound()
		}
		return getJSON(tx.Bucket(bPushSubs), k[8:], &p)
	})
	return p, err
}

func pushSubscriptionsOf(tx *bolt.Tx, customerID uint64) ([]PushSubscription, error) {
	var out []PushSubscription
	all := tx.Bucket(bPushSubs)
	c := tx.Bucket(bPushSubsByCust).Cursor()
	for k, _ := c.Seek(itob(customerID)); k != nil && btoi(k[:8]) == customerID; k, _ = c.Next() {
		var p PushSubscription
		if err := getJSON(all, k[8:], &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// PushPreferences says, per category, whether the customer receives it.
type PushPreferences map[string]bool

// pushChoices are the customer's explicit choices; a category never
// touched is on, except marketing, which also needs the customer's consent.
type pushChoices map[string]bool

func (c pushChoices) effective(consent bool) PushPreferences {
	out := PushPreferences{}
	for _, cat := range Categories {
		on, set := c[cat]
		out[cat] = !set || on
	}
	out[CategoryMarketing] = out[CategoryMarketing] && consent
	return out
}

func readChoices(tx *bolt.Tx, customerID uint64) (pushChoices, error) {
	c := pushChoices{}
	if err := getOptional(tx.Bucket(bPushPrefs), itob(customerID), &c); err != nil {
		return nil, err
	}
	return c, nil
}

// PushPreferences returns which categories the customer receives.
func (s *Store) PushPreferences(customerID uint64) (PushPreferences, error) {
	var p PushPreferences
	err := s.view(func(tx *bolt.Tx) error {
		var c Customer
		if err := getJSON(tx.Bucket(bCustomers), itob(customerID), &c); err != nil {
			return err
		}
		choices, err := readChoices(tx, customerID)
		p = choices.effective(c.Marketing)
		return err
	})
	return p, err
}

// SetPushPreferences stores the customer's choice for each category given.
// Switching marketing on is the customer's own affirmative act in the app,
// so it records their marketing consent (source "pwa") in the same commit;
// switching it off stops the notifications but leaves a consent given
// elsewhere for the dealership to manage.
func (s *Store) SetPushPreferences(a Actor, customerID uint64, on PushPreferences) (PushPreferences, error) {
	for cat := range on {
		if !contains(Categories, cat) {
			return nil, Invalid(cat, "notify.error.category")
		}
	}
	var out PushPreferences
	err := s.update(func(tx *bolt.Tx) error {
		custs := tx.Bucket(bCustomers)
		var c Customer
		if err := getJSON(custs, itob(customerID), &c); err != nil {
			return err
		}
		choices, err := readChoices(tx, customerID)
		if err != nil {
			return err
		}
		w := s.writer(tx)
		for cat, v := range on {
			choices[cat] = v
		}
		if on[CategoryMarketing] && !c.Marketing {
			c.Marketing, c.MarketingDate, c.MarketingSource, c.Updated = true, w.now, "pwa", w.now
			if err := putJSON(custs, itob(customerID), c); err != nil {
				return err
			}
			if err := w.change("customer", customerID, OpPut); err != nil {
				return err
			}
			if err := w.audit(a, "marketing_consent", "customer", customerID, "pwa"); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bPushPrefs), itob(customerID), choices); err != nil {
			return err
		}
		out = choices.effective(c.Marketing)
		return w.audit(a, "push_preferences", "customer", customerID, prefsDetail(out))
	})
	return out, err
}

func prefsDetail(p PushPreferences) string {
	parts := make([]string, 0, len(Categories))
	for _, cat := range Categories {
		parts = append(parts, fmt.Sprintf("%s=%t", cat, p[cat]))
	}
	return strings.Join(parts, " ")
}

// PushTarget is what the notifier needs to deliver one notification.
type PushTarget struct {
	// Lang is the customer's language, or else the dealership's.
	Lang string
	// Allowed is false when the customer switched the category off.
	Allowed bool
	// Subscriptions still to send to: the customer's, less those an earlier
	// attempt at this notification already finished with.
	Subscriptions []PushSubscription
	// Accepted says an earlier attempt reached at least one device.
	Accepted bool
}

// pushProgress remembers, while a notification is pending, which
// subscriptions an attempt already finished with, so a retry for the one
// device whose push service was down does not send again to the others.
type pushProgress struct {
	Done     [][]byte `json:"done"` // endpoint keys
	Accepted bool     `json:"accepted"`
}

// PushTarget reads, in one transaction, the customer's language, whether
// the notification's category is on, and where to send it.
func (s *Store) PushTarget(n Notification) (PushTarget, error) {
	var t PushTarget
	err := s.view(func(tx *bolt.Tx) (err error) {
		t, err = pushTarget(tx, n)
		return err
	})
	return t, err
}

// DueTarget reads notification id afresh and, in the same transaction, its
// PushTarget. due is false, and nothing else is read, when it is no longer
// pending or not due yet: a list of due notifications read a moment ago
// may predate its last attempt, or a merge that gave it another customer.
func (s *Store) DueTarget(id uint64) (n Notification, t PushTarget, due bool, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		if err := getJSON(tx.Bucket(bOutbox), itob(id), &n); err != nil {
			return err
		}
		if n.Status != NotifyPending || n.NextTry.After(s.now()) {
			return nil
		}
		due = true
		t, err = pushTarget(tx, n)
		return err
	})
	return n, t, due, err
}

func pushTarget(tx *bolt.Tx, n Notification) (PushTarget, error) {
	var t PushTarget
	var c pushProfile
	if err := getJSON(tx.Bucket(bCustomers), itob(n.CustomerID), &c); err != nil {
		return t, err
	}
	t.Lang = c.Lang
	if t.Lang == "" {
		st := DefaultSettings()
		if err := getOptional(tx.Bucket(bSettings), keyDealership, &st); err != nil {
			return t, err
		}
		t.Lang = st.Lang
	}
	choices, err := readChoices(tx, n.CustomerID)
	if err != nil {
		return t, err
	}
	t.Allowed = true
	if contains(Categories, n.Category) {
		t.Allowed = choices.effective(c.Marketing)[n.Category]
	}
	subs, err := pushSubscriptionsOf(tx, n.CustomerID)
	if err != nil {
		return t, err
	}
	var prog pushProgress
	if err := getOptional(tx.Bucket(bPushProgress), itob(n.ID), &prog); err != nil {
		return t, err
	}
	t.Accepted = prog.Accepted
	for _, p := range subs {
		if !containsKey(prog.Done, endpointKey(p.Endpoint)) {
			t.Subscriptions = append(t.Subscriptions, p)
		}
	}
	return t, nil
}

// pushProfile is what a notification needs of the customer's record, read
// without decoding the rest of it (names, addresses, notes) for every
// message sent: the same JSON names as Customer's fields.
type pushProfile struct {
	Lang      string `json:"lang"`
	Marketing bool   `json:"marketing"`
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}

// PushResult is the outcome of one attempt at a notification.
type PushResult struct {
	// Status is NotifyDelivered, NotifyFailed or NotifySkipped when the
	// notification is finished, NotifyPending to try again at Next.
	Status string
	Next   time.Time
	Error  string
	// Gone are endpoints the push service said no longer exist (404, 410):
	// deleted in the same commit.
	Gone []string
	// Accepted are endpoints whose push service took the message; Failed
	// those that refused it for good. A retry skips both.
	Accepted []string
	Failed   []string
}

// PushRecord is one attempt's outcome to record.
type PushRecord struct {
	ID     uint64
	Result PushResult
}

// RecordPushes stores the outcomes of attempts, all in one commit: each
// notification's state, and the subscriptions the push services said are
// gone. A notification already finished is left as it is, so recording
// twice cannot count twice; one deleted meanwhile (its customer was) is
// passed over.
//
// The notifier records a campaign's outcomes some tens of milliseconds at a
// time: a commit per message was a thousand fdatasyncs a second, and the
// journal and disk work behind each one takes CPU the staff's pages wait
// for.
func (s *Store) RecordPushes(rs []PushRecord) error {
	return s.update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		for _, r := range rs {
			if err := recordPush(w, r.ID, r.Result); err != nil && !Is(err, CodeNotFound) {
				return err
			}
		}
		return nil
	})
}

func recordPush(w writer, id uint64, r PushResult) error {
	tx := w.tx
	var n Notification
	if err := getJSON(tx.Bucket(bOutbox), itob(id), &n); err != nil {
		return err
	}
	if n.Status != NotifyPending {
		return nil
	}
	for _, e := range r.Gone {
		if err := deletePushSubscription(tx, e); err != nil {
			return err
		}
	}
	prog := tx.Bucket(bPushProgress)
	if r.Status != NotifyPending {
		if err := prog.Delete(itob(id)); err != nil {
			return err
		}
	} else if len(r.Accepted)+len(r.Failed)+len(r.Gone) > 0 {
		var p pushProgress
		if err := getOptional(prog, itob(id), &p); err != nil {
			return err
		}
		for _, list := range [][]string{r.Accepted, r.Failed, r.Gone} {
			for _, e := range list {
				p.Done = append(p.Done, endpointKey(e))
			}
		}
		p.Accepted = p.Accepted || len(r.Accepted) > 0
		if err := putJSON(prog, itob(id), p); err != nil {
			return err
		}
	}
	return w.recordAttempt(n, r.Status, r.Next, r.Error)
}

// NextNotificationTry is the earliest retry time after now among pending
// notifications, so the notifier can sleep until then; ok is false when no
// notification waits for a later time.
func (s *Store) NextNotificationTry() (next time.Time, ok bool, err error) {
	now := s.now()
	err = s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bOutboxPending).ForEach(func(_, v []byte) error {
			if at := tryTime(v); at.After(now) && (!ok || at.Before(next)) {
				next, ok = at, true
			}
			return nil
		})
	})
	return next, ok, err
}

// movePush gives a merged-away customer's subscriptions and pending
// notifications to the customer kept; the kept customer's choices win, and
// gone's apply only when keep never chose.
func movePush(w writer, from, to uint64) error {
	subs, err := pushSubscriptionsOf(w.tx, from)
	if err != nil {
		return err
	}
	byCust := w.tx.Bucket(bPushSubsByCust)
	for _, p := range subs {
		key := endpointKey(p.Endpoint)
		if err := byCust.Delete(append(itob(from), key...)); err != nil {
			return err
		}
		p.CustomerID = to
		if err := putPushSubscription(w.tx, p); err != nil {
			return err
		}
	}
	prefs := w.tx.Bucket(bPushPrefs)
	if gone := prefs.Get(itob(from)); gone != nil {
		if prefs.Get(itob(to)) == nil {
			if err := prefs.Put(itob(to), append([]byte(nil), gone...)); err != nil {
				return err
			}
		}
		if err := prefs.Delete(itob(from)); err != nil {
			return err
		}
	}
	all := w.tx.Bucket(bOutbox)
	return w.tx.Bucket(bOutboxPending).ForEach(func(k, _ []byte) error {
		var n Notification
		if err := getJSON(all, k, &n); err != nil {
			return err
		}
		if n.CustomerID != from {
			return nil
		}
		n.CustomerID = to
		return putJSON(all, k, n)
	})
}

func init() {
	mergeMovers = append(mergeMovers, movePush)
}
