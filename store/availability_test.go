package store

import (
	"fmt"
	"testing"
	"time"
)

func rome(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	return loc
}

func TestAvailability(t *testing.T) {
	loc := rome(t)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	week := DefaultSettings().Hours // Mon–Fri 08–18, Sat 08–12, Sun closed
	short := week
	for i := range short {
		if !short[i].Closed {
			short[i] = DayHours{Open: "08:00", Close: "10:00"}
		}
	}
	base := Capacity{Loc: loc, Hours: short, Slot: 30 * time.Minute, Bays: []string{"Bay 1", "Bay 2"}}
	times := func(slots []Slot) []string {
		var out []string
		for _, s := range slots {
			out = append(out, fmt.Sprintf("%s/%d", s.Start.In(loc).Format("01-02 15:04"), s.Free))
		}
		return out
	}
	tests := []struct {
		name     string
		edit     func(c *Capacity)
		from, to time.Time
		d        time.Duration
		want     []string
	}{
		{"an open day in slots", nil, at(3, 16, 0, 0), at(3, 16, 0, 0), time.Hour,
			[]string{"03-16 08:00/2", "03-16 08:30/2", "03-16 09:00/2"}},
		{"Sunday is closed", nil, at(3, 15, 0, 0), at(3, 15, 0, 0), time.Hour, nil},
		{"a closed day", func(c *Capacity) { c.ClosedDays = []string{"2026-03-16"} }, at(3, 16, 0, 0), at(3, 16, 0, 0), time.Hour, nil},
		{"a job longer than the day", nil, at(3, 16, 0, 0), at(3, 16, 0, 0), 3 * time.Hour, nil},
		{"one bay taken leaves one", func(c *Capacity) {
			c.Busy = []Busy{{Start: at(3, 16, 8, 0), End: at(3, 16, 9, 0), Bay: "Bay 1"}}
		}, at(3, 16, 0, 0), at(3, 16, 0, 0), time.Hour,
			[]string{"03-16 08:00/1", "03-16 08:30/1", "03-16 09:00/2"}},
		{"both bays taken, one without a bay", func(c *Capacity) {
			c.Busy = []Busy{{Start: at(3, 16, 8, 0), End: at(3, 16, 9, 0), Bay: "Bay 1"}, {Start: at(3, 16, 8, 30), End: at(3, 16, 9, 30)}}
		}, at(3, 16, 0, 0), at(3, 16, 0, 0), 30 * time.Minute,
			[]string{"03-16 08:00/1", "03-16 09:00/1", "03-16 09:30/2"}},
		{"no bays, no slots", func(c *Capacity) { c.Bays = nil }, at(3, 16, 0, 0), at(3, 16, 0, 0), time.Hour, nil},
		{"slot length of an hour", func(c *Capacity) { c.Slot = time.Hour }, at(3, 16, 0, 0), at(3, 16, 0, 0), time.Hour,
			[]string{"03-16 08:00/2", "03-16 09:00/2"}},
		{"the day DST starts keeps local hours", nil, at(3, 28, 0, 0), at(3, 30, 0, 0), time.Hour,
			[]string{"03-28 08:00/2", "03-28 08:30/2", "03-28 09:00/2", "03-30 08:00/2", "03-30 08:30/2", "03-30 09:00/2"}},
		{"the day DST ends keeps local hours", nil, at(10, 24, 0, 0), at(10, 24, 0, 0), time.Hour,
			[]string{"10-24 08:00/2", "10-24 08:30/2", "10-24 09:00/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			if tt.edit != nil {
				tt.edit(&c)
			}
			got := times(Availability(c, tt.from, tt.to, time.Time{}, tt.d))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("slots = %v\nwant    %v", got, tt.want)
			}
		})
	}
}

func TestAvailabilityDSTInstants(t *testing.T) {
	loc := rome(t)
	c := Capacity{Loc: loc, Hours: DefaultSettings().Hours, Slot: time.Hour, Bays: []string{"Bay 1"}}
	// Saturday 28 March 2026 is still CET (UTC+1); Monday 30 March is CEST (UTC+2).
	before := Availability(c, time.Date(2026, 3, 28, 0, 0, 0, 0, loc), time.Date(2026, 3, 28, 0, 0, 0, 0, loc), time.Time{}, time.Hour)
	after := Availability(c, time.Date(2026, 3, 30, 0, 0, 0, 0, loc), time.Date(2026, 3, 30, 0, 0, 0, 0, loc), time.Time{}, time.Hour)
	if len(before) == 0 || len(after) == 0 {
		t.Fatalf("no slots: %v %v", before, after)
	}
	if got := before[0].Start.UTC().Hour(); got != 7 {
		t.Errorf("first slot on 28 March at %d:00 UTC, want 7:00 (08:00 CET)", got)
	}
	if got := after[0].Start.UTC().Hour(); got != 6 {
		t.Errorf("first slot on 30 March at %d:00 UTC, want 6:00 (08:00 CEST)", got)
	}
}

func TestAvailabilityIgnoresServerZone(t *testing.T) {
	loc := rome(t)
	c := Capacity{Loc: loc, Hours: DefaultSettings().Hours, Slot: time.Hour, Bays: []string{"Bay 1"}}
	// The same instants asked for from a far-off zone give the same local day.
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip(err)
	}
	day := time.Date(2026, 3, 16, 12, 0, 0, 0, loc)
	a := Availability(c, day, day, time.Time{}, time.Hour)
	b := Availability(c, day.In(tokyo), day.In(tokyo), time.Time{}, time.Hour)
	if len(a) != 10 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("slots differ by the asking zone:\n%v\n%v", a, b)
	}
	if a[0].Start.In(loc).Hour() != 8 || a[9].End.In(loc).Hour() != 18 {
		t.Errorf("slots run %v–%v, want 08:00–18:00 Rome time", a[0].Start.In(loc), a[9].End.In(loc))
	}
}

func TestAvailabilityNotBefore(t *testing.T) {
	loc := rome(t)
	c := Capacity{Loc: loc, Hours: DefaultSettings().Hours, Slot: time.Hour, Bays: []string{"Bay 1"}}
	day := time.Date(2026, 3, 16, 0, 0, 0, 0, loc)
	got := Availability(c, day, day, time.Date(2026, 3, 16, 16, 30, 0, 0, loc), time.Hour)
	if len(got) != 1 || got[0].Start.In(loc).Hour() != 17 {
		t.Errorf("slots after 16:30 = %v, want only 17:00", got)
	}
}
