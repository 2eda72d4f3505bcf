package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// Notification states.
const (
	NotifyPending   = "pending"
	NotifyDelivered = "delivered"
	NotifyFailed    = "failed"
)

// Notification is a message to one customer, committed to the outbox in the
// same transaction as the change that caused it, so it cannot be lost.
type Notification struct {
	ID         uint64    `json:"id"`
	CustomerID uint64    `json:"customer_id"`
	Category   string    `json:"category"` // workshop, sales, documents, marketing
	Urgent     bool      `json:"urgent,omitempty"`
	TitleKey   string    `json:"title_key"`
	BodyKey    string    `json:"body_key,omitempty"`
	Args       []string  `json:"args,omitempty"` // name, value pairs for the keys' placeholders
	URL        string    `json:"url,omitempty"`
	Created    time.Time `json:"created"`
	Status     string    `json:"status"`
	Attempts   int       `json:"attempts"`
	NextTry    time.Time `json:"next_try"`
	LastError  string    `json:"last_error,omitempty"`
	Done       time.Time `json:"done,omitempty"`
}

func (w writer) notify(n Notification) (uint64, error) {
	b := w.tx.Bucket(bOutbox)
	id, err := b.NextSequence()
	if err != nil {
		return 0, err
	}
	n.ID, n.Created, n.Status, n.NextTry = id, w.now, NotifyPending, w.now
	if err := w.tx.Bucket(bOutboxPending).Put(itob(id), tryValue(n.NextTry)); err != nil {
		return 0, err
	}
	return id, putJSON(b, itob(id), n)
}

// The pending index holds each pending notification's next try, so the
// notifier learns what is due, and when to wake, without decoding every
// pending notification: a campaign queues thousands at once.
func tryValue(t time.Time) []byte { return itob(uint64(t.UnixNano())) }

func tryTime(v []byte) time.Time {
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(btoi(v)))
}

// DueNotifications lists pending notifications whose next try is due,
// oldest first.
func (s *Store) DueNotifications(limit int) ([]Notification, error) {
	return s.DueNotificationsExcept(limit, nil)
}

// DueNotificationsExcept is DueNotifications passing over the
// notifications skip says (nil: none), without reading them; nor does it
// read those not due yet.
func (s *Store) DueNotificationsExcept(limit int, skip func(id uint64) bool) ([]Notification, error) {
	now := s.now()
	var out []Notification
	err := s.view(func(tx *bolt.Tx) error {
		all := tx.Bucket(bOutbox)
		c := tx.Bucket(bOutboxPending).Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			if tryTime(v).After(now) || skip != nil && skip(btoi(k)) {
				continue
			}
			var n Notification
			if err := getJSON(all, k, &n); err != nil {
				return err
			}
			if !n.NextTry.After(now) {
				out = append(out, n)
			}
		}
		return nil
	})
	return out, err
}

// Notification returns one outbox entry.
func (s *Store) Notification(id uint64) (Notification, error) {
	var n Notification
	err := s.view(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bOutbox), itob(id), &n) })
	return n, err
}

// RecordAttempt stores the outcome of one delivery attempt: delivered, failed
// for good, or retry at next.
func (s *Store) RecordAttempt(id uint64, status string, next time.Time, errText string) error {
	return s.update(func(tx *bolt.Tx) error {
		return s.writer(tx).recordAttempt(id, status, next, errText)
	})
}

// recordAttempt is RecordAttempt inside a caller's transaction, for
// operations that record more with the outcome (web push drops the
// subscriptions the push service said are gone).
func (w writer) recordAttempt(id uint64, status string, next time.Time, errText string) error {
	b := w.tx.Bucket(bOutbox)
	var n Notification
	if err := getJSON(b, itob(id), &n); err != nil {
		return err
	}
	n.Attempts++
	n.Status, n.LastError = status, errText
	if status == NotifyPending {
		n.NextTry = next
		if err := w.tx.Bucket(bOutboxPending).Put(itob(id), tryValue(next)); err != nil {
			return err
		}
	} else {
		n.Done = w.now
		if err := w.tx.Bucket(bOutboxPending).Delete(itob(id)); err != nil {
			return err
		}
	}
	return putJSON(b, itob(id), n)
}
