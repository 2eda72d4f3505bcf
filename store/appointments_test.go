package store

import (
	"slices"
	"testing"
	"time"
)

func TestCreateAppointmentValidation(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(ap *Appointment)
		code   Code
		fields []string
	}{
		{"no customer", func(ap *Appointment) { ap.CustomerID = 0 }, CodeInvalid, []string{"customer_id"}},
		{"unknown customer", func(ap *Appointment) { ap.CustomerID = 999 }, CodeInvalid, []string{"customer_id"}},
		{"no start", func(ap *Appointment) { ap.Start = time.Time{} }, CodeInvalid, []string{"start"}},
		{"ends before it starts", func(ap *Appointment) { ap.End = ap.Start.Add(-time.Minute) }, CodeInvalid, []string{"start"}},
		{"ends when it starts", func(ap *Appointment) { ap.End = ap.Start }, CodeInvalid, []string{"start"}},
		{"both", func(ap *Appointment) { ap.CustomerID, ap.End = 0, time.Time{} }, CodeInvalid, []string{"customer_id", "start"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			c := mustCustomer(t, s, "Mario", "", "")
			ap := Appointment{CustomerID: c.ID, Start: t0.Add(24 * time.Hour), End: t0.Add(25 * time.Hour), Service: "Service"}
			tt.edit(&ap)
			before := dump(t, s)
			_, err := s.CreateAppointment(staff, ap)
			wantError(t, err, tt.code, tt.fields)
			wantUnchanged(t, s, before)
		})
	}
}

func TestCreateAppointment(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	start := time.Date(2026, 3, 16, 9, 0, 0, 0, rome)
	ap, err := s.CreateAppointment(staff, Appointment{CustomerID: c.ID, Start: start, End: start.Add(time.Hour),
		Department: "Mechanics", Bay: "Bay 1", Service: "  Oil change "})
	if err != nil {
		t.Fatal(err)
	}
	if ap.Status != "confirmed" || ap.Service != "Oil change" || !ap.Created.Equal(t0) || ap.ID == 0 {
		t.Errorf("CreateAppointment = %+v", ap)
	}
	// 09:00 in Rome is 08:00 UTC in March.
	got, err := s.AppointmentsBetween(time.Date(2026, 3, 16, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 16, 8, 0, 1, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ap.ID || !got[0].Start.Equal(start) || got[0].Bay != "Bay 1" {
		t.Errorf("AppointmentsBetween = %+v", got)
	}

	requested, err := s.CreateAppointment(staff, Appointment{CustomerID: c.ID, Start: start, End: start.Add(time.Hour), Status: "requested"})
	if err != nil || requested.Status != "requested" {
		t.Errorf("status requested: %+v, %v", requested, err)
	}
}

func TestAppointmentsBetween(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	day := time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }

	// Created out of order, two at the same time.
	starts := map[string]time.Time{
		"14:00":      at(14, 0),
		"08:00":      at(8, 0),
		"day before": at(-1, 0),
		"10:30 a":    at(10, 30),
		"next day":   at(24, 0),
		"10:30 b":    at(10, 30),
		"09:59":      at(9, 59),
		"10:00":      at(10, 0),
	}
	order := []string{"14:00", "08:00", "day before", "10:30 a", "next day", "10:30 b", "09:59", "10:00"}
	ids := map[string]uint64{}
	for _, name := range order {
		st := starts[name]
		ap, err := s.CreateAppointment(staff, Appointment{CustomerID: c.ID, Start: st, End: st.Add(30 * time.Minute), Service: name})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = ap.ID
	}

	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"whole day", day, day.Add(24 * time.Hour), []string{"08:00", "09:59", "10:00", "10:30 a", "10:30 b", "14:00"}},
		{"from is inclusive, to exclusive", at(10, 0), at(14, 0), []string{"10:00", "10:30 a", "10:30 b"}},
		{"one minute", at(9, 59), at(10, 0), []string{"09:59"}},
		{"empty range", at(10, 0), at(10, 0), nil},
		{"reversed range", at(14, 0), at(8, 0), nil},
		{"nothing there", at(15, 0), at(18, 0), nil},
		{"two days", day.Add(-24 * time.Hour), day.Add(48 * time.Hour),
			[]string{"day before", "08:00", "09:59", "10:00", "10:30 a", "10:30 b", "14:00", "next day"}},
		{"range in another zone", at(10, 0).In(time.FixedZone("CET", 3600)), at(10, 1).In(time.FixedZone("EET", 7200)), []string{"10:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.AppointmentsBetween(tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs, wantIDs []uint64
			for _, ap := range got {
				gotIDs = append(gotIDs, ap.ID)
			}
			for _, name := range tt.want {
				wantIDs = append(wantIDs, ids[name])
			}
			if !slices.Equal(gotIDs, wantIDs) {
				var names []string
				for _, ap := range got {
					names = append(names, ap.Service)
				}
				t.Errorf("AppointmentsBetween = %v, want %v", names, tt.want)
			}
		})
	}
}

func TestAgendaNamesCustomerAndCar(t *testing.T) {
	s := openTest(t)
	c, err := s.CreateCustomer(CLI, Customer{Name: "Ana Pop", Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.CreateVehicle(CLI, Vehicle{CustomerID: c.ID, Plate: "AB123CD", Make: "Fiat", Model: "Panda"})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, h := range []int{15, 9, 30} { // 30h is the next day
		if _, err := s.CreateAppointment(CLI, Appointment{CustomerID: c.ID, VehicleID: v.ID, Service: "Service",
			Start: day.Add(time.Duration(h) * time.Hour), End: day.Add(time.Duration(h+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := s.Agenda(day, day.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Start.Hour() != 9 || rows[1].Start.Hour() != 15 {
		t.Fatalf("rows = %+v", rows)
	}
	if rows[0].Customer != "Ana Pop" || rows[0].Plate != "AB123CD" || rows[0].Car != "Fiat Panda" {
		t.Fatalf("row = %+v", rows[0])
	}
}
