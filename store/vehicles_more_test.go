package store

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func vehicleIDs(vs []Vehicle) []uint64 {
	var ids []uint64
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	return ids
}

// wantFieldKey fails unless the error's first field message key ends in one
// of names.
func wantFieldKey(t *testing.T, e *Error, names ...string) {
	t.Helper()
	for _, name := range names {
		if len(e.Fields) > 0 && strings.HasSuffix(e.Fields[0].Key, "."+name) {
			return
		}
	}
	t.Errorf("fields = %+v, want a message key ending in one of %v", e.Fields, names)
}

func TestUpdateVehicle(t *testing.T) {
	s, clk := openTestClock(t)
	owner := mustCustomer(t, s, "Mario", "", "")
	other := mustCustomer(t, s, "Lucia", "", "")
	v, err := s.CreateVehicle(staff, Vehicle{CustomerID: owner.ID, Plate: "AB 123 CD", VIN: "WVWZZZ1JZXW000001", Make: "Volkswagen", Model: "Golf"})
	if err != nil {
		t.Fatal(err)
	}
	if v, err = s.AddReading(staff, v.ID, Reading{Km: 42000}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)

	edit := v
	edit.Plate, edit.VIN, edit.Colour, edit.Version = "ef-456 gh", "wvwzzz1jzxw000002", " Rosso ", "1.6 TDI"
	edit.CustomerID, edit.Owners, edit.Odometer = other.ID, nil, nil // only TransferVehicle and AddReading change these
	got, err := s.UpdateVehicle(staff, edit)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Vehicle(v.ID)
	for _, g := range []Vehicle{got, stored} {
		if g.Plate != "EF-456 GH" || g.VIN != "WVWZZZ1JZXW000002" || g.Colour != "Rosso" || g.CustomerID != owner.ID ||
			len(g.Owners) != 1 || len(g.Odometer) != 1 || !g.Created.Equal(t0) || !g.Updated.Equal(t0.Add(time.Hour)) {
			t.Errorf("after UpdateVehicle: %+v", g)
		}
	}

	tests := []struct {
		name  string
		plate string
		found bool
	}{
		{"old plate", "AB123CD", false},
		{"new plate", "EF456GH", true},
		{"new plate as typed", "ef 456-gh", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, err := s.VehicleByPlate(tt.plate)
			switch {
			case tt.found && (err != nil || found.ID != v.ID):
				t.Errorf("VehicleByPlate(%q) = %+v, %v", tt.plate, found, err)
			case !tt.found && !Is(err, CodeNotFound):
				t.Errorf("VehicleByPlate(%q) = %+v, %v, want not found", tt.plate, found, err)
			}
		})
	}
	t.Run("old VIN released", func(t *testing.T) {
		if m, _ := s.VehicleMatches(Vehicle{VIN: "WVWZZZ1JZXW000001"}); len(m) != 0 {
			t.Errorf("old VIN still matches %v", vehicleIDs(m))
		}
		if m, _ := s.VehicleMatches(Vehicle{VIN: "WVWZZZ1JZXW000002"}); !slices.Equal(vehicleIDs(m), []uint64{v.ID}) {
			t.Errorf("new VIN matches %v", vehicleIDs(m))
		}
		if _, err := s.CreateVehicle(staff, Vehicle{CustomerID: other.ID, Plate: "AB123CD", VIN: "WVWZZZ1JZXW000001", Make: "Fiat"}); err != nil {
			t.Errorf("the old plate and VIN are still taken: %v", err)
		}
	})
	t.Run("listing shows the new plate", func(t *testing.T) {
		p, err := s.Vehicles("", 50)
		if err != nil {
			t.Fatal(err)
		}
		var plates []string
		for _, v := range p.Vehicles {
			plates = append(plates, v.Plate)
		}
		if want := []string{"AB123CD", "EF-456 GH"}; !slices.Equal(plates, want) {
			t.Errorf("plates = %v, want %v", plates, want)
		}
	})
	t.Run("unknown vehicle", func(t *testing.T) {
		before := dump(t, s)
		_, err := s.UpdateVehicle(staff, Vehicle{ID: 999, Plate: "ZZ999ZZ", Make: "Fiat"})
		wantError(t, err, CodeNotFound, nil)
		wantUnchanged(t, s, before)
	})
}

