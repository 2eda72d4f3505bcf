// Package remind sends the customers' appointment reminders the day before,
// at the hour the workshop set, checking every minute.
package remind

import (
	"context"
	"log/slog"
	"time"

	"pitlane/store"
)

// Interval is how often due reminders are looked for.
const Interval = time.Minute

// Run queues due reminders now and every interval until ctx ends. The store
// records each reminder with the appointment, so a restart never repeats one
// and a start after the hour catches up.
func Run(ctx context.Context, st *store.Store, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := st.SendDueReminders(); err != nil {
			log.Error("appointment reminders", "err", err)
		} else if n > 0 {
			log.Info("appointment reminders queued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
