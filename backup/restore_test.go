package backup

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pitlane/store"
)

// closedAppliance is a data folder with data of its own, not held by any
// process, and a certificate folder and a search index beside the database.
func closedAppliance(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(dir, store.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCustomer(staff, store.Customer{Name: "Già Qui", Email: "gia@example.it"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for path, content := range map[string]string{"tls/ca/ca.crt": "this machine's CA", "search/index.meta": "old index"} {
		path = filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRestoreRefusalsLeaveDataUntouched: whatever is wrong with the backup,
// the data folder is exactly as it was and nothing is left beside it.
func TestRestoreRefusalsLeaveDataUntouched(t *testing.T) {
	a := newAppliance(t)
	pass := Key{Passphrase: "the right passphrase"}
	plain := backupOf(t, a, Key{})
	sealed := backupOf(t, a, pass)
	cases := []struct {
		name string
		file string
		key  Key
		want []string
	}{
		{"truncated", cut(t, plain, 0.6), Key{}, []string{keyTruncated}},
		{"byte flipped", flip(t, plain, 0.4), Key{}, []string{keyDamaged, keyChecksum}},
		{"encrypted and truncated", cut(t, sealed, 0.7), pass, []string{keyDamaged}},
		{"wrong passphrase", sealed, Key{Passphrase: "not it"}, []string{keyWrongKey}},
		{"newer schema", newerSchemaBackup(t, a), Key{}, []string{keySchemaNewer}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := closedAppliance(t)
			before, beside := treeOf(t, data), siblings(t, data)
			_, err := Restore(t.Context(), tc.file, data, tc.key, time.Now(), nil)
			if !slices.Contains(tc.want, KeyOf(err)) {
				t.Fatalf("Restore: %v (%s), want one of %v", err, KeyOf(err), tc.want)
			}
			if after := treeOf(t, data); !maps.Equal(before, after) {
				t.Errorf("the data folder changed:\nbefore %v\nafter  %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
			}
			if now := siblings(t, data); !slices.Equal(beside, now) {
				t.Errorf("left beside the data folder: %v (was %v)", now, beside)
			}
		})
	}
}

func TestRestoreRefusedWhileRunning(t *testing.T) {
	a := newAppliance(t)
	path := backupOf(t, a, Key{})
	running := newAppliance(t) // its store is open, as the service's is
	before := treeOf(t, running.dir)
	_, err := Restore(t.Context(), path, running.dir, Key{}, time.Now(), nil)
	if !errors.Is(err, ErrRunning) || !strings.Contains(err.Error(), "pitlane stop") {
		t.Fatalf("Restore onto a running appliance: %v", err)
	}
	if !maps.Equal(before, treeOf(t, running.dir)) {
		t.Error("the running appliance's folder changed")
	}
	if _, err := running.st.CustomerByEmail("c3@example.it"); err != nil {
		t.Errorf("the running appliance lost data: %v", err)
	}
}

// TestRestoreSwaps: the old folder is kept aside whole; the new one has the
// backup's data and this machine's certificates, and no search index (it
// is rebuilt on start).
func TestRestoreSwaps(t *testing.T) {
	a := newAppliance(t)
	path := backupOf(t, a, Key{})
	data := closedAppliance(t)
	before := treeOf(t, data)
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	res, err := Restore(t.Context(), path, data, Key{}, at, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := data + ".before-restore-20261122-100000"; res.Previous != want || !res.KeptTLS {
		t.Errorf("result %+v, want the old folder at %s and TLS kept", res, want)
	}
	if !maps.Equal(before, treeOf(t, res.Previous)) {
		t.Error("the previous data folder was not kept whole")
	}
	after := treeOf(t, data)
	if after["tls/ca/ca.crt"] != "this machine's CA" {
		t.Error("the machine's certificates were not carried over")
	}
	for name := range after {
		if strings.HasPrefix(name, "search") {
			t.Errorf("%s carried over: the index must be rebuilt", name)
		}
	}
	b := openAppliance(t, data)
	if _, err := b.st.CustomerByEmail("gia@example.it"); !store.Is(err, store.CodeNotFound) {
		t.Errorf("the replaced data is still there: %v", err)
	}
	if _, err := b.st.CustomerByEmail("c19@example.it"); err != nil {
		t.Errorf("the backup's data is not: %v", err)
	}
	for _, name := range siblings(t, data) {
		if strings.Contains(name, ".restoring-") {
			t.Errorf("work folder %s left behind", name)
		}
	}
}

// TestBackupDuringConcurrentWrites is the proof the issue asks for: writers
// keep writing while a backup is taken; the restored backup holds every
// write acknowledged before the backup began, each whole (record and
// indexes), and the database passes its consistency check.
func TestBackupDuringConcurrentWrites(t *testing.T) {
	a := newAppliance(t)
	const writers = 8
	type ack struct {
		email string
		at    time.Time
	}
	var (
		mu      sync.Mutex
		acks    []ack
		next    atomic.Int64
		acked   atomic.Int64
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		failure atomic.Value
	)
	for range writers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := customer(1000 + int(next.Add(1)))
				if _, err := a.st.CreateCustomer(staff, c); err != nil {
					failure.Store(err)
					return
				}
				at := time.Now()
				mu.Lock()
				acks = append(acks, ack{c.Email, at})
				mu.Unlock()
				acked.Add(1)
			}
		})
	}
	// Let the writers get going, then note the moment the backup begins.
	for next.Load() < 200 {
		time.Sleep(time.Millisecond)
	}
	began := time.Now()
	var during atomic.Int64
	var held atomic.Bool
	res, err := Create(t.Context(), a.st, a.media, t.TempDir(), Options{Progress: func(p Progress) {
		if p.Phase == PhaseDatabase && held.CompareAndSwap(false, true) {
			// Keep the snapshot's read transaction open a moment, so writes
			// certainly commit while the database is being copied.
			n := acked.Load()
			time.Sleep(150 * time.Millisecond)
			during.Store(acked.Load() - n)
		}
	}})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if f := failure.Load(); f != nil {
		t.Fatalf("a writer failed: %v", f)
	}
	if during.Load() == 0 {
		t.Fatal("no write was acknowledged while the database was being copied: writers were blocked, or the test proves nothing")
	}

	data := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(t.Context(), res.Path, data, Key{}, time.Now(), nil); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	b := openAppliance(t, data)
	if err := b.st.Check(); err != nil {
		t.Fatalf("restored database: %v", err)
	}
	counts, err := b.st.Counts()
	if err != nil {
		t.Fatal(err)
	}
	before, missing := 0, []string{}
	for _, w := range acks {
		if !w.at.Before(began) {
			continue
		}
		before++
		c, err := b.st.CustomerByEmail(w.email)
		if err != nil || c.Email != w.email {
			missing = append(missing, fmt.Sprintf("%s (%v)", w.email, err))
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d writes acknowledged before the backup began are missing: %v", len(missing), before,
			missing[:min(5, len(missing))])
	}
	idx, err := b.st.BucketCounts()
	if err != nil {
		t.Fatal(err)
	}
	if idx["customers"] != counts.Customers || idx["customers_by_email"] != counts.Customers {
		t.Errorf("restored: %d customers, %d e-mail index entries, counter %d", idx["customers"],
			idx["customers_by_email"], counts.Customers)
	}
	t.Logf("%d writes before the backup, %d while its snapshot was open, %d in all; %d customers restored",
		before, during.Load(), len(acks), counts.Customers)
}