func TestUpdateVehicleConflict(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	taken, err := s.CreateVehicle(staff, Vehicle{CustomerID: c.ID, Plate: "AB123CD", VIN: "WVWZZZ1JZXW000001", Make: "Volkswagen"})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := s.CreateVehicle(staff, Vehicle{CustomerID: c.ID, Plate: "EF456GH", VIN: "WVWZZZ1JZXW000002", Make: "Volkswagen"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(v *Vehicle)
		field string
	}{
		{"plate written differently", func(v *Vehicle) { v.Plate = "ab-123 cd" }, "plate"},
		{"VIN lower case", func(v *Vehicle) { v.VIN = "wvwzzz1jzxw000001" }, "vin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			v := mine
			tt.edit(&v)
			_, err := s.UpdateVehicle(staff, v)
			e := wantError(t, err, CodeConflict, []string{tt.field})
			if e.Existing != taken.ID {
				t.Errorf("Existing = %d, want %d", e.Existing, taken.ID)
			}
			wantUnchanged(t, s, before)
		})
	}
	t.Run("invalid edit", func(t *testing.T) {
		before := dump(t, s)
		v := mine
		v.Make, v.Registered = "", t0.Add(24*time.Hour)
		_, err := s.UpdateVehicle(staff, v)
		wantError(t, err, CodeInvalid, []string{"make", "registered"})
		wantUnchanged(t, s, before)
	})
}

func TestTransferVehicle(t *testing.T) {
	s, clk := openTestClock(t)
	seller := mustCustomer(t, s, "Mario", "", "")
	buyer := mustCustomer(t, s, "Lucia", "", "")
	kept := mustVehicle(t, s, seller.ID, "KEEP001")
	car := mustVehicle(t, s, seller.ID, "AB123CD")
	job := mustJob(t, s, car.ID, StageDelivered)
	clk.Advance(24 * time.Hour)
	sold := t0.Add(24 * time.Hour)

	got, err := s.TransferVehicle(staff, car.ID, buyer.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Vehicle(car.ID)
	want := []Ownership{{CustomerID: seller.ID, From: t0, To: sold}, {CustomerID: buyer.ID, From: sold}}
	for _, v := range []Vehicle{got, stored} {
		if v.CustomerID != buyer.ID || !ownersEqual(v.Owners, want) {
			t.Errorf("after transfer: owner %d, history %+v, want %d and %+v", v.CustomerID, v.Owners, buyer.ID, want)
		}
	}

	tests := []struct {
		name     string
		customer uint64
		cars     []uint64
		event    string
	}{
		{"seller", seller.ID, []uint64{kept.ID}, "timeline.vehicle_sold"},
		{"buyer", buyer.ID, []uint64{car.ID}, "timeline.vehicle_bought"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := s.CustomerVehicles(tt.customer)
			if err != nil {
				t.Fatal(err)
			}
			if ids := vehicleIDs(vs); !slices.Equal(ids, tt.cars) {
				t.Errorf("CustomerVehicles = %v, want %v", ids, tt.cars)
			}
			events, _ := s.Timeline(tt.customer, 1)
			if len(events) != 1 || events[0].Key != tt.event || events[0].Record != car.ID ||
				!slices.Equal(events[0].Args, []string{"plate", "AB123CD"}) || !events[0].At.Equal(sold) {
				t.Errorf("newest timeline event = %+v, want %s for car %d", events, tt.event, car.ID)
			}
		})
	}
	t.Run("jobs stay with the seller", func(t *testing.T) {
		jobs, err := s.VehicleJobs(car.ID)
		if err != nil || len(jobs) != 1 || jobs[0].ID != job.ID || jobs[0].CustomerID != seller.ID {
			t.Errorf("VehicleJobs = %+v, %v, want job %d of customer %d", jobs, err, job.ID, seller.ID)
		}
	})
	t.Run("audit", func(t *testing.T) {
		if e := lastAudit(t, s); e.Action != "vehicle_transfer" || e.Record != car.ID {
			t.Errorf("last audit = %+v", e)
		}
	})

	refused := []struct {
		name    string
		vehicle uint64
		to      uint64
		code    Code
	}{
		{"unknown buyer", car.ID, 999, CodeInvalid},
		{"unknown car", 999, seller.ID, CodeNotFound},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, s)
			_, err := s.TransferVehicle(staff, tt.vehicle, tt.to)
			wantError(t, err, tt.code, nil)
			wantUnchanged(t, s, before)
		})
	}
	t.Run("to the owner it has", func(t *testing.T) {
		before := dump(t, s)
		v, err := s.TransferVehicle(staff, car.ID, buyer.ID)
		if err != nil || len(v.Owners) != 2 {
			t.Errorf("TransferVehicle to its owner = %+v, %v", v, err)
		}
		wantUnchanged(t, s, before)
	})
}

