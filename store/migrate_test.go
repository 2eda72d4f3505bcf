package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bTestV2 = []byte("test_v2")

// addMigration appends m to the package's migrations until the test ends.
func addMigration(t *testing.T, m func(tx *bolt.Tx) error) {
	t.Helper()
	saved := migrations
	migrations = append(migrations[:len(saved):len(saved)], m)
	t.Cleanup(func() { migrations = saved })
}

// createAtCurrentSchema makes a database at today's schema with one customer
// and closes it.
func createAtCurrentSchema(t *testing.T, dir string) Customer {
	t.Helper()
	s, err := Open(dir, Options{Logger: quietLogger(), Now: newClock(t0).Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.CreateCustomer(staff, Customer{Name: "Mario Rossi", Email: "mario@example.it"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func hasBucket(t *testing.T, s *Store, name []byte) bool {
	t.Helper()
	var ok bool
	if err := s.db.View(func(tx *bolt.Tx) error { ok = tx.Bucket(name) != nil; return nil }); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestMigrateCopiesAsideAndBumpsVersion(t *testing.T) {
	dir := t.TempDir()
	c := createAtCurrentSchema(t, dir)
	oldVersion := SchemaVersion()

	addMigration(t, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bTestV2)
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	migrateAt := time.Date(2026, 4, 19, 9, 30, 0, 0, time.UTC)
	s := openDir(t, dir, Options{Now: newClock(migrateAt).Now})

	if v, _ := s.Version(); v != oldVersion+1 || v != SchemaVersion() {
		t.Errorf("Version after migration = %d, want %d", v, oldVersion+1)
	}
	if !hasBucket(t, s, bTestV2) {
		t.Error("the new migration did not run")
	}
	if got, err := s.Customer(c.ID); err != nil || got.Email != "mario@example.it" {
		t.Errorf("data lost by migration: %+v, %v", got, err)
	}

	bak := filepath.Join(dir, fmt.Sprintf("pitlane.db.v%d-20260419T093000Z.bak", oldVersion))
	if _, err := os.Stat(bak); err != nil {
		baks, _ := filepath.Glob(filepath.Join(dir, "*.bak"))
		t.Fatalf("copy aside %s missing (found %v): %v", bak, baks, err)
	}

	other := t.TempDir()
	copyFile(t, bak, filepath.Join(other, FileName))
	old := openDir(t, other, Options{ReadOnly: true})
	if v, _ := old.Version(); v != oldVersion {
		t.Errorf("copy aside Version = %d, want the old %d", v, oldVersion)
	}
	if hasBucket(t, old, bTestV2) {
		t.Error("copy aside was taken after the migration ran")
	}
	if got, err := old.Customer(c.ID); err != nil || got.Name != "Mario Rossi" {
		t.Errorf("copy aside lacks the data: %+v, %v", got, err)
	}
}

func TestMigrateFailureKeepsOldVersion(t *testing.T) {
	dir := t.TempDir()
	c := createAtCurrentSchema(t, dir)
	oldVersion := SchemaVersion()

	boom := errors.New("boom")
	addMigration(t, func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket(bTestV2); err != nil {
			return err
		}
		return boom
	})
	s, err := Open(dir, Options{Logger: quietLogger(), Now: newClock(t0).Now})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded although a migration failed")
	}
	if !errors.Is(err, boom) {
		t.Errorf("Open err = %v, want it to wrap the migration's error", err)
	}

	// The failed migration left nothing behind: same version, no new bucket.
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("database unusable after a failed migration: %v", err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if v := readVersion(tx); v != oldVersion {
			t.Errorf("schema_version after failed migration = %d, want %d", v, oldVersion)
		}
		if tx.Bucket(bTestV2) != nil {
			t.Error("the failed migration's bucket was committed")
		}
		if tx.Bucket(bCustomers).Get(itob(c.ID)) == nil {
			t.Error("customer lost by the failed migration")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNoCopyAsideWithoutMigration(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"new database", func(t *testing.T, dir string) {}},
		{"database already current", func(t *testing.T, dir string) { createAtCurrentSchema(t, dir) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			s := openDir(t, dir, Options{Now: newClock(t0).Now})
			if v, _ := s.Version(); v != SchemaVersion() {
				t.Errorf("Version = %d, want %d", v, SchemaVersion())
			}
			if baks, _ := filepath.Glob(filepath.Join(dir, "*.bak")); len(baks) != 0 {
				t.Errorf("copies aside without a migration: %v", baks)
			}
		})
	}
}
