package demo

import (
	"io"
	"log/slog"
	"regexp"
	"slices"
	"testing"
	"time"

	"pitlane/auth"
	"pitlane/store"
)

var rome = mustZone("Europe/Rome")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// wednesday is the "now" of most tests: mid-morning on a working day.
var wednesday = time.Date(2026, 3, 11, 10, 40, 0, 0, rome)

func openStore(t *testing.T, now time.Time) *store.Store {
	t.Helper()
	s, err := store.Open(t.TempDir(), store.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func seed(t *testing.T, s *store.Store, now time.Time) Result {
	t.Helper()
	res, err := Seed(s, now, rome)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return res
}

var platePattern = regexp.MustCompile(`^[A-HJ-NPR-TV-Z]{2}[0-9]{3}[A-HJ-NPR-TV-Z]{2}$`)

func TestSeedFillsTheGarage(t *testing.T) {
	s := openStore(t, wednesday)
	res := seed(t, s, wednesday)

	if res.Customers < 60 || res.Vehicles < res.Customers || res.Jobs == 0 || res.Appointments == 0 {
		t.Errorf("result = %+v, want ≥ 60 customers, a car each, jobs and appointments", res)
	}
	if !res.Settings || res.Users != len(staff) {
		t.Errorf("result settings=%v users=%d, want settings set and %d users", res.Settings, res.Users, len(staff))
	}
	counts, err := s.Counts()
	if err != nil {
		t.Fatal(err)
	}
	if counts.Customers < 50 || int(counts.Customers) != res.Customers || int(counts.Vehicles) != res.Vehicles {
		t.Errorf("counts = %+v, result = %+v", counts, res)
	}

	t.Run("customers and cars", func(t *testing.T) {
		companies := 0
		for id := uint64(1); id <= uint64(counts.Customers); id++ {
			c, err := s.Customer(id)
			if err != nil {
				t.Fatalf("customer %d: %v", id, err)
			}
			if c.Email == "" || c.Phone == "" || c.Address == "" {
				t.Errorf("customer %s lacks contact details: %+v", c.Name, c)
			}
			if c.Company {
				companies++
			}
			cars, err := s.CustomerVehicles(id)
			if err != nil {
				t.Fatal(err)
			}
			if len(cars) < 1 || len(cars) > 3 {
				t.Errorf("customer %s has %d cars, want 1 to 3", c.Name, len(cars))
			}
			for _, v := range cars {
				checkCar(t, v)
			}
		}
		if companies == 0 {
			t.Error("no company among the customers")
		}
	})

	t.Run("appointments this week", func(t *testing.T) {
		from := time.Date(2026, 3, 9, 0, 0, 0, 0, rome) // Monday
		appts, err := s.AppointmentsBetween(from, from.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		if len(appts) != res.Appointments {
			t.Errorf("%d appointments this week, result says %d", len(appts), res.Appointments)
		}
		hours := store.DefaultSettings().Hours
		today := 0
		for _, ap := range appts {
			start, end := ap.Start.In(rome), ap.End.In(rome)
			day := hours[(int(start.Weekday())+6)%7]
			if day.Closed || start.Format("15:04") < day.Open || end.Format("15:04") > day.Close ||
				start.YearDay() != end.YearDay() {
				t.Errorf("appointment %s–%s is outside opening hours", start, end)
			}
			if start.YearDay() == wednesday.YearDay() {
				today++
			}
			if ap.Bay == "" || ap.Department == "" || ap.Service == "" || ap.VehicleID == 0 {
				t.Errorf("appointment lacks details: %+v", ap)
			}
			if ap.End.Before(wednesday) && ap.Status != "done" && ap.Status != "no_show" {
				t.Errorf("past appointment has status %q", ap.Status)
			}
		}
		if today < 3 {
			t.Errorf("%d appointments today, want several", today)
		}
	})

	t.Run("jobs at every stage", func(t *testing.T) {
		for _, stage := range store.Stages {
			if counts.JobsBy[stage] < 1 {
				t.Errorf("no job in stage %s", stage)
			}
		}
		open, err := s.JobsInStage(store.StageInProgress, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range open {
			if j.Opened.After(wednesday) || j.Opened.Before(wednesday.AddDate(0, 0, -10)) {
				t.Errorf("job in progress %s opened %s, want in the last days", j.Number, j.Opened)
			}
		}
	})

	t.Run("settings", func(t *testing.T) {
		st, err := s.Settings()
		if err != nil {
			t.Fatal(err)
		}
		if st.Name != "Officina Demo Pitlane" || st.Website != "https://example.com" || st.TaxRate != 2200 || len(st.Bays) < 4 ||
			len(st.Bays) > 5 || !slices.Equal(st.Departments, []string{"Mechanics", "Body shop", "Tyres"}) {
			t.Errorf("settings = %+v", st)
		}
	})

	t.Run("staff accounts", func(t *testing.T) {
		for _, l := range res.Logins {
			u, err := s.UserByUsername(l.Username)
			if err != nil {
				t.Fatalf("%s: %v", l.Username, err)
			}
			ok, err := auth.VerifyPassword(u.PasswordHash, l.Password)
			if !ok || err != nil || l.Password != Password || u.Role != l.Role || !l.Created {
				t.Errorf("%s: password ok=%v err=%v, role %s, login %+v", l.Username, ok, err, u.Role, l)
			}
		}
	})

	t.Run("second run adds nothing", func(t *testing.T) {
		again := seed(t, s, wednesday.AddDate(1, 0, 2))
		if again.Customers+again.Vehicles+again.Jobs+again.Appointments+again.Users != 0 || again.Settings {
			t.Errorf("second run = %+v, want nothing new", again)
		}
		if len(again.Logins) != len(staff) || again.Logins[0].Created {
			t.Errorf("second run logins = %+v", again.Logins)
		}
		after, err := s.Counts()
		if err != nil {
			t.Fatal(err)
		}
		if after.Customers != counts.Customers || after.Vehicles != counts.Vehicles ||
			!equalMaps(after.JobsBy, counts.JobsBy) {
			t.Errorf("counts after second run = %+v, before %+v", after, counts)
		}
		users, err := s.Users()
		if err != nil || len(users) != len(staff) {
			t.Errorf("%d users after second run (%v), want %d", len(users), err, len(staff))
		}
	})
}

func checkCar(t *testing.T, v store.Vehicle) {
	t.Helper()
	if !platePattern.MatchString(v.Plate) {
		t.Errorf("plate %q is not in the Italian format", v.Plate)
	}
	if len(v.VIN) != 17 || !store.ValidVIN(v.VIN) {
		t.Errorf("car %s: VIN %q is not valid", v.Plate, v.VIN)
	}
	if !slices.Contains(store.Fuels, v.Fuel) || v.Make == "" || v.Model == "" ||
		v.Year < 2008 || v.Year > wednesday.Year()-2 {
		t.Errorf("car %s: %s %s %d %s", v.Plate, v.Make, v.Model, v.Year, v.Fuel)
	}
	if len(v.Odometer) < 3 || len(v.Odometer) > 6 {
		t.Errorf("car %s has %d odometer readings, want 3 to 6", v.Plate, len(v.Odometer))
	}
	for i, r := range v.Odometer {
		if r.At.After(wednesday) || r.At.Year() < v.Year || r.Km <= 0 {
			t.Errorf("car %s (%d): reading %+v", v.Plate, v.Year, r)
		}
		if i > 0 && (!r.At.After(v.Odometer[i-1].At) || r.Km <= v.Odometer[i-1].Km) {
			t.Errorf("car %s: reading %+v does not follow %+v", v.Plate, r, v.Odometer[i-1])
		}
	}
	if last := v.Odometer[len(v.Odometer)-1]; last.Km > 60_000*(wednesday.Year()-v.Year+1) {
		t.Errorf("car %s from %d has done %d km", v.Plate, v.Year, last.Km)
	}
}

func equalMaps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSeedKeepsSavedSettings(t *testing.T) {
	s := openStore(t, wednesday)
	st := store.DefaultSettings()
	st.Name = "Autofficina Verdi"
	st.Bays = []store.Bay{{Name: "Ramp A", Department: "Mechanics"}}
	if _, err := s.SaveSettings(store.CLI, st); err != nil {
		t.Fatal(err)
	}
	res := seed(t, s, wednesday)
	got, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if res.Settings || got.Name != "Autofficina Verdi" {
		t.Errorf("settings overwritten: result %v, name %q", res.Settings, got.Name)
	}
	from := time.Date(2026, 3, 9, 0, 0, 0, 0, rome)
	appts, err := s.AppointmentsBetween(from, from.AddDate(0, 0, 7))
	if err != nil || len(appts) == 0 {
		t.Fatalf("%d appointments, %v", len(appts), err)
	}
	for _, ap := range appts {
		if ap.Bay != "Ramp A" || ap.Department != "Mechanics" {
			t.Errorf("appointment in %s/%s, want the garage's own bay", ap.Department, ap.Bay)
		}
	}
}

func TestSeedKeepsExistingAccounts(t *testing.T) {
	s := openStore(t, wednesday)
	hash, err := auth.HashPassword("the-real-managers-password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(store.CLI, store.NewUser{Username: "manager", Name: "Real Manager",
		Role: store.RoleManager, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	res := seed(t, s, wednesday)
	if res.Users != len(staff)-1 || res.Logins[0].Username != "manager" || res.Logins[0].Created {
		t.Errorf("result = %+v, want the existing manager left alone", res)
	}
	u, err := s.UserByUsername("manager")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.VerifyPassword(u.PasswordHash, Password); ok || u.Name != "Real Manager" {
		t.Errorf("existing manager changed: %+v", u)
	}
}

// The same seed gives the same garage, whatever the day: who the customers
// are must not depend on the date, or a later run would add them again.
func TestSeedIsDeterministic(t *testing.T) {
	garage := func(now time.Time) (emails, plates []string) {
		s := openStore(t, now)
		seed(t, s, now)
		counts, err := s.Counts()
		if err != nil {
			t.Fatal(err)
		}
		for id := uint64(1); id <= uint64(counts.Customers); id++ {
			c, err := s.Customer(id)
			if err != nil {
				t.Fatal(err)
			}
			emails = append(emails, c.Email)
			cars, err := s.CustomerVehicles(id)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range cars {
				plates = append(plates, v.Plate)
			}
		}
		return emails, plates
	}
	e1, p1 := garage(wednesday)
	e2, p2 := garage(wednesday)
	if !slices.Equal(e1, e2) || !slices.Equal(p1, p2) {
		t.Error("two runs on the same day made different garages")
	}
	e3, _ := garage(wednesday.AddDate(0, 7, 3))
	if !slices.Equal(e1, e3) {
		t.Error("a run on another day made different customers")
	}
}

// The demo's customers can book from the app only if the workshop has
// services to book; a workshop set up by hand is left alone.
func TestSeedSetsUpTheWorkshopOnce(t *testing.T) {
	s := openStore(t, wednesday)
	if _, err := Seed(s, wednesday, rome); err != nil {
		t.Fatal(err)
	}
	w, err := s.Workshop()
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Technicians) < 2 || len(w.Services) < 3 {
		t.Fatalf("workshop after seeding = %+v", w)
	}
	w.Services = w.Services[:1]
	if _, err := s.SaveWorkshop(store.CLI, w); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(s, wednesday, rome); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Workshop(); len(again.Services) != 1 {
		t.Fatalf("a second seed changed the workshop: %d services", len(again.Services))
	}
}
