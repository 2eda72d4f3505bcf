// Package ical writes calendars in the iCalendar format (RFC 5545) that
// calendar apps subscribe to.
package ical

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one appointment in a feed.
type Event struct {
	UID         string
	Start, End  time.Time
	Stamp       time.Time // when the event last changed
	Summary     string
	Location    string
	Description string
	Status      string // TENTATIVE, CONFIRMED or CANCELLED
}

// Calendar is a named list of events. Times are written in UTC, which every
// calendar app shows in its user's zone; TimeZone names the dealership's
// zone for the apps that honour X-WR-TIMEZONE.
type Calendar struct {
	ProdID   string
	Name     string
	TimeZone string
	Events   []Event
}

const stamp = "20060102T150405Z"

// Bytes renders the calendar: CRLF line ends, lines folded at 75 octets.
func (c Calendar) Bytes() []byte {
	var b bytes.Buffer
	line := func(name, value string) { writeFolded(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", text(c.ProdID))
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME", text(c.Name))
	}
	if c.TimeZone != "" {
		line("X-WR-TIMEZONE", text(c.TimeZone))
	}
	for _, e := range c.Events {
		line("BEGIN", "VEVENT")
		line("UID", text(e.UID))
		line("DTSTAMP", e.Stamp.UTC().Format(stamp))
		line("DTSTART", e.Start.UTC().Format(stamp))
		line("DTEND", e.End.UTC().Format(stamp))
		line("SUMMARY", text(e.Summary))
		if e.Location != "" {
			line("LOCATION", text(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION", text(e.Description))
		}
		if e.Status != "" {
			line("STATUS", e.Status)
		}
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.Bytes()
}

// text escapes a TEXT value (RFC 5545 3.3.11).
func text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// writeFolded writes one content line, folded so no line exceeds 75 octets
// (the leading space of a continuation counts), never inside a UTF-8
// sequence (RFC 5545 3.1).
func writeFolded(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
