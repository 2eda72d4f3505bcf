package store

import (
	"reflect"
	"strings"
	"testing"
)

func TestSettingsDefaultsBeforeSave(t *testing.T) {
	s := openTest(t)
	got, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, DefaultSettings()) {
		t.Errorf("Settings() = %+v, want defaults %+v", got, DefaultSettings())
	}
	if got.Location().String() != "Europe/Rome" {
		t.Errorf("default Location = %v", got.Location())
	}
	// The first save of the setup form, unchanged, must go through.
	saved, err := s.SaveSettings(staff, DefaultSettings())
	if err != nil {
		t.Fatalf("saving the defaults: %v", err)
	}
	if !reflect.DeepEqual(saved, DefaultSettings()) {
		t.Errorf("saved defaults = %+v", saved)
	}
}

func TestSaveSettingsValidation(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(st *Settings)
		fields []string // nil: accepted
	}{
		{"missing name", func(st *Settings) { st.Name = "  " }, []string{"name"}},
		{"name too long", func(st *Settings) { st.Name = strings.Repeat("n", 121) }, []string{"name"}},
		{"bad e-mail", func(st *Settings) { st.Email = "info-at-garage" }, []string{"email"}},
		{"e-mail with display name", func(st *Settings) { st.Email = "Garage <info@garage.it>" }, []string{"email"}},
		{"good e-mail", func(st *Settings) { st.Email = " info@garage.it " }, nil},
		{"website without scheme", func(st *Settings) { st.Website = "garage.it" }, []string{"website"}},
		{"website ftp", func(st *Settings) { st.Website = "ftp://garage.it" }, []string{"website"}},
		{"website javascript", func(st *Settings) { st.Website = "javascript:alert(1)" }, []string{"website"}},
		{"website without host", func(st *Settings) { st.Website = "https://" }, []string{"website"}},
		{"good website", func(st *Settings) { st.Website = "https://garage.it/it" }, nil},
		{"unknown language", func(st *Settings) { st.Lang = "fr" }, []string{"lang"}},
		{"unknown currency XYZ", func(st *Settings) { st.Currency = "XYZ" }, []string{"currency"}},
		{"empty currency", func(st *Settings) { st.Currency = "" }, []string{"currency"}},
		{"two-letter currency", func(st *Settings) { st.Currency = "EU" }, []string{"currency"}},
		{"currency RON", func(st *Settings) { st.Currency = "RON" }, nil},
		{"lower-case currency", func(st *Settings) { st.Currency = "ron" }, nil},
		{"unknown time zone", func(st *Settings) { st.TimeZone = "Europe/Atlantis" }, []string{"time_zone"}},
		{"empty time zone", func(st *Settings) { st.TimeZone = "" }, []string{"time_zone"}},
		{"Local time zone", func(st *Settings) { st.TimeZone = "Local" }, []string{"time_zone"}},
		{"Bucharest", func(st *Settings) { st.TimeZone = "Europe/Bucharest" }, nil},
		{"no departments", func(st *Settings) { st.Departments = []string{" ", ""}; st.Bays = nil }, []string{"departments"}},
		{"bay in unknown department", func(st *Settings) { st.Bays = append(st.Bays, Bay{Name: "Bay 2", Department: "Body shop"}) }, []string{"bays"}},
		{"bay in new department", func(st *Settings) {
			st.Departments = append(st.Departments, "Body shop")
			st.Bays = append(st.Bays, Bay{Name: "Bay 2", Department: " Body shop "})
		}, nil},
		{"open after close", func(st *Settings) { st.Hours[0] = DayHours{Open: "18:00", Close: "08:00"} }, []string{"hours"}},
		{"open equals close", func(st *Settings) { st.Hours[2] = DayHours{Open: "09:00", Close: "09:00"} }, []string{"hours"}},
		{"hour without leading zero", func(st *Settings) { st.Hours[1] = DayHours{Open: "8:00", Close: "18:00"} }, []string{"hours"}},
		{"hour 24", func(st *Settings) { st.Hours[1] = DayHours{Open: "08:00", Close: "24:00"} }, []string{"hours"}},
		{"empty hours on an open day", func(st *Settings) { st.Hours[3] = DayHours{} }, []string{"hours"}},
		{"two bad days", func(st *Settings) { st.Hours[0].Open = "x"; st.Hours[6] = DayHours{Open: "10", Close: "11"} }, []string{"hours", "hours"}},
		{"closed day with junk hours", func(st *Settings) { st.Hours[5] = DayHours{Closed: true, Open: "junk"} }, nil},
		{"tax 22 %", func(st *Settings) { st.TaxRate = 2200 }, nil},
		{"tax 0 %", func(st *Settings) { st.TaxRate = 0 }, nil},
		{"tax 100 %", func(st *Settings) { st.TaxRate = 10000 }, nil},
		{"tax over 100 %", func(st *Settings) { st.TaxRate = 10001 }, []string{"tax_rate"}},
		{"negative tax", func(st *Settings) { st.TaxRate = -1 }, []string{"tax_rate"}},
		{"everything wrong", func(st *Settings) {
			*st = Settings{Email: "x", Website: "y", Lang: "de", Currency: "XYZ", TimeZone: "Local", TaxRate: 22000}
		}, []string{"name", "email", "website", "lang", "currency", "tax_rate", "time_zone", "departments",
			"hours", "hours", "hours", "hours", "hours", "hours", "hours"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			st := DefaultSettings()
			tt.edit(&st)
			before := dump(t, s)
			_, err := s.SaveSettings(staff, st)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantError(t, err, CodeInvalid, tt.fields)
			wantUnchanged(t, s, before)
		})
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	s := openTest(t)
	in := Settings{
		Name: " Autofficina Rossi ", Address: "Via Roma 1, Torino", Phone: "+39 011 123456",
		Website: "https://rossi.example.it", Email: "info@rossi.example.it",
		Logo: "abc123", LogoType: "image/png", Lang: "it", Currency: " eur ", TimeZone: "Europe/Rome", TaxRate: 2200,
		Departments: []string{"Meccanica", " Carrozzeria ", "Meccanica", ""},
		Bays:        []Bay{{Name: "Ponte 1", Department: "Meccanica"}, {Name: " ", Department: "Nowhere"}, {Name: "Forno", Department: "Carrozzeria"}},
	}
	for d := range 5 {
		in.Hours[d] = DayHours{Open: "08:30", Close: "12:30"}
	}
	in.Hours[5] = DayHours{Closed: true, Open: "09:00", Close: "12:00"}
	in.Hours[6] = DayHours{Closed: true}

	want := in
	want.Name, want.Currency = "Autofficina Rossi", "EUR"
	want.Departments = []string{"Meccanica", "Carrozzeria"}
	want.Bays = []Bay{{Name: "Ponte 1", Department: "Meccanica"}, {Name: "Forno", Department: "Carrozzeria"}}
	want.Hours[5] = DayHours{Closed: true}

	saved, err := s.SaveSettings(staff, in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(saved, want) {
		t.Errorf("SaveSettings returned\n%+v\nwant\n%+v", saved, want)
	}
	got, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Settings() after save\n%+v\nwant\n%+v", got, want)
	}

	// A refused save keeps what was saved before.
	bad := want
	bad.TimeZone = "Mars/Olympus"
	if _, err := s.SaveSettings(staff, bad); err == nil {
		t.Fatal("bad time zone accepted")
	}
	if got, _ := s.Settings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Settings() after a refused save = %+v", got)
	}

	// Fewer departments and no bays replace the old lists.
	smaller := want
	smaller.Departments, smaller.Bays = []string{"Meccanica"}, nil
	if _, err := s.SaveSettings(staff, smaller); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Settings()
	if len(got.Departments) != 1 || len(got.Bays) != 0 {
		t.Errorf("after shrinking: departments %v, bays %v", got.Departments, got.Bays)
	}
}
