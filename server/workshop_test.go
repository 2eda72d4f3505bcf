package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pitlane/store"
)

// bookedDay is a weekday a week ahead, as the calendar's forms write it.
func bookedDay(t *testing.T) (time.Time, string) {
	t.Helper()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip(err)
	}
	day := time.Now().In(rome).AddDate(0, 0, 7)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, rome)
	return day, day.Format(time.DateOnly)
}

// TestRescheduleFromTheCalendar is what the calendar's script sends when an
// appointment is dropped on another slot: the same form, asking for JSON.
func TestRescheduleFromTheCalendar(t *testing.T) {
	e, c, v, _ := calendarEnv(t)
	day, date := bookedDay(t)
	ap, err := e.st.BookAppointment(store.CLI, store.Booking{CustomerID: c.ID, VehicleID: v.ID, Department: "Mechanics",
		Bay: "Bay 1", Start: day.Add(9 * time.Hour), End: day.Add(10 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.BookAppointment(store.CLI, store.Booking{CustomerID: c.ID, Department: "Mechanics",
		Bay: "Bay 1", Start: day.Add(11 * time.Hour), End: day.Add(12 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/appointments/%d/reschedule", ap.ID)
	drop := func(tm string) url.Values {
		return url.Values{"date": {date}, "time": {tm}, "minutes": {"60"}, "bay": {"Bay 1"}, "technician": {"0"}}
	}
	asJSON := map[string]string{"Accept": "application/json"}
	it := map[string]string{"Accept": "application/json", "Accept-Language": "it"}
	e.run(t, []scenario{
		{name: "week grid offers the slots", path: "/calendar?view=week&dept=Mechanics&date=" + date, as: store.RoleWorkshop,
			status: http.StatusOK, contains: []string{`data-drop data-date="` + date + `" data-time="09:00"`,
				fmt.Sprintf(`class="appt movable" data-appt="%d"`, ap.ID), "calendar.js"}},
		{name: "day grid offers each bay's slots", path: "/calendar?dept=Mechanics&date=" + date, as: store.RoleWorkshop,
			status: http.StatusOK, contains: []string{`data-drop data-date="` + date + `" data-time="14:00" data-bay="Bay 2"`,
				`data-time="14:00" data-bay=""`, "No bay yet</th>",
				fmt.Sprintf(`data-time="09:00" data-bay="Bay 1"><p class="appt movable" data-appt="%d"`, ap.ID)}},
		{name: "one bay's grid", path: "/calendar?dept=Mechanics&bay=Bay+2&date=" + date, as: store.RoleWorkshop,
			status: http.StatusOK, contains: []string{`data-bay="Bay 2"`}, notContains: []string{`data-bay="Bay 1"`, "No bay yet"}},
		{name: "onto the booked bay refused in Italian", method: http.MethodPost, path: path, as: store.RoleWorkshop,
			form: drop("11:00"), header: it, status: http.StatusConflict,
			contains: []string{`"error":"Bay 1 è già prenotata 11:00–12:00`}},
		{name: "a bad time said as JSON", method: http.MethodPost, path: path, as: store.RoleWorkshop,
			form: url.Values{"date": {"soon"}, "time": {"9"}, "minutes": {"60"}}, header: asJSON,
			status: http.StatusUnprocessableEntity, contains: []string{`"error":`}},
		{name: "without the token refused", method: http.MethodPost, path: path, as: store.RoleWorkshop,
			form: drop("14:00"), header: asJSON, noCSRF: true, status: http.StatusForbidden},
		{name: "onto a free slot", method: http.MethodPost, path: path, as: store.RoleWorkshop,
			form: drop("14:00"), header: asJSON, status: http.StatusOK, contains: []string{`"url":"/appointments/`}},
	})
	got, _ := e.st.Appointment(ap.ID)
	if !got.Start.Equal(day.Add(14*time.Hour)) || !got.End.Equal(day.Add(15*time.Hour)) || got.Bay != "Bay 1" {
		t.Errorf("after the drop: %s–%s %s", got.Start, got.End, got.Bay)
	}
}

func TestOpenJobFromAppointmentPage(t *testing.T) {
	e, c, v, ws := calendarEnv(t)
	day, _ := bookedDay(t)
	ap, err := e.st.BookAppointment(store.CLI, store.Booking{CustomerID: c.ID, VehicleID: v.ID, Department: "Mechanics",
		Services: []uint64{ws.Services[0].ID}, Description: "Noise when braking", Start: day.Add(9 * time.Hour), End: day.Add(10 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	noCar, err := e.st.BookAppointment(store.CLI, store.Booking{CustomerID: c.ID, Department: "Mechanics",
		Start: day.Add(11 * time.Hour), End: day.Add(12 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/appointments/%d", ap.ID)
	e.run(t, []scenario{
		{name: "offered", path: path, as: store.RoleWorkshop, status: http.StatusOK,
			contains: []string{`action="` + path + `/job"`, "Open the job"}},
		{name: "opened", method: http.MethodPost, path: path + "/job", as: store.RoleWorkshop,
			status: http.StatusSeeOther, location: "/jobs/"},
	})
	got, _ := e.st.Appointment(ap.ID)
	j, err := e.st.Job(got.JobID)
	if err != nil || got.Status != store.ApptDone || j.AppointmentID != ap.ID || len(j.Lines) != 1 {
		t.Fatalf("appointment %+v, job %+v, %v", got, j, err)
	}
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	e.run(t, []scenario{
		{name: "the job shows its appointment and line", path: jp, as: store.RoleWorkshop, status: http.StatusOK,
			contains: []string{`href="` + path + `"`, "Noise when braking", "Labour: Oil service", "Approved"}},
		{name: "the appointment links its job", path: path, as: store.RoleWorkshop, status: http.StatusOK,
			contains:    []string{`<a id="appointment-job" href="` + jp + `">` + j.Number + "</a>", "Done"},
			notContains: []string{`action="` + path + `/job"`}},
		{name: "twice goes to the same job", method: http.MethodPost, path: path + "/job", as: store.RoleWorkshop,
			status: http.StatusSeeOther, location: jp + "?done=calendar.job_exists"},
		{name: "no car refused with the reason", method: http.MethodPost, path: fmt.Sprintf("/appointments/%d/job", noCar.ID),
			as: store.RoleWorkshop, status: http.StatusConflict, contains: []string{"This appointment has no car"}},
	})
	if jobs, _ := e.st.VehicleJobs(v.ID); len(jobs) != 1 {
		t.Errorf("%d jobs on the car, want 1", len(jobs))
	}
	// The customer's app leads from the appointment to the work on the car.
	phone := pairPhone(t, e, c.ID)
	resp, body := phone.get(fmt.Sprintf("/app/appointments/%d", ap.ID))
	if link := fmt.Sprintf(`<a id="appointment-job" href="/app/jobs/%d">`, j.ID); resp.StatusCode != http.StatusOK || !strings.Contains(body, link) {
		t.Errorf("app appointment page: %d, no %s in %.300s", resp.StatusCode, link, body)
	}
}

func TestEditEstimateLine(t *testing.T) {
	e := newEnv(t)
	c, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Mario Rossi"})
	if err != nil {
		t.Fatal(err)
	}
	car, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "AB123CD", Make: "Fiat"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: car.ID})
	if err != nil {
		t.Fatal(err)
	}
	if j, err = e.st.AddLine(store.CLI, j.ID, store.Line{Kind: store.LinePart, Description: "Brake pads", Qty: 100, UnitPrice: 8000, TaxRate: 2200}); err != nil {
		t.Fatal(err)
	}
	if j, err = e.st.DecideLine(store.CLI, c.ID, j.ID, 1, true); err != nil {
		t.Fatal(err)
	}
	queued := len(outboxOf(t, e))
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	line := func(kv ...string) url.Values {
		f := url.Values{"kind": {"part"}, "description": {"Brake pads, ceramic"}, "qty": {"2"}, "unit_price": {"95,50"}, "tax_rate": {"22"}}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	e.run(t, []scenario{
		{name: "each line has its form, as it is", path: jp, as: store.RoleWorkshop, status: http.StatusOK,
			contains: []string{`action="` + jp + `/lines/1"`, `id="line-1-unit_price" name="unit_price" value="80.00"`, `value="1.00"`}},
		{name: "refused in its own form, typed kept", method: http.MethodPost, path: jp + "/lines/1", as: store.RoleWorkshop,
			form: line("qty", "0", "description", "Pads?"), status: http.StatusUnprocessableEntity,
			contains: []string{`<details class="line-edit" open>`, "Enter a quantity or hours above zero", `id="line-1-qty" name="qty" value="0"`,
				`value="Pads?"`}},
		{name: "unknown line", method: http.MethodPost, path: jp + "/lines/9", as: store.RoleWorkshop, form: line(),
			status: http.StatusNotFound},
		{name: "saved", method: http.MethodPost, path: jp + "/lines/1", as: store.RoleWorkshop, form: line(),
			status: http.StatusSeeOther, location: jp + "?done=jobs.line_saved#line-1"},
		{name: "sales may edit too", method: http.MethodPost, path: jp + "/lines/1", as: store.RoleSales, form: line(),
			status: http.StatusSeeOther},
	})
	j, _ = e.st.Job(j.ID)
	l := j.Lines[0]
	if l.Description != "Brake pads, ceramic" || l.Qty != 200 || l.UnitPrice != 9550 || l.TaxRate != 2200 || l.Status != store.LineProposed {
		t.Errorf("line after the edit: %+v", l)
	}
	if n := outboxOf(t, e); len(n) != queued+2 || n[len(n)-1].BodyKey != "notify.estimate.body" {
		t.Errorf("the customer is not asked again: %d queued after %d", len(n), queued)
	}
}

func outboxOf(t *testing.T, e *env) []store.Notification {
	t.Helper()
	n, err := e.st.DueNotifications(1000)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStageLabels(t *testing.T) {
	e := newEnv(t)
	c, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	if err != nil {
		t.Fatal(err)
	}
	car, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B34XYZ", Make: "Dacia"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: car.ID})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"slot_minutes": {"30"}, "reminder_hour": {"18"}, "stage_ready": {" Ready: come and get it "}}
	long := url.Values{"slot_minutes": {"30"}, "reminder_hour": {"18"}, "stage_in_progress": {strings.Repeat("x", 41)}}
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	e.run(t, []scenario{
		{name: "the defaults as placeholders", path: "/settings/workshop", as: store.RoleManager, status: http.StatusOK,
			contains: []string{`name="stage_ready" value="" placeholder="Ready for collection"`}},
		{name: "too long kept with the reason", method: http.MethodPost, path: "/settings/workshop", as: store.RoleManager,
			form: long, status: http.StatusUnprocessableEntity,
			contains: []string{"A stage name can be 40 characters at most.", `value="` + strings.Repeat("x", 41) + `"`}},
		{name: "saved", method: http.MethodPost, path: "/settings/workshop", as: store.RoleManager, form: form,
			status: http.StatusSeeOther, location: "/settings/workshop"},
		{name: "shown again", path: "/settings/workshop", as: store.RoleManager, status: http.StatusOK,
			contains: []string{`name="stage_ready" value="Ready: come and get it"`}},
		{name: "on the job's buttons", path: jp, as: store.RoleWorkshop, status: http.StatusOK,
			contains: []string{">Ready: come and get it</button>", ">In progress</button>"}},
		{name: "others keep the catalogue's, in Italian", path: jp, as: store.RoleWorkshop, header: map[string]string{"Accept-Language": "it"},
			status: http.StatusOK, contains: []string{">Ready: come and get it</button>", ">In lavorazione</button>"}},
		{name: "move the job", method: http.MethodPost, path: jp + "/stage", as: store.RoleWorkshop,
			form: url.Values{"stage": {"ready"}}, status: http.StatusSeeOther},
		{name: "dashboard", path: "/", as: store.RoleWorkshop, status: http.StatusOK, contains: []string{"<span>Ready: come and get it</span>"}},
		{name: "car's jobs", path: fmt.Sprintf("/vehicles/%d", car.ID), as: store.RoleWorkshop, status: http.StatusOK,
			contains: []string{"Ready: come and get it"}},
		{name: "customer's timeline", path: fmt.Sprintf("/customers/%d", c.ID), as: store.RoleWorkshop, status: http.StatusOK,
			contains: []string{j.Number + ": Ready: come and get it"}},
	})
	p := pairPhone(t, e, c.ID)
	for _, path := range []string{"/app/jobs", "/app" + jp} {
		if resp, body := p.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ready: come and get it") {
			t.Errorf("GET %s: %d, stage not named as the dealership does: %.400s", path, resp.StatusCode, body)
		}
	}
	n := outboxOf(t, e)
	last := n[len(n)-1]
	if last.BodyKey != "notify.job_stage.body" || last.Args[len(last.Args)-1] != "Ready: come and get it" {
		t.Errorf("notification %s %v", last.BodyKey, last.Args)
	}
}
