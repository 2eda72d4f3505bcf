package store

import (
	"time"
)

// Busy is time already taken in a department: on a bay, by a technician,
// or (with neither) on whichever bay is free.
type Busy struct {
	Start, End time.Time
	Bay        string
	Technician uint64
}

// Capacity is what availability is computed from.
type Capacity struct {
	Loc        *time.Location
	Hours      [7]DayHours // [0] is Monday
	ClosedDays []string    // "YYYY-MM-DD"
	Slot       time.Duration
	Bays       []string // the department's bays
	Busy       []Busy   // the department's active appointments
}

// Slot is a start time with how many bays are free for the whole duration.
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Free  int       `json:"free"`
}

// openingOn returns the opening and closing instants of the local day that
// date falls on, or ok false when the workshop is closed that day.
func (c Capacity) openingOn(year int, month time.Month, day int) (open, close time.Time, ok bool) {
	d := time.Date(year, month, day, 12, 0, 0, 0, c.Loc)
	if contains(c.ClosedDays, d.Format(time.DateOnly)) {
		return open, close, false
	}
	h := c.Hours[(int(d.Weekday())+6)%7]
	if h.Closed {
		return open, close, false
	}
	oh, om, ok1 := parseHHMM(h.Open)
	ch, cm, ok2 := parseHHMM(h.Close)
	if !ok1 || !ok2 {
		return open, close, false
	}
	open = time.Date(year, month, day, oh, om, 0, 0, c.Loc)
	close = time.Date(year, month, day, ch, cm, 0, 0, c.Loc)
	return open, close, close.After(open)
}

func parseHHMM(s string) (h, m int, ok bool) {
	if !hhmm.MatchString(s) {
		return 0, 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), int(s[3]-'0')*10 + int(s[4]-'0'), true
}

// Free is how many bays are free throughout [start, end).
func (c Capacity) Free(start, end time.Time) int {
	taken := map[string]bool{}
	loose := 0
	for _, b := range c.Busy {
		if !b.Start.Before(end) || !b.End.After(start) {
			continue
		}
		if b.Bay != "" && contains(c.Bays, b.Bay) {
			taken[b.Bay] = true
		} else {
			loose++
		}
	}
	return max(len(c.Bays)-len(taken)-loose, 0)
}

// Within reports whether [start, end) lies inside one day's opening hours.
func (c Capacity) Within(start, end time.Time) bool {
	l := start.In(c.Loc)
	open, close, ok := c.openingOn(l.Year(), l.Month(), l.Day())
	return ok && !start.Before(open) && !end.After(close)
}

// Availability lists the slots of the local days from the one holding
// from to the one holding to (inclusive) where a job of length d fits
// within opening hours with at least one bay free, starting no earlier
// than notBefore. Slots start at opening time and every c.Slot after it;
// all times are in c.Loc, whatever the server's zone.
func Availability(c Capacity, from, to, notBefore time.Time, d time.Duration) []Slot {
	if c.Loc == nil || c.Slot <= 0 || d <= 0 || len(c.Bays) == 0 {
		return nil
	}
	var out []Slot
	f, t := from.In(c.Loc), to.In(c.Loc)
	last := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for day := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, time.UTC); !day.After(last); day = day.AddDate(0, 0, 1) {
		open, close, ok := c.openingOn(day.Year(), day.Month(), day.Day())
		if !ok {
			continue
		}
		for s := open; !s.Add(d).After(close); s = s.Add(c.Slot) {
			if s.Before(notBefore) {
				continue
			}
			if free := c.Free(s, s.Add(d)); free > 0 {
				out = append(out, Slot{Start: s, End: s.Add(d), Free: free})
			}
		}
	}
	return out
}
