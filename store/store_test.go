package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// t0 is the fixed "now" of most tests.
var t0 = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// staff is the actor of most test writes.
var staff = Actor{Kind: "user", UserID: 7, Name: "Anna Bianchi", IP: "192.0.2.10"}

// clock is a settable Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openDir opens the store in dir and closes it when the test ends.
func openDir(t testing.TB, dir string, o Options) *Store {
	t.Helper()
	if o.Logger == nil {
		o.Logger = quietLogger()
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = 100 * time.Millisecond
	}
	s, err := Open(dir, o)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openTest opens a fresh store whose clock stands still at t0.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, _ := openTestClock(t)
	return s
}

// openTestClock opens a fresh store with a clock the test can move.
func openTestClock(t *testing.T) (*Store, *clock) {
	t.Helper()
	c := newClock(t0)
	return openDir(t, t.TempDir(), Options{Now: c.Now}), c
}

// wantError fails unless err is a typed *Error with code and, when fields is
// not nil, exactly those field names (in any order).
func wantError(t *testing.T, err error, code Code, fields []string) *Error {
	t.Helper()
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("err = %v, want a *store.Error with code %q", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %q (%v), want %q", e.Code, e, code)
	}
	if fields != nil {
		var got []string
		for _, f := range e.Fields {
			got = append(got, f.Field)
		}
		want := slices.Clone(fields)
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Fatalf("fields = %v, want %v (%v)", got, want, e)
		}
	}
	return e
}

// wantKey fails unless the error's catalogue key ends in name, so tests
// survive the catalogue regrouping its keys.
func wantKey(t *testing.T, e *Error, name string) {
	t.Helper()
	if !strings.HasSuffix(e.Key, "."+name) {
		t.Errorf("key = %q, want one ending in .%s", e.Key, name)
	}
}

