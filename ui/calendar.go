package ui

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

// calendarQuery is what a calendar page shows: a day or the week holding
// it, of one department, optionally narrowed to a bay or a technician; the
// day in a column per bay, or per technician (ByTech).
type calendarQuery struct {
	Day        time.Time // local midnight
	Week       bool
	Department string
	Bay        string
	Technician uint64
	ByTech     bool
}

func (q calendarQuery) link(day time.Time, week bool) string {
	v := url.Values{"date": {day.Format(time.DateOnly)}, "dept": {q.Department}}
	if week {
		v.Set("view", "week")
	}
	if q.Bay != "" {
		v.Set("bay", q.Bay)
	}
	if q.Technician != 0 {
		v.Set("tech", strconv.FormatUint(q.Technician, 10))
	}
	if q.ByTech {
		v.Set("by", "tech")
	}
	return "/calendar?" + v.Encode()
}

type calendarRow struct {
	Start, End  time.Time
	Free, Total int
	// Cells are the slot's appointments by bay, one per column.
	Cells []calendarCell
}

type calendarDay struct {
	Day       time.Time
	Link      string
	Closed    bool
	FreeSlots int
	// Cells are the day's slots, one per time of the week's grid.
	Cells []calendarCell
	Loose []store.AgendaRow // starting between the day's slots
}

// calendarCell is one slot of the week's grid, or of one bay in the day's
// (Open is false where the day has no slot at that time). Date, Time and,
// in the day's grid, Bay or Tech (by the column) are where an appointment
// dropped on it goes, as the reschedule form takes them: in the
// dealership's zone.
type calendarCell struct {
	Date, Time   string
	Bay          string
	Tech         uint64
	Open         bool
	Appointments []store.AgendaRow
}

// calendarColumn is a column of the day's grid: a bay, or a technician
// (Tech); the last one, None, holds the appointments on none yet.
type calendarColumn struct {
	Name string
	Bay  string
	Tech uint64
	None bool
}

type calendarData struct {
	Q                 calendarQuery
	Workshop          store.Workshop
	Bays              []string
	Techs             []store.Technician
	Rows              []calendarRow
	Days              []calendarDay
	Times             []string          // the week grid's rows: slot starts, "15:04"
	Columns           []calendarColumn  // the day grid's bays or technicians
	Loose             []store.AgendaRow // outside the day's slots
	Prev, Next        string
	DayLink, WeekLink string
	ByBayLink         string // the day by bay, when it is shown by technician
	ByTechLink        string // and the other way round
	NewLink           string
}

