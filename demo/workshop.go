package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"pitlane/store"
)

// The demo garage's departments.
const (
	deptMechanics = "Mechanics"
	deptBody      = "Body shop"
	deptTyres     = "Tyres"
)

// task is a piece of workshop work.
type task struct {
	text       string
	minutes    int
	combustion bool // engine work (oil, timing belt): not for electric cars
	manual     bool // clutch work: not for hybrids or electric cars either
}

// fits reports whether the task makes sense for a car of that fuel.
func (t task) fits(fuel string) bool {
	switch fuel {
	case "electric":
		return !t.combustion && !t.manual
	case "hybrid", "plugin":
		return !t.manual
	}
	return true
}

// services are what customers book, by department.
var services = map[string][]task{
	deptMechanics: {
		{text: "Annual service", combustion: true, minutes: 120},
		{text: "Oil and filter change", combustion: true, minutes: 60},
		{text: "Brake pads and discs", minutes: 120},
		{text: "Timing belt and water pump", combustion: true, minutes: 240},
		{text: "Air conditioning recharge", minutes: 60},
		{text: "Roadworthiness test (revisione)", minutes: 60},
		{text: "Engine warning light: diagnosis", combustion: true, minutes: 60},
		{text: "Shock absorbers replacement", minutes: 150},
		{text: "Annual check: brakes, cabin filter, software", minutes: 90},
	},
	deptBody: {
		{text: "Bumper repair and paint", minutes: 180},
		{text: "Scratch repair and paint", minutes: 180},
		{text: "Windscreen replacement", minutes: 120},
		{text: "Paintless dent removal", minutes: 90},
	},
	deptTyres: {
		{text: "Seasonal tyre change", minutes: 60},
		{text: "New tyres and balancing", minutes: 60},
		{text: "Wheel alignment", minutes: 60},
		{text: "Puncture repair", minutes: 30},
	},
}

// jobTasks are the open work orders, by stage.
var jobTasks = map[string][]task{
	store.StageCheckedIn: {
		{text: "Warning light on the dashboard: diagnosis"},
		{text: "Noise from the front suspension: inspection"},
		{text: "Annual service", combustion: true},
		{text: "Brakes squeal: inspection"},
		{text: "Air conditioning not cooling"},
	},
	store.StageInProgress: {
		{text: "Annual service and front brake pads", combustion: true},
		{text: "Timing belt and water pump", combustion: true},
		{text: "Clutch replacement", manual: true},
		{text: "Rear bumper repair and paint"},
		{text: "Shock absorbers replacement"},
	},
	store.StageWaitingParts: {
		{text: "Clutch replacement: waiting for the clutch kit", manual: true},
		{text: "Turbocharger replacement: part on order", combustion: true},
		{text: "Windscreen replacement: glass on order"},
		{text: "Rear light cluster: part on order"},
	},
	store.StageReady: {
		{text: "Annual service done", combustion: true},
		{text: "Seasonal tyre change done"},
		{text: "Brake discs and pads replaced"},
		{text: "Air conditioning recharged"},
	},
	store.StageDelivered: {
		{text: "Puncture repair"},
		{text: "Wiper blades and bulbs"},
		{text: "12 V battery replaced"},
		{text: "Wheel alignment"},
	},
}

// openStages is the cycle of stages given to cars in the workshop now: every
// stage appears, the busy ones more often.
var openStages = []string{store.StageCheckedIn, store.StageInProgress, store.StageWaitingParts,
	store.StageReady, store.StageDelivered, store.StageInProgress, store.StageCheckedIn, store.StageReady}

// historyExtras are added now and then to a past service.
var historyExtras = []task{
	{text: "front brake pads"}, {text: "rear brake discs and pads"}, {text: "air conditioning recharge"},
	{text: "winter tyres fitted"}, {text: "summer tyres fitted"}, {text: "wiper blades"},
	{text: "12 V battery replaced"}, {text: "roadworthiness test passed"},
	{text: "spark plugs", combustion: true}, {text: "air filter", combustion: true},
}

// pickTask returns a task of list that fits the car's fuel.
func pickTask(r *rand.Rand, list []task, fuel string) task {
	for {
		if t := pick(r, list); t.fits(fuel) {
			return t
		}
	}
}

// garage generates the demo data as of now.
type garage struct {
	now      time.Time // in the dealership's time zone
	settings store.Settings
	times    *rand.Rand // everything that depends on the date

	names, emails, phones, plates, vins map[string]bool
}

func newGarage(now time.Time, st store.Settings) *garage {
	return &garage{now: now, settings: st, times: rng(seedTimes, 0),
		names: map[string]bool{}, emails: map[string]bool{}, phones: map[string]bool{},
		plates: map[string]bool{}, vins: map[string]bool{}}
}

