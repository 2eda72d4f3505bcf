package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// campaignOutbox queues n notifications in one transaction, as a campaign
// to n customers would leave the outbox, and schedules a retry of the
// first in an hour.
func campaignOutbox(b *testing.B, n int) *Store {
	b.Helper()
	clk := newClock(t0)
	s := openDir(b, b.TempDir(), Options{Now: clk.Now})
	var first uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		w := s.writer(tx)
		for i := range n {
			id, err := w.notify(Notification{CustomerID: uint64(i + 1), Category: CategoryMarketing,
				TitleKey: "campaign.title", BodyKey: "campaign.body", Args: []string{"name", "Mario Rossi"}, URL: "/app"})
			if err != nil {
				return err
			}
			if first == 0 {
				first = id
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.RecordAttempt(first, NotifyPending, t0.Add(time.Hour), "push service timeout"); err != nil {
		b.Fatal(err)
	}
	return s
}

// The notifier asks when to wake next at every start and after each
// retry it waited for; with a campaign queued that must not cost a decode
// per notification.
func BenchmarkNextNotificationTry10k(b *testing.B) {
	s := campaignOutbox(b, 10_000)
	for b.Loop() {
		if _, ok, err := s.NextNotificationTry(); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// The notifier lists what is due each time a worker frees up, passing over
// the 32 in flight.
func BenchmarkDueNotificationIDs10k(b *testing.B) {
	s := campaignOutbox(b, 10_000)
	inFlight := func(id uint64) bool { return id <= 33 }
	for b.Loop() {
		ids, err := s.DueNotificationIDs(64, inFlight)
		if err != nil || len(ids) != 64 {
			b.Fatal(len(ids), err)
		}
	}
}
