package store

import (
	"testing"
	"time"
)

func TestRemindersOnceAcrossRestarts(t *testing.T) {
	loc := rome(t)
	at := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, loc) }
	dir := t.TempDir()
	c := newClock(at(14, 9, 0))
	s := openDir(t, dir, Options{Now: c.Now})
	if _, err := s.SaveWorkshop(staff, Workshop{SlotMinutes: 30, ReminderHour: 18}); err != nil {
		t.Fatal(err)
	}
	cu := mustCustomer(t, s, "Mario", "", "")
	book := func(start time.Time) Appointment {
		ap, err := s.BookAppointment(staff, Booking{CustomerID: cu.ID, Department: "Mechanics", Start: start, End: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return ap
	}
	monday := book(at(16, 10, 0))
	book(at(17, 10, 0)) // Tuesday's
	cancelled := book(at(16, 12, 0))
	if _, err := s.CancelAppointment(staff, 0, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	reminders := func() int {
		n := 0
		for _, nt := range outbox(t, s) {
			if nt.TitleKey == "calendar.notify.reminder.title" {
				n++
			}
		}
		return n
	}
	steps := []struct {
		name string
		now  time.Time
		want int // reminders in the outbox after the step
	}{
		{"Sunday before the hour", at(15, 17, 59), 0},
		{"Sunday at the hour: Monday's, not the cancelled one", at(15, 18, 0), 1},
		{"Sunday later", at(15, 21, 0), 1},
		{"Monday morning: Tuesday's waits for the hour", at(16, 9, 0), 1},
		{"Monday at the hour", at(16, 18, 5), 2},
	}
	for _, st := range steps {
		c.Set(st.now)
		if _, err := s.SendDueReminders(); err != nil {
			t.Fatal(err)
		}
		if got := reminders(); got != st.want {
			t.Fatalf("%s: %d reminders, want %d", st.name, got, st.want)
		}
		if st.now.Equal(at(15, 21, 0)) {
			// A restart: the store is opened again on the same folder.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openDir(t, dir, Options{Now: c.Now})
			if n, _ := s.SendDueReminders(); n != 0 {
				t.Fatalf("after the restart %d reminders sent again", n)
			}
		}
	}
	// Moved to Wednesday, Monday's appointment is reminded again on Tuesday evening.
	if _, err := s.RescheduleAppointment(staff, monday.ID, Booking{Start: at(18, 9, 0), End: at(18, 10, 0)}); err != nil {
		t.Fatal(err)
	}
	c.Set(at(17, 18, 0))
	if n, err := s.SendDueReminders(); err != nil || n != 1 {
		t.Errorf("moved appointment: %d reminders, %v", n, err)
	}
}
