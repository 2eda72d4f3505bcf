package store

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestNormalizePlate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AB 123-CD", "AB123CD"},
		{"ab123cd", "AB123CD"},
		{" ab.123.cd ", "AB123CD"},
		{"B-AB 1234", "BAB1234"},
		{"Zh 12 ABC", "ZH12ABC"},
		{"", ""},
		{"---", ""},
		{"LÖ-A 1", "LÖA1"},
		{"L-A 1", "LA1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizePlate(tt.in); got != tt.want {
				t.Errorf("NormalizePlate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzNormalizePlate(f *testing.F) {
	for _, s := range []string{"AB 123-CD", "ab123cd", "", "ÄB 12", "ı ſ ﬀ", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := NormalizePlate(in)
		if again := NormalizePlate(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
		for _, r := range got {
			if !(unicode.IsLetter(r) && unicode.ToUpper(r) == r || r >= '0' && r <= '9') {
				t.Fatalf("NormalizePlate(%q) = %q keeps %q", in, got, r)
			}
		}
	})
}

func TestValidVIN(t *testing.T) {
	tests := []struct {
		name string
		vin  string
		want bool
	}{
		{"European, no check digit", "WVWZZZ1JZXW000001", true},
		{"European with letters", "ZFA31200000123456", true},
		{"North American with check digit X", "1M8GDM9AXKP042788", true},
		{"North American all ones", "11111111111111111", true},
		{"North American wrong check digit", "1M8GDM9A1KP042788", false},
		{"North American letter as check digit", "1M8GDM9ABKP042788", false},
		{"Canadian with check digit", "2M8GDM9A7KP042788", true},
		{"Canadian wrong check digit", "2M8GDM9A1KP042788", false},
		{"Mexican with check digit", "3M8GDM9A4KP042788", true},
		{"Mexican wrong check digit", "3M8GDM9A1KP042788", false},
		{"US 4 wrong check digit", "4M8GDM9A2KP042788", false},
		{"US 5 with check digit", "5M8GDM9A9KP042788", true},
		{"US 5 wrong check digit", "5M8GDM9A1KP042788", false},
		{"Australian, check digit not required", "6M8GDM9A1KP042788", true},
		{"Japanese, check digit not required", "JM8GDM9A1KP042788", true},
		{"contains I", "WVWZZZ1JZIW000001", false},
		{"contains O", "WVWZZZ1JZOW000001", false},
		{"contains Q", "WVWZZZ1JZQW000001", false},
		{"lower case", "wvwzzz1jzxw000001", false},
		{"16 characters", "WVWZZZ1JZXW00000", false},
		{"18 characters", "WVWZZZ1JZXW0000012", false},
		{"empty", "", false},
		{"space inside", "WVWZZZ1JZ W000001", false},
		{"non-ASCII", "WVWZZZ1JZÄW00001", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidVIN(tt.vin); got != tt.want {
				t.Errorf("ValidVIN(%q) = %v, want %v", tt.vin, got, tt.want)
			}
		})
	}
}

func FuzzValidVIN(f *testing.F) {
	for _, s := range []string{"WVWZZZ1JZXW000001", "1M8GDM9AXKP042788", "11111111111111111", "1M8GDM9A1KP042788", "", "IOQ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, vin string) {
		if !ValidVIN(vin) {
			return
		}
		if len(vin) != 17 {
			t.Fatalf("ValidVIN(%q) with length %d", vin, len(vin))
		}
		if strings.ContainsAny(vin, "IOQ") {
			t.Fatalf("ValidVIN(%q) with I, O or Q", vin)
		}
		if vin[0] >= '1' && vin[0] <= '5' {
			// Only one check digit fits a North American VIN.
			for _, c := range "0123456789X" {
				other := vin[:8] + string(c) + vin[9:]
				if byte(c) != vin[8] && ValidVIN(other) {
					t.Fatalf("both %q and %q pass the check digit", vin, other)
				}
			}
		}
	})
}

