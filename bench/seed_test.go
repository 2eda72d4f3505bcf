package bench

import (
	"regexp"
	"testing"
	"time"

	"pitlane/store"
)

func TestSeedReusesSameSizeAndRefusesAnother(t *testing.T) {
	dir := t.TempDir()
	z := Size{Customers: 50, Vehicles: 75, Jobs: 120}
	first := seedInto(t, dir, z)
	if first.Reused {
		t.Fatal("an empty folder was reported as already seeded")
	}
	if again := seedInto(t, dir, z); !again.Reused {
		t.Error("seeding the same size twice imported again")
	}
	st := openStore(t, dir)
	n, err := st.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if n.Customers != 50 || n.Vehicles != 75 {
		t.Errorf("after two seeds: %d customers, %d vehicles; want 50, 75", n.Customers, n.Vehicles)
	}
	settings, err := st.Settings()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(settings.Location())
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	appts, err := st.AppointmentsBetween(day, day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(appts) != todayAppointments {
		t.Errorf("%d appointments today, want the dashboard's %d", len(appts), todayAppointments)
	}
	if _, err := Seed(st, Size{Customers: 50, Vehicles: 100, Jobs: 120}, nil); err == nil {
		t.Error("a folder seeded with 75 vehicles was accepted as a dataset of 100")
	}
}

// TestJobsSpanHistory guards the job dates at the largest dataset: the oldest
// three years back, the newest today, in order.
func TestJobsSpanHistory(t *testing.T) {
	now := time.Now()
	g := newGenerator(Size{Customers: 100_000, Vehicles: 200_000, Jobs: 500_000}, now)
	oldest, newest := g.job(0).Opened, g.job(499_999).Opened
	if d := now.Sub(oldest); d < jobHistory-time.Hour || d > jobHistory+time.Hour {
		t.Errorf("oldest job opened %v ago, want %v", d, jobHistory)
	}
	if d := now.Sub(newest); d < 0 || d > 2*time.Hour {
		t.Errorf("newest job opened %v ago, want within the hour", d)
	}
	for i := 1; i < 500_000; i += 997 {
		if g.job(i).Opened.Before(g.job(i - 1).Opened) {
			t.Fatalf("job %d opened before job %d", i, i-1)
		}
	}
}

func TestSizeCheck(t *testing.T) {
	for _, z := range []Size{{}, {Customers: 10, Vehicles: -1}, {Customers: 10, Jobs: 5}} {
		if err := z.check(); err == nil {
			t.Errorf("%v accepted", z)
		}
	}
}

// TestPlatesUnique covers the largest dataset the harness seeds.
func TestPlatesUnique(t *testing.T) {
	form := regexp.MustCompile(`^[A-HJ-NPR-TV-Z]{2}[0-9]{3}[A-HJ-NPR-TV-Z]{2}$`)
	seen := make(map[string]int, 200_000)
	for i := range 200_000 {
		p := plate(i)
		if j, dup := seen[p]; dup {
			t.Fatalf("plate %s for cars %d and %d", p, j, i)
		}
		seen[p] = i
		if i < 1000 && !form.MatchString(p) {
			t.Fatalf("plate %q is not AA000AA", p)
		}
	}
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seedInto seeds dir in a store of its own, closed afterwards.
func seedInto(t *testing.T, dir string, z Size) SeedReport {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := Seed(st, z, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