func ownersEqual(got, want []Ownership) bool {
	return slices.EqualFunc(got, want, func(a, b Ownership) bool {
		return a.CustomerID == b.CustomerID && a.From.Equal(b.From) && a.To.Equal(b.To)
	})
}

func TestAddReading(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		r       Reading
		wantKm  []int    // the history afterwards, by date
		wantErr []string // acceptable field message keys, when refused
	}{
		{"later and higher", Reading{At: day(2025, 9, 1), Km: 30000, Source: "checkin"}, []int{10000, 20000, 30000}, nil},
		{"later and equal", Reading{At: day(2025, 9, 1), Km: 20000}, []int{10000, 20000, 20000}, nil},
		{"backdated between", Reading{At: day(2025, 3, 1), Km: 15000}, []int{10000, 15000, 20000}, nil},
		{"before all", Reading{At: day(2024, 12, 1), Km: 5000}, []int{5000, 10000, 20000}, nil},
		{"lower than an earlier one", Reading{At: day(2025, 9, 1), Km: 19999}, nil, []string{"odometer_back"}},
		{"negative", Reading{At: day(2025, 9, 1), Km: -1}, nil, []string{"odometer_invalid"}},
		{"beyond any car", Reading{At: day(2025, 9, 1), Km: 3_000_001}, nil, []string{"odometer_invalid"}},
		// The history would read 10000, 25000, 20000: it goes back either way.
		{"backdated above a later one", Reading{At: day(2025, 3, 1), Km: 25000}, nil, []string{"odometer_back", "odometer_ahead"}},
		{"same day, lower", Reading{At: day(2025, 6, 1), Km: 18000}, nil, []string{"odometer_back"}},
		{"no date is now", Reading{Km: 21000}, []int{10000, 20000, 21000}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			c := mustCustomer(t, s, "Mario", "", "")
			v := mustVehicle(t, s, c.ID, "AB123CD")
			for _, r := range []Reading{{At: day(2025, 6, 1), Km: 20000}, {At: day(2025, 1, 10), Km: 10000}} {
				if _, err := s.AddReading(staff, v.ID, r); err != nil {
					t.Fatalf("AddReading(%+v): %v", r, err)
				}
			}
			before := dump(t, s)
			got, err := s.AddReading(staff, v.ID, tt.r)
			if tt.wantErr != nil {
				e := wantError(t, err, CodeInvalid, []string{"km"})
				wantFieldKey(t, e, tt.wantErr...)
				wantUnchanged(t, s, before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := s.Vehicle(v.ID)
			for _, v := range []Vehicle{got, stored} {
				var km []int
				for i, r := range v.Odometer {
					km = append(km, r.Km)
					if i > 0 && r.At.Before(v.Odometer[i-1].At) {
						t.Errorf("readings out of date order: %+v", v.Odometer)
					}
				}
				if !slices.Equal(km, tt.wantKm) {
					t.Errorf("odometer = %v, want %v", km, tt.wantKm)
				}
			}
			if tt.r.At.IsZero() {
				last := stored.Odometer[len(stored.Odometer)-1]
				if !last.At.Equal(t0) || last.Source != "manual" {
					t.Errorf("undated reading = %+v, want at %v from manual", last, t0)
				}
			}
		})
	}
	t.Run("unknown car", func(t *testing.T) {
		s := openTest(t)
		_, err := s.AddReading(staff, 999, Reading{Km: 1000})
		wantError(t, err, CodeNotFound, nil)
	})
}

