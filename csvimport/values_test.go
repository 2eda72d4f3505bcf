package csvimport

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for an error
	}{
		{"02/01/2006", "2006-01-02"},
		{"2/1/2006", "2006-01-02"},
		{"2006-01-02", "2006-01-02"},
		{"02.01.2006", "2006-01-02"},
		{"02-01-2006", "2006-01-02"},
		{"2006/01/02", "2006-01-02"},
		{"31/12/2019 00:00", "2019-12-31"},
		{"2019-12-31T00:00:00", "2019-12-31"},
		{" 15/03/2021 ", "2021-03-15"},
		{"31/02/2020", ""},
		{"12/31/2019", ""},
		{"02/01/06", ""},
		{"yesterday", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDate(tt.in)
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("parseDate(%q) = %v, want an error", tt.in, got)
			case tt.want != "" && (err != nil || got.Format(time.DateOnly) != tt.want || got.Location() != time.UTC):
				t.Errorf("parseDate(%q) = %v, %v; want %s UTC", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"48200", 48200, true},
		{"48.200", 48200, true},
		{"48,200", 48200, true},
		{"1.234.567", 1234567, true},
		{"1,234,567", 1234567, true},
		{"1.234,5", 1234.5, true},
		{"1,234.5", 1234.5, true},
		{"12,5", 12.5, true},
		{"12.5", 12.5, true},
		{"48 200", 48200, true},
		{"48\u00a0200", 48200, true},
		{"48'200", 48200, true},
		{"48.200 km", 48200, true},
		{"-3", -3, true},
		{"0", 0, true},
		{"", 0, false},
		{"km", 0, false},
		{"1e6", 0, false},
		{"12.34.56", 0, false},
		{"NaN", 0, false},
		{"0x10", 0, false},
		{"+5", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseNumber(tt.in)
			if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
				t.Errorf("parseNumber(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestParseWords(t *testing.T) {
	yes := []string{"Yes", "sì", "Si", "DA", "x", "1", "true"}
	no := []string{"No", "nu", "0", "false", "N"}
	for _, s := range yes {
		if v, err := parseYesNo(s); err != nil || !v {
			t.Errorf("parseYesNo(%q) = %v, %v", s, v, err)
		}
	}
	for _, s := range no {
		if v, err := parseYesNo(s); err != nil || v {
			t.Errorf("parseYesNo(%q) = %v, %v", s, v, err)
		}
	}
	if _, err := parseYesNo("maybe"); err == nil {
		t.Error("parseYesNo(maybe) has no error")
	}
	fuels := map[string]string{"Benzina": "petrol", "GASOLIO": "diesel", "Motorină": "diesel", "Benzina/GPL": "lpg",
		"Metano": "cng", "Elettrica": "electric", "Plug-in hybrid": "plugin", "Ibrida": "hybrid", "Hibrid plug-in": "plugin",
		"diesel": "diesel", "Petrol": "petrol", "Benzină": "petrol"}
	for in, want := range fuels {
		if got, err := parseFuel(in); err != nil || got != want {
			t.Errorf("parseFuel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseFuel("Steam"); err == nil {
		t.Error("parseFuel(Steam) has no error")
	}
	langs := map[string]string{"it": "it", "IT-it": "it", "Italiano": "it", "Română": "ro", "romeno": "ro", "English": "en"}
	for in, want := range langs {
		if got, err := parseLang(in); err != nil || got != want {
			t.Errorf("parseLang(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"'=1+2": "=1+2", "'+39 333": "+39 333", "'Ok": "'Ok", " x ": "x"} {
		if got := cleanCell(in); got != want {
			t.Errorf("cleanCell(%q) = %q, want %q", in, got, want)
		}
	}
}
