package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/web"
)

func (a *API) mountAppointments(g fiber.Router, routes *web.Routes) {
	routes.Staff(g, fiber.MethodGet, "/appointments", web.AllStaff, a.listAppointments)
	routes.Staff(g, fiber.MethodPost, "/appointments", web.AllStaff, a.bookAppointment)
	routes.Staff(g, fiber.MethodGet, "/appointments/:id", web.AllStaff, a.appointment)
	routes.Staff(g, fiber.MethodPost, "/appointments/:id/confirm", web.AllStaff, a.confirmAppointment)
	routes.Staff(g, fiber.MethodPost, "/appointments/:id/propose", web.AllStaff, a.proposeAppointment)
	routes.Staff(g, fiber.MethodPost, "/appointments/:id/reschedule", web.AllStaff, a.rescheduleAppointment)
	routes.Staff(g, fiber.MethodPost, "/appointments/:id/cancel", web.AllStaff, a.cancelAppointment)
	routes.Staff(g, fiber.MethodPost, "/appointments/:id/no-show", web.AllStaff, a.noShow)
	routes.Staff(g, fiber.MethodGet, "/availability", web.AllStaff, a.availability)
}

// bookingIn is a booking as the API takes it; times are RFC 3339.
type bookingIn struct {
	CustomerID  uint64    `json:"customer_id"`
	VehicleID   uint64    `json:"vehicle_id"`
	Department  string    `json:"department"`
	Bay         string    `json:"bay"`
	Technician  uint64    `json:"technician"`
	Services    []uint64  `json:"services"`
	Description string    `json:"description"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
}

func (b bookingIn) booking() store.Booking {
	return store.Booking{CustomerID: b.CustomerID, VehicleID: b.VehicleID, Department: b.Department, Bay: b.Bay,
		Technician: b.Technician, Services: b.Services, Description: b.Description, Start: b.Start, End: b.End}
}

// timeRange reads from and to (RFC 3339), by default the next seven days.
func timeRange(c *fiber.Ctx) (from, to time.Time, err error) {
	from, to = time.Now(), time.Now().AddDate(0, 0, 7)
	if s := c.Query("from"); s != "" {
		if from, err = time.Parse(time.RFC3339, s); err != nil {
			return from, to, store.Invalid("from", "common.error.invalid_date")
		}
	}
	if s := c.Query("to"); s != "" {
		if to, err = time.Parse(time.RFC3339, s); err != nil {
			return from, to, store.Invalid("to", "common.error.invalid_date")
		}
	}
	if !to.After(from) || to.Sub(from) > 92*24*time.Hour {
		return from, to, store.Invalid("to", "calendar.error.range")
	}
	return from, to, nil
}

func (a *API) listAppointments(c *fiber.Ctx) error {
	from, to, err := timeRange(c)
	if err != nil {
		return err
	}
	aps, err := a.Store.AppointmentsBetween(from, to)
	if err != nil {
		return err
	}
	out := []store.Appointment{}
	for _, ap := range aps {
		if d := c.Query("department"); d == "" || d == ap.Department {
			out = append(out, ap)
		}
	}
	return c.JSON(fiber.Map{"appointments": out})
}

func (a *API) appointment(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ap, err := a.Store.Appointment(id)
	if err != nil {
		return err
	}
	return c.JSON(ap)
}

func (a *API) bookAppointment(c *fiber.Ctx) error {
	var in bookingIn
	if err := decode(c, &in); err != nil {
		return err
	}
	ap, err := a.Store.BookAppointment(web.Actor(c), in.booking())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ap)
}

// change runs one change of appointment :id with the body decoded into in.
func (a *API) change(c *fiber.Ctx, in any, fn func(id uint64) (store.Appointment, error)) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if in != nil {
		if err := decode(c, in); err != nil {
			return err
		}
	}
	ap, err := fn(id)
	if err != nil {
		return err
	}
	return c.JSON(ap)
}

func (a *API) confirmAppointment(c *fiber.Ctx) error {
	var in bookingIn
	return a.change(c, &in, func(id uint64) (store.Appointment, error) {
		return a.Store.ConfirmAppointment(web.Actor(c), id, in.Bay, in.Technician)
	})
}

func (a *API) proposeAppointment(c *fiber.Ctx) error {
	var in bookingIn
	return a.change(c, &in, func(id uint64) (store.Appointment, error) {
		return a.Store.ProposeAppointment(web.Actor(c), id, in.Start, in.End)
	})
}

func (a *API) rescheduleAppointment(c *fiber.Ctx) error {
	var in bookingIn
	return a.change(c, &in, func(id uint64) (store.Appointment, error) {
		return a.Store.RescheduleAppointment(web.Actor(c), id, in.booking())
	})
}

func (a *API) cancelAppointment(c *fiber.Ctx) error {
	return a.change(c, nil, func(id uint64) (store.Appointment, error) {
		return a.Store.CancelAppointment(web.Actor(c), 0, id)
	})
}

func (a *API) noShow(c *fiber.Ctx) error {
	return a.change(c, nil, func(id uint64) (store.Appointment, error) {
		return a.Store.MarkNoShow(web.Actor(c), id)
	})
}

// availability lists a department's free slots for a job of minutes.
func (a *API) availability(c *fiber.Ctx) error {
	from, to, err := timeRange(c)
	if err != nil {
		return err
	}
	minutes := c.QueryInt("minutes", 0)
	if minutes <= 0 || minutes > 24*60 {
		return store.Invalid("minutes", "common.error.invalid_number")
	}
	slots, err := a.Store.DepartmentAvailability(c.Query("department"), from, to, time.Duration(minutes)*time.Minute)
	if err != nil {
		return err
	}
	if slots == nil {
		slots = []store.Slot{}
	}
	return c.JSON(fiber.Map{"slots": slots})
}
