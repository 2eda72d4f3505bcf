package i18n

import (
	"html/template"
	"strings"
	"testing"
	"time"
)

type cents int64

func TestFuncs(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	loc := Locale{Lang: Italian, Currency: "EUR", Location: rome}
	at := time.Date(2026, 11, 22, 13, 5, 0, 0, time.UTC)
	data := map[string]any{
		"Name":     `<b>Ana</b>`,
		"At":       at,
		"AtPtr":    &at,
		"NilPtr":   (*time.Time)(nil),
		"Zero":     time.Time{},
		"Int":      123450,
		"Named":    cents(99),
		"Km":       123456,
		"Litres":   float32(42.5),
		"Fraction": 0.25,
	}
	tests := []struct {
		name, src, want string
	}{
		{"t", `{{t "common.save"}}`, "Salva"},
		{"t with placeholder escapes the value", `{{t "users.created" "name" .Name}}`, "Utente &lt;b&gt;Ana&lt;/b&gt; creato."},
		{"t in parentheses", `{{printf "%s!" (t "common.yes")}}`, "Sì!"},
		{"t piped", `{{"common.no" | t}}`, "No"},
		{"date", `{{date .At}}`, "22/11/2026"},
		{"date from pointer", `{{date .AtPtr}}`, "22/11/2026"},
		{"datetime", `{{datetime .At}}`, "22/11/2026 14:05"},
		{"time", `{{time .At}}`, "14:05"},
		{"fulldate", `{{fulldate .At}}`, "domenica 22 novembre"},
		{"zero time prints nothing", `[{{date .Zero}}{{datetime .NilPtr}}]`, "[]"},
		{"money from int", `{{money .Int}}`, "1.234,50\u00a0€"},
		{"money from named type", `{{money .Named}}`, "0,99\u00a0€"},
		{"number from int", `{{number .Km 0}}`, "123.456"},
		{"number from float32", `{{number .Litres 1}}`, "42,5"},
		{"number from float64", `{{number .Fraction 2}}`, "0,25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := template.Must(template.New("").Funcs(Funcs(Italian, loc)).Parse(tt.src))
			var b strings.Builder
			if err := tmpl.Execute(&b, data); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("%s rendered %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

// A wrong type must fail the render, not print something plausible.
func TestFuncsRejectWrongTypes(t *testing.T) {
	tests := []struct {
		name, src string
		value     any
		wantErr   string
	}{
		{"date of string", `{{date .}}`, "2026-11-22", "want time.Time, got string"},
		{"money of float", `{{money .}}`, 12.5, "want an integer, got float64"},
		{"money overflow", `{{money .}}`, uint64(1 << 63), "overflows int64"},
		{"number of string", `{{number . 0}}`, "12", "want a number, got string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := template.Must(template.New("").Funcs(Funcs(English, Locale{Lang: English, Currency: "EUR"})).Parse(tt.src))
			err := tmpl.Execute(&strings.Builder{}, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
