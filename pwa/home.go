package pwa

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

// homeData is the app's first page. The inbox is a block of home.html that
// a *.part.html template replaces (see parseTemplates); what it shows goes
// in Inbox.
type homeData struct {
	Cars  []store.Vehicle
	Hours hoursView
	Inbox any
}

func (p *PWA) home(c *fiber.Ctx) error {
	me := web.PrincipalOf(c)
	v, err := p.view(c, "pwa.home.title")
	if err != nil {
		return err
	}
	cars, err := p.Store.CustomerVehicles(me.CustomerID)
	if err != nil {
		return err
	}
	inbox, err := p.inbox(me.CustomerID)
	if err != nil {
		return err
	}
	v.Data = homeData{Cars: cars, Hours: openingHours(v.Settings, v.Lang, time.Now()), Inbox: inbox}
	return p.render(c, fiber.StatusOK, "home", v)
}

// car shows one of the customer's cars; another customer's car does not
// exist for them.
func (p *PWA) car(c *fiber.Ctx) error {
	me := web.PrincipalOf(c)
	id, err := strconv.ParseUint(c.Params("vehicle"), 10, 64)
	if err != nil {
		return store.NotFound()
	}
	car, err := p.Store.Vehicle(id)
	if err != nil {
		return err
	}
	if car.CustomerID != me.CustomerID {
		return store.NotFound()
	}
	v, err := p.view(c, "pwa.car.title")
	if err != nil {
		return err
	}
	v.Data = car
	return p.render(c, fiber.StatusOK, "car", v)
}

// LastReading is a car's latest odometer reading, if any.
func (v *view) LastReading(car store.Vehicle) *store.Reading {
	if n := len(car.Odometer); n > 0 {
		return &car.Odometer[n-1]
	}
	return nil
}

// Km formats a distance in the page's language: "48,200 km", "48.200 km".
func (v *view) Km(km int) string {
	return i18n.T(v.Lang, "pwa.car.km", "km", v.Loc.Number(float64(km), 0))
}

// Fuel names a fuel type in the page's language.
func (v *view) Fuel(fuel string) string { return i18n.T(v.Lang, "fuel."+fuel) }

// hoursView is the dealership's week, and whether it is open now, in its
// own time zone (the customer may be travelling; the garage is not).
type hoursView struct {
	Days []dayView
	Now  string // "Open now, until 18:00" or "Closed now. Opens tomorrow at 08:00."
	Open bool
}

type dayView struct {
	Name        string
	Closed      bool
	Open, Close string
	Today       bool
}

// weekdays are the catalogue's names of Settings.Hours' days, Monday first.
var weekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

func openingHours(st store.Settings, lang i18n.Lang, now time.Time) hoursView {
	now = now.In(st.Location())
	today := (int(now.Weekday()) + 6) % 7 // Monday is 0, as in Settings.Hours
	clock := now.Format("15:04")
	var h hoursView
	for i, d := range st.Hours {
		h.Days = append(h.Days, dayView{Name: capitalize(i18n.T(lang, "date.weekday."+weekdays[i])),
			Closed: d.Closed, Open: d.Open, Close: d.Close, Today: i == today})
	}
	if d := st.Hours[today]; !d.Closed && d.Open <= clock && clock < d.Close {
		h.Open = true
		h.Now = i18n.T(lang, "pwa.dealer.open_until", "time", d.Close)
		return h
	}
	for ahead := range 8 {
		i := (today + ahead) % 7
		d := st.Hours[i]
		if d.Closed || d.Open == "" || (ahead == 0 && d.Open <= clock) {
			continue
		}
		day := i18n.T(lang, "date.weekday."+weekdays[i])
		switch ahead {
		case 0:
			day = i18n.T(lang, "pwa.dealer.today")
		case 1:
			day = i18n.T(lang, "pwa.dealer.tomorrow")
		}
		h.Now = i18n.T(lang, "pwa.dealer.opens", "day", day, "time", d.Open)
		return h
	}
	h.Now = i18n.T(lang, "pwa.dealer.closed_now")
	return h
}

// capitalize upper-cases the first letter, for a weekday heading in a
// language that writes weekdays in lower case mid-sentence.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.TrimPrefix(s, s[:size])
}