func TestVehiclesPaging(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Fleet", "", "")
	const n, limit = 73, 20
	var all []Vehicle
	for i := range n {
		// Mixed spellings: the listing sorts by the plate as compared, not as typed.
		plate := fmt.Sprintf("%c%c %03d %s", 'A'+rune(i*7%26), 'A'+rune(i%26), i, []string{"xy", "XY", "-z", "LÖ"}[i%4])
		all = append(all, mustVehicle(t, s, c.ID, plate))
	}
	want := slices.Clone(all)
	sort.Slice(want, func(i, j int) bool { return NormalizePlate(want[i].Plate) < NormalizePlate(want[j].Plate) })

	var got []Vehicle
	after := ""
	for page := 1; ; page++ {
		if page > 100 {
			t.Fatal("Next never became empty")
		}
		p, err := s.Vehicles(after, limit)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != n {
			t.Errorf("page %d: Total = %d, want %d", page, p.Total, n)
		}
		got = append(got, p.Vehicles...)
		if p.Next == "" {
			break
		}
		if len(p.Vehicles) != limit {
			t.Errorf("page %d has %d cars and a Next cursor", page, len(p.Vehicles))
		}
		after = p.Next
	}
	if !slices.Equal(vehicleIDs(got), vehicleIDs(want)) {
		t.Errorf("walked\n got %v\nwant %v", vehicleIDs(got), vehicleIDs(want))
	}
}

func TestVehicleMatches(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	x, err := s.CreateVehicle(staff, Vehicle{CustomerID: c.ID, Plate: "AB 123 CD", VIN: "WVWZZZ1JZXW000001", Make: "Volkswagen"})
	if err != nil {
		t.Fatal(err)
	}
	y, err := s.CreateVehicle(staff, Vehicle{CustomerID: c.ID, Plate: "EF456GH", VIN: "ZFA31200000123456", Make: "Fiat"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		v    Vehicle
		want []uint64
	}{
		{"plate written differently", Vehicle{Plate: "ab-123.cd"}, []uint64{x.ID}},
		{"VIN lower case", Vehicle{VIN: " wvwzzz1jzxw000001 "}, []uint64{x.ID}},
		{"VIN typed in groups", Vehicle{VIN: "WVW ZZZ 1JZ XW0 00001"}, []uint64{x.ID}},
		{"plate and VIN of one car, once", Vehicle{Plate: "AB123CD", VIN: "WVWZZZ1JZXW000001"}, []uint64{x.ID}},
		{"plate of one, VIN of another", Vehicle{Plate: "AB123CD", VIN: "ZFA31200000123456"}, []uint64{x.ID, y.ID}},
		{"the car itself", x, nil},
		{"unknown", Vehicle{Plate: "ZZ999ZZ", VIN: "VF1AB000123456789"}, nil},
		{"nothing typed", Vehicle{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.VehicleMatches(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if ids := vehicleIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("VehicleMatches = %v, want %v", ids, tt.want)
			}
		})
	}
}