func TestCreateVehicleNormalises(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Mario", "", "")
	v, err := s.CreateVehicle(staff, Vehicle{CustomerID: c.ID, Plate: " ab 123-cd ", VIN: " wvwzzz1jz xw000001 ",
		Make: " Volkswagen ", Model: " Golf ", Year: 1999, Fuel: "diesel"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Plate != "AB 123-CD" || v.VIN != "WVWZZZ1JZXW000001" || v.Make != "Volkswagen" || v.Model != "Golf" ||
		v.CustomerID != c.ID || !v.Created.Equal(t0) || v.ID == 0 {
		t.Errorf("CreateVehicle = %+v", v)
	}
	for _, plate := range []string{"AB 123-CD", "ab123cd", "AB123CD", "a-b 1 2 3 c.d"} {
		got, err := s.VehicleByPlate(plate)
		if err != nil || got.ID != v.ID {
			t.Errorf("VehicleByPlate(%q) = %+v, %v", plate, got, err)
		}
	}
	if got, err := s.Vehicle(v.ID); err != nil || got.VIN != v.VIN || got.Plate != v.Plate {
		t.Errorf("Vehicle(%d) = %+v, %v", v.ID, got, err)
	}
	for _, plate := range []string{"AB123CE", "", "---"} {
		if _, err := s.VehicleByPlate(plate); !Is(err, CodeNotFound) {
			t.Errorf("VehicleByPlate(%q) err = %v, want not found", plate, err)
		}
	}
	if _, err := s.Vehicle(999); !Is(err, CodeNotFound) {
		t.Errorf("Vehicle(999) err = %v", err)
	}
	if counts, _ := s.Counts(); counts.Vehicles != 1 {
		t.Errorf("Counts.Vehicles = %d, want 1", counts.Vehicles)
	}
}

func TestCreateVehicleValidation(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(v *Vehicle)
		fields []string
	}{
		{"missing plate", func(v *Vehicle) { v.Plate = "" }, []string{"plate"}},
		{"plate of punctuation", func(v *Vehicle) { v.Plate = " - . " }, []string{"plate"}},
		{"bad VIN", func(v *Vehicle) { v.VIN = "1M8GDM9A1KP042788" }, []string{"vin"}},
		{"short VIN", func(v *Vehicle) { v.VIN = "WVWZZZ" }, []string{"vin"}},
		{"missing make", func(v *Vehicle) { v.Make = "  " }, []string{"make"}},
		{"unknown fuel", func(v *Vehicle) { v.Fuel = "coal" }, []string{"fuel"}},
		{"year too old", func(v *Vehicle) { v.Year = 1850 }, []string{"year"}},
		{"year far ahead", func(v *Vehicle) { v.Year = 3000 }, []string{"year"}},
		{"no customer", func(v *Vehicle) { v.CustomerID = 0 }, []string{"customer_id"}},
		{"unknown customer", func(v *Vehicle) { v.CustomerID = 999 }, []string{"customer_id"}},
		{"several", func(v *Vehicle) { *v = Vehicle{VIN: "x"} }, []string{"plate", "vin", "make", "customer_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			c := mustCustomer(t, s, "Mario", "", "")
			v := Vehicle{CustomerID: c.ID, Plate: "AB123CD", Make: "Fiat", Model: "Panda"}
			tt.edit(&v)
			before := dump(t, s)
			_, err := s.CreateVehicle(staff, v)
			wantError(t, err, CodeInvalid, tt.fields)
			wantUnchanged(t, s, before)
		})
	}
}

func TestCreateVehicleConflict(t *testing.T) {
	tests := []struct {
		name  string
		v     Vehicle
		field string
	}{
		{"same plate written differently", Vehicle{Plate: "ab-123 cd", Make: "Fiat"}, "plate"},
		{"same VIN lower case", Vehicle{Plate: "ZZ999ZZ", VIN: "1m8gdm9axkp042788", Make: "Fiat"}, "vin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			c := mustCustomer(t, s, "Mario", "", "")
			other := mustCustomer(t, s, "Lucia", "", "")
			if _, err := s.CreateVehicle(staff, Vehicle{CustomerID: c.ID, Plate: "AB 123-CD", VIN: "1M8GDM9AXKP042788", Make: "Ford"}); err != nil {
				t.Fatal(err)
			}
			before := dump(t, s)
			v := tt.v
			v.CustomerID = other.ID
			_, err := s.CreateVehicle(staff, v)
			wantError(t, err, CodeConflict, []string{tt.field})
			wantUnchanged(t, s, before)
		})
	}
}

func TestCustomerVehicles(t *testing.T) {
	s := openTest(t)
	a := mustCustomer(t, s, "A", "", "")
	b := mustCustomer(t, s, "B", "", "")
	none := mustCustomer(t, s, "No car", "", "")
	d := mustCustomer(t, s, "D", "", "")
	a1 := mustVehicle(t, s, a.ID, "A1")
	b1 := mustVehicle(t, s, b.ID, "B1")
	a2 := mustVehicle(t, s, a.ID, "A2")
	d1 := mustVehicle(t, s, d.ID, "D1")
	a3 := mustVehicle(t, s, a.ID, "A3")

	tests := []struct {
		name     string
		customer uint64
		want     []uint64
	}{
		{"three cars", a.ID, []uint64{a1.ID, a2.ID, a3.ID}},
		{"one car", b.ID, []uint64{b1.ID}},
		{"no car", none.ID, nil},
		{"last customer", d.ID, []uint64{d1.ID}},
		{"unknown customer", 999, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := s.CustomerVehicles(tt.customer)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, v := range vs {
				got = append(got, v.ID)
				if v.CustomerID != tt.customer {
					t.Errorf("vehicle %d belongs to %d", v.ID, v.CustomerID)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("CustomerVehicles(%d) = %v, want %v", tt.customer, got, tt.want)
			}
		})
	}
}
