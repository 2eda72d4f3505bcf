package store

import (
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bBackups holds one BackupRecord per backup attempt, under its ID.
var bBackups = []byte("backups")

var (
	keyBackupSettings = []byte("backup")
	// keyLastScheduledBackup (meta bucket) is when the schedule last ran, so
	// a restart neither skips nor repeats a day.
	keyLastScheduledBackup = []byte("backup_last_scheduled")
)

// How a backup was started.
const (
	BackupManual    = "manual"    // "Back up now" on the Backups page
	BackupScheduled = "scheduled" // the daily schedule
	BackupCLI       = "cli"       // pitlane backup
)

// BackupSettings say where and when the appliance backs itself up.
type BackupSettings struct {
	// Folder is where scheduled and "Back up now" backups go (a USB disk, a
	// NAS mount). Empty: no schedule.
	Folder string `json:"folder"`
	// Hour is when the daily backup runs, 0–23 in the dealership's zone.
	Hour int `json:"hour"`
	// Retention: the newest backup of each of the last KeepDaily days, ISO
	// weeks and months that have one is kept; older ones are deleted.
	KeepDaily   int `json:"keep_daily"`
	KeepWeekly  int `json:"keep_weekly"`
	KeepMonthly int `json:"keep_monthly"`
	// Recipient is an age public key (age1…): backups are encrypted to it,
	// so unattended backups need no secret stored here.
	Recipient string `json:"recipient,omitempty"`
	// Since is when a folder was first set: the schedule's first backup is
	// the first slot after it, not one the moment the form is saved.
	Since time.Time `json:"since,omitzero"`
}

// DefaultBackupSettings: no folder yet; at 02:00, 7 daily, 4 weekly, 12 monthly.
func DefaultBackupSettings() BackupSettings {
	return BackupSettings{Hour: 2, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12}
}

// maxKeep bounds each retention count: ten years of monthlies is plenty.
const maxKeep = 120

// Check validates the settings as SaveBackupSettings will, so a form can
// show every problem at once alongside checks made elsewhere.
func (bs BackupSettings) Check() error { return bs.normalize() }

func (bs *BackupSettings) normalize() error {
	var v Validation
	bs.Folder = strings.TrimSpace(bs.Folder)
	bs.Recipient = strings.TrimSpace(bs.Recipient)
	if bs.Folder != "" && !filepath.IsAbs(bs.Folder) {
		v.Add("folder", "backup.error.folder_relative")
	}
	if bs.Hour < 0 || bs.Hour > 23 {
		v.Add("hour", "backup.error.hour")
	}
	for _, k := range []struct {
		field string
		n     int
	}{{"keep_daily", bs.KeepDaily}, {"keep_weekly", bs.KeepWeekly}, {"keep_monthly", bs.KeepMonthly}} {
		if k.n < 0 || k.n > maxKeep {
			v.Add(k.field, "backup.error.keep", "max", maxKeep)
		}
	}
	if bs.KeepDaily+bs.KeepWeekly+bs.KeepMonthly == 0 {
		v.Add("keep_daily", "backup.error.keep_none")
	}
	return v.Err()
}

// BackupSettings returns the backup settings (defaults before the first save).
func (s *Store) BackupSettings() (BackupSettings, error) {
	bs := DefaultBackupSettings()
	err := s.view(func(tx *bolt.Tx) error {
		err := getJSON(tx.Bucket(bSettings), keyBackupSettings, &bs)
		if Is(err, CodeNotFound) {
			return nil
		}
		return err
	})
	return bs, err
}

// SaveBackupSettings validates and stores the backup settings. Whether the
// folder exists and is writable is for the caller to check: the store knows
// nothing of the file system.
func (s *Store) SaveBackupSettings(a Actor, bs BackupSettings) (BackupSettings, error) {
	if err := bs.normalize(); err != nil {
		return bs, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bSettings), keyBackupSettings, bs); err != nil {
			return err
		}
		return s.writer(tx).audit(a, "backup_settings_update", "settings", 0, bs.Folder)
	})
	return bs, err
}

// BackupRecord is one backup attempt and what its verification found.
type BackupRecord struct {
	ID       uint64        `json:"id"`
	File     string        `json:"file,omitempty"` // name in Folder; empty when nothing was written
	Folder   string        `json:"folder"`
	Size     int64         `json:"size"`
	Created  time.Time     `json:"created"`
	Duration time.Duration `json:"duration"`
	Trigger  string        `json:"trigger"` // BackupManual, BackupScheduled or BackupCLI
	By       string        `json:"by"`
	// Encrypted says the file is an age file.
	Encrypted bool `json:"encrypted,omitempty"`
	// Verified says the file was read back whole and every check passed.
	Verified bool  `json:"verified"`
	Records  int64 `json:"records,omitempty"` // keys in the database copy
	Media    int   `json:"media,omitempty"`   // media files carried
	// MissingMedia counts referenced files that were not in the data folder.
	MissingMedia int `json:"missing_media,omitempty"`
	// Error says what failed, in English for logs and the command line;
	// ErrorKey and ErrorArgs say it through the catalogue for the page.
	Error     string   `json:"error,omitempty"`
	ErrorKey  string   `json:"error_key,omitempty"`
	ErrorArgs []string `json:"error_args,omitempty"`
}

// AddBackupRecord stores the outcome of a backup attempt, and for a
// scheduled one also marks the schedule as run, in the same transaction.
func (s *Store) AddBackupRecord(a Actor, r BackupRecord) (BackupRecord, error) {
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bBackups)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		r.ID = id
		if err := putJSON(b, itob(id), r); err != nil {
			return err
		}
		if r.Trigger == BackupScheduled {
			if err := tx.Bucket(bMeta).Put(keyLastScheduledBackup, []byte(r.Created.UTC().Format(time.RFC3339Nano))); err != nil {
				return err
			}
		}
		action := "backup_create"
		if !r.Verified {
			action = "backup_failed"
		}
		return s.writer(tx).audit(a, action, "backup", id, r.File)
	})
	return r, err
}

// BackupRecords lists up to limit backup attempts, newest first.
func (s *Store) BackupRecords(limit int) ([]BackupRecord, error) {
	var out []BackupRecord
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bBackups).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var r BackupRecord
			if err := jsonDecode(v, &r); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// LastScheduledBackup is when the schedule last ran (zero if never).
func (s *Store) LastScheduledBackup() (time.Time, error) {
	var t time.Time
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMeta).Get(keyLastScheduledBackup)
		if b == nil {
			return nil
		}
		var err error
		t, err = time.Parse(time.RFC3339Nano, string(b))
		return err
	})
	return t, err
}
