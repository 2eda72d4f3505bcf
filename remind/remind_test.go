package remind

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"pitlane/store"
)

func TestRunQueuesDueRemindersOnce(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip(err)
	}
	now := time.Date(2026, 3, 15, 18, 30, 0, 0, loc)
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.CreateCustomer(store.CLI, store.Customer{Name: "Mario Rossi"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 16, 9, 0, 0, 0, loc)
	if _, err := st.BookAppointment(store.CLI, store.Booking{CustomerID: c.ID, Department: "Mechanics", Start: start, End: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, st, time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil))); close(done) }()
	time.Sleep(50 * time.Millisecond) // many ticks
	cancel()
	<-done
	n, err := st.DueNotifications(10)
	if err != nil {
		t.Fatal(err)
	}
	reminders := 0
	for _, nt := range n {
		if nt.TitleKey == "calendar.notify.reminder.title" {
			reminders++
		}
	}
	if reminders != 1 {
		t.Errorf("%d reminders after many ticks, want 1", reminders)
	}
}
