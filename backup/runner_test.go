package backup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"pitlane/store"
)

// TestRunnerSealsToTheConfiguredRecipient: unattended backups are sealed
// to the recipient on the Backups page, verified all the same, and open
// with its identity only.
func TestRunnerSealsToTheConfiguredRecipient(t *testing.T) {
	a := newAppliance(t)
	id, _ := age.GenerateX25519Identity()
	folder := t.TempDir()
	r := NewRunner(Config{Store: a.st, Media: a.media, Logger: quiet()})
	if _, err := r.SaveSettings(staff, store.BackupSettings{Folder: folder, Hour: 2, KeepDaily: 7,
		Recipient: id.Recipient().String()}); err != nil {
		t.Fatal(err)
	}
	rec, err := r.Run(t.Context(), Request{Trigger: store.BackupScheduled, Actor: store.System})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Verified || !rec.Encrypted || !strings.HasSuffix(rec.File, ".tar.zst.age") || rec.Records == 0 || rec.Media != 1 {
		t.Fatalf("record %+v", rec)
	}
	path := filepath.Join(folder, rec.File)
	if _, err := Verify(t.Context(), path, Key{}, nil); KeyOf(err) != keyEncrypted {
		t.Errorf("opened without a key: %v", err)
	}
	if _, err := Verify(t.Context(), path, Key{Identity: id.String()}, nil); err != nil {
		t.Errorf("with the identity: %v", err)
	}
	if last, _ := a.st.LastScheduledBackup(); !last.Equal(rec.Created) {
		t.Errorf("last scheduled run %v, want %v", last, rec.Created)
	}
}

func TestSaveSettingsSaysWhatToFix(t *testing.T) {
	a := newAppliance(t)
	r := NewRunner(Config{Store: a.st, Media: a.media, Logger: quiet()})
	_, err := r.SaveSettings(staff, store.BackupSettings{Folder: filepath.Join(t.TempDir(), "usb"), Hour: 24,
		KeepDaily: -1, Recipient: "age1notakey"})
	e, ok := store.AsError(err)
	if !ok {
		t.Fatalf("error %v", err)
	}
	got := map[string]string{}
	for _, f := range e.Fields {
		got[f.Field] = f.Key
	}
	want := map[string]string{"folder": "backup.error.folder_missing", "hour": "backup.error.hour",
		"keep_daily": "backup.error.keep", "recipient": "backup.error.recipient"}
	for field, key := range want {
		if got[field] != key {
			t.Errorf("%s: %q, want %q (all: %v)", field, got[field], key, got)
		}
	}
	if bs, _ := a.st.BackupSettings(); bs.Folder != "" {
		t.Errorf("invalid settings were saved: %+v", bs)
	}
}

// TestUnpluggedDiskIsRecorded: the scheduled backup into a folder that has
// gone (a USB disk unplugged) is recorded as failed, saying why, once.
func TestUnpluggedDiskIsRecorded(t *testing.T) {
	a := newAppliance(t)
	usb := filepath.Join(t.TempDir(), "usb")
	if err := os.Mkdir(usb, 0o700); err != nil {
		t.Fatal(err)
	}
	r := NewRunner(Config{Store: a.st, Media: a.media, Logger: quiet()})
	if _, err := a.st.SaveBackupSettings(staff, store.BackupSettings{Folder: usb, Hour: 2, KeepDaily: 7}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(usb); err != nil {
		t.Fatal(err)
	}
	r.scheduled(t.Context())
	r.scheduled(t.Context())
	recs, _ := a.st.BackupRecords(10)
	if len(recs) != 1 || recs[0].Verified || recs[0].ErrorKey != "backup.error.folder_missing" || recs[0].File != "" {
		t.Fatalf("records %+v", recs)
	}
}
