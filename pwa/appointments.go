package pwa

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
	"pitlane/upload"
	"pitlane/web"
)

func (p *PWA) mountAppointments(g fiber.Router, routes *web.Routes) {
	routes.Customer(g, fiber.MethodGet, "/appointments", p.appointments)
	routes.Customer(g, fiber.MethodGet, "/appointments/new", p.newAppointment)
	routes.Customer(g, fiber.MethodPost, "/appointments", p.requestAppointment)
	routes.Streamed(fiber.MethodPost, Scope+"appointments")
	routes.Customer(g, fiber.MethodGet, "/appointments/:appointment", p.appointment)
	routes.Customer(g, fiber.MethodPost, "/waitlist", p.joinWaitlist)
	routes.Customer(g, fiber.MethodPost, "/waitlist/:waitlist/leave", p.leaveWaitlist)
	for _, answer := range []string{"accept", "decline", "cancel"} {
		routes.Customer(g, fiber.MethodPost, "/appointments/:appointment/"+answer, p.answerAppointment(answer))
	}
}

// bookingDays is how far ahead the slot picker looks.
const bookingDays = 14

type appointmentsData struct {
	Appointments []store.Appointment
	Cars         map[uint64]store.Vehicle
	Waitlist     []store.WaitlistEntry
	Flash        string
}

func (p *PWA) carsOf(customerID uint64) ([]store.Vehicle, map[uint64]store.Vehicle, error) {
	cars, err := p.Store.CustomerVehicles(customerID)
	byID := map[uint64]store.Vehicle{}
	for _, car := range cars {
		byID[car.ID] = car
	}
	return cars, byID, err
}

func (p *PWA) appointments(c *fiber.Ctx) error {
	me := web.PrincipalOf(c)
	aps, err := p.Store.CustomerAppointments(me.CustomerID)
	if err != nil {
		return err
	}
	_, cars, err := p.carsOf(me.CustomerID)
	if err != nil {
		return err
	}
	v, err := p.view(c, "calendar.pwa.title")
	if err != nil {
		return err
	}
	d := appointmentsData{Appointments: aps, Cars: cars}
	if d.Waitlist, err = p.Store.CustomerWaitlist(me.CustomerID); err != nil {
		return err
	}
	if c.Query("done") == "waitlist" {
		d.Flash = "calendar.pwa.done.waitlist"
	}
	v.Data = d
	return p.render(c, fiber.StatusOK, "appointments", v)
}

// requestData is the request form: first the department and services (a
// GET that reloads the page), then the free slots for them.
type requestData struct {
	Cars        []store.Vehicle
	Departments []string
	Department  string
	Services    []store.ServiceType // of the department
	Selected    map[uint64]bool
	Slots       []store.Slot
	Chosen      string // the slot typed, RFC 3339
	Car         uint64
	Description string
	Limits      upload.Shown // of the photos and videos
}

func (p *PWA) requestView(c *fiber.Ctx, args func(string) []string) (*view, error) {
	me := web.PrincipalOf(c)
	v, err := p.view(c, "calendar.pwa.request")
	if err != nil {
		return nil, err
	}
	ws, err := p.Store.Workshop()
	if err != nil {
		return nil, err
	}
	d := requestData{Selected: map[uint64]bool{}, Limits: p.Uploads.Shown()}
	if d.Cars, _, err = p.carsOf(me.CustomerID); err != nil {
		return nil, err
	}
	for _, dep := range v.Settings.Departments {
		for _, s := range ws.Services {
			if s.Department == dep && !contains(d.Departments, dep) {
				d.Departments = append(d.Departments, dep)
			}
		}
	}
	d.Department = first(args("dept"))
	if !contains(d.Departments, d.Department) && len(d.Departments) > 0 {
		d.Department = d.Departments[0]
	}
	var length time.Duration
	for _, s := range ws.Services {
		if s.Department == d.Department {
			d.Services = append(d.Services, s)
		}
	}
	for _, raw := range args("services") {
		id, _ := strconv.ParseUint(raw, 10, 64)
		if s, ok := ws.Service(id); ok && s.Department == d.Department {
			d.Selected[id] = true
			length += time.Duration(s.Minutes) * time.Minute
		}
	}
	d.Car, _ = strconv.ParseUint(first(args("vehicle")), 10, 64)
	d.Chosen, d.Description = first(args("slot")), first(args("description"))
	if length > 0 {
		now := time.Now()
		if d.Slots, err = p.Store.DepartmentAvailability(d.Department, now, now.AddDate(0, 0, bookingDays), length); err != nil {
			return nil, err
		}
	}
	v.Data = d
	return v, nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *PWA) newAppointment(c *fiber.Ctx) error {
	v, err := p.requestView(c, queryArgs(c))
	if err != nil {
		return err
	}
	return p.render(c, fiber.StatusOK, "appointment_new", v)
}

