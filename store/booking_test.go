package store

import (
	"testing"
	"time"
)

type bookingFixture struct {
	s          *Store
	ws         Workshop
	mario, ana Customer
	car        Vehicle
	oil, tyres uint64
	luca, ion  uint64
	at         func(day, h, m int) time.Time
}

// newBookingFixture sets up two departments: Mechanics with two bays and
// two technicians, Tyres with one bay.
func newBookingFixture(t *testing.T) bookingFixture {
	t.Helper()
	loc := rome(t)
	s := openTest(t)
	st := DefaultSettings()
	st.Departments = []string{"Mechanics", "Tyres"}
	st.Bays = []Bay{{"Bay 1", "Mechanics"}, {"Bay 2", "Mechanics"}, {"Tyre bay", "Tyres"}}
	if _, err := s.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	ws, err := s.SaveWorkshop(staff, Workshop{SlotMinutes: 30, ReminderHour: 18,
		Technicians: []Technician{{Name: "Luca", Department: "Mechanics"}, {Name: "Ion", Department: "Mechanics"}},
		Services: []ServiceType{{Name: "Oil service", Department: "Mechanics", Minutes: 60, PriceMinor: 12000},
			{Name: "Tyre change", Department: "Tyres", Minutes: 30, PriceMinor: 4000}}})
	if err != nil {
		t.Fatal(err)
	}
	f := bookingFixture{s: s, ws: ws, mario: mustCustomer(t, s, "Mario", "", ""), ana: mustCustomer(t, s, "Ana", "", ""),
		oil: ws.Services[0].ID, tyres: ws.Services[1].ID, luca: ws.Technicians[0].ID, ion: ws.Technicians[1].ID,
		at: func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, loc) }}
	f.car = mustVehicle(t, s, f.mario.ID, "AB123CD")
	return f
}

func (f bookingFixture) book(t *testing.T, b Booking) (Appointment, error) {
	t.Helper()
	if b.CustomerID == 0 {
		b.CustomerID = f.mario.ID
	}
	if b.Department == "" {
		b.Department = "Mechanics"
	}
	return f.s.BookAppointment(staff, b)
}