func (u *UI) calendarPage(c *fiber.Ctx) error {
	if done, err := u.cachedPage(c, "calendar.title", "calendar", string(c.Request().URI().QueryString())); done || err != nil {
		return err
	}
	v, err := u.view(c, "calendar.title")
	if err != nil {
		return err
	}
	ws, err := u.Store.Workshop()
	if err != nil {
		return err
	}
	loc := v.Settings.Location()
	now := time.Now().In(loc)
	q := calendarQuery{Day: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc), Week: c.Query("view") == "week",
		Department: c.Query("dept"), Bay: c.Query("bay")}
	if d, err := time.ParseInLocation(time.DateOnly, c.Query("date"), loc); err == nil {
		q.Day = d
	}
	if !contains(v.Settings.Departments, q.Department) {
		q.Department = v.Settings.Departments[0]
	}
	q.Technician, _ = strconv.ParseUint(c.Query("tech"), 10, 64)
	d := calendarData{Q: q, Workshop: ws}
	for _, b := range v.Settings.Bays {
		if b.Department == q.Department {
			d.Bays = append(d.Bays, b.Name)
		}
	}
	for _, t := range ws.Technicians {
		if t.Department == q.Department {
			d.Techs = append(d.Techs, t)
		}
	}
	if !contains(d.Bays, q.Bay) {
		q.Bay = ""
	}
	if t, ok := ws.Technician(q.Technician); !ok || t.Department != q.Department {
		q.Technician = 0
	}
	q.ByTech = c.Query("by") == "tech" && len(d.Techs) > 0
	d.Q = q
	from, days := q.Day, 1
	if q.Week {
		from = q.Day.AddDate(0, 0, -((int(q.Day.Weekday()) + 6) % 7))
		days = 7
	}
	to := from.AddDate(0, 0, days)
	rows, err := u.Store.Agenda(from, to)
	if err != nil {
		return err
	}
	var shown []store.AgendaRow
	cp := store.Capacity{Loc: loc, Hours: v.Settings.Hours, ClosedDays: ws.ClosedDays, Slot: time.Duration(ws.SlotMinutes) * time.Minute, Bays: d.Bays}
	for _, r := range rows {
		if r.Department != q.Department || !holdsTime(r.Status) {
			if r.Department == q.Department && (q.Bay == "" || r.Bay == q.Bay) && (q.Technician == 0 || r.Technician == q.Technician) {
				shown = append(shown, r)
			}
			continue
		}
		cp.Busy = append(cp.Busy, store.Busy{Start: r.Start, End: r.End, Bay: r.Bay, Technician: r.Technician})
		if (q.Bay == "" || r.Bay == q.Bay) && (q.Technician == 0 || r.Technician == q.Technician) {
			shown = append(shown, r)
		}
	}
	slot := cp.Slot
	open := cp
	open.Busy = nil
	if q.Week {
		slots := make([][]store.Slot, days)
		row := map[string]int{}
		for i := range days {
			day := from.AddDate(0, 0, i)
			slots[i] = store.Availability(open, day, day, time.Time{}, slot)
			for _, s := range slots[i] {
				row[s.Start.In(loc).Format("15:04")] = 0
			}
		}
		for tm := range row {
			d.Times = append(d.Times, tm)
		}
		sort.Strings(d.Times)
		for k, tm := range d.Times {
			row[tm] = k
		}
		placed := map[uint64]bool{}
		for i := range days {
			day := from.AddDate(0, 0, i)
			cd := calendarDay{Day: day, Link: q.link(day, false), Closed: len(slots[i]) == 0,
				FreeSlots: len(store.Availability(cp, day, day, time.Time{}, slot)), Cells: make([]calendarCell, len(d.Times))}
			for k, tm := range d.Times {
				cd.Cells[k] = calendarCell{Date: day.Format(time.DateOnly), Time: tm}
			}
			for _, s := range slots[i] {
				cell := &cd.Cells[row[s.Start.In(loc).Format("15:04")]]
				cell.Open = true
				for _, r := range shown {
					if !r.Start.Before(s.Start) && r.Start.Before(s.End) {
						cell.Appointments = append(cell.Appointments, r)
						placed[r.ID] = true
					}
				}
			}
			for _, r := range shown {
				if !placed[r.ID] && !r.Start.Before(day) && r.Start.Before(day.AddDate(0, 0, 1)) {
					cd.Loose = append(cd.Loose, r)
					d.Loose = append(d.Loose, r)
				}
			}
			d.Days = append(d.Days, cd)
		}
		d.Prev, d.Next = q.link(from.AddDate(0, 0, -7), true), q.link(from.AddDate(0, 0, 7), true)
	} else {
		d.Columns = dayColumns(q, d.Bays, d.Techs)
		column := func(r store.AgendaRow) int {
			for i, col := range d.Columns {
				if (q.ByTech && col.Tech == r.Technician) || (!q.ByTech && col.Bay == r.Bay && !col.None) {
					return i
				}
			}
			return len(d.Columns) - 1 // on none, or on one since removed from the settings
		}
		placed := map[uint64]bool{}
		for _, s := range store.Availability(open, q.Day, q.Day, time.Time{}, slot) {
			local := s.Start.In(loc)
			row := calendarRow{Start: s.Start, End: s.End, Free: cp.Free(s.Start, s.End), Total: len(d.Bays),
				Cells: make([]calendarCell, len(d.Columns))}
			for i, col := range d.Columns {
				row.Cells[i] = calendarCell{Date: local.Format(time.DateOnly), Time: local.Format("15:04"), Bay: col.Bay, Tech: col.Tech, Open: true}
			}
			for _, r := range shown {
				if !r.Start.Before(s.Start) && r.Start.Before(s.End) {
					cell := &row.Cells[column(r)]
					cell.Appointments = append(cell.Appointments, r)
					placed[r.ID] = true
				}
			}
			d.Rows = append(d.Rows, row)
		}
		for _, r := range shown {
			if !placed[r.ID] {
				d.Loose = append(d.Loose, r)
			}
		}
		d.Prev, d.Next = q.link(q.Day.AddDate(0, 0, -1), false), q.link(q.Day.AddDate(0, 0, 1), false)
	}
	d.DayLink, d.WeekLink = q.link(q.Day, false), q.link(q.Day, true)
	if len(d.Techs) > 0 {
		byBay, byTech := q, q
		byBay.ByTech, byTech.ByTech = false, true
		d.ByBayLink, d.ByTechLink = byBay.link(q.Day, false), byTech.link(q.Day, false)
	}
	d.NewLink = "/calendar/new?" + url.Values{"dept": {q.Department}, "date": {q.Day.Format(time.DateOnly)}}.Encode()
	v.Data = d
	return u.render(c, fiber.StatusOK, "calendar", v)
}

// dayColumns are the day grid's columns: the department's bays, or its
// technicians, narrowed to the one the query names, and then a column for
// the appointments on none (unless narrowed).
func dayColumns(q calendarQuery, bays []string, techs []store.Technician) []calendarColumn {
	var cols []calendarColumn
	switch {
	case q.ByTech:
		for _, t := range techs {
			if q.Technician == 0 || t.ID == q.Technician {
				cols = append(cols, calendarColumn{Name: t.Name, Tech: t.ID})
			}
		}
		if q.Technician != 0 {
			return cols
		}
	default:
		for _, b := range bays {
			if q.Bay == "" || b == q.Bay {
				cols = append(cols, calendarColumn{Name: b, Bay: b})
			}
		}
		if q.Bay != "" {
			return cols
		}
	}
	return append(cols, calendarColumn{None: true})
}

