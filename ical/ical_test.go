package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// unfold undoes RFC 5545 folding.
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

func TestCalendarBytes(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip(err)
	}
	long := strings.Repeat("Revisione completa, cambio olio; ș ț è € ", 5)
	c := Calendar{ProdID: "-//Pitlane//EN", Name: "Mechanics", TimeZone: "Europe/Rome", Events: []Event{{
		UID: "appointment-7@pitlane", Start: time.Date(2026, 3, 30, 9, 0, 0, 0, rome), End: time.Date(2026, 3, 30, 10, 0, 0, 0, rome),
		Stamp: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Summary: long, Description: "line one\nline two", Status: "CONFIRMED",
	}}}
	out := string(c.Bytes())
	if !strings.HasSuffix(out, "END:VCALENDAR\r\n") || !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\n") {
		t.Errorf("not a calendar: %q", out)
	}
	for i, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d has %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a character: %q", i, l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare line break", i)
		}
	}
	u := unfold(out)
	for _, want := range []string{
		"DTSTART:20260330T070000Z\r\n", // 09:00 in Rome on the first day of summer time
		"DTEND:20260330T080000Z\r\n",
		"DTSTAMP:20260301T120000Z\r\n",
		"SUMMARY:" + strings.NewReplacer(",", `\,`, ";", `\;`).Replace(long) + "\r\n",
		`DESCRIPTION:line one\nline two` + "\r\n",
		"X-WR-TIMEZONE:Europe/Rome\r\n",
		"UID:appointment-7@pitlane\r\n",
		"VERSION:2.0\r\n",
	} {
		if !strings.Contains(u, want) {
			t.Errorf("lacks %q in %q", want, u)
		}
	}
}

func FuzzFold(f *testing.F) {
	f.Add("SUMMARY:" + strings.Repeat("ș", 60))
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n") {
			return
		}
		var b bytes.Buffer
		writeFolded(&b, s)
		if got := strings.TrimSuffix(unfold(b.String()), "\r\n"); got != s {
			t.Errorf("unfold(fold(%q)) = %q", s, got)
		}
	})
}
