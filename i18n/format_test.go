package i18n

import (
	"math"
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// serverIn pretends the server's clock is set to another zone, which must
// change nothing the user sees.
func serverIn(t *testing.T, name string) {
	old := time.Local
	time.Local = mustLoad(t, name)
	t.Cleanup(func() { time.Local = old })
}

func TestDates(t *testing.T) {
	serverIn(t, "America/Los_Angeles")
	rome := mustLoad(t, "Europe/Rome")
	bucharest := mustLoad(t, "Europe/Bucharest")
	london := mustLoad(t, "Europe/London")

	afternoon := time.Date(2026, 11, 22, 13, 5, 0, 0, time.UTC)
	// Still Sunday in London and on the server, already Monday in Rome and Bucharest.
	lateUTC := time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 5, 8, 0, 0, 0, time.UTC)

	tests := []struct {
		name                           string
		loc                            Locale
		at                             time.Time
		date, datetime, clock, fullday string
	}{
		{"en london", Locale{Lang: English, Location: london}, afternoon,
			"22 Nov 2026", "22 Nov 2026 13:05", "13:05", "Sunday 22 November"},
		{"it rome", Locale{Lang: Italian, Location: rome}, afternoon,
			"22/11/2026", "22/11/2026 14:05", "14:05", "domenica 22 novembre"},
		{"ro bucharest", Locale{Lang: Romanian, Location: bucharest}, afternoon,
			"22.11.2026", "22.11.2026 15:05", "15:05", "duminică, 22 noiembrie"},
		{"en london late", Locale{Lang: English, Location: london}, lateUTC,
			"22 Nov 2026", "22 Nov 2026 23:30", "23:30", "Sunday 22 November"},
		{"it rome late", Locale{Lang: Italian, Location: rome}, lateUTC,
			"23/11/2026", "23/11/2026 00:30", "00:30", "lunedì 23 novembre"},
		{"ro bucharest late", Locale{Lang: Romanian, Location: bucharest}, lateUTC,
			"23.11.2026", "23.11.2026 01:30", "01:30", "luni, 23 noiembrie"},
		{"it rome summer time", Locale{Lang: Italian, Location: rome}, summer,
			"05/07/2026", "05/07/2026 10:00", "10:00", "domenica 5 luglio"},
		{"en single-digit day", Locale{Lang: English, Location: london}, summer,
			"5 Jul 2026", "5 Jul 2026 09:00", "09:00", "Sunday 5 July"},
		{"ro input in another zone", Locale{Lang: Romanian, Location: bucharest}, afternoon.In(mustLoad(t, "Asia/Tokyo")),
			"22.11.2026", "22.11.2026 15:05", "15:05", "duminică, 22 noiembrie"},
		{"nil location is UTC", Locale{Lang: Italian}, lateUTC,
			"22/11/2026", "22/11/2026 23:30", "23:30", "domenica 22 novembre"},
		{"unknown language is English", Locale{Lang: "de", Location: london}, afternoon,
			"22 Nov 2026", "22 Nov 2026 13:05", "13:05", "Sunday 22 November"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.loc.Date(tt.at); got != tt.date {
				t.Errorf("Date = %q, want %q", got, tt.date)
			}
			if got := tt.loc.DateTime(tt.at); got != tt.datetime {
				t.Errorf("DateTime = %q, want %q", got, tt.datetime)
			}
			if got := tt.loc.Time(tt.at); got != tt.clock {
				t.Errorf("Time = %q, want %q", got, tt.clock)
			}
			if got := tt.loc.FullDate(tt.at); got != tt.fullday {
				t.Errorf("FullDate = %q, want %q", got, tt.fullday)
			}
		})
	}
}