func queryArgs(c *fiber.Ctx) func(string) []string {
	return func(name string) []string {
		var out []string
		for _, b := range c.Context().QueryArgs().PeekMulti(name) {
			out = append(out, string(b))
		}
		return out
	}
}

func postArgs(c *fiber.Ctx) func(string) []string {
	return func(name string) []string {
		var out []string
		for _, b := range c.Request().PostArgs().PeekMulti(name) {
			out = append(out, string(b))
		}
		return out
	}
}

// requestAppointment sends the customer's request for the slot chosen,
// with the photos and videos picked, which are kept only once the request
// is accepted. Without JavaScript the form posts and the answer is the
// appointment, or the form again; the page's script asks for JSON instead,
// to show its progress bar and the error in place.
func (p *PWA) requestAppointment(c *fiber.Ctx) error {
	if err := fromThisApp(c); err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	form, err := upload.Read(c, p.Media, p.Uploads, p.Logger)
	if err != nil {
		// The form's action repeats the department and services, so the
		// page can show them again though the body was refused.
		return p.requestFailed(c, err, queryArgs(c))
	}
	defer form.Discard()
	r := store.BookingRequest{Department: form.Value("dept"), Description: form.Value("description")}
	r.VehicleID, _ = strconv.ParseUint(form.Value("vehicle"), 10, 64)
	for _, raw := range form.All("services") {
		id, _ := strconv.ParseUint(raw, 10, 64)
		r.Services = append(r.Services, id)
	}
	if r.Start, err = time.Parse(time.RFC3339, form.Value("slot")); err != nil {
		return p.requestFailed(c, store.Invalid("slot", "calendar.pwa.error.slot"), form.All)
	}
	if err := store.CheckFiles(form.Files()); err != nil {
		return p.requestFailed(c, err, form.All)
	}
	if r.Attachments, err = form.Commit(); err != nil {
		return err
	}
	ap, err := p.Store.RequestAppointment(customerActor(c, me), me.CustomerID, r)
	if err != nil {
		return p.requestFailed(c, err, form.All)
	}
	to := fmt.Sprintf("%sappointments/%d?done=requested", Scope, ap.ID)
	if web.WantsJSON(c) {
		return c.JSON(fiber.Map{"url": to})
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// requestFailed shows why a request was refused, with the form as it was
// filled in (args): in the page, or as JSON for the page's script.
func (p *PWA) requestFailed(c *fiber.Ctx, err error, args func(string) []string) error {
	e, ok := store.AsError(err)
	if !ok {
		return err
	}
	v, verr := p.requestView(c, args)
	if verr != nil {
		return verr
	}
	v.Error = i18n.T(v.Lang, e.Key, e.Args...)
	for _, f := range e.Fields {
		v.Error = i18n.T(v.Lang, f.Key, f.Args...)
	}
	if web.WantsJSON(c) {
		return c.Status(web.Status(err)).JSON(fiber.Map{"error": v.Error})
	}
	return p.render(c, web.Status(err), "appointment_new", v)
}

type appointmentData struct {
	Appointment store.Appointment
	Car         store.Vehicle
	// Job is the work order opened when the car arrived, if it is still
	// this customer's (a car sold since takes its jobs along).
	Job    store.Job
	Flash  string
	Active bool
}

// customerAppointment reads the :appointment of the paired customer;
// another customer's does not exist for them.
func (p *PWA) customerAppointment(c *fiber.Ctx) (store.Appointment, error) {
	me := web.PrincipalOf(c)
	id, err := strconv.ParseUint(c.Params("appointment"), 10, 64)
	if err != nil {
		return store.Appointment{}, store.NotFound()
	}
	ap, err := p.Store.Appointment(id)
	if err != nil {
		return ap, err
	}
	if ap.CustomerID != me.CustomerID {
		return store.Appointment{}, store.NotFound()
	}
	return ap, nil
}

func (p *PWA) appointment(c *fiber.Ctx) error {
	ap, err := p.customerAppointment(c)
	if err != nil {
		return err
	}
	v, err := p.view(c, "calendar.pwa.appointment")
	if err != nil {
		return err
	}
	d := appointmentData{Appointment: ap, Active: ap.Status == store.ApptRequested || ap.Status == store.ApptProposed ||
		ap.Status == store.ApptConfirmed || ap.Status == store.ApptDeclined}
	switch done := c.Query("done"); done {
	case "requested", "accepted", "declined", "cancelled":
		d.Flash = "calendar.pwa.done." + done
	}
	if d.Car, err = p.Store.Vehicle(ap.VehicleID); err != nil && !store.Is(err, store.CodeNotFound) {
		return err
	}
	if ap.JobID != 0 {
		if d.Job, err = p.Store.CustomerJob(ap.CustomerID, ap.JobID); err != nil && !store.Is(err, store.CodeNotFound) {
			return err
		}
	}
	v.Data = d
	return p.render(c, fiber.StatusOK, "appointment", v)
}

// answerAppointment is the customer accepting or declining a proposed
// time, or cancelling.
func (p *PWA) answerAppointment(answer string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := fromThisApp(c); err != nil {
			return err
		}
		me := web.PrincipalOf(c)
		ap, err := p.customerAppointment(c)
		if err != nil {
			return err
		}
		a := customerActor(c, me)
		var done string
		switch answer {
		case "accept":
			_, err = p.Store.AcceptProposal(a, me.CustomerID, ap.ID)
			done = "accepted"
		case "decline":
			_, err = p.Store.DeclineProposal(a, me.CustomerID, ap.ID)
			done = "declined"
		default:
			_, err = p.Store.CancelAppointment(a, me.CustomerID, ap.ID)
			done = "cancelled"
		}
		if err != nil {
			return err
		}
		return c.Redirect(fmt.Sprintf("%sappointments/%d?done=%s", Scope, ap.ID, done), fiber.StatusSeeOther)
	}
}

// joinWaitlist puts the customer on the waiting list for the services
// chosen on the request form.
func (p *PWA) joinWaitlist(c *fiber.Ctx) error {
	if err := fromThisApp(c); err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	e := store.WaitlistEntry{Department: c.FormValue("dept"), From: c.FormValue("from"), To: c.FormValue("to")}
	for _, raw := range postArgs(c)("services") {
		id, _ := strconv.ParseUint(raw, 10, 64)
		e.Services = append(e.Services, id)
	}
	_, err := p.Store.JoinWaitlist(customerActor(c, me), me.CustomerID, e)
	if err == nil {
		return c.Redirect(Scope+"appointments?done=waitlist", fiber.StatusSeeOther)
	}
	se, ok := store.AsError(err)
	if !ok {
		return err
	}
	v, verr := p.requestView(c, postArgs(c))
	if verr != nil {
		return verr
	}
	v.Error = i18n.T(v.Lang, se.Key, se.Args...)
	for _, f := range se.Fields {
		v.Error = i18n.T(v.Lang, f.Key, f.Args...)
	}
	return p.render(c, web.Status(err), "appointment_new", v)
}

// leaveWaitlist takes the customer off one of their waiting-list entries.
func (p *PWA) leaveWaitlist(c *fiber.Ctx) error {
	if err := fromThisApp(c); err != nil {
		return err
	}
	me := web.PrincipalOf(c)
	id, err := strconv.ParseUint(c.Params("waitlist"), 10, 64)
	if err != nil {
		return store.NotFound()
	}
	if err := p.Store.LeaveWaitlist(customerActor(c, me), me.CustomerID, id); err != nil {
		return err
	}
	return c.Redirect(Scope+"appointments", fiber.StatusSeeOther)
}
