package bench

import (
	"testing"

	"pitlane/store"
)

// TestSeedFillsTheWeekAndAJob: the calendar's week is busy every day and the
// showcase job is filled in, once: seeding again adds nothing, and nothing
// is left pending in the outbox for the push scenario.
func TestSeedFillsTheWeekAndAJob(t *testing.T) {
	dir := t.TempDir()
	z := Size{Customers: 40, Vehicles: 60, Jobs: 100}
	first := seedInto(t, dir, z)
	again := seedInto(t, dir, z)
	if first.Job == 0 || again.Job != first.Job || !again.Week.Equal(first.Week) {
		t.Fatalf("job %d then %d, week %v then %v: want one job and one week", first.Job, again.Job, first.Week, again.Week)
	}
	st := openStore(t, dir)
	monday := first.Week.AddDate(0, 0, -((int(first.Week.Weekday()) + 6) % 7))
	for d := range 7 {
		day := monday.AddDate(0, 0, d)
		appts, err := st.AppointmentsBetween(day, day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		want := weekAppointments
		if day.Equal(first.Week) {
			want = todayAppointments
		}
		if len(appts) != want {
			t.Errorf("%s: %d appointments, want %d", day.Format("Mon 2 Jan"), len(appts), want)
		}
	}
	j, err := st.Job(first.Job)
	if err != nil {
		t.Fatal(err)
	}
	if j.CheckIn == nil || j.Technician == "" || len(j.Inspection) == 0 || len(j.Lines) != showcaseLines || j.Invoice != nil {
		t.Fatalf("showcase job: check-in %v, technician %q, %d items, %d lines, invoice %v; want all filled in, %d lines, no invoice",
			j.CheckIn, j.Technician, len(j.Inspection), len(j.Lines), j.Invoice, showcaseLines)
	}
	fromItems := 0
	for _, it := range j.Inspection {
		if it.Status == store.ItemUnchecked {
			t.Errorf("item %s not rated", it.Key)
		}
		if it.Line != 0 {
			fromItems++
		}
	}
	if fromItems == 0 {
		t.Error("no line was made from an inspection item")
	}
	if due, err := st.DueNotifications(10); err != nil || len(due) > 0 {
		t.Errorf("outbox after seeding: %d pending (err %v), want none", len(due), err)
	}
}