// Every weekday and month must have its name in every catalogue.
func TestFullDateNamesEveryDayAndMonth(t *testing.T) {
	for _, l := range Supported {
		t.Run(string(l), func(t *testing.T) {
			loc := Locale{Lang: l, Location: time.UTC}
			day := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			for range 366 {
				if got := loc.FullDate(day); strings.Contains(got, "[[") {
					t.Fatalf("FullDate(%s) = %q", day.Format(time.DateOnly), got)
				}
				day = day.AddDate(0, 0, 1)
			}
		})
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		name     string
		v        float64
		decimals int
		en, it   string
	}{
		{"one decimal", 1234.5, 1, "1,234.5", "1.234,5"},
		{"millions", 1234567.891, 2, "1,234,567.89", "1.234.567,89"},
		{"negative padded", -1234.5, 2, "-1,234.50", "-1.234,50"},
		{"integer", 12345, 0, "12,345", "12.345"},
		{"small", 999, 0, "999", "999"},
		{"zero padded", 0, 2, "0.00", "0,00"},
		{"half rounds up", 2.5, 0, "3", "3"},
		{"negative half rounds away", -2.5, 0, "-3", "-3"},
		{"half at thousands", 1234.5, 0, "1,235", "1.235"},
		{"decimal half above binary", 2.675, 2, "2.68", "2,68"},
		{"half at second decimal", 0.125, 2, "0.13", "0,13"},
		{"below half", 1.49, 0, "1", "1"},
		{"above half", 1.51, 0, "2", "2"},
		{"negative decimals clamp", 7.7, -3, "8", "8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for lang, want := range map[Lang]string{English: tt.en, Italian: tt.it, Romanian: tt.it} {
				if got := (Locale{Lang: lang}).Number(tt.v, tt.decimals); got != want {
					t.Errorf("%s: Number(%v, %d) = %q, want %q", lang, tt.v, tt.decimals, got, want)
				}
			}
		})
	}
}

func TestNumberNotFinite(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := (Locale{Lang: Italian}).Number(v, 2); got == "" {
			t.Errorf("Number(%v) is empty", v)
		}
	}
}

func TestMoney(t *testing.T) {
	const nbsp = "\u00a0"
	tests := []struct {
		name     string
		lang     Lang
		currency string
		minor    int64
		want     string
	}{
		{"en euro", English, "EUR", 123450, "€1,234.50"},
		{"it euro", Italian, "EUR", 123450, "1.234,50" + nbsp + "€"},
		{"ro euro", Romanian, "EUR", 123450, "1.234,50" + nbsp + "€"},
		{"ro leu", Romanian, "RON", 123450, "1.234,50" + nbsp + "lei"},
		{"it leu", Italian, "RON", 99, "0,99" + nbsp + "lei"},
		{"en pound", English, "GBP", 123450, "£1,234.50"},
		{"en letters symbol spaced", English, "CHF", 123450, "CHF 1,234.50"},
		{"en leu by code", English, "RON", 123450, "RON 1,234.50"},
		{"it dollar", Italian, "USD", 123450, "1.234,50" + nbsp + "$"},
		{"en negative", English, "EUR", -5, "-€0.05"},
		{"it negative", Italian, "EUR", -123450, "-1.234,50" + nbsp + "€"},
		{"zero", English, "EUR", 0, "€0.00"},
		{"one cent", Romanian, "RON", 1, "0,01" + nbsp + "lei"},
		{"whole units only", English, "JPY", 1234, "¥1,234"},
		{"three decimals", Italian, "KWD", 1234567, "1.234,567" + nbsp + "KWD"},
		{"largest", English, "EUR", math.MaxInt64, "€92,233,720,368,547,758.07"},
		{"smallest", English, "EUR", math.MinInt64, "-€92,233,720,368,547,758.08"},
		{"no currency set", Italian, "", 123450, "1.234,50"},
		{"unknown currency shown as is", English, "ZZZ", 123450, "ZZZ 1,234.50"},
		{"unknown language is English", Lang("de"), "EUR", 123450, "€1,234.50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := Locale{Lang: tt.lang, Currency: tt.currency}
			if got := loc.Money(tt.minor); got != tt.want {
				t.Errorf("Money(%d) = %q, want %q", tt.minor, got, tt.want)
			}
		})
	}
}

func TestValidCurrency(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"EUR", true},
		{"RON", true},
		{"GBP", true},
		{"USD", true},
		{"CHF", true},
		{"JPY", true},
		{"eur", false},
		{"ITL", false},
		{"ROL", false},
		{"XTS", false}, // the code ISO keeps for testing
		{"XAU", false},
		{"ZZZ", false},
		{"EURO", false},
		{"E", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := ValidCurrency(tt.code); got != tt.want {
				t.Errorf("ValidCurrency(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}
