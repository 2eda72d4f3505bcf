package store

import (
	"fmt"
	"slices"
	"testing"
)

func TestOpenJobFromAppointment(t *testing.T) {
	f := newBookingFixture(t)
	st, _ := f.s.Settings()
	st.TaxRate = 2200
	if _, err := f.s.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	ap, err := f.book(t, Booking{VehicleID: f.car.ID, Bay: "Bay 1", Services: []uint64{f.oil},
		Description: "  Noise from the front  ", Start: f.at(16, 9, 0), End: f.at(16, 10, 0)})
	if err != nil {
		t.Fatal(err)
	}
	queued := len(outbox(t, f.s))

	j, err := f.s.OpenJobFromAppointment(staff, ap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.CustomerID != f.mario.ID || j.VehicleID != f.car.ID || j.AppointmentID != ap.ID ||
		j.Stage != StageCheckedIn || j.Description != "Noise from the front" || j.Number == "" {
		t.Errorf("job = %+v", j)
	}
	// The oil service costs 120.00 tax included: 98.36 + 22 %.
	want := []Line{{ID: 1, Kind: LineLabour, Description: "Oil service", Qty: 100, UnitPrice: 9836, TaxRate: 2200,
		Status: LineApproved, Decided: j.Lines[0].Decided}}
	if !slices.Equal(j.Lines, want) || j.Lines[0].Decided.IsZero() || j.LastLine != 1 {
		t.Errorf("lines = %+v (last %d), want %+v", j.Lines, j.LastLine, want)
	}
	if got := Sum(j.Lines, LineApproved).Gross; got != 12000 {
		t.Errorf("approved total %d, want the service's price 12000", got)
	}
	if stored, err := f.s.Job(j.ID); err != nil || stored.AppointmentID != ap.ID || len(stored.Lines) != 1 {
		t.Errorf("stored job = %+v, %v", stored, err)
	}
	if jobs, _ := f.s.VehicleJobs(f.car.ID); len(jobs) != 1 || jobs[0].ID != j.ID {
		t.Errorf("the car's jobs = %+v", jobs)
	}
	if ids := jobIDs(t, f.s, StageCheckedIn, 10); !slices.Equal(ids, []uint64{j.ID}) {
		t.Errorf("checked in = %v", ids)
	}
	got, _ := f.s.Appointment(ap.ID)
	if got.Status != ApptDone || got.JobID != j.ID {
		t.Errorf("appointment = status %s, job %d; want done, %d", got.Status, got.JobID, j.ID)
	}
	if a := lastAudit(t, f.s); a.Action != "appointment_done" || a.Record != ap.ID {
		t.Errorf("audit = %+v", a)
	}
	events, _ := f.s.Timeline(f.mario.ID, 10)
	var keys []string
	for _, e := range events {
		keys = append(keys, e.Key)
	}
	if !slices.Contains(keys, "timeline.job_opened") || !slices.Contains(keys, "calendar.timeline.done") {
		t.Errorf("timeline = %v", keys)
	}
	if n := len(outbox(t, f.s)); n != queued {
		t.Errorf("%d notifications queued; approved lines need no decision", n-queued)
	}

	t.Run("twice names the job already open", func(t *testing.T) {
		before := dump(t, f.s)
		_, err := f.s.OpenJobFromAppointment(staff, ap.ID)
		e := wantError(t, err, CodeConflict, nil)
		if e.Key != "calendar.error.job_open" || e.Existing != j.ID {
			t.Errorf("error = %+v, want job_open naming %d", e, j.ID)
		}
		wantUnchanged(t, f.s, before)
	})
	t.Run("unknown appointment", func(t *testing.T) {
		_, err := f.s.OpenJobFromAppointment(staff, 999)
		wantError(t, err, CodeNotFound, nil)
	})
}

func TestOpenJobRefusals(t *testing.T) {
	f := newBookingFixture(t)
	noCar, err := f.book(t, Booking{Start: f.at(16, 9, 0), End: f.at(16, 10, 0)})
	if err != nil {
		t.Fatal(err)
	}
	cancelled, err := f.book(t, Booking{VehicleID: f.car.ID, Start: f.at(16, 11, 0), End: f.at(16, 12, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CancelAppointment(staff, 0, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	anaCar := mustVehicle(t, f.s, f.ana.ID, "CD456EF")
	sold, err := f.book(t, Booking{CustomerID: f.ana.ID, VehicleID: anaCar.ID, Start: f.at(16, 14, 0), End: f.at(16, 15, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.TransferVehicle(staff, anaCar.ID, f.mario.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   uint64
		key  string
	}{
		{"no car", noCar.ID, "calendar.error.no_vehicle"},
		{"cancelled", cancelled.ID, "calendar.error.status"},
		{"car sold since", sold.ID, "calendar.error.vehicle_sold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, f.s)
			_, err := f.s.OpenJobFromAppointment(staff, tt.id)
			if e := wantError(t, err, CodeConflict, nil); e.Key != tt.key {
				t.Errorf("key = %s, want %s", e.Key, tt.key)
			}
			wantUnchanged(t, f.s, before)
		})
	}
}

// A service's line costs what the customer was shown, tax included, over
// its hours.
func TestServiceLine(t *testing.T) {
	tests := []struct {
		minutes   int
		price     int64
		tax       int64
		qty, unit int64
		gross     int64
	}{
		{60, 12000, 0, 100, 12000, 12000},
		{90, 18000, 0, 150, 12000, 18000},
		{45, 5000, 0, 75, 6667, 5000},
		{50, 10000, 0, 83, 12048, 10000},
		{30, 0, 0, 50, 0, 0},
		{1, 500, 0, 2, 25000, 500},
		{60, 12000, 2200, 100, 9836, 12000},
		{90, 18000, 2200, 150, 9836, 18000},
		{45, 5000, 2200, 75, 5464, 5000},
		{50, 10000, 2200, 83, 9876, 10000},
		{30, 0, 2200, 50, 0, 0},
		{60, 12001, 2200, 100, 9837, 12001},
		{60, 10001, 10000, 100, 5000, 10000},
		// No amount before tax comes to 100.01 with 22 %: 81.97 + 18.03
		// is 100.00, 81.98 + 18.04 is 100.02. The line stays below the price.
		{60, 10001, 2200, 100, 8197, 10000},
		// 1.5 h moves the amount 1.5 cents at a time: 180.01 is not reachable.
		{90, 18001, 0, 150, 12000, 18000},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d min %d at %d", tt.minutes, tt.price, tt.tax), func(t *testing.T) {
			l := serviceLine(ServiceType{Name: "Work", Minutes: tt.minutes, PriceMinor: tt.price}, tt.tax)
			if l.Kind != LineLabour || l.Qty != tt.qty || l.UnitPrice != tt.unit || l.TaxRate != tt.tax {
				t.Errorf("line = %+v, want labour %d × %d at %d", l, tt.qty, tt.unit, tt.tax)
			}
			if l.Gross() != tt.gross {
				t.Errorf("gross %d (net %d + tax %d), want %d for the price %d", l.Gross(), l.Net(), l.Tax(), tt.gross, tt.price)
			}
		})
	}
}

// Whatever the price, hours and rate, a service's line never costs more
// than its price, and no other hourly rate comes closer to it; within an
// hour the amount moves one cent at a time, so only the tax's rounding can
// leave it a cent short.
func TestServiceLineNeverAbovePrice(t *testing.T) {
	for _, tax := range []int64{0, 500, 1900, 2200, 2150, 10000} {
		for _, minutes := range []int{1, 25, 45, 60, 61, 90, 480} {
			for price := int64(0); price < 1200; price++ {
				l := serviceLine(ServiceType{Name: "Work", Minutes: minutes, PriceMinor: price}, tax)
				next := l
				next.UnitPrice++
				switch g := l.Gross(); {
				case g > price:
					t.Fatalf("%d min at %d: gross %d above the price %d", minutes, tax, g, price)
				case g < price && next.Gross() <= price:
					t.Fatalf("%d min at %d: gross %d for %d, %d reaches %d", minutes, tax, g, price, next.UnitPrice, next.Gross())
				case l.Qty <= 100 && g < price-1:
					t.Fatalf("%d min at %d: gross %d, more than a cent short of %d", minutes, tax, g, price)
				}
			}
		}
	}
}
