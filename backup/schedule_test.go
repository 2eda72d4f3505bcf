package backup

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"pitlane/store"
)

func TestDue(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, rome) }
	cases := []struct {
		name      string
		now, last time.Time
		want      bool
	}{
		{"never ran", at(3, 10, 1, 0), time.Time{}, true},
		{"before today's hour, ran yesterday at it", at(3, 10, 1, 59), at(3, 9, 2, 0), false},
		{"at the hour", at(3, 10, 2, 0), at(3, 9, 2, 0), true},
		{"ran today already", at(3, 10, 23, 0), at(3, 10, 2, 0), false},
		{"PC was off at 02:00, on at 08:00", at(3, 10, 8, 0), at(3, 9, 2, 1), true},
		{"caught up yesterday at 08:00, today's slot passed", at(3, 10, 8, 0), at(3, 9, 8, 0), true},
		{"caught up this morning", at(3, 10, 9, 0), at(3, 10, 8, 0), false},
		{"off for a week: one run catches up", at(3, 17, 9, 0), at(3, 10, 2, 0), true},
		// 29 March 2026: clocks go from 02:00 to 03:00 in Rome.
		{"a slot that does not exist still runs once", at(3, 29, 3, 30), at(3, 28, 2, 0), true},
		{"and not twice", at(3, 29, 4, 0), at(3, 29, 3, 30), false},
		// 25 October 2026: 02:00–03:00 happens twice.
		{"the repeated hour runs once", at(10, 25, 2, 30).Add(time.Hour), at(10, 25, 2, 0), false},
	}
	for _, tc := range cases {
		if got := due(tc.now, tc.last, 2, rome); got != tc.want {
			t.Errorf("%s: due(%v, last %v) = %v, want %v", tc.name, tc.now, tc.last, got, tc.want)
		}
	}
}

// clock is a time the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

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

// TestScheduleOncePerDayAcrossRestarts: the daily backup runs at its hour,
// once, even when the appliance restarts after it; the first one waits for
// the first hour after the folder was set, and a day the PC was off at the
// hour is caught up at the next start.
func TestScheduleOncePerDayAcrossRestarts(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	at := func(d, hh, mm int) time.Time { return time.Date(2026, 3, d, hh, mm, 0, 0, rome) }
	dir := t.TempDir()
	folder := t.TempDir()
	clk := &clock{now: at(10, 10, 0)}

	// Each "boot" opens the data folder afresh, as a restarted service does.
	boot := func() (*appliance, *Runner) {
		t.Helper()
		a := openAppliance(t, dir)
		return a, NewRunner(Config{Store: a.st, Media: a.media, Logger: quiet(), Now: clk.Now})
	}
	a, r := boot()
	st, _ := a.st.Settings()
	st.TimeZone = "Europe/Rome"
	if _, err := a.st.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SaveSettings(staff, store.BackupSettings{Folder: folder, Hour: 2, KeepDaily: 30}); err != nil {
		t.Fatal(err)
	}
	backups := func() int {
		t.Helper()
		recs, err := a.st.BackupRecords(100)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if !rec.Verified || rec.Trigger != store.BackupScheduled || rec.By != store.System.Name {
				t.Fatalf("record %+v", rec)
			}
		}
		return len(recs)
	}
	steps := []struct {
		now     time.Time
		restart bool
		want    int
	}{
		{at(10, 10, 0), false, 0},  // the folder was just set: no backup at once
		{at(10, 23, 59), false, 0}, // nor later that day
		{at(11, 2, 0), false, 1},   // the first 02:00 after it
		{at(11, 2, 1), false, 1},
		{at(11, 2, 5), true, 1}, // a restart does not repeat it
		{at(11, 18, 0), true, 1},
		{at(12, 1, 59), false, 1},
		{at(12, 2, 0), false, 2},
		{at(14, 8, 0), true, 3}, // off on the 13th and 14th at 02:00: one catch-up
		{at(14, 9, 0), true, 3},
		{at(15, 2, 0), false, 4},
	}
	for i, s := range steps {
		clk.Set(s.now)
		if s.restart {
			a.st.Close()
			a, r = boot()
		}
		r.scheduled(t.Context())
		if got := backups(); got != s.want {
			t.Fatalf("step %d (%v, restart %v): %d scheduled backups, want %d", i, s.now, s.restart, got, s.want)
		}
	}
	entries, _ := os.ReadDir(folder)
	if len(entries) != 4 {
		t.Errorf("%d files in the folder, want 4", len(entries))
	}
}

func TestRunnerRefusesASecondBackupAtOnce(t *testing.T) {
	a := newAppliance(t)
	folder := t.TempDir()
	r := NewRunner(Config{Store: a.st, Media: a.media, Logger: quiet()})
	release := make(chan struct{})
	r.setProgressHook(func() { <-release })
	if err := r.Start(Request{Folder: folder, Trigger: store.BackupManual, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	if s := r.Status(); !s.Running || s.Trigger != store.BackupManual {
		t.Errorf("status while running %+v", s)
	}
	if _, err := r.Run(t.Context(), Request{Folder: folder, Trigger: store.BackupCLI, Actor: store.CLI}); !errors.Is(err, ErrBusy) {
		t.Errorf("second backup: %v, want ErrBusy", err)
	}
	close(release)
	r.waitIdle()
	recs, _ := a.st.BackupRecords(10)
	if len(recs) != 1 || !recs[0].Verified {
		t.Errorf("records %+v", recs)
	}
}

// TestServeCancelsARunningBackup: stopping the appliance cancels a backup
// still running, removes its partial file and records why.
func TestServeCancelsARunningBackup(t *testing.T) {
	a := newAppliance(t)
	folder := t.TempDir()
	r := NewRunner(Config{Store: a.st, Media: a.media, Logger: quiet()})
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan struct{})
	go func() { r.Serve(ctx); close(served) }()
	started := make(chan struct{})
	var once sync.Once
	r.setProgressHook(func() {
		once.Do(func() { close(started) })
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // the cancellation reaches the backup's own context
	})
	for serving := false; !serving; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		serving = r.life == ctx
		r.mu.Unlock()
	}
	if err := r.Start(Request{Folder: folder, Trigger: store.BackupManual, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	<-started
	stop()
	<-served
	if r.Status().Running {
		t.Error("Serve returned while the backup still ran")
	}
	if entries, _ := os.ReadDir(folder); len(entries) != 0 {
		t.Errorf("left in the folder: %v", entries)
	}
	recs, _ := a.st.BackupRecords(10)
	if len(recs) != 1 || recs[0].Verified || recs[0].ErrorKey != "backup.error.cancelled" {
		t.Errorf("records %+v", recs)
	}
}

func (r *Runner) setProgressHook(f func()) { r.hook = f }