// bundles builds every customer with their cars, history, open jobs and
// this week's appointments.
func (g *garage) bundles() []store.Bundle {
	out := make([]store.Bundle, customerCount)
	for i := range out {
		r := rng(seedPeople, uint64(i))
		c := g.customer(r, i)
		out[i].Customer = c
		for range carsFor(r, c.Company) {
			out[i].Vehicles = append(out[i].Vehicles, store.VehicleBundle{Vehicle: g.car(r, c.Company)})
		}
	}
	var free []*store.VehicleBundle
	k := 0
	for i := range out {
		for j := range out[i].Vehicles {
			vb := &out[i].Vehicles[j]
			g.workshopLife(vb, g.kmPerYear(vb.Vehicle.Fuel, out[i].Customer.Company), k, &free)
			k++
		}
	}
	g.appointments(free)
	return out
}

// workshopLife gives car number k its service history and, for one car in
// seven, a job open now; the others are free to book this week.
func (g *garage) workshopLife(vb *store.VehicleBundle, rate, k int, free *[]*store.VehicleBundle) {
	if k%7 != 3 {
		g.history(vb, rate, 3+g.times.IntN(4))
		*free = append(*free, vb)
		return
	}
	g.history(vb, rate, 3+g.times.IntN(3))
	g.openJob(vb, openStages[(k/7)%len(openStages)], rate)
}

// kmPerYear is how far a car of that fuel is driven in a year.
func (g *garage) kmPerYear(fuel string, company bool) int {
	base := map[string]int{"diesel": 22000, "lpg": 18000, "cng": 18000, "hybrid": 14000, "plugin": 13000,
		"electric": 13000}[fuel]
	if base == 0 {
		base = 10000
	}
	km := base*7/10 + g.times.IntN(base*6/10)
	if company {
		km = km * 3 / 2
	}
	return km
}

// history gives a car n odometer readings over past years, each from a
// service the garage delivered.
func (g *garage) history(vb *store.VehicleBundle, rate, n int) {
	t := g.times
	v := &vb.Vehicle
	reg := time.Date(v.Year, time.Month(1+t.IntN(12)), 1+t.IntN(28), 10, 0, 0, 0, g.now.Location())
	first := later(reg.AddDate(0, 3+t.IntN(10), 0), g.now.AddDate(-6, 0, t.IntN(120)))
	last := g.now.AddDate(0, 0, -30-t.IntN(60))
	if span := time.Duration(n-1) * 45 * 24 * time.Hour; last.Sub(first) < span {
		first = last.Add(-span)
	}
	first = later(first, reg.AddDate(0, 0, 14))
	step := last.Sub(first) / time.Duration(n-1)
	km := 0
	for i := range n {
		at := first.Add(time.Duration(i) * step)
		if i > 0 && i < n-1 {
			at = at.Add(time.Duration(t.Int64N(int64(step/2))) - step/4)
		}
		at = g.openMoment(at)
		years := at.Sub(reg).Hours() / (24 * 365.25)
		next := int(float64(rate)*years*(0.9+0.2*t.Float64())) / 10 * 10
		prev := km
		km = max(next, km+300+t.IntN(700))
		v.Odometer = append(v.Odometer, store.Reading{At: at.UTC(), Km: km, Source: "demo"})
		vb.Jobs = append(vb.Jobs, store.Job{Stage: store.StageDelivered, Opened: at.UTC(),
			Description: g.serviceText(v.Fuel, prev, km)})
	}
}

// serviceText describes a past service at km.
func (g *garage) serviceText(fuel string, prevKm, km int) string {
	t := g.times
	var b strings.Builder
	if fuel == "electric" {
		fmt.Fprintf(&b, "Annual check at %s km: brakes, cabin filter, software update", thousands(km))
	} else {
		fmt.Fprintf(&b, "Service at %s km: engine oil and filters", thousands(km))
	}
	if fuel != "electric" && prevKm < 120_000 && km >= 120_000 {
		b.WriteString("; timing belt and water pump")
	}
	for range t.IntN(3) {
		if x := pickTask(t, historyExtras, fuel); !strings.Contains(b.String(), x.text) {
			b.WriteString("; " + x.text)
		}
	}
	return b.String()
}

