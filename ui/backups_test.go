package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pitlane/backup"
	"pitlane/i18n"
	"pitlane/store"
)

// backupKey matches the catalogue keys the backup code names.
var backupKey = regexp.MustCompile(`"(backup\.[a-z_.]+[a-z_])"`)

// TestBackupKeysExist: every key the backup package and the Backups page
// name or build exists, so no backup error reaches a user as "[[key]]".
func TestBackupKeysExist(t *testing.T) {
	files, _ := filepath.Glob("../backup/*.go")
	files = append(files, "backups.go", "../store/backups.go")
	var keys []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range backupKey.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	if len(keys) < 15 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, p := range []string{"starting", backup.PhaseDatabase, backup.PhaseMedia, backup.PhaseVerify} {
		keys = append(keys, "backup.phase."+p)
	}
	for _, tr := range []string{store.BackupManual, store.BackupScheduled, store.BackupCLI} {
		keys = append(keys, "backup.trigger."+tr)
	}
	for _, k := range keys {
		if !i18n.Has(k) {
			t.Errorf("unknown key %q", k)
		}
	}
}

func TestSizeAndDurationFollowTheLocale(t *testing.T) {
	it := i18n.Locale{Lang: i18n.Italian, Currency: "EUR", Location: time.UTC}
	en := i18n.Locale{Lang: i18n.English, Currency: "EUR", Location: time.UTC}
	for _, tc := range []struct {
		loc  i18n.Locale
		n    int64
		want string
	}{
		{en, 512, "512 B"}, {en, 65_350, "65 KB"}, {en, 12_345_678, "12.3 MB"}, {it, 12_345_678, "12,3 MB"},
		{it, 2_500_000_000, "2,50 GB"},
	} {
		if got := sizeText(tc.loc, tc.n); got != tc.want {
			t.Errorf("sizeText(%s, %d) = %q, want %q", tc.loc.Lang, tc.n, got, tc.want)
		}
	}
	if got := durationText(it, 1500*time.Millisecond); got != "1,5 s" {
		t.Errorf("durationText = %q", got)
	}
	if got := durationText(en, 3*time.Minute); got != "3.0 min" {
		t.Errorf("durationText = %q", got)
	}
}
