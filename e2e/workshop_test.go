package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// workshopDesk signs a staff member of role in on a desktop browser and
// creates, through the pages, a customer with a car; it returns the
// customer's number.
func workshopDesk(t *testing.T, app *appliance, role string) (context.Context, string) {
	t.Helper()
	add := exec.Command(binary, "user", "add", "--data", app.DataDir, "--username", "giulia", "--name", "Giulia Conti", "--role", role)
	add.Stdin = strings.NewReader("officina-2026!\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("pitlane user add: %v\n%s", err, out)
	}
	desk := browser(t, 1600, 1200)
	signIn(t, desk, app.URL, "giulia", "officina-2026!")
	run(t, desk, "a new customer",
		chromedp.Navigate(app.URL+"/customers/new"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ana Pop"),
		chromedp.SendKeys(chromedp.CSS("#mobile"), "+40 721 000 222"),
	)
	submit(t, desk, "#name")
	customer := strings.TrimPrefix(eval[string](t, desk, `location.pathname`), "/customers/")
	follow(t, desk, `a[href$="/vehicles/new"]`)
	run(t, desk, "her car",
		chromedp.SendKeys(chromedp.CSS("#plate"), "B 34 XYZ"),
		chromedp.SendKeys(chromedp.CSS("#make"), "Dacia"),
		chromedp.SendKeys(chromedp.CSS("#model"), "Logan"),
		chromedp.SendKeys(chromedp.CSS("#km"), "48200"),
	)
	submit(t, desk, "#plate")
	return desk, customer
}

// nextTuesday is a Tuesday at least a week away in the dealership's zone
// (Rome, the default), when the workshop is open all day.
func nextTuesday(t *testing.T) time.Time {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip(err)
	}
	d := time.Now().In(rome).AddDate(0, 0, 7)
	for d.Weekday() != time.Tuesday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// book fills the calendar's booking form for the customer's car and
// returns the appointment's page.
func book(t *testing.T, ctx context.Context, app *appliance, customer string, day time.Time, at string, service bool) string {
	t.Helper()
	run(t, ctx, "book "+at,
		chromedp.Navigate(app.URL+"/calendar/new?customer="+customer),
		chromedp.WaitVisible(chromedp.CSS("#vehicle_id")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#vehicle_id").selectedIndex = 1`),
		chromedp.SetValue(chromedp.CSS("#date"), day.Format(time.DateOnly)),
		chromedp.SetValue(chromedp.CSS("#time"), at),
		chromedp.SetValue(chromedp.CSS("#minutes"), "60"),
		chromedp.SetValue(chromedp.CSS("#bay"), "Bay 1"),
	)
	if service {
		run(t, ctx, "the service", chromedp.Click(chromedp.CSS(`input[name=services]`)))
	}
	if status := submit(t, ctx, "#date"); status != 200 {
		t.Fatalf("booking %s answered %d: %s", at, status, text(t, ctx, "main"))
	}
	path := eval[string](t, ctx, `location.pathname`)
	if !regexp.MustCompile(`^/appointments/\d+$`).MatchString(path) {
		t.Fatalf("after booking the browser is at %s", path)
	}
	return path
}

// centre scrolls sel into view and returns its centre in the viewport.
func centre(t *testing.T, ctx context.Context, sel string) (float64, float64) {
	t.Helper()
	xy := eval[[]float64](t, ctx, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return [];
		const r = el.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + Math.min(r.height / 2, 12)];
	})()`, sel))
	if len(xy) != 2 {
		t.Fatalf("no %s on the page", sel)
	}
	return xy[0], xy[1]
}

// dragMouse presses the left button at from, moves in steps and releases
// at to, as a hand on a mouse does.
func dragMouse(x0, y0, x1, y1 float64) []chromedp.Action[chromedp.Void] {
	held := func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y0),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y0, chromedp.ButtonLeft, chromedp.ClickCount(1), held),
	}
	const n = 8
	for i := 1; i <= n; i++ {
		f := float64(i) / n
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x0+(x1-x0)*f, y0+(y1-y0)*f, chromedp.ButtonLeft, held))
	}
	return append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1)))
}

// TestDragAppointmentOnWeek moves an appointment on the week's calendar by
// dragging it with the mouse to a free slot, then tries to drag it onto a
// slot whose bay is taken: the calendar says why and leaves it in place.
// On the day's calendar, it is dragged to another bay's column, and by
// technician, onto a technician's.
func TestDragAppointmentOnWeek(t *testing.T) {
	app := start(t)
	desk, customer := workshopDesk(t, app, "manager")
	run(t, desk, "a second bay",
		chromedp.Navigate(app.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS("#bays")),
		chromedp.SetValue(chromedp.CSS("#bays"), "Bay 1 | Mechanics\nBay 2 | Mechanics"),
	)
	if status := submit(t, desk, "#bays"); status != 200 {
		t.Fatalf("saving the bays answered %d", status)
	}
	tue := nextTuesday(t)
	wed := tue.AddDate(0, 0, 1)
	first := book(t, desk, app, customer, tue, "09:00", false)
	book(t, desk, app, customer, tue, "11:00", false)
	id := strings.TrimPrefix(first, "/appointments/")
	block := fmt.Sprintf(`.movable[data-appt="%s"]`, id)
	week := app.URL + "/calendar?view=week&dept=Mechanics&date=" + tue.Format(time.DateOnly)
	run(t, desk, "the week", chromedp.Navigate(week), chromedp.WaitVisible(chromedp.CSS(block)))
	if got := eval[string](t, desk, fmt.Sprintf(`document.querySelector(%q).closest("td").dataset.time`, block)); got != "09:00" {
		t.Fatalf("the appointment is shown at %q, want 09:00", got)
	}

	free := fmt.Sprintf(`td[data-date="%s"][data-time="10:00"]`, wed.Format(time.DateOnly))
	x0, y0 := centre(t, desk, block)
	x1, y1 := centre(t, desk, free)
	if _, err := chromedp.RunResponse(desk, dragMouse(x0, y0, x1, y1)...); err != nil {
		t.Fatalf("drag to %s: %v", free, err)
	}
	run(t, desk, "the calendar again", chromedp.WaitVisible(chromedp.CSS(free+" "+block)))
	if got := text(t, desk, ".flash"); !strings.Contains(got, "Appointment moved") {
		t.Errorf("after the drop the page says %q", got)
	}
	run(t, desk, "its page", chromedp.Navigate(app.URL+first), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
	if got := text(t, desk, "dl.facts"); !strings.Contains(got, "10:00–11:00") || !strings.Contains(got, "Bay 1") {
		t.Errorf("the appointment's page reads %q, want it at 10:00–11:00 in Bay 1", got)
	}

	// Bay 1 is taken at 11:00 on Tuesday by the other appointment.
	taken := fmt.Sprintf(`td[data-date="%s"][data-time="11:00"]`, tue.Format(time.DateOnly))
	run(t, desk, "the week", chromedp.Navigate(week), chromedp.WaitVisible(chromedp.CSS(free+" "+block)))
	x0, y0 = centre(t, desk, block)
	x1, y1 = centre(t, desk, taken)
	run(t, desk, "drag onto the taken bay", dragMouse(x0, y0, x1, y1)...)
	run(t, desk, "the refusal", chromedp.WaitVisible(chromedp.CSS("#calendar-status")))
	if got := text(t, desk, "#calendar-status"); !strings.Contains(got, "Bay 1 is already booked 11:00–12:00") {
		t.Errorf("the refusal reads %q", got)
	}
	if !eval[bool](t, desk, fmt.Sprintf(`!!document.querySelector(%q)`, free+" "+block)) {
		t.Error("the refused appointment left its slot")
	}
	if moved := eval[string](t, desk, fmt.Sprintf(`document.querySelector(%q).style.transform`, block)); moved != "" {
		t.Errorf("the refused appointment is still displaced: %q", moved)
	}
	if path := eval[string](t, desk, `location.pathname`); path != "/calendar" {
		t.Errorf("the drag opened %s", path)
	}
	run(t, desk, "its page again", chromedp.Navigate(app.URL+first), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
	if got := text(t, desk, "dl.facts"); !strings.Contains(got, "10:00–11:00") {
		t.Errorf("after the refusal the appointment reads %q", got)
	}

	from := `td[data-time="10:00"][data-bay="Bay 1"] ` + block
	to := `td[data-time="10:00"][data-bay="Bay 2"]`
	run(t, desk, "the day", chromedp.Navigate(app.URL+"/calendar?dept=Mechanics&date="+wed.Format(time.DateOnly)),
		chromedp.WaitVisible(chromedp.CSS(from)))
	x0, y0 = centre(t, desk, block)
	x1, y1 = centre(t, desk, to)
	if _, err := chromedp.RunResponse(desk, dragMouse(x0, y0, x1, y1)...); err != nil {
		t.Fatalf("drag to %s: %v", to, err)
	}
	run(t, desk, "the day again", chromedp.WaitVisible(chromedp.CSS(to+" "+block)))
	run(t, desk, "its page at last", chromedp.Navigate(app.URL+first), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
	if got := text(t, desk, "dl.facts"); !strings.Contains(got, "10:00–11:00") || !strings.Contains(got, "Bay 2") {
		t.Errorf("after the drag to Bay 2 the appointment reads %q", got)
	}

	// The day by technician: dragged onto Luca's column, the appointment
	// is his, in the same bay and at the same time.
	run(t, desk, "a technician",
		chromedp.Navigate(app.URL+"/settings/workshop"),
		chromedp.WaitVisible(chromedp.CSS("#technicians")),
		chromedp.SetValue(chromedp.CSS("#technicians"), "Luca Ferri | Mechanics"),
	)
	if status := submit(t, desk, "#technicians"); status != 200 {
		t.Fatalf("saving the technicians answered %d", status)
	}
	run(t, desk, "the day", chromedp.Navigate(app.URL+"/calendar?dept=Mechanics&date="+wed.Format(time.DateOnly)),
		chromedp.WaitVisible(chromedp.CSS(to+" "+block)))
	follow(t, desk, `a[href*="by=tech"]`)
	if got := text(t, desk, "table.day thead"); !strings.Contains(got, "Luca Ferri") || !strings.Contains(got, "Not assigned") {
		t.Fatalf("the day by technician has the columns %q", got)
	}
	from = `td[data-time="10:00"][data-tech="0"] ` + block
	run(t, desk, "unassigned", chromedp.WaitVisible(chromedp.CSS(from)))
	luca := eval[string](t, desk, `[...document.querySelectorAll("td[data-tech]")].map(td => td.dataset.tech).find(id => id !== "0")`)
	to = fmt.Sprintf(`td[data-time="10:00"][data-tech="%s"]`, luca)
	x0, y0 = centre(t, desk, block)
	x1, y1 = centre(t, desk, to)
	if _, err := chromedp.RunResponse(desk, dragMouse(x0, y0, x1, y1)...); err != nil {
		t.Fatalf("drag to %s: %v", to, err)
	}
	run(t, desk, "the day by technician again", chromedp.WaitVisible(chromedp.CSS(to+" "+block)))
	run(t, desk, "its page, Luca's", chromedp.Navigate(app.URL+first), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
	if got := text(t, desk, "dl.facts"); !strings.Contains(got, "10:00–11:00") || !strings.Contains(got, "Bay 2") || !strings.Contains(got, "Luca Ferri") {
		t.Errorf("after the drag to Luca the appointment reads %q", got)
	}
}

// TestOpenJobFromAppointment is the car arriving: from its appointment
// staff open the job, which carries the booked service as an approved line
// and links back; staff then correct the line's price in place, which asks
// the customer again.
func TestOpenJobFromAppointment(t *testing.T) {
	app := start(t)
	desk, customer := workshopDesk(t, app, "manager")
	run(t, desk, "a service type",
		chromedp.Navigate(app.URL+"/settings/workshop"),
		chromedp.WaitVisible(chromedp.CSS("#services")),
		chromedp.SendKeys(chromedp.CSS("#services"), "Oil service | Mechanics | 60 | 120.00"),
		chromedp.SendKeys(chromedp.CSS("#stage_checked_in"), "Car in the workshop"),
	)
	submit(t, desk, "#services")
	appt := book(t, desk, app, customer, nextTuesday(t), "09:00", true)

	follow(t, desk, `form[action$="/job"] button`)
	job := eval[string](t, desk, `location.pathname`)
	if !regexp.MustCompile(`^/jobs/\d+$`).MatchString(job) {
		t.Fatalf("opening the job led to %s", job)
	}
	if got := text(t, desk, "#line-1"); !strings.Contains(got, "Labour: Oil service") || !strings.Contains(got, "Approved") ||
		!strings.Contains(got, "120.00") {
		t.Errorf("the booked service's line reads %q", got)
	}
	if got := text(t, desk, "#stage"); !strings.Contains(got, "Car in the workshop") {
		t.Errorf("the stage reads %q, not the dealership's name", got)
	}
	if n := eval[float64](t, desk, fmt.Sprintf(`document.querySelectorAll('a[href=%q]').length`, appt)); n != 1 {
		t.Errorf("the job has %v links to its appointment", n)
	}

	run(t, desk, "edit the line",
		chromedp.Click(chromedp.CSS("#line-1 details.line-edit summary")),
		chromedp.WaitVisible(chromedp.CSS("#line-1-unit_price")),
		chromedp.SetValue(chromedp.CSS("#line-1-unit_price"), "99.50"),
	)
	submit(t, desk, "#line-1-unit_price")
	if got := text(t, desk, "#line-1"); !strings.Contains(got, "99.50") || !strings.Contains(got, "Awaiting the customer") {
		t.Errorf("after the edit the line reads %q", got)
	}

	run(t, desk, "back to the appointment", chromedp.Navigate(app.URL+appt), chromedp.WaitVisible(chromedp.CSS("#appointment-job")))
	if got := text(t, desk, "dl.facts"); !strings.Contains(got, "Done") {
		t.Errorf("the appointment reads %q, want it done", got)
	}
	if n := eval[float64](t, desk, `document.querySelectorAll('form[action$="/job"]').length`); n != 0 {
		t.Error("the appointment still offers to open a job")
	}
	follow(t, desk, "#appointment-job")
	if got := eval[string](t, desk, `location.pathname`); got != job {
		t.Errorf("the appointment's job link leads to %s, want %s", got, job)
	}
}
