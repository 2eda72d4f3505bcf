package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pitlane/store"
)

func TestWorkshopSettings(t *testing.T) {
	e := newEnv(t)
	form := func(kv ...string) url.Values {
		v := url.Values{"slot_minutes": {"30"}, "reminder_hour": {"18"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	e.run(t, []scenario{
		{name: "workshop staff refused", path: "/settings/workshop", as: store.RoleWorkshop, status: http.StatusForbidden},
		{name: "page", path: "/settings/workshop", as: store.RoleManager, status: http.StatusOK,
			contains: []string{"Workshop set-up", `name="technicians"`, "Closed days"}},
		{name: "bad service line kept", method: http.MethodPost, path: "/settings/workshop", as: store.RoleManager,
			form: form("services", "Oil | Mechanics | sixty | 10"), status: http.StatusUnprocessableEntity,
			contains: []string{"write name | department | minutes | price", "Oil | Mechanics | sixty | 10"}},
		{name: "unknown department", method: http.MethodPost, path: "/settings/workshop", as: store.RoleManager,
			form: form("technicians", "Luca | Paint"), status: http.StatusUnprocessableEntity,
			contains: []string{"Luca: the department must be one of those in Settings.", "Luca | Paint"}},
		{name: "bad date", method: http.MethodPost, path: "/settings/workshop", as: store.RoleManager,
			form: form("closed_days", "25/12"), status: http.StatusUnprocessableEntity,
			contains: []string{"&#34;25/12&#34; is not a date"}},
		{name: "saved", method: http.MethodPost, path: "/settings/workshop", as: store.RoleManager,
			form: form("closed_days", "2026-12-25\n2026-12-26", "technicians", "Luca | Mechanics",
				"services", "Oil service | Mechanics | 60 | 120,50"), status: http.StatusSeeOther, location: "/settings/workshop"},
		{name: "shown again", path: "/settings/workshop", as: store.RoleManager, status: http.StatusOK,
			contains: []string{"Oil service | Mechanics | 60 | 120.50", "Luca | Mechanics", "2026-12-25\n2026-12-26"}},
	})
	ws, err := e.st.Workshop()
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.Services) != 1 || ws.Services[0].PriceMinor != 12050 || ws.Services[0].Minutes != 60 {
		t.Errorf("stored %+v", ws)
	}
}

// calendarEnv has two bays in Mechanics, a technician, a service type and a
// customer with a car; the server's own zone is Tokyo's (TestMain), far
// from Rome's.
func calendarEnv(t *testing.T) (*env, store.Customer, store.Vehicle, store.Workshop) {
	t.Helper()
	e := newEnv(t)
	st, _ := e.st.Settings()
	st.Bays = []store.Bay{{Name: "Bay 1", Department: "Mechanics"}, {Name: "Bay 2", Department: "Mechanics"}}
	if _, err := e.st.SaveSettings(store.CLI, st); err != nil {
		t.Fatal(err)
	}
	ws, err := e.st.SaveWorkshop(store.CLI, store.Workshop{SlotMinutes: 60, ReminderHour: 18,
		Technicians: []store.Technician{{Name: "Luca", Department: "Mechanics"}},
		Services:    []store.ServiceType{{Name: "Oil service", Department: "Mechanics", Minutes: 60, PriceMinor: 12000}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ion Popescu", Phone: "+40 721 000 111"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B123ABC", Make: "Dacia", Model: "Logan"})
	if err != nil {
		t.Fatal(err)
	}
	return e, c, v, ws
}

func TestCalendarBookAndConflicts(t *testing.T) {
	e, c, v, ws := calendarEnv(t)
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip(err)
	}
	day := time.Now().In(rome).AddDate(0, 0, 7)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	date := day.Format(time.DateOnly)
	id, tech, svc := strconv.FormatUint(c.ID, 10), strconv.FormatUint(ws.Technicians[0].ID, 10), strconv.FormatUint(ws.Services[0].ID, 10)
	book := func(kv ...string) url.Values {
		f := url.Values{"customer_id": {"#" + id}, "vehicle_id": {strconv.FormatUint(v.ID, 10)}, "department": {"Mechanics"},
			"services": {svc}, "date": {date}, "time": {"09:00"}, "minutes": {"60"}, "bay": {"Bay 1"}, "technician": {tech}}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	e.run(t, []scenario{
		{name: "book", method: http.MethodPost, path: "/calendar/appointments", as: store.RoleWorkshop, form: book(),
			status: http.StatusSeeOther, location: "/appointments/"},
		{name: "same bay refused", method: http.MethodPost, path: "/calendar/appointments", as: store.RoleWorkshop,
			form: book("time", "09:30", "technician", "0"), status: http.StatusConflict,
			contains: []string{"Bay 1 is already booked 09:00–10:00: choose another bay or time."}},
		{name: "same technician refused", method: http.MethodPost, path: "/calendar/appointments", as: store.RoleWorkshop,
			form: book("bay", "Bay 2"), status: http.StatusConflict,
			contains: []string{"Luca already has an appointment 09:00–10:00"}},
		{name: "bad date kept", method: http.MethodPost, path: "/calendar/appointments", as: store.RoleWorkshop,
			form: book("date", "soon"), status: http.StatusUnprocessableEntity, contains: []string{`value="soon"`}},
		{name: "day view shows capacity", path: "/calendar?dept=Mechanics&date=" + date, as: store.RoleSales, status: http.StatusOK,
			contains: []string{"09:00–10:00 Ion Popescu", "B123ABC", "1 of 2", "2 of 2"}},
		{name: "week view", path: "/calendar?view=week&dept=Mechanics&date=" + date, as: store.RoleSales, status: http.StatusOK,
			contains: []string{"09:00–10:00 Ion Popescu", "<small>Closed</small>"}},
		{name: "technician view", path: "/calendar?dept=Mechanics&tech=" + tech + "&date=" + date, as: store.RoleSales, status: http.StatusOK,
			contains: []string{"Ion Popescu"}},
		{name: "other bay view", path: "/calendar?dept=Mechanics&bay=Bay+2&date=" + date, as: store.RoleSales, status: http.StatusOK,
			notContains: []string{"Ion Popescu"}},
	})
	aps, err := e.st.CustomerAppointments(c.ID)
	if err != nil || len(aps) != 1 {
		t.Fatalf("appointments %v %v", aps, err)
	}
	ap := aps[0]
	// 09:00 typed is 09:00 in Rome, whatever the server's zone.
	if got := ap.Start.In(rome).Format("15:04"); got != "09:00" {
		t.Errorf("booked at %s Rome time, want 09:00", got)
	}
	path := "/appointments/" + strconv.FormatUint(ap.ID, 10)
	second, err := e.st.BookAppointment(store.CLI, store.Booking{CustomerID: c.ID, Department: "Mechanics", Bay: "Bay 2",
		Start: ap.Start.Add(2 * time.Hour), End: ap.Start.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{
		{name: "page", path: path, as: store.RoleWorkshop, status: http.StatusOK, contains: []string{"Luca", "Move", "Customer did not come"}},
		{name: "move onto the other booking refused", method: http.MethodPost, path: path + "/reschedule", as: store.RoleWorkshop,
			form:   url.Values{"date": {date}, "time": {"11:00"}, "minutes": {"60"}, "bay": {"Bay 2"}, "technician": {"0"}},
			status: http.StatusConflict, contains: []string{"Bay 2 is already booked 11:00–12:00", `value="11:00"`}},
		{name: "move", method: http.MethodPost, path: path + "/reschedule", as: store.RoleWorkshop,
			form:   url.Values{"date": {date}, "time": {"14:00"}, "minutes": {"60"}, "bay": {"Bay 2"}, "technician": {tech}},
			status: http.StatusSeeOther, location: path + "?done=calendar.rescheduled"},
		{name: "no-show", method: http.MethodPost, path: path + "/no-show", as: store.RoleWorkshop, status: http.StatusSeeOther},
		{name: "cancel the other", method: http.MethodPost, path: "/appointments/" + strconv.FormatUint(second.ID, 10) + "/cancel",
			as: store.RoleWorkshop, status: http.StatusSeeOther},
		{name: "unknown action", method: http.MethodPost, path: path + "/explode", as: store.RoleWorkshop, status: http.StatusNotFound},
	})
	got, _ := e.st.Appointment(ap.ID)
	if got.Status != store.ApptNoShow || got.Start.In(rome).Format("15:04") != "14:00" || got.Bay != "Bay 2" {
		t.Errorf("after the moves: %+v", got)
	}
	n, _ := e.st.DueNotifications(100)
	if len(n) != 5 { // booked twice, moved, no-show, cancelled
		t.Errorf("%d notifications queued, want 5", len(n))
	}
}

func (p phone) post(path string, form url.Values) (*http.Response, string) {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", androidUA)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return p.send(req)
}

func TestAppRequestProposeAccept(t *testing.T) {
	e, c, v, ws := calendarEnv(t)
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip(err)
	}
	p := pairPhone(t, e, c.ID)
	svc := strconv.FormatUint(ws.Services[0].ID, 10)
	resp, body := p.get("/app/appointments/new?dept=Mechanics&services=" + svc)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Oil service") {
		t.Fatalf("request form: %d %.300s", resp.StatusCode, body)
	}
	slots := regexp.MustCompile(`name="slot" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(slots) == 0 {
		t.Fatalf("no slots offered: %.2000s", body)
	}
	for _, s := range slots {
		at, err := time.Parse(time.RFC3339, s[1])
		if err != nil {
			t.Fatal(err)
		}
		// Offered slots fall within Rome's opening hours, whatever the server's zone (Tokyo here).
		if l := at.In(rome); l.Hour() < 8 || l.Hour() > 17 || l.Weekday() == time.Sunday {
			t.Errorf("slot %s is %s in Rome", s[1], l)
		}
	}
	form := url.Values{"dept": {"Mechanics"}, "services": {svc}, "vehicle": {strconv.FormatUint(v.ID, 10)},
		"description": {"Brakes squeak"}, "slot": {slots[0][1]}}
	bad := url.Values{"dept": {"Mechanics"}, "services": {svc}, "slot": {"2020-01-01T03:00:00Z"}}
	if resp, body := p.post("/app/appointments", bad); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "This time is not offered") {
		t.Errorf("a slot not offered: %d %.300s", resp.StatusCode, body)
	}
	resp, _ = p.post("/app/appointments", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	path, _, _ := strings.Cut(resp.Header.Get("Location"), "?")
	if _, body := p.get(resp.Header.Get("Location")); !strings.Contains(body, "Request sent") || !strings.Contains(body, "B123ABC") {
		t.Errorf("after the request: %.500s", body)
	}
	aps, _ := e.st.CustomerAppointments(c.ID)
	if len(aps) != 1 || aps[0].Status != store.ApptRequested || aps[0].Description != "Brakes squeak" {
		t.Fatalf("stored %+v", aps)
	}
	id := strconv.FormatUint(aps[0].ID, 10)
	next := aps[0].Start.In(rome).AddDate(0, 0, 1)
	e.run(t, []scenario{
		{name: "staff propose", method: http.MethodPost, path: "/appointments/" + id + "/propose", as: store.RoleWorkshop,
			form:   url.Values{"date": {next.Format(time.DateOnly)}, "time": {"15:00"}, "minutes": {"60"}},
			status: http.StatusSeeOther},
	})
	if _, body := p.get(path); !strings.Contains(body, "Does it suit you?") || !strings.Contains(body, "15:00") {
		t.Errorf("proposal not shown: %.800s", body)
	}
	if resp, _ := p.post(path+"/accept", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", resp.StatusCode)
	}
	got, _ := e.st.Appointment(aps[0].ID)
	if got.Status != store.ApptConfirmed || got.Start.In(rome).Format("15:04") != "15:00" {
		t.Errorf("after accepting: %+v", got)
	}
	if resp, _ := p.post(path+"/accept", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("accepting twice: %d", resp.StatusCode)
	}
	n, _ := e.st.DueNotifications(10)
	if len(n) != 2 || n[0].TitleKey != "calendar.notify.requested.title" || n[1].TitleKey != "calendar.notify.proposed.title" {
		t.Errorf("notifications %+v", n)
	}
}

func TestCalendarFeeds(t *testing.T) {
	e, c, v, ws := calendarEnv(t)
	start := time.Now().Truncate(time.Hour).Add(48 * time.Hour)
	if _, err := e.st.BookAppointment(store.CLI, store.Booking{CustomerID: c.ID, VehicleID: v.ID, Department: "Mechanics", Bay: "Bay 1",
		Technician: ws.Technicians[0].ID, Services: []uint64{ws.Services[0].ID}, Start: start, End: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tech := "technician:" + strconv.FormatUint(ws.Technicians[0].ID, 10)
	e.run(t, []scenario{
		{name: "workshop staff cannot make links", method: http.MethodPost, path: "/settings/workshop/feeds", as: store.RoleWorkshop,
			form: url.Values{"what": {tech}}, status: http.StatusForbidden},
		{name: "make the technician's link", method: http.MethodPost, path: "/settings/workshop/feeds", as: store.RoleManager,
			form: url.Values{"what": {tech}}, status: http.StatusSeeOther},
		{name: "unknown feed", method: http.MethodPost, path: "/settings/workshop/feeds", as: store.RoleManager,
			form: url.Values{"what": {"department:Paint"}}, status: http.StatusNotFound},
		{name: "listed", path: "/settings/workshop", as: store.RoleManager, status: http.StatusOK, contains: []string{"/calendar/feed/"}},
	})
	w, _ := e.st.Workshop()
	token := w.FeedToken(tech)
	if token == "" {
		t.Fatal("no token made")
	}
	resp, body := e.do(scenario{method: http.MethodGet, path: "/calendar/feed/" + token + ".ics"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("feed: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	want := "DTSTART:" + start.UTC().Format("20060102T150405Z") + "\r\n"
	if !strings.Contains(body, want) || !strings.Contains(body, "Oil service · Ion Popescu · B123ABC") ||
		!strings.Contains(body, "X-WR-TIMEZONE:Europe/Rome") || !strings.Contains(body, "STATUS:CONFIRMED") {
		t.Errorf("feed lacks the appointment (%q): %s", want, body)
	}
	if _, err := e.st.RegenerateFeed(store.CLI, tech); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.do(scenario{method: http.MethodGet, path: "/calendar/feed/" + token + ".ics"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("old link after a new one: %d", resp.StatusCode)
	}
	if resp, _ := e.do(scenario{method: http.MethodGet, path: "/calendar/feed/guess.ics"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a guessed link: %d", resp.StatusCode)
	}
}

func TestAppWaitlist(t *testing.T) {
	e, c, _, ws := calendarEnv(t)
	p := pairPhone(t, e, c.ID)
	svc := strconv.FormatUint(ws.Services[0].ID, 10)
	day := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	if resp, body := p.post("/app/waitlist", url.Values{"dept": {"Mechanics"}, "services": {svc}, "from": {day}, "to": {"yesterday"}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Choose a first and a last day") {
		t.Errorf("bad dates: %d %.300s", resp.StatusCode, body)
	}
	resp, _ := p.post("/app/waitlist", url.Values{"dept": {"Mechanics"}, "services": {svc}, "from": {day}, "to": {day}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("join: %d", resp.StatusCode)
	}
	if _, body := p.get(resp.Header.Get("Location")); !strings.Contains(body, "You are on the waiting list.") || !strings.Contains(body, "Mechanics, "+day) {
		t.Errorf("waitlist not shown: %.1500s", body)
	}
	list, _ := e.st.CustomerWaitlist(c.ID)
	if len(list) != 1 {
		t.Fatalf("waitlist %+v", list)
	}
	if resp, _ := p.post("/app/waitlist/"+strconv.FormatUint(list[0].ID, 10)+"/leave", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("leave: %d", resp.StatusCode)
	}
	if list, _ := e.st.CustomerWaitlist(c.ID); len(list) != 0 {
		t.Errorf("still waiting %+v", list)
	}
}

func TestAppointmentsAPI(t *testing.T) {
	e, c, v, ws := calendarEnv(t)
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip(err)
	}
	day := time.Now().In(rome).AddDate(0, 0, 7)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	at := func(h int) string {
		return time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, rome).Format(time.RFC3339)
	}
	booking := func(h int, bay string) string {
		return `{"customer_id": ` + strconv.FormatUint(c.ID, 10) + `, "vehicle_id": ` + strconv.FormatUint(v.ID, 10) +
			`, "department": "Mechanics", "bay": "` + bay + `", "services": [` + strconv.FormatUint(ws.Services[0].ID, 10) +
			`], "start": "` + at(h) + `", "end": "` + at(h+1) + `"}`
	}
	dayFrom, dayTo := url.QueryEscape(at(0)), url.QueryEscape(at(23))
	e.run(t, []scenario{
		{name: "book", method: http.MethodPost, path: "/api/v1/appointments", as: store.RoleWorkshop, apiKey: true,
			json: booking(9, "Bay 1"), status: http.StatusCreated, contains: []string{`"status":"confirmed"`, `"service":"Oil service"`}},
		{name: "conflict", method: http.MethodPost, path: "/api/v1/appointments", as: store.RoleWorkshop, apiKey: true,
			json: booking(9, "Bay 1"), status: http.StatusConflict, contains: []string{`"code":"conflict"`, "Bay 1 is already booked"}},
		{name: "list", path: "/api/v1/appointments?department=Mechanics&from=" + dayFrom + "&to=" + dayTo, as: store.RoleSales, apiKey: true,
			status: http.StatusOK, contains: []string{`"bay":"Bay 1"`}},
		{name: "bad range", path: "/api/v1/appointments?from=" + dayTo + "&to=" + dayFrom, as: store.RoleSales, apiKey: true,
			status: http.StatusUnprocessableEntity},
		{name: "availability", path: "/api/v1/availability?department=Mechanics&minutes=60&from=" + dayFrom + "&to=" + dayTo,
			as: store.RoleSales, apiKey: true, status: http.StatusOK, contains: []string{`"free":1`, `"free":2`}},
		{name: "cancel", method: http.MethodPost, path: "/api/v1/appointments/1/cancel", as: store.RoleWorkshop, apiKey: true,
			status: http.StatusOK, contains: []string{`"status":"cancelled"`}},
		{name: "cancel again", method: http.MethodPost, path: "/api/v1/appointments/1/cancel", as: store.RoleWorkshop, apiKey: true,
			status: http.StatusConflict},
		{name: "unknown", path: "/api/v1/appointments/99", as: store.RoleWorkshop, apiKey: true, status: http.StatusNotFound},
	})
}