// calendarAppt is an appointment on the calendar with the page's locale,
// for the "appt" template, which sees nothing else.
type calendarAppt struct {
	store.AgendaRow
	Loc i18n.Locale
}

// Appt gives the calendar's "appt" template one appointment.
func (v *View) Appt(r store.AgendaRow) calendarAppt { return calendarAppt{AgendaRow: r, Loc: v.Loc} }

func holdsTime(status string) bool {
	return status == store.ApptRequested || status == store.ApptProposed || status == store.ApptConfirmed
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// bookingForm is the form that books or moves an appointment.
type bookingForm struct {
	Appointment store.Appointment
	Customer    store.Customer
	Vehicles    []store.Vehicle
	Workshop    store.Workshop
	Departments []string
	Bays        []store.Bay
	Selected    map[uint64]bool
}

// parseWhen reads a date and a time typed in the dealership's zone and a
// length in minutes.
func parseWhen(c *fiber.Ctx, loc *time.Location) (start, end time.Time, err error) {
	start, perr := time.ParseInLocation("2006-01-02 15:04", c.FormValue("date")+" "+c.FormValue("time"), loc)
	if perr != nil {
		return start, end, store.Invalid("date", "common.error.invalid_date")
	}
	minutes, merr := strconv.Atoi(c.FormValue("minutes"))
	if merr != nil || minutes <= 0 || minutes > 24*60 {
		return start, end, store.Invalid("minutes", "common.error.invalid_number")
	}
	return start, start.Add(time.Duration(minutes) * time.Minute), nil
}

func (u *UI) bookingView(c *fiber.Ctx, customerID uint64) (*View, error) {
	v, err := u.view(c, "calendar.new")
	if err != nil {
		return nil, err
	}
	ws, err := u.Store.Workshop()
	if err != nil {
		return nil, err
	}
	f := bookingForm{Workshop: ws, Departments: v.Settings.Departments, Bays: v.Settings.Bays, Selected: map[uint64]bool{}}
	if customerID != 0 {
		if f.Customer, err = u.Store.Customer(customerID); err != nil {
			return nil, err
		}
		if f.Vehicles, err = u.Store.CustomerVehicles(customerID); err != nil {
			return nil, err
		}
	}
	for _, s := range c.Request().PostArgs().PeekMulti("services") {
		id, _ := strconv.ParseUint(string(s), 10, 64)
		f.Selected[id] = true
	}
	v.Data = f
	return v, nil
}

func (u *UI) newBookingPage(c *fiber.Ctx) error {
	id, _ := strconv.ParseUint(strings.TrimPrefix(c.Query("customer"), "#"), 10, 64)
	v, err := u.bookingView(c, id)
	if err != nil {
		return err
	}
	v.Form["department"], v.Form["date"], v.Form["time"] = c.Query("dept"), c.Query("date"), c.Query("time")
	v.Form["customer_id"] = c.Query("customer")
	v.Form["minutes"] = strconv.Itoa(v.Data.(bookingForm).Workshop.SlotMinutes)
	return u.render(c, fiber.StatusOK, "booking", v)
}

func (u *UI) createBooking(c *fiber.Ctx) error {
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	b := store.Booking{Department: c.FormValue("department"), Bay: c.FormValue("bay"), Description: c.FormValue("description")}
	b.CustomerID, _ = strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(c.FormValue("customer_id")), "#"), 10, 64)
	b.VehicleID, _ = strconv.ParseUint(c.FormValue("vehicle_id"), 10, 64)
	b.Technician, _ = strconv.ParseUint(c.FormValue("technician"), 10, 64)
	for _, s := range c.Request().PostArgs().PeekMulti("services") {
		id, _ := strconv.ParseUint(string(s), 10, 64)
		b.Services = append(b.Services, id)
	}
	var ap store.Appointment
	b.Start, b.End, err = parseWhen(c, st.Location())
	if err == nil {
		ap, err = u.Store.BookAppointment(web.Actor(c), b)
	}
	if err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		cust := b.CustomerID
		if _, cerr := u.Store.Customer(cust); cerr != nil {
			cust = 0
		}
		v, verr := u.bookingView(c, cust)
		if verr != nil {
			return verr
		}
		v.keep(c, "customer_id", "vehicle_id", "department", "bay", "technician", "date", "time", "minutes", "description")
		v.fail(err)
		return u.render(c, web.Status(err), "booking", v)
	}
	return redirect(c, "/appointments/"+strconv.FormatUint(ap.ID, 10)+"?done=calendar.booked")
}
