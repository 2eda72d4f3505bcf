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
	var out []Notification
	err := s.view(func(tx *bolt.Tx) error {
		all := tx.Bucket(bOutbox)
		return eachDue(tx, s.now(), limit, nil, func(k []byte) error {
			var n Notification
			if err := getJSON(all, k, &n); err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	})
	return out, err
}

// DueNotificationIDs lists the IDs of DueNotifications, passing over the
// ones skip says (nil: none). It reads the pending index alone, not the
// notifications: the notifier reads each again as it sends it.
func (s *Store) DueNotificationIDs(limit int, skip func(id uint64) bool) ([]uint64, error) {
	var out []uint64
	err := s.view(func(tx *bolt.Tx) error {
		return eachDue(tx, s.now(), limit, skip, func(k []byte) error {
			out = append(out, btoi(k))
			return nil
		})
	})
	return out, err
}

// eachDue calls fn with the key of each pending notification due at now,
// oldest first, up to limit of them, passing over those skip says.
func eachDue(tx *bolt.Tx, now time.Time, limit int, skip func(id uint64) bool, fn func(k []byte) error) error {
	c := tx.Bucket(bOutboxPending).Cursor()
	for k, v := c.First(); k != nil && limit > 0; k, v = c.Next() {
		if tryTime(v).After(now) || skip != nil && skip(btoi(k)) {
			continue
		}
		if err := fn(k); err != nil {
			return err
		}
		limit--
	}
	return nil
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
		var n Notification
		if err := getJSON(tx.Bucket(bOutbox), itob(id), &n); err != nil {
			return err
		}
		return s.writer(tx).recordAttempt(n, status, next, errText)
	})
}

// recordAttempt is RecordAttempt inside a caller's transaction, which has
// read n in it, for operations that record more with the outcome (web push
// drops the subscriptions the push service said are gone).
func (w writer) recordAttempt(n Notification, status string, next time.Time, errText string) error {
	id := n.ID
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
	return putJSON(w.tx.Bucket(bOutbox), itob(id), n)
}
