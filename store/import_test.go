package store

import (
	"reflect"
	"testing"
	"time"
)

func sampleBundles() []Bundle {
	start := time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
	return []Bundle{
		{
			Customer: Customer{Name: "Mario Rossi", Email: "Mario@Example.it", Phone: "+39 333 1111111"},
			Vehicles: []VehicleBundle{
				{
					Vehicle: Vehicle{Plate: "AB 123-CD", Make: "Fiat", Model: "Panda", VIN: "ZFA31200000123456"},
					Jobs: []Job{
						{Description: "Service", Opened: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC), Stage: StageDelivered},
						{Description: "Brakes"},
					},
					Appointments: []Appointment{{Start: start, End: start.Add(time.Hour), Service: "Tyres"}},
				},
				{Vehicle: Vehicle{Plate: "CD456EF", Make: "Lancia", Model: "Ypsilon"}},
			},
		},
		{
			Customer: Customer{Name: "Lucia Verdi", Phone: "+40 721 234 567"},
			Vehicles: []VehicleBundle{{
				Vehicle: Vehicle{Plate: "B 12 XYZ", Make: "Dacia"},
				Jobs:    []Job{{Description: "Check", Stage: StageInProgress}},
			}},
		},
	}
}

func TestImportBundles(t *testing.T) {
	s := openTest(t)
	created, err := s.ImportBundles(CLI, "import_csv", sampleBundles())
	if err != nil {
		t.Fatal(err)
	}
	if created != 2 {
		t.Errorf("created = %d, want 2", created)
	}
	counts, _ := s.Counts()
	wantCounts := Counts{Customers: 2, Vehicles: 3, JobsBy: map[string]int64{
		StageCheckedIn: 1, StageInProgress: 1, StageWaitingParts: 0, StageReady: 0, StageDelivered: 1}}
	if !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("Counts = %+v, want %+v", counts, wantCounts)
	}

	mario, err := s.CustomerByEmail("mario@example.it")
	if err != nil {
		t.Fatalf("imported customer not found by e-mail: %v", err)
	}
	lucia, err := s.CustomerByPhone("+40721234567")
	if err != nil {
		t.Fatalf("imported customer not found by phone: %v", err)
	}
	cars, _ := s.CustomerVehicles(mario.ID)
	if len(cars) != 2 || cars[0].Plate != "AB 123-CD" || cars[1].Plate != "CD456EF" {
		t.Errorf("Mario's cars = %+v", cars)
	}
	panda, err := s.VehicleByPlate("ab123cd")
	if err != nil || panda.CustomerID != mario.ID {
		t.Errorf("VehicleByPlate = %+v, %v", panda, err)
	}
	delivered, _ := s.JobsInStage(StageDelivered, 10)
	if len(delivered) != 1 || delivered[0].Number != "2025-000001" || delivered[0].VehicleID != panda.ID || delivered[0].CustomerID != mario.ID {
		t.Errorf("delivered jobs = %+v", delivered)
	}
	open, _ := s.JobsInStage(StageCheckedIn, 10)
	if len(open) != 1 || open[0].Number != "2026-000001" {
		t.Errorf("checked-in jobs = %+v", open)
	}
	inProgress, _ := s.JobsInStage(StageInProgress, 10)
	if len(inProgress) != 1 || inProgress[0].CustomerID != lucia.ID || inProgress[0].Number != "2026-000002" {
		t.Errorf("in-progress jobs = %+v", inProgress)
	}
	appts, _ := s.AppointmentsBetween(time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 21, 0, 0, 0, 0, time.UTC))
	if len(appts) != 1 || appts[0].CustomerID != mario.ID || appts[0].VehicleID != panda.ID || appts[0].Status != "confirmed" {
		t.Errorf("appointments = %+v", appts)
	}

	changes, _ := s.Changes(0, 100)
	kinds := map[string]int{}
	for _, c := range changes {
		kinds[c.Kind]++
	}
	if want := map[string]int{"customer": 2, "vehicle": 3, "job": 3, "appointment": 1}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("feed kinds = %v, want %v", kinds, want)
	}
	audits, _, _ := s.AuditLog(AuditFilter{})
	if len(audits) != 1 || audits[0].Action != "import_csv" || audits[0].Actor != CLI || audits[0].Detail != "2 customers" {
		t.Errorf("audit = %+v, want one import_csv entry by the CLI", audits)
	}

	t.Run("second identical import changes nothing", func(t *testing.T) {
		before := dump(t, s)
		created, err := s.ImportBundles(CLI, "import_csv", sampleBundles())
		if err != nil {
			t.Fatal(err)
		}
		if created != 0 {
			t.Errorf("created = %d, want 0", created)
		}
		wantUnchanged(t, s, before)
	})
}

