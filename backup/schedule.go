package backup

import (
	"context"
	"errors"
	"time"

	"pitlane/store"
)

// lastSlot is the latest moment at or before now when the daily backup was
// due: today at hour:00 in loc, or yesterday's if today's is still ahead.
func lastSlot(now time.Time, hour int, loc *time.Location) time.Time {
	l := now.In(loc)
	slot := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	if slot.After(now) {
		slot = time.Date(l.Year(), l.Month(), l.Day()-1, hour, 0, 0, 0, loc)
	}
	return slot
}

// due reports whether the daily backup should run now, given when the
// schedule last ran. A slot missed while the PC was off is caught up at the
// next start, once: one run covers every slot before it.
func due(now, last time.Time, hour int, loc *time.Location) bool {
	return last.Before(lastSlot(now, hour, loc))
}

// scheduleEvery is how often the schedule looks at the clock: the daily
// backup starts within a minute of its hour.
const scheduleEvery = time.Minute

// Serve runs the daily schedule until ctx ends, then waits for a backup
// still running to stop (it is cancelled, and its partial file removed).
// The last run is recorded in the store with the backup's outcome, so the
// schedule runs once a day across restarts.
func (r *Runner) Serve(ctx context.Context) {
	r.mu.Lock()
	r.life = ctx
	r.mu.Unlock()
	defer r.waitIdle()
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		r.scheduled(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.wake:
		}
	}
}

// scheduled runs the daily backup if it is due.
func (r *Runner) scheduled(ctx context.Context) {
	bs, err := r.store.BackupSettings()
	if err != nil || bs.Folder == "" {
		return
	}
	st, err := r.store.Settings()
	if err != nil {
		return
	}
	last, err := r.store.LastScheduledBackup()
	if err != nil {
		r.log.Error("backup schedule: read the last run", "err", err)
		return
	}
	if last.IsZero() {
		last = bs.Since
	}
	if !due(r.now(), last, bs.Hour, st.Location()) {
		return
	}
	if _, err := r.Run(ctx, Request{Trigger: store.BackupScheduled, Actor: store.System}); errors.Is(err, ErrBusy) {
		r.log.Info("scheduled backup waits: another backup is running")
	}
}
