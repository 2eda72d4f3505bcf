package ui

import (
	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

type jobData struct {
	Job      store.Job
	Vehicle  store.Vehicle
	Customer store.Customer
}

// jobPage shows one work order with its car and customer.
func (u *UI) jobPage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	j, err := u.Store.Job(id)
	if err != nil {
		return err
	}
	v, err := u.view(c, "jobs.title")
	if err != nil {
		return err
	}
	d := jobData{Job: j}
	if d.Vehicle, err = u.Store.Vehicle(j.VehicleID); err != nil && !store.Is(err, store.CodeNotFound) {
		return err
	}
	if d.Customer, err = u.Store.Customer(j.CustomerID); err != nil && !store.Is(err, store.CodeNotFound) {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "job", v)
}

type appointmentData struct {
	Appointment store.Appointment
	Vehicle     store.Vehicle
	Customer    store.Customer
}

// appointmentPage shows one appointment with its car and customer.
func (u *UI) appointmentPage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	a, err := u.Store.Appointment(id)
	if err != nil {
		return err
	}
	v, err := u.view(c, "appointments.title")
	if err != nil {
		return err
	}
	d := appointmentData{Appointment: a}
	if d.Vehicle, err = u.Store.Vehicle(a.VehicleID); err != nil && !store.Is(err, store.CodeNotFound) {
		return err
	}
	if d.Customer, err = u.Store.Customer(a.CustomerID); err != nil && !store.Is(err, store.CodeNotFound) {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "appointment", v)
}