// openJob puts a car in the workshop now, at stage, with the odometer
// reading taken when it was checked in.
func (g *garage) openJob(vb *store.VehicleBundle, stage string, rate int) {
	t := g.times
	daysBack := map[string]int{store.StageCheckedIn: 0, store.StageInProgress: 1, store.StageWaitingParts: 4,
		store.StageReady: 2, store.StageDelivered: 3}[stage]
	opened := g.workingMoment(daysBack + t.IntN(2))
	v := &vb.Vehicle
	prev := v.Odometer[len(v.Odometer)-1]
	gone := opened.Sub(prev.At).Hours() / (24 * 365.25)
	km := prev.Km + max(int(float64(rate)*gone), 100+t.IntN(400))
	v.Odometer = append(v.Odometer, store.Reading{At: opened.UTC(), Km: km, Source: "checkin"})
	vb.Jobs = append(vb.Jobs, store.Job{Stage: stage, Opened: opened.UTC(),
		Description: pickTask(t, jobTasks[stage], v.Fuel).text})
}

// workingMoment is a quarter hour within opening hours on an open day at
// least daysBack days before today, and never after now.
func (g *garage) workingMoment(daysBack int) time.Time {
	t := g.times
	day := g.now
	for tries := 0; tries < 14; tries++ {
		open, close, ok := g.hours(day)
		if ok && tries >= daysBack {
			latest := close
			if g.now.Before(close) {
				latest = g.now
			}
			latest = latest.Add(-30 * time.Minute)
			if !latest.Before(open) {
				quarters := int(latest.Sub(open)/(15*time.Minute)) + 1
				return open.Add(time.Duration(t.IntN(quarters)) * 15 * time.Minute)
			}
		}
		day = day.AddDate(0, 0, -1)
	}
	return g.now.Add(-time.Hour)
}

// hours returns the opening and closing time of day's date.
func (g *garage) hours(day time.Time) (open, close time.Time, ok bool) {
	h := g.settings.Hours[(int(day.Weekday())+6)%7]
	if h.Closed {
		return open, close, false
	}
	at := func(hhmm string) time.Time {
		var hh, mm int
		fmt.Sscanf(hhmm, "%d:%d", &hh, &mm)
		return time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, day.Location())
	}
	return at(h.Open), at(h.Close), true
}

// week is the current week, Monday to Monday, in the dealership's zone.
func (g *garage) week() (from, to time.Time) {
	d := g.now
	from = time.Date(d.Year(), d.Month(), d.Day()-(int(d.Weekday())+6)%7, 0, 0, 0, 0, d.Location())
	return from, from.AddDate(0, 0, 7)
}

// appointments fills this week's calendar, Monday to Saturday, bay by bay,
// with the cars in cars.
func (g *garage) appointments(cars []*store.VehicleBundle) {
	t := g.times
	t.Shuffle(len(cars), func(i, j int) { cars[i], cars[j] = cars[j], cars[i] })
	bays := g.settings.Bays
	if len(bays) == 0 {
		bays = []store.Bay{{Department: g.settings.Departments[0]}}
	}
	from, _ := g.week()
	next := 0
	for d := range 6 {
		open, close, ok := g.hours(from.AddDate(0, 0, d))
		if !ok {
			continue
		}
		for _, bay := range bays {
			list, known := services[bay.Department]
			if !known {
				list = services[deptMechanics]
			}
			start := open.Add(time.Duration(t.IntN(3)) * 30 * time.Minute)
			for range 1 + t.IntN(3) {
				if next == len(cars) {
					return
				}
				vb := cars[next]
				s := pickTask(t, list, vb.Vehicle.Fuel)
				end := start.Add(time.Duration(s.minutes) * time.Minute)
				if end.After(close) {
					break
				}
				next++
				vb.Appointments = append(vb.Appointments, store.Appointment{Start: start.UTC(), End: end.UTC(),
					Department: bay.Department, Bay: bay.Name, Service: s.text, Status: g.status(start, end)})
				start = end.Add(time.Duration(t.IntN(3)) * 30 * time.Minute)
			}
		}
	}
}

// status is how an appointment stands now: past ones done (a few missed),
// later ones confirmed (a few only requested by the customer).
func (g *garage) status(start, end time.Time) string {
	switch {
	case !end.After(g.now) && g.times.IntN(12) == 0:
		return "no_show"
	case !end.After(g.now):
		return "done"
	case start.After(g.now) && g.times.IntN(6) == 0:
		return "requested"
	}
	return "confirmed"
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// openMoment is a quarter hour within opening hours on day's date, or on
// the next open day.
func (g *garage) openMoment(day time.Time) time.Time {
	for range 7 {
		if open, close, ok := g.hours(day); ok {
			quarters := max(int(close.Sub(open)/(15*time.Minute))-2, 1)
			return open.Add(time.Duration(g.times.IntN(quarters)) * 15 * time.Minute)
		}
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// thousands writes n with a comma every three digits: 45,200.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
