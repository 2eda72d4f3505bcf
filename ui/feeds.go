package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/ical"
	"pitlane/store"
	"pitlane/web"
)

// A feed shows a month back and half a year ahead.
const (
	feedPast   = 30 * 24 * time.Hour
	feedFuture = 183 * 24 * time.Hour
)

// feedLink is one department's or technician's feed on the set-up page.
type feedLink struct {
	What, Name, URL string
}

func (u *UI) feedLinks(c *fiber.Ctx, st store.Settings, ws store.Workshop) []feedLink {
	base := u.linkBase(c)
	var out []feedLink
	add := func(what, name string) {
		l := feedLink{What: what, Name: name}
		if token := ws.FeedToken(what); token != "" {
			l.URL = base + "/calendar/feed/" + token + ".ics"
		}
		out = append(out, l)
	}
	for _, d := range st.Departments {
		add("department:"+d, d)
	}
	for _, t := range ws.Technicians {
		add("technician:"+strconv.FormatUint(t.ID, 10), t.Name)
	}
	return out
}

// regenerateFeed gives a feed a new secret link; the old one stops working.
func (u *UI) regenerateFeed(c *fiber.Ctx) error {
	if _, err := u.Store.RegenerateFeed(web.Actor(c), c.FormValue("what")); err != nil {
		return err
	}
	return redirect(c, "/settings/workshop?done=calendar.feed_made#feeds")
}

var feedStatus = map[string]string{
	store.ApptRequested: "TENTATIVE", store.ApptProposed: "TENTATIVE", store.ApptConfirmed: "CONFIRMED",
	store.ApptDone: "CONFIRMED", store.ApptNoShow: "CONFIRMED", store.ApptCancelled: "CANCELLED", store.ApptDeclined: "CANCELLED",
}

// calendarFeed serves a department's or technician's appointments as an
// iCalendar feed to whoever holds its secret link (calendar apps send no
// cookies).
func (u *UI) calendarFeed(c *fiber.Ctx) error {
	what, err := u.Store.Feed(c.Params("token"))
	if err != nil {
		return err
	}
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	ws, err := u.Store.Workshop()
	if err != nil {
		return err
	}
	kind, name, _ := strings.Cut(what, ":")
	techID, _ := strconv.ParseUint(name, 10, 64)
	title := st.Name + " · " + name
	if t, ok := ws.Technician(techID); ok && kind == "technician" {
		title = st.Name + " · " + t.Name
	}
	now := time.Now()
	rows, err := u.Store.Agenda(now.Add(-feedPast), now.Add(feedFuture))
	if err != nil {
		return err
	}
	cal := ical.Calendar{ProdID: "-//Pitlane//Pitlane " + u.Version + "//EN", Name: title, TimeZone: st.TimeZone}
	for _, r := range rows {
		if (kind == "department" && r.Department != name) || (kind == "technician" && r.Technician != techID) {
			continue
		}
		summary := r.Service
		for _, s := range []string{r.Customer, r.Plate} {
			if s != "" {
				summary += " · " + s
			}
		}
		stamp := r.Created
		if r.Updated.After(stamp) {
			stamp = r.Updated
		}
		loc := r.Department
		if r.Bay != "" {
			loc += " · " + r.Bay
		}
		cal.Events = append(cal.Events, ical.Event{UID: "appointment-" + strconv.FormatUint(r.ID, 10) + "@pitlane",
			Start: r.Start, End: r.End, Stamp: stamp, Summary: summary, Location: loc, Description: strings.TrimSpace(r.Car + "\n" + r.Description),
			Status: feedStatus[r.Status]})
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(cal.Bytes())
}