func TestSaveWorkshop(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name   string
		ws     Workshop
		fields []string
	}{
		{"bad slot", Workshop{SlotMinutes: 7}, []string{"slot_minutes"}},
		{"bad reminder hour", Workshop{SlotMinutes: 30, ReminderHour: 24}, []string{"reminder_hour"}},
		{"bad closed day", Workshop{SlotMinutes: 30, ClosedDays: []string{"25/12/2026"}}, []string{"closed_days"}},
		{"unknown department", Workshop{SlotMinutes: 30, Technicians: []Technician{{Name: "Luca", Department: "Paint"}}}, []string{"technicians"}},
		{"service without length", Workshop{SlotMinutes: 30, Services: []ServiceType{{Name: "X", Department: "Mechanics"}}}, []string{"services"}},
		{"negative price", Workshop{SlotMinutes: 30, Services: []ServiceType{{Name: "X", Department: "Mechanics", Minutes: 10, PriceMinor: -1}}}, []string{"services"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			_, err := s.SaveWorkshop(staff, tt.ws)
			wantError(t, err, CodeInvalid, tt.fields)
			wantUnchanged(t, s, before)
		})
	}
	ws, err := s.SaveWorkshop(staff, Workshop{SlotMinutes: 15, ReminderHour: 17, ClosedDays: []string{"2026-12-26", "2026-12-25", "2026-12-25"},
		Technicians: []Technician{{Name: "Luca", Department: "Mechanics"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.ClosedDays) != 2 || ws.ClosedDays[0] != "2026-12-25" || ws.Technicians[0].ID == 0 {
		t.Errorf("saved %+v", ws)
	}
	// Saving the list again, Luca keeps his ID and the newcomer gets another.
	again, err := s.SaveWorkshop(staff, Workshop{SlotMinutes: 15, Technicians: []Technician{{Name: "Ion", Department: "Mechanics"}, {Name: "luca", Department: "Mechanics"}}})
	if err != nil {
		t.Fatal(err)
	}
	if again.Technicians[1].ID != ws.Technicians[0].ID || again.Technicians[0].ID == ws.Technicians[0].ID {
		t.Errorf("IDs not kept: %+v then %+v", ws.Technicians, again.Technicians)
	}
	if got, _ := s.Workshop(); len(got.Technicians) != 2 || got.SlotMinutes != 15 {
		t.Errorf("Workshop() = %+v", got)
	}
}

func TestBookingConflicts(t *testing.T) {
	f := newBookingFixture(t)
	if _, err := f.book(t, Booking{Bay: "Bay 1", Technician: f.luca, Start: f.at(16, 9, 0), End: f.at(16, 10, 0)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    Booking
		code Code
		key  string
	}{
		{"same bay overlapping", Booking{Bay: "Bay 1", Start: f.at(16, 9, 30), End: f.at(16, 10, 30)}, CodeConflict, "calendar.error.bay_taken"},
		{"same technician on another bay", Booking{Bay: "Bay 2", Technician: f.luca, Start: f.at(16, 8, 30), End: f.at(16, 9, 30)}, CodeConflict, "calendar.error.technician_taken"},
		{"bay of another department", Booking{Bay: "Tyre bay", Start: f.at(16, 11, 0), End: f.at(16, 12, 0)}, CodeInvalid, "errors.invalid"},
		{"technician of another department", Booking{Department: "Tyres", Technician: f.luca, Start: f.at(16, 11, 0), End: f.at(16, 12, 0)}, CodeInvalid, "errors.invalid"},
		{"someone else's car", Booking{CustomerID: 0, VehicleID: 999, Start: f.at(16, 11, 0), End: f.at(16, 12, 0)}, CodeInvalid, "errors.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, f.s)
			_, err := f.book(t, tt.b)
			if e := wantError(t, err, tt.code, nil); e.Key != tt.key {
				t.Errorf("key = %q, want %q", e.Key, tt.key)
			}
			wantUnchanged(t, f.s, before)
		})
	}
	// Back to back is no conflict; the other bay with the other technician is fine.
	if _, err := f.book(t, Booking{Bay: "Bay 1", Technician: f.luca, Start: f.at(16, 10, 0), End: f.at(16, 11, 0)}); err != nil {
		t.Errorf("back to back: %v", err)
	}
	if _, err := f.book(t, Booking{Bay: "Bay 2", Technician: f.ion, Start: f.at(16, 9, 0), End: f.at(16, 10, 0)}); err != nil {
		t.Errorf("other bay: %v", err)
	}
	// Both bays now taken at 09:00: the department is full.
	_, err := f.book(t, Booking{Start: f.at(16, 9, 0), End: f.at(16, 9, 30)})
	if e := wantError(t, err, CodeConflict, nil); e.Key != "calendar.error.full" {
		t.Errorf("key = %q, want calendar.error.full", e.Key)
	}
}

func TestRescheduleConflict(t *testing.T) {
	f := newBookingFixture(t)
	a, err := f.book(t, Booking{Bay: "Bay 1", Start: f.at(16, 9, 0), End: f.at(16, 10, 0)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.book(t, Booking{Bay: "Bay 1", Start: f.at(16, 11, 0), End: f.at(16, 12, 0)})
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, f.s)
	_, err = f.s.RescheduleAppointment(staff, b.ID, Booking{Bay: "Bay 1", Start: f.at(16, 9, 30), End: f.at(16, 10, 30)})
	wantError(t, err, CodeConflict, nil)
	wantUnchanged(t, f.s, before)
	moved, err := f.s.RescheduleAppointment(staff, b.ID, Booking{Bay: "Bay 2", Start: f.at(16, 9, 30), End: f.at(16, 10, 30)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.s.AppointmentsBetween(f.at(16, 9, 30), f.at(16, 9, 31))
	if len(got) != 1 || got[0].ID != moved.ID || got[0].Bay != "Bay 2" {
		t.Errorf("index after the move: %+v", got)
	}
	if old, _ := f.s.AppointmentsBetween(f.at(16, 11, 0), f.at(16, 11, 1)); len(old) != 0 {
		t.Errorf("old index entry left: %+v", old)
	}
	// A cancelled appointment frees its bay.
	if _, err := f.s.CancelAppointment(staff, 0, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.book(t, Booking{Bay: "Bay 1", Start: f.at(16, 9, 0), End: f.at(16, 10, 0)}); err != nil {
		t.Errorf("bay still held after cancelling: %v", err)
	}
}

func outbox(t *testing.T, s *Store) []Notification {
	t.Helper()
	n, err := s.DueNotifications(1000)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRequestProposeAccept(t *testing.T) {
	f := newBookingFixture(t)
	cust := Actor{Kind: "customer", Name: "Mario"}
	req := BookingRequest{VehicleID: f.car.ID, Department: "Mechanics", Services: []uint64{f.oil}, Description: " noise ", Start: f.at(16, 9, 0)}
	for name, edit := range map[string]func(r *BookingRequest){
		"outside opening hours":      func(r *BookingRequest) { r.Start = f.at(16, 17, 30) },
		"off the slot grid":          func(r *BookingRequest) { r.Start = f.at(16, 9, 10) },
		"closed Sunday":              func(r *BookingRequest) { r.Start = f.at(15, 9, 0) },
		"in the past":                func(r *BookingRequest) { r.Start = f.at(13, 9, 0) },
		"no services":                func(r *BookingRequest) { r.Services = nil },
		"a service of another dept.": func(r *BookingRequest) { r.Services = []uint64{f.tyres} },
		"another customer's car":     func(r *BookingRequest) { r.VehicleID = mustVehicle(t, f.s, f.ana.ID, "ZZ999ZZ").ID },
	} {
		t.Run(name, func(t *testing.T) {
			r := req
			edit(&r)
			before := dump(t, f.s)
			_, err := f.s.RequestAppointment(cust, f.mario.ID, r)
			wantError(t, err, CodeInvalid, nil)
			wantUnchanged(t, f.s, before)
		})
	}
	ap, err := f.s.RequestAppointment(cust, f.mario.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	if ap.Status != ApptRequested || !ap.End.Equal(f.at(16, 10, 0)) || ap.Service != "Oil service" || ap.Description != "noise" {
		t.Errorf("requested %+v", ap)
	}
	if n := outbox(t, f.s); len(n) != 1 || n[0].CustomerID != f.mario.ID || !n[0].Urgent || n[0].Category != CategoryWorkshop ||
		n[0].TitleKey != "calendar.notify.requested.title" {
		t.Errorf("outbox after the request: %+v", n)
	}
	// Ana cannot act on Mario's appointment.
	for name, op := range map[string]func() error{
		"accept":  func() error { _, err := f.s.AcceptProposal(cust, f.ana.ID, ap.ID); return err },
		"decline": func() error { _, err := f.s.DeclineProposal(cust, f.ana.ID, ap.ID); return err },
		"cancel":  func() error { _, err := f.s.CancelAppointment(cust, f.ana.ID, ap.ID); return err },
	} {
		if err := op(); !Is(err, CodeNotFound) {
			t.Errorf("%s as another customer: %v, want not found", name, err)
		}
	}
	// Accepting before any proposal is refused.
	if _, err := f.s.AcceptProposal(cust, f.mario.ID, ap.ID); !Is(err, CodeConflict) {
		t.Errorf("accept without a proposal: %v", err)
	}
	p, err := f.s.ProposeAppointment(staff, ap.ID, f.at(17, 14, 0), f.at(17, 15, 0))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != ApptProposed || len(outbox(t, f.s)) != 2 {
		t.Errorf("proposed %+v, outbox %d", p, len(outbox(t, f.s)))
	}
	if _, err := f.s.DeclineProposal(cust, f.mario.ID, ap.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ProposeAppointment(staff, ap.ID, f.at(17, 15, 0), f.at(17, 16, 0)); err != nil {
		t.Fatal(err)
	}
	ok, err := f.s.AcceptProposal(cust, f.mario.ID, ap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok.Status != ApptConfirmed || !ok.Start.Equal(f.at(17, 15, 0)) {
		t.Errorf("accepted %+v", ok)
	}
	if _, err := f.s.MarkNoShow(staff, ap.ID); err != nil {
		t.Fatal(err)
	}
	last := outbox(t, f.s)
	if got := last[len(last)-1].TitleKey; got != "calendar.notify.no_show.title" {
		t.Errorf("last notification %q", got)
	}
}

func TestConfirmRequest(t *testing.T) {
	f := newBookingFixture(t)
	ap, err := f.s.RequestAppointment(Actor{Kind: "customer"}, f.mario.ID,
		BookingRequest{Department: "Tyres", Services: []uint64{f.tyres}, Start: f.at(16, 8, 0)})
	if err != nil {
		t.Fatal(err)
	}
	// The only tyre bay is held by the request: a second one at the same time is refused.
	_, err = f.s.RequestAppointment(Actor{Kind: "customer"}, f.ana.ID,
		BookingRequest{Department: "Tyres", Services: []uint64{f.tyres}, Start: f.at(16, 8, 0)})
	wantError(t, err, CodeConflict, nil)
	slots, err := f.s.DepartmentAvailability("Tyres", f.at(16, 0, 0), f.at(16, 0, 0), 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) == 0 || slots[0].Start.Equal(f.at(16, 8, 0)) {
		t.Errorf("the held slot is offered: %v", slots)
	}
	c, err := f.s.ConfirmAppointment(staff, ap.ID, "Tyre bay", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != ApptConfirmed || c.Bay != "Tyre bay" {
		t.Errorf("confirmed %+v", c)
	}
	if _, err := f.s.ConfirmAppointment(staff, ap.ID, "Tyre bay", 0); !Is(err, CodeConflict) {
		t.Errorf("confirming twice: %v", err)
	}
}

func TestWaitlistOffersFreedTime(t *testing.T) {
	f := newBookingFixture(t)
	cust := Actor{Kind: "customer"}
	tyre, err := f.s.RequestAppointment(cust, f.mario.ID, BookingRequest{Department: "Tyres", Services: []uint64{f.tyres}, Start: f.at(16, 9, 0)})
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]WaitlistEntry{
		"no services":     {Department: "Tyres", From: "2026-03-16", To: "2026-03-20"},
		"dates backwards": {Department: "Tyres", Services: []uint64{f.tyres}, From: "2026-03-20", To: "2026-03-16"},
		"bad date":        {Department: "Tyres", Services: []uint64{f.tyres}, From: "soon", To: "2026-03-16"},
	} {
		if _, err := f.s.JoinWaitlist(cust, f.ana.ID, e); !Is(err, CodeInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	anaWaits, err := f.s.JoinWaitlist(cust, f.ana.ID, WaitlistEntry{Department: "Tyres", Services: []uint64{f.tyres}, From: "2026-03-16", To: "2026-03-18"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.JoinWaitlist(cust, f.ana.ID, WaitlistEntry{Department: "Tyres", Services: []uint64{f.tyres}, From: "2026-03-19", To: "2026-03-20"}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.LeaveWaitlist(cust, f.mario.ID, anaWaits.ID); !Is(err, CodeNotFound) {
		t.Errorf("Mario removing Ana's entry: %v", err)
	}
	before := len(outbox(t, f.s))
	if _, err := f.s.CancelAppointment(cust, f.mario.ID, tyre.ID); err != nil {
		t.Fatal(err)
	}
	var freed []Notification
	for _, n := range outbox(t, f.s)[before:] {
		if n.TitleKey == "calendar.notify.freed.title" {
			freed = append(freed, n)
		}
	}
	// Only the entry whose days hold the freed time is offered it.
	if len(freed) != 1 || freed[0].CustomerID != f.ana.ID || !freed[0].Urgent {
		t.Fatalf("offers %+v", freed)
	}
	list, _ := f.s.CustomerWaitlist(f.ana.ID)
	if len(list) != 2 || list[0].Offered.IsZero() || !list[1].Offered.IsZero() {
		t.Errorf("waitlist after the offer %+v", list)
	}
	if err := f.s.LeaveWaitlist(cust, f.ana.ID, anaWaits.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.s.CustomerWaitlist(f.ana.ID); len(list) != 1 {
		t.Errorf("after leaving %+v", list)
	}
}
