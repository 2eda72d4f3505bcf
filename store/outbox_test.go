package store

import (
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func dueIDs(t *testing.T, s *Store, limit int) []uint64 {
	t.Helper()
	due, err := s.DueNotifications(limit)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, n := range due {
		if n.Status != NotifyPending {
			t.Errorf("due notification %d has status %q", n.ID, n.Status)
		}
		ids = append(ids, n.ID)
	}
	return ids
}

func TestOutbox(t *testing.T) {
	s, clk := openTestClock(t)
	mustCustomer(t, s, "Walk-in", "", "") // customer and vehicle IDs differ
	c := mustCustomer(t, s, "Mario", "mario@example.it", "")
	v := mustVehicle(t, s, c.ID, "AB123CD")
	j := mustJob(t, s, v.ID, "")

	// Three notifications, a minute apart.
	var ids []uint64
	for _, stage := range []string{StageInProgress, StageWaitingParts, StageReady} {
		if _, err := s.SetJobStage(staff, j.ID, stage); err != nil {
			t.Fatal(err)
		}
		due, _ := s.DueNotifications(100)
		ids = append(ids, due[len(due)-1].ID)
		clk.Advance(time.Minute)
	}
	if !slices.IsSorted(ids) || ids[0] == ids[2] {
		t.Fatalf("notification ids %v", ids)
	}

	n, err := s.Notification(ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if n.CustomerID != c.ID || n.Status != NotifyPending || n.Attempts != 0 || n.BodyKey != "stage."+StageReady ||
		!n.Created.Equal(t0.Add(2*time.Minute)) || !n.NextTry.Equal(n.Created) || !n.Done.IsZero() {
		t.Errorf("new notification = %+v", n)
	}

	if got := dueIDs(t, s, 100); !slices.Equal(got, ids) {
		t.Fatalf("due = %v, want all pending oldest first %v", got, ids)
	}
	if got := dueIDs(t, s, 2); !slices.Equal(got, ids[:2]) {
		t.Errorf("due limit 2 = %v, want %v", got, ids[:2])
	}

	// A retry in ten minutes hides the first notification until then.
	now := clk.Now()
	retry := now.Add(10 * time.Minute)
	if err := s.RecordAttempt(ids[0], NotifyPending, retry, "push service timeout"); err != nil {
		t.Fatal(err)
	}
	if got := dueIDs(t, s, 100); !slices.Equal(got, ids[1:]) {
		t.Errorf("due after retry scheduled = %v, want %v", got, ids[1:])
	}
	if got := dueIDs(t, s, 1); !slices.Equal(got, ids[1:2]) {
		t.Errorf("due limit 1 skipping a not-yet-due entry = %v, want %v", got, ids[1:2])
	}
	inFlight := func(id uint64) bool { return id == ids[1] }
	if got, err := s.DueNotificationIDs(1, inFlight); err != nil || !slices.Equal(got, ids[2:]) {
		t.Errorf("due IDs limit 1 passing over %d = %v, %v; want %v", ids[1], got, err, ids[2:])
	}
	n, _ = s.Notification(ids[0])
	if n.Status != NotifyPending || n.Attempts != 1 || n.LastError != "push service timeout" || !n.NextTry.Equal(retry) || !n.Done.IsZero() {
		t.Errorf("after a failed attempt = %+v", n)
	}

	// Delivered and failed for good leave the queue.
	if err := s.RecordAttempt(ids[1], NotifyDelivered, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAttempt(ids[2], NotifyFailed, time.Time{}, "subscription gone"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id      uint64
		status  string
		lastErr string
	}{{ids[1], NotifyDelivered, ""}, {ids[2], NotifyFailed, "subscription gone"}} {
		n, err := s.Notification(tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != tc.status || n.Attempts != 1 || n.LastError != tc.lastErr || !n.Done.Equal(now) {
			t.Errorf("notification %d = %+v, want %s done at %v", tc.id, n, tc.status, now)
		}
	}
	if got := dueIDs(t, s, 100); len(got) != 0 {
		t.Errorf("due before the retry time = %v, want none", got)
	}

	clk.Set(retry.Add(-time.Second))
	if got := dueIDs(t, s, 100); len(got) != 0 {
		t.Errorf("due a second before the retry = %v, want none", got)
	}
	clk.Set(retry)
	if got := dueIDs(t, s, 100); !slices.Equal(got, ids[:1]) {
		t.Errorf("due at the retry time = %v, want %v", got, ids[:1])
	}
	clk.Advance(24 * time.Hour)
	if got := dueIDs(t, s, 100); !slices.Equal(got, ids[:1]) {
		t.Errorf("due a day later = %v, want only the pending %v", got, ids[:1])
	}
}

func TestOutboxUnknownID(t *testing.T) {
	s := openTest(t)
	if _, err := s.Notification(42); !Is(err, CodeNotFound) {
		t.Errorf("Notification(42) err = %v, want not found", err)
	}
	before := dump(t, s)
	wantError(t, s.RecordAttempt(42, NotifyDelivered, time.Time{}, ""), CodeNotFound, nil)
	wantUnchanged(t, s, before)
}

// A database made before the pending index held next tries (schema 7)
// gets them when it is opened: the retry hidden until later stays hidden,
// and the notifier still learns when to wake for it.
func TestMigrationFillsPendingNextTries(t *testing.T) {
	dir := t.TempDir()
	clk := newClock(t0)
	s := openDir(t, dir, Options{Now: clk.Now})
	c := mustCustomer(t, s, "Mario", "mario@example.it", "")
	j := mustJob(t, s, mustVehicle(t, s, c.ID, "AB123CD").ID, "")
	for _, stage := range []string{StageInProgress, StageReady} {
		if _, err := s.SetJobStage(staff, j.ID, stage); err != nil {
			t.Fatal(err)
		}
	}
	ids := dueIDs(t, s, 100)
	if len(ids) != 2 {
		t.Fatalf("due = %v, want two notifications", ids)
	}
	retry := t0.Add(time.Hour)
	if err := s.RecordAttempt(ids[0], NotifyPending, retry, "push service timeout"); err != nil {
		t.Fatal(err)
	}
	// Schema 7 kept the index's keys with empty values.
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, id := range ids {
			if err := tx.Bucket(bOutboxPending).Put(itob(id), nil); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(keySchema, itob(7))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openDir(t, dir, Options{Now: clk.Now})
	if got := dueIDs(t, s, 100); !slices.Equal(got, ids[1:]) {
		t.Errorf("due after migrating = %v, want %v", got, ids[1:])
	}
	if next, ok, err := s.NextNotificationTry(); err != nil || !ok || !next.Equal(retry) {
		t.Errorf("next try after migrating = %v, %v, %v; want %v", next, ok, err, retry)
	}
	clk.Set(retry)
	if got := dueIDs(t, s, 100); !slices.Equal(got, ids) {
		t.Errorf("due at the retry time = %v, want %v", got, ids)
	}
}