// dump is every bucket's keys, values and sequence: two equal dumps mean
// nothing at all was written in between.
func dump(t *testing.T, s *Store) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			m := map[string]string{"#seq": fmt.Sprint(b.Sequence())}
			out[string(name)] = m
			return b.ForEach(func(k, v []byte) error {
				m[string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantUnchanged fails if the database differs from before.
func wantUnchanged(t *testing.T, s *Store, before map[string]map[string]string) {
	t.Helper()
	after := dump(t, s)
	if reflect.DeepEqual(before, after) {
		return
	}
	for name, b := range after {
		for k, v := range b {
			if before[name][k] != v {
				t.Errorf("bucket %s key %q written: %q", name, k, v)
			}
		}
		for k := range before[name] {
			if _, ok := b[k]; !ok {
				t.Errorf("bucket %s key %q deleted", name, k)
			}
		}
	}
	t.Fatal("a failed operation changed the database")
}

// bucketLen counts the keys of one bucket.
func bucketLen(t *testing.T, s *Store, name []byte) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(name).ForEach(func(_, _ []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustCustomer(t *testing.T, s *Store, name, email, phone string) Customer {
	t.Helper()
	c, err := s.CreateCustomer(staff, Customer{Name: name, Email: email, Phone: phone})
	if err != nil {
		t.Fatalf("CreateCustomer(%s): %v", name, err)
	}
	return c
}

func mustVehicle(t *testing.T, s *Store, customerID uint64, plate string) Vehicle {
	t.Helper()
	v, err := s.CreateVehicle(staff, Vehicle{CustomerID: customerID, Plate: plate, Make: "Fiat", Model: "Panda"})
	if err != nil {
		t.Fatalf("CreateVehicle(%s): %v", plate, err)
	}
	return v
}

func mustJob(t *testing.T, s *Store, vehicleID uint64, stage string) Job {
	t.Helper()
	j, err := s.CreateJob(staff, Job{VehicleID: vehicleID, Stage: stage, Description: "service"})
	if err != nil {
		t.Fatalf("CreateJob(%d, %s): %v", vehicleID, stage, err)
	}
	return j
}

func mustUser(t *testing.T, s *Store, username string, role Role) User {
	t.Helper()
	u, err := s.CreateUser(staff, NewUser{Username: username, Name: "User " + username, Role: role, PasswordHash: "hash-" + username})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", username, err)
	}
	return u
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCreatesDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s := openDir(t, dir, Options{Now: newClock(t0).Now})

	if want := filepath.Join(dir, FileName); s.Path() != want {
		t.Errorf("Path() = %s, want %s", s.Path(), want)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("database file mode = %v, want 0600 (it holds password hashes)", perm)
	}
	v, err := s.Version()
	if err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() {
		t.Errorf("Version() = %d, want SchemaVersion() = %d", v, SchemaVersion())
	}
	if err := s.Ping(); err != nil {
		t.Errorf("Ping() = %v", err)
	}
	if has, err := s.HasUsers(); err != nil || has {
		t.Errorf("HasUsers() = %v, %v on a new database, want false", has, err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Now: newClock(t0).Now, Logger: quietLogger()}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCustomer(staff, Customer{Name: "Mario Rossi", Email: "mario@example.it"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateVehicle(staff, Vehicle{CustomerID: c.ID, Plate: "AB123CD", Make: "Fiat"}); err != nil {
		t.Fatal(err)
	}
	seq, _ := s.LastSeq()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openDir(t, dir, opts)
	got, err := s.CustomerByEmail("mario@example.it")
	if err != nil {
		t.Fatalf("customer lost on reopen: %v", err)
	}
	if got.ID != c.ID || got.Name != "Mario Rossi" {
		t.Errorf("reopened customer = %+v, want %+v", got, c)
	}
	if _, err := s.VehicleByPlate("ab 123 cd"); err != nil {
		t.Errorf("vehicle lost on reopen: %v", err)
	}
	counts, _ := s.Counts()
	if counts.Customers != 1 || counts.Vehicles != 1 {
		t.Errorf("counts after reopen = %+v, want 1 customer, 1 vehicle", counts)
	}
	if after, _ := s.LastSeq(); after != seq {
		t.Errorf("LastSeq after reopen = %d, want %d", after, seq)
	}
	if v, _ := s.Version(); v != SchemaVersion() {
		t.Errorf("Version after reopen = %d, want %d", v, SchemaVersion())
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("readonly=%v", readOnly), func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, Options{Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			err = s.db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(bMeta).Put(keySchema, itob(uint64(SchemaVersion()+1)))
			})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()

			path := filepath.Join(dir, FileName)
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			s, err = Open(dir, Options{Logger: quietLogger(), ReadOnly: readOnly, LockTimeout: 100 * time.Millisecond})
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a database from a newer version")
			}
			if !errors.Is(err, ErrSchemaTooNew) {
				t.Fatalf("Open err = %v, want ErrSchemaTooNew", err)
			}

			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Error("refused database file was modified")
			}
			fi, _ := os.Stat(path)
			if !fi.ModTime().Equal(old) {
				t.Errorf("refused database mtime = %v, want %v", fi.ModTime(), old)
			}
			if baks, _ := filepath.Glob(filepath.Join(dir, "*.bak")); len(baks) != 0 {
				t.Errorf("refused database was copied aside: %v", baks)
			}
		})
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	first := openDir(t, dir, Options{})
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("readonly=%v", readOnly), func(t *testing.T) {
			start := time.Now()
			s, err := Open(dir, Options{Logger: quietLogger(), LockTimeout: 50 * time.Millisecond, ReadOnly: readOnly})
			if err == nil {
				s.Close()
				t.Fatal("second Open of a database in use succeeded")
			}
			if !errors.Is(err, ErrLocked) {
				t.Fatalf("second Open err = %v, want ErrLocked", err)
			}
			if waited := time.Since(start); waited > 5*time.Second {
				t.Errorf("Open waited %v with LockTimeout 50ms", waited)
			}
		})
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	s := openDir(t, dir, Options{LockTimeout: 50 * time.Millisecond})
	if err := s.Ping(); err != nil {
		t.Errorf("Open after the holder closed: Ping = %v", err)
	}
}

func TestSnapshotOpensReadOnly(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario Rossi", "mario@example.it", "+39 333 1234567")
	v := mustVehicle(t, s, c.ID, "AB123CD")
	j := mustJob(t, s, v.ID, "")
	if _, err := s.SetJobStage(staff, j.ID, StageReady); err != nil {
		t.Fatal(err)
	}
	mustCustomer(t, s, "Lucia Verdi", "lucia@example.it", "")
	wantCounts, _ := s.Counts()
	wantSeq, _ := s.LastSeq()

	snap := filepath.Join(t.TempDir(), "snapshot.db")
	n, err := s.Snapshot(snap)
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	fi, err := os.Stat(snap)
	if err != nil {
		t.Fatal(err)
	}
	if n != fi.Size() || n == 0 {
		t.Errorf("Snapshot returned %d bytes, file has %d", n, fi.Size())
	}

	// The live store keeps working after the snapshot.
	mustCustomer(t, s, "After Snapshot", "after@example.it", "")

	other := t.TempDir()
	copyFile(t, snap, filepath.Join(other, FileName))
	ro := openDir(t, other, Options{ReadOnly: true})
	if v, _ := ro.Version(); v != SchemaVersion() {
		t.Errorf("snapshot Version = %d, want %d", v, SchemaVersion())
	}
	gotCounts, err := ro.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotCounts, wantCounts) {
		t.Errorf("snapshot counts = %+v, want %+v", gotCounts, wantCounts)
	}
	if seq, _ := ro.LastSeq(); seq != wantSeq {
		t.Errorf("snapshot LastSeq = %d, want %d", seq, wantSeq)
	}
	if got, err := ro.CustomerByPhone("+393331234567"); err != nil || got.ID != c.ID {
		t.Errorf("snapshot CustomerByPhone = %+v, %v", got, err)
	}
	if _, err := ro.CustomerByEmail("after@example.it"); !Is(err, CodeNotFound) {
		t.Errorf("snapshot contains a customer created after it: err = %v", err)
	}
	if _, err := ro.CreateCustomer(staff, Customer{Name: "X"}); err == nil {
		t.Error("a read-only store accepted a write")
	}
}
