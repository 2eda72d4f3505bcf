package store

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestBackupSettings(t *testing.T) {
	s := openTest(t)
	bs, err := s.BackupSettings()
	if err != nil || bs != DefaultBackupSettings() {
		t.Fatalf("before the first save: %+v, %v", bs, err)
	}
	folder := t.TempDir()
	saved, err := s.SaveBackupSettings(staff, BackupSettings{Folder: " " + folder + " ", Hour: 23, KeepDaily: 0,
		KeepWeekly: 0, KeepMonthly: 120, Recipient: " age1xyz "})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Folder != folder || saved.Recipient != "age1xyz" {
		t.Errorf("saved %+v, want trimmed", saved)
	}
	if got, _ := s.BackupSettings(); got != saved {
		t.Errorf("read back %+v, saved %+v", got, saved)
	}
	_, err = s.SaveBackupSettings(staff, BackupSettings{Folder: "relative", Hour: 24, KeepDaily: -1, KeepWeekly: 121})
	wantError(t, err, CodeInvalid, []string{"folder", "hour", "keep_daily", "keep_weekly"})
	_, err = s.SaveBackupSettings(staff, BackupSettings{Folder: folder, Hour: 2})
	wantError(t, err, CodeInvalid, []string{"keep_daily"})
	entries, _, _ := s.AuditLog(AuditFilter{Action: "backup_settings_update"})
	if len(entries) != 1 || entries[0].Actor.Name != staff.Name {
		t.Errorf("audit %+v", entries)
	}
}

func TestBackupRecords(t *testing.T) {
	s, clk := openTestClock(t)
	if last, err := s.LastScheduledBackup(); err != nil || !last.IsZero() {
		t.Fatalf("last scheduled before any: %v, %v", last, err)
	}
	add := func(trigger string, verified bool) BackupRecord {
		t.Helper()
		clk.Advance(time.Hour)
		r, err := s.AddBackupRecord(System, BackupRecord{File: "f", Created: clk.Now(), Trigger: trigger, Verified: verified})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := add(BackupScheduled, true)
	add(BackupManual, false)
	third := add(BackupCLI, true)
	if last, _ := s.LastScheduledBackup(); !last.Equal(first.Created) {
		t.Errorf("last scheduled %v, want %v (manual and CLI runs do not count)", last, first.Created)
	}
	recs, err := s.BackupRecords(2)
	if err != nil || len(recs) != 2 || recs[0].ID != third.ID || recs[1].Trigger != BackupManual {
		t.Errorf("newest two: %+v, %v", recs, err)
	}
	failed, _, _ := s.AuditLog(AuditFilter{Action: "backup_failed"})
	done, _, _ := s.AuditLog(AuditFilter{Action: "backup_create"})
	if len(failed) != 1 || len(done) != 2 {
		t.Errorf("audit: %d failed, %d done", len(failed), len(done))
	}
}

// TestStreamSnapshot: the copy is as long as announced, opens, and holds
// exactly the counts and media references the snapshot reported.
func TestStreamSnapshot(t *testing.T) {
	s := openTest(t)
	for i := range 30 {
		mustCustomer(t, s, "Cliente", strings.Repeat("x", i+1)+"@example.it", "")
	}
	st, _ := s.Settings()
	st.Logo = strings.Repeat("ab", 32)
	if _, err := s.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	var info SnapshotInfo
	err := s.StreamSnapshot(func(i SnapshotInfo, write func(w io.Writer) (int64, error)) error {
		info = i
		// Written after the snapshot began: not in it.
		mustCustomer(t, s, "Dopo", "dopo@example.it", "")
		n, err := write(&buf)
		if n != i.Size {
			t.Errorf("wrote %d bytes, announced %d", n, i.Size)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if info.Schema != SchemaVersion() || info.Counts["customers"] != 30 || len(info.Media) != 1 || info.Media[0] != st.Logo {
		t.Errorf("info %+v", info)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c := openDir(t, dir, Options{ReadOnly: true})
	if err := c.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	counts, _ := c.BucketCounts()
	for name, n := range info.Counts {
		if counts[name] != n {
			t.Errorf("%s: %d in the copy, %d announced", name, counts[name], n)
		}
	}
	if _, err := c.CustomerByEmail("dopo@example.it"); !Is(err, CodeNotFound) {
		t.Errorf("a write after the snapshot began is in it: %v", err)
	}
	if refs, _ := c.MediaRefs(); len(refs) != 1 || refs[0] != st.Logo {
		t.Errorf("MediaRefs %v", refs)
	}
}

// TestCheckFindsDamage: a page overwritten on disk fails the check.
func TestCheckFindsDamage(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, Options{})
	for i := range 200 {
		mustCustomer(t, s, "Cliente", strings.Repeat("y", i%50+1)+string(rune('a'+i%26))+"@example.it", "")
	}
	var root, page int
	s.db.View(func(tx *bolt.Tx) error {
		root, page = int(tx.Bucket(bCustomers).Root()), tx.DB().Info().PageSize
		return nil
	})
	s.Close()
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	// The customers' root page: nothing Open reads, everything Check walks.
	for i := root * page; i < root*page+64; i++ {
		data[i] = 0xff
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	c := openDir(t, other, Options{ReadOnly: true})
	if err := c.Check(); err == nil {
		t.Fatal("Check found nothing wrong with an overwritten page")
	}
}
