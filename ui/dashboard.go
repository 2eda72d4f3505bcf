package ui

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

// dashboardAppointment is one row of today's list.
type dashboardAppointment struct {
	store.Appointment
	Customer string
	Plate    string
	Car      string
}

type dashboardData struct {
	Counts       store.Counts
	Stages       []string
	Appointments []dashboardAppointment
	Ready        []store.Job
}

// dashboard shows the day at a glance: today's appointments, jobs by stage,
// cars ready for pickup.
func (u *UI) dashboard(c *fiber.Ctx) error {
	v, err := u.view(c, "dashboard.title")
	if err != nil {
		return err
	}
	counts, err := u.Store.Counts()
	if err != nil {
		return err
	}
	loc := v.Loc.Location
	now := time.Now().In(loc)
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	appts, err := u.Store.AppointmentsBetween(dayStart, dayStart.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	d := dashboardData{Counts: counts, Stages: store.Stages}
	for _, a := range appts {
		row := dashboardAppointment{Appointment: a}
		if cu, err := u.Store.Customer(a.CustomerID); err == nil {
			row.Customer = cu.Name
		}
		if ve, err := u.Store.Vehicle(a.VehicleID); err == nil {
			row.Plate, row.Car = ve.Plate, ve.Make+" "+ve.Model
		}
		d.Appointments = append(d.Appointments, row)
	}
	if d.Ready, err = u.Store.JobsInStage(store.StageReady, 10); err != nil {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "dashboard", v)
}