func TestImportSkipsConflicts(t *testing.T) {
	s := openTest(t)
	existing := mustCustomer(t, s, "Already here", "known@example.it", "")
	mustVehicle(t, s, existing.ID, "KN 000 WN")

	bundles := []Bundle{
		{Customer: Customer{Name: "Known by e-mail", Email: "KNOWN@example.it"},
			Vehicles: []VehicleBundle{{Vehicle: Vehicle{Plate: "SK1", Make: "Fiat"}, Jobs: []Job{{}}}}},
		{Customer: Customer{Name: "First", Email: "first@example.it", Phone: "333 1234567"},
			Vehicles: []VehicleBundle{
				{Vehicle: Vehicle{Plate: "FI 111", Make: "Fiat"}},
				{Vehicle: Vehicle{Plate: "kn000wn", Make: "Fiat"}, Jobs: []Job{{}}}, // plate on file
			}},
		{Customer: Customer{Name: "Same phone as First", Phone: "333-123-4567"},
			Vehicles: []VehicleBundle{{Vehicle: Vehicle{Plate: "SK2", Make: "Fiat"}}}},
		{Customer: Customer{Name: "Second", Email: "second@example.it"},
			Vehicles: []VehicleBundle{
				{Vehicle: Vehicle{Plate: "FI-111", Make: "Opel"}, Jobs: []Job{{}}}, // plate of First's car
				{Vehicle: Vehicle{Plate: "SE 222", Make: "Opel"}, Jobs: []Job{{}}},
			}},
	}
	created, err := s.ImportBundles(staff, "import_csv", bundles)
	if err != nil {
		t.Fatal(err)
	}
	if created != 2 {
		t.Errorf("created = %d, want 2 (First and Second)", created)
	}
	counts, _ := s.Counts()
	if counts.Customers != 3 || counts.Vehicles != 3 || counts.JobsBy[StageCheckedIn] != 1 {
		t.Errorf("Counts = %+v, want 3 customers, 3 cars, 1 job", counts)
	}
	for _, plate := range []string{"SK1", "SK2"} {
		if _, err := s.VehicleByPlate(plate); !Is(err, CodeNotFound) {
			t.Errorf("car %s of a skipped customer was imported (err %v)", plate, err)
		}
	}
	if v, _ := s.VehicleByPlate("KN000WN"); v.CustomerID != existing.ID {
		t.Errorf("existing car moved to customer %d", v.CustomerID)
	}
	first, _ := s.CustomerByEmail("first@example.it")
	if v, _ := s.VehicleByPlate("FI111"); v.CustomerID != first.ID || v.Make != "Fiat" {
		t.Errorf("FI111 = %+v, want First's Fiat", v)
	}
	second, _ := s.CustomerByEmail("second@example.it")
	if cars, _ := s.CustomerVehicles(second.ID); len(cars) != 1 || cars[0].Plate != "SE 222" {
		t.Errorf("Second's cars = %+v, want only SE 222", cars)
	}
	if c, _ := s.CustomerByPhone("3331234567"); c.ID != first.ID {
		t.Errorf("phone belongs to %+v, want First", c)
	}
}

func TestImportRefusesInvalidRecords(t *testing.T) {
	start := time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
	withCar := func(vb VehicleBundle) []Bundle {
		return []Bundle{
			{Customer: Customer{Name: "Good", Email: "good@example.it"},
				Vehicles: []VehicleBundle{{Vehicle: Vehicle{Plate: "GO 1", Make: "Fiat"}}}},
			{Customer: Customer{Name: "Has the bad record", Email: "bad@example.it"}, Vehicles: []VehicleBundle{vb}},
		}
	}
	tests := []struct {
		name    string
		bundles []Bundle
		field   string
	}{
		{"customer with bad e-mail", []Bundle{
			{Customer: Customer{Name: "Good", Email: "good@example.it"}},
			{Customer: Customer{Name: "Bad", Email: "not-an-address"}},
		}, "email"},
		{"car without make", withCar(VehicleBundle{Vehicle: Vehicle{Plate: "BA 1"}}), "make"},
		{"car with bad VIN", withCar(VehicleBundle{Vehicle: Vehicle{Plate: "BA 1", Make: "Ford", VIN: "1M8GDM9A1KP042788"}}), "vin"},
		// A job in an unknown stage would be on no board column and in no count.
		{"job in unknown stage", withCar(VehicleBundle{Vehicle: Vehicle{Plate: "BA 1", Make: "Ford"},
			Jobs: []Job{{Stage: "parked"}}}), "stage"},
		// An appointment without a valid time would never show on the calendar.
		{"appointment without start", withCar(VehicleBundle{Vehicle: Vehicle{Plate: "BA 1", Make: "Ford"},
			Appointments: []Appointment{{End: start}}}), "start"},
		{"appointment ending before it starts", withCar(VehicleBundle{Vehicle: Vehicle{Plate: "BA 1", Make: "Ford"},
			Appointments: []Appointment{{Start: start, End: start.Add(-time.Hour)}}}), "start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			before := dump(t, s)
			created, err := s.ImportBundles(staff, "import_csv", tt.bundles)
			wantError(t, err, CodeInvalid, []string{tt.field})
			if created != 0 {
				t.Errorf("created = %d after a refused import", created)
			}
			wantUnchanged(t, s, before)
		})
	}
}

func TestImportEmpty(t *testing.T) {
	s := openTest(t)
	before := dump(t, s)
	for _, bundles := range [][]Bundle{nil, {}} {
		created, err := s.ImportBundles(staff, "import_csv", bundles)
		if err != nil || created != 0 {
			t.Errorf("ImportBundles(%v) = %d, %v", bundles, created, err)
		}
	}
	wantUnchanged(t, s, before)
}
