package backup

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	// day d of 2026 (1 = Thursday 1 January) at hh:mm, Rome time.
	at := func(d, hh, mm int) time.Time { return time.Date(2026, 1, d, hh, mm, 0, 0, rome) }
	// Every day at 02:00 from 1 January to 10 March (day 69), plus a manual
	// one on day 69 at 11:30.
	var daily []time.Time
	for d := 1; d <= 69; d++ {
		daily = append(daily, at(d, 2, 0))
	}
	daily = append(daily, at(69, 11, 30))

	cases := []struct {
		name  string
		times []time.Time
		keep  Retention
		want  []time.Time
	}{
		{"nothing to prune", []time.Time{at(1, 2, 0)}, Retention{Daily: 7}, []time.Time{at(1, 2, 0)}},
		{"daily only keeps the newest of each of the last 3 days", daily, Retention{Daily: 3},
			[]time.Time{at(69, 11, 30), at(68, 2, 0), at(67, 2, 0)}},
		{"weekly: the newest of each ISO week (Monday to Sunday)", daily, Retention{Weekly: 3},
			// 10 March is a Tuesday; the weeks before end on Sundays 8 and 1 March.
			[]time.Time{at(69, 11, 30), at(67, 2, 0), at(60, 2, 0)}},
		{"monthly: the newest of each month", daily, Retention{Monthly: 12},
			[]time.Time{at(69, 11, 30), at(59, 2, 0), at(31, 2, 0)}},
		{"7 daily, 4 weekly, 12 monthly", daily, Retention{Daily: 7, Weekly: 4, Monthly: 12},
			[]time.Time{at(69, 11, 30), at(68, 2, 0), at(67, 2, 0), at(66, 2, 0), at(65, 2, 0), at(64, 2, 0),
				at(63, 2, 0), at(60, 2, 0), at(53, 2, 0), at(59, 2, 0), at(31, 2, 0)}},
		{"periods without a backup do not count", []time.Time{at(1, 2, 0), at(20, 2, 0), at(40, 2, 0), at(41, 2, 0)},
			Retention{Daily: 3}, []time.Time{at(41, 2, 0), at(40, 2, 0), at(20, 2, 0)}},
		{"the newest is kept even if no rule does", []time.Time{at(1, 2, 0), at(2, 2, 0)}, Retention{},
			[]time.Time{at(2, 2, 0)}},
		{"days are the dealership's: 00:30 in Rome is still the day before in UTC",
			[]time.Time{at(10, 0, 30), at(9, 23, 30)}, Retention{Daily: 1}, []time.Time{at(10, 0, 30)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var files []backupFile
			for _, tm := range tc.times {
				files = append(files, backupFile{name: fileName(tm, false, 1), at: tm.UTC(), n: 1})
			}
			keep, drop := tc.keep.keep(files, rome)
			var want []string
			for _, tm := range tc.want {
				want = append(want, fileName(tm, false, 1))
			}
			slices.Sort(keep)
			slices.Sort(want)
			if !slices.Equal(keep, want) {
				t.Errorf("kept %v\nwant %v", keep, want)
			}
			if len(keep)+len(drop) != len(files) {
				t.Errorf("%d kept + %d dropped of %d", len(keep), len(drop), len(files))
			}
		})
	}
}

// TestPruneTouchesOnlyItsOwnFiles: other files, other names, partial files
// still being written are left alone; old partial files are removed.
func TestPruneTouchesOnlyItsOwnFiles(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	touch := func(name string, mod time.Time) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	for d := 1; d <= 5; d++ {
		touch(fileName(time.Date(2026, 3, d, 2, 0, 0, 0, time.UTC), d%2 == 0, 1), now)
	}
	touch("pitlane-20260301-020000.tar.zst.copy", now)
	touch("holiday-photos.tar.zst", now)
	touch("pitlane-20260301-020000.tar", now)
	old := partialName(fileName(time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC), false, 1))
	fresh := partialName(fileName(time.Date(2026, 3, 10, 11, 59, 0, 0, time.UTC), false, 1))
	touch(old, now.Add(-7*time.Hour))
	touch(fresh, now.Add(-time.Minute))
	if err := os.Mkdir(filepath.Join(dir, "pitlane-20260101-020000.tar.zst"), 0o700); err != nil {
		t.Fatal(err)
	}

	deleted, err := Prune(dir, Retention{Daily: 2}, time.UTC, now)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(deleted)
	want := []string{old, "pitlane-20260301-020000.tar.zst", "pitlane-20260302-020000.tar.zst.age",
		"pitlane-20260303-020000.tar.zst"}
	slices.Sort(want)
	if !slices.Equal(deleted, want) {
		t.Errorf("deleted %v\nwant    %v", deleted, want)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	for _, name := range []string{"pitlane-20260301-020000.tar.zst.copy", "holiday-photos.tar.zst",
		"pitlane-20260301-020000.tar", fresh, "pitlane-20260101-020000.tar.zst", "pitlane-20260305-020000.tar.zst",
		"pitlane-20260304-020000.tar.zst.age"} {
		if !slices.Contains(left, name) {
			t.Errorf("%s was deleted", name)
		}
	}
}
