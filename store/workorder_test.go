package store

import (
	"testing"
)

func TestLineAmountsRoundHalfAwayFromZero(t *testing.T) {
	cases := []struct {
		name            string
		l               Line
		net, tax, gross int64
	}{
		{"labour 1.5 h at 45.00, 22 %", Line{Kind: LineLabour, Qty: 150, UnitPrice: 4500, TaxRate: 2200}, 6750, 1485, 8235},
		{"half a cent of tax goes up", Line{Kind: LinePart, Qty: 100, UnitPrice: 250, TaxRate: 1900}, 250, 48, 298}, // 47.5
		{"half a cent of net goes up", Line{Kind: LinePart, Qty: 50, UnitPrice: 3, TaxRate: 0}, 2, 0, 2},            // 1.5
		{"discount rounds away from zero", Line{Kind: LineDiscount, Qty: 100, UnitPrice: 250, TaxRate: 1900}, -250, -48, -298},
		{"no tax", Line{Kind: LineFee, Qty: 100, UnitPrice: 1000}, 1000, 0, 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.l.Net(); got != c.net {
				t.Errorf("Net = %d, want %d", got, c.net)
			}
			if got := c.l.Tax(); got != c.tax {
				t.Errorf("Tax = %d, want %d", got, c.tax)
			}
			if got := c.l.Gross(); got != c.gross {
				t.Errorf("Gross = %d, want %d", got, c.gross)
			}
		})
	}
	lines := []Line{cases[0].l, cases[1].l, cases[3].l}
	lines[0].Status, lines[1].Status, lines[2].Status = LineApproved, LineDeclined, LineApproved
	if got := Sum(lines, LineApproved); got != (Totals{Net: 6500, Tax: 1437, Gross: 7937}) {
		t.Errorf("Sum(approved) = %+v", got)
	}
}

func countNotifications(t *testing.T, s *Store, titleKey string) int {
	t.Helper()
	ns, err := s.DueNotifications(1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.TitleKey == titleKey {
			n++
		}
	}
	return n
}

