package ui

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/web"
)

type appointmentData struct {
	Appointment store.Appointment
	Vehicle     store.Vehicle
	Customer    store.Customer
	Workshop    store.Workshop
	Technician  store.Technician
	Bays        []string
	Techs       []store.Technician
	Date, Time  string // the appointment's start in the dealership's zone, for the forms
	Minutes     int
	CalendarURL string
	// Job is the job opened from the appointment; zero before.
	Job store.Job
}

func (u *UI) appointmentView(c *fiber.Ctx, id uint64) (*View, error) {
	a, err := u.Store.Appointment(id)
	if err != nil {
		return nil, err
	}
	v, err := u.view(c, "appointments.title")
	if err != nil {
		return nil, err
	}
	d := appointmentData{Appointment: a, Minutes: int(a.End.Sub(a.Start) / time.Minute)}
	if d.Vehicle, err = u.Store.Vehicle(a.VehicleID); err != nil && !store.Is(err, store.CodeNotFound) {
		return nil, err
	}
	if d.Customer, err = u.Store.Customer(a.CustomerID); err != nil && !store.Is(err, store.CodeNotFound) {
		return nil, err
	}
	if d.Workshop, err = u.Store.Workshop(); err != nil {
		return nil, err
	}
	d.Technician, _ = d.Workshop.Technician(a.Technician)
	if a.JobID != 0 {
		if d.Job, err = u.Store.Job(a.JobID); err != nil && !store.Is(err, store.CodeNotFound) {
			return nil, err
		}
		v.StageLabels = d.Workshop.StageLabels
	}
	for _, b := range v.Settings.Bays {
		if b.Department == a.Department {
			d.Bays = append(d.Bays, b.Name)
		}
	}
	for _, t := range d.Workshop.Technicians {
		if t.Department == a.Department {
			d.Techs = append(d.Techs, t)
		}
	}
	local := a.Start.In(v.Settings.Location())
	d.Date, d.Time = local.Format(time.DateOnly), local.Format("15:04")
	d.CalendarURL = calendarQuery{Department: a.Department}.link(local, false)
	v.Form = map[string]string{"date": d.Date, "time": d.Time, "minutes": strconv.Itoa(d.Minutes), "bay": a.Bay,
		"technician": strconv.FormatUint(a.Technician, 10)}
	v.Data = d
	return v, nil
}

// appointmentPage shows one appointment with its car and customer, and what
// staff can do with it.
func (u *UI) appointmentPage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	v, err := u.appointmentView(c, id)
	if err != nil {
		return err
	}
	return u.render(c, fiber.StatusOK, "appointment", v)
}

// appointmentAction runs one staff action from the appointment page's forms.
func (u *UI) appointmentAction(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	st, err := u.Store.Settings()
	if err != nil {
		return err
	}
	a := web.Actor(c)
	tech, _ := strconv.ParseUint(c.FormValue("technician"), 10, 64)
	var done string
	switch c.Params("action") {
	case "confirm":
		_, err = u.Store.ConfirmAppointment(a, id, c.FormValue("bay"), tech)
		done = "calendar.confirmed"
	case "propose":
		var start, end time.Time
		if start, end, err = parseWhen(c, st.Location()); err == nil {
			_, err = u.Store.ProposeAppointment(a, id, start, end)
		}
		done = "calendar.proposed"
	case "reschedule":
		b := store.Booking{Bay: c.FormValue("bay"), Technician: tech}
		if b.Start, b.End, err = parseWhen(c, st.Location()); err == nil {
			_, err = u.Store.RescheduleAppointment(a, id, b)
		}
		done = "calendar.rescheduled"
	case "cancel":
		_, err = u.Store.CancelAppointment(a, 0, id)
		done = "calendar.cancelled"
	case "no-show":
		_, err = u.Store.MarkNoShow(a, id)
		done = "calendar.no_show_marked"
	default:
		return store.NotFound()
	}
	if web.WantsJSON(c) {
		return appointmentJSON(c, st, id, err)
	}
	if err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		v, verr := u.appointmentView(c, id)
		if verr != nil {
			return verr
		}
		v.keep(c, "date", "time", "minutes", "bay", "technician")
		v.Form["action"] = c.Params("action")
		v.fail(err)
		return u.render(c, web.Status(err), "appointment", v)
	}
	return redirect(c, "/appointments/"+strconv.FormatUint(id, 10)+"?done="+done)
}

// openJob is the car arriving for its appointment: it opens the job and
// shows it, or shows the job opened before.
func (u *UI) openJob(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	j, err := u.Store.OpenJobFromAppointment(web.Actor(c), id)
	if e, ok := store.AsError(err); ok && e.Existing != 0 {
		return redirect(c, fmt.Sprintf("/jobs/%d?done=calendar.job_exists", e.Existing))
	}
	if err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		v, verr := u.appointmentView(c, id)
		if verr != nil {
			return verr
		}
		v.fail(err)
		return u.render(c, web.Status(err), "appointment", v)
	}
	return redirect(c, fmt.Sprintf("/jobs/%d?done=calendar.job_opened", j.ID))
}

// appointmentJSON answers the calendar's script: the appointment's page
// once done, or why the store refused, in the user's language.
func appointmentJSON(c *fiber.Ctx, st store.Settings, id uint64, err error) error {
	if err == nil {
		return c.JSON(fiber.Map{"url": "/appointments/" + strconv.FormatUint(id, 10)})
	}
	e, ok := store.AsError(err)
	if !ok {
		return err
	}
	return c.Status(web.Status(err)).JSON(fiber.Map{"error": web.ProblemText(web.Lang(c, st.Lang), e)})
}