func TestJobWorkflow(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	other := mustCustomer(t, s, "Luigi", "", "")
	v := mustVehicle(t, s, c.ID, "AB123CD")
	j, err := s.CreateJob(staff, Job{VehicleID: v.ID})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := s.CheckInJob(staff, j.ID, CheckIn{Km: 42000, Fuel: 9}); !Is(err, CodeInvalid) {
		t.Fatalf("fuel 9/8 accepted: %v", err)
	}
	j, err = s.CheckInJob(staff, j.ID, CheckIn{Km: 42000, Fuel: 4, Damage: " scratch rear bumper "})
	if err != nil {
		t.Fatal(err)
	}
	if j.CheckIn == nil || j.CheckIn.Km != 42000 || j.CheckIn.Damage != "scratch rear bumper" {
		t.Fatalf("check-in = %+v", j.CheckIn)
	}
	veh, _ := s.Vehicle(v.ID)
	if n := len(veh.Odometer); n == 0 || veh.Odometer[n-1].Km != 42000 || veh.Odometer[n-1].Source != "checkin" {
		t.Errorf("odometer = %+v", veh.Odometer)
	}
	if _, err := s.CheckInJob(staff, j.ID, CheckIn{Km: 43000}); !Is(err, CodeConflict) {
		t.Errorf("second check-in: %v", err)
	}
	// A reading lower than the car's history fails the whole check-in.
	j2, _ := s.CreateJob(staff, Job{VehicleID: v.ID})
	if _, err := s.CheckInJob(staff, j2.ID, CheckIn{Km: 100}); !Is(err, CodeInvalid) {
		t.Errorf("odometer going back: %v", err)
	}
	if got, _ := s.Job(j2.ID); got.CheckIn != nil {
		t.Error("failed check-in was written")
	}

	if j, err = s.AssignTechnician(staff, j.ID, "Gino"); err != nil || j.Technician != "Gino" {
		t.Fatalf("technician: %+v %v", j.Technician, err)
	}

	if j, err = s.StartInspection(staff, j.ID); err != nil || len(j.Inspection) != len(DefaultInspection) {
		t.Fatalf("inspection: %d items, %v", len(j.Inspection), err)
	}
	if _, err := s.LineFromItem(staff, j.ID, 0, Line{Kind: LinePart, Qty: 100, UnitPrice: 100}); !Is(err, CodeInvalid) {
		t.Errorf("line from an unchecked item: %v", err)
	}
	if j, err = s.SetInspectionItem(staff, j.ID, 0, InspectionItem{Status: ItemRed, Note: "pads worn"}); err != nil {
		t.Fatal(err)
	}
	before := countNotifications(t, s, "notify.estimate.title")
	j, err = s.LineFromItem(staff, j.ID, 0, Line{Kind: LinePart, Qty: 100, UnitPrice: 8000, TaxRate: 2200})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Lines) != 1 || j.Lines[0].Status != LineProposed || j.Lines[0].Item != 1 || j.Lines[0].Description != "pads worn" || j.Inspection[0].Line != 1 {
		t.Fatalf("line from item: %+v / %+v", j.Lines, j.Inspection[0])
	}
	if after := countNotifications(t, s, "notify.estimate.title"); after != before+1 {
		t.Errorf("estimate notifications %d → %d", before, after)
	}
	if _, err := s.LineFromItem(staff, j.ID, 0, Line{Kind: LinePart, Qty: 100, UnitPrice: 1}); !Is(err, CodeConflict) {
		t.Errorf("second line from one item: %v", err)
	}
	j, err = s.AddLine(staff, j.ID, Line{Kind: LineLabour, Description: "Oil service", Qty: 100, UnitPrice: 5000, TaxRate: 2200, Status: LineApproved})
	if err != nil {
		t.Fatal(err)
	}
	j, _ = s.AddLine(staff, j.ID, Line{Kind: LineLabour, Description: "Wipers", Qty: 50, UnitPrice: 2000, TaxRate: 2200})

	if _, err := s.DecideLine(Actor{Kind: "customer"}, other.ID, j.ID, 1, true); !Is(err, CodeNotFound) {
		t.Errorf("another customer decided: %v", err)
	}
	if _, err := s.CustomerJob(other.ID, j.ID); !Is(err, CodeNotFound) {
		t.Errorf("another customer read the job: %v", err)
	}
	if j, err = s.DecideLine(Actor{Kind: "customer"}, c.ID, j.ID, 1, true); err != nil {
		t.Fatal(err)
	}
	if j, err = s.DecideLine(Actor{Kind: "customer"}, c.ID, j.ID, 3, false); err != nil {
		t.Fatal(err)
	}
	rec, err := s.VehicleRecommended(v.ID)
	if err != nil || len(rec) != 1 || rec[0].Line.Description != "Wipers" {
		t.Errorf("recommended later = %+v, %v", rec, err)
	}

	j, err = s.IssueInvoice(staff, j.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	inv := j.Invoice
	// 80.00 + 17.60 and 50.00 + 11.00
	if inv == nil || len(inv.Lines) != 2 || inv.Totals.Gross != 15860 || inv.Number != "2026-0001" {
		t.Fatalf("invoice = %+v", inv)
	}
	if _, err := s.AddLine(staff, j.ID, Line{Kind: LineFee, Description: "x", Qty: 100, UnitPrice: 1}); !Is(err, CodeConflict) {
		t.Errorf("line added after the invoice: %v", err)
	}
	j3, _ := s.CreateJob(staff, Job{VehicleID: v.ID})
	s.AddLine(staff, j3.ID, Line{Kind: LineFee, Description: "Disposal", Qty: 100, UnitPrice: 500, Status: LineApproved})
	if j3, err = s.IssueInvoice(staff, j3.ID, "", ""); err != nil || j3.Invoice.Number != "2026-0002" {
		t.Errorf("second invoice: %+v %v", j3.Invoice, err)
	}
}

func TestLineChangesAndTemplate(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	v := mustVehicle(t, s, c.ID, "AB123CD")
	j, _ := s.CreateJob(staff, Job{VehicleID: v.ID})
	j, _ = s.AddLine(staff, j.ID, Line{Kind: LinePart, Description: "Bulb", Qty: 100, UnitPrice: 500, Status: LineApproved})
	before := countNotifications(t, s, "notify.estimate.title")
	j, err := s.UpdateLine(staff, j.ID, Line{ID: 1, Kind: LinePart, Description: "Two bulbs", Qty: 200, UnitPrice: 500})
	if err != nil || j.Lines[0].Status != LineProposed || j.Lines[0].Net() != 1000 {
		t.Fatalf("changed line = %+v, %v", j.Lines, err)
	}
	if after := countNotifications(t, s, "notify.estimate.title"); after != before+1 {
		t.Errorf("a changed line did not ask the customer again")
	}
	if j, err = s.RemoveLine(staff, j.ID, 1); err != nil || len(j.Lines) != 0 {
		t.Fatalf("remove: %+v %v", j.Lines, err)
	}
	if _, err := s.RemoveLine(staff, j.ID, 1); !Is(err, CodeNotFound) {
		t.Errorf("removing twice: %v", err)
	}

	if err := s.SetInspectionTemplate(staff, []string{" ", ""}); !Is(err, CodeInvalid) {
		t.Errorf("empty checklist: %v", err)
	}
	if err := s.SetInspectionTemplate(staff, []string{"battery", " Horn "}); err != nil {
		t.Fatal(err)
	}
	j, err = s.StartInspection(staff, j.ID)
	if err != nil || len(j.Inspection) != 2 || j.Inspection[0].Key != "battery" || j.Inspection[1].Label != "Horn" {
		t.Fatalf("inspection from the template = %+v, %v", j.Inspection, err)
	}
	if _, err := s.StartInspection(staff, j.ID); !Is(err, CodeConflict) {
		t.Errorf("second start: %v", err)
	}
}
