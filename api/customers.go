package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/web"
)

// mergeRoles may fold duplicate customers together.
var mergeRoles = []store.Role{store.RoleBackoffice, store.RoleManager}

func (a *API) mountCustomers(g fiber.Router, routes *web.Routes) {
	routes.Staff(g, fiber.MethodGet, "/customers", web.AllStaff, a.listCustomers)
	routes.Staff(g, fiber.MethodPut, "/customers/:id", web.AllStaff, a.updateCustomer)
	routes.Staff(g, fiber.MethodGet, "/customers/:id/timeline", web.AllStaff, a.timeline)
	routes.Staff(g, fiber.MethodPost, "/customers/:id/merge", mergeRoles, a.mergeCustomer)
	routes.Staff(g, fiber.MethodGet, "/vehicles", web.AllStaff, a.listVehicles)
	routes.Staff(g, fiber.MethodPut, "/vehicles/:id", web.AllStaff, a.updateVehicle)
	routes.Staff(g, fiber.MethodPost, "/vehicles/:id/readings", web.AllStaff, a.addReading)
	routes.Staff(g, fiber.MethodPost, "/vehicles/:id/transfer", web.AllStaff, a.transferVehicle)
}

func (a *API) listCustomers(c *fiber.Ctx) error {
	limit, _ := strconv.Atoi(c.Query("limit"))
	p, err := a.Store.Customers(c.Query("sort", store.SortName), c.Query("after"), limit)
	if err != nil {
		return err
	}
	if p.Customers == nil {
		p.Customers = []store.Customer{}
	}
	return c.JSON(fiber.Map{"customers": p.Customers, "next": p.Next, "total": p.Total})
}

func (a *API) updateCustomer(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.Customer
	if err := decode(c, &in); err != nil {
		return err
	}
	in.ID, in.Created, in.Updated = id, time.Time{}, time.Time{}
	out, err := a.Store.UpdateCustomer(web.Actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *API) timeline(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := a.Store.Customer(id); err != nil {
		return err
	}
	events, err := a.Store.Timeline(id, 200)
	if err != nil {
		return err
	}
	if events == nil {
		events = []store.TimelineEvent{}
	}
	return c.JSON(fiber.Map{"events": events})
}

func (a *API) mergeCustomer(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		Other uint64 `json:"other"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := a.Store.MergeCustomers(web.Actor(c), id, in.Other)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *API) listVehicles(c *fiber.Ctx) error {
	limit, _ := strconv.Atoi(c.Query("limit"))
	p, err := a.Store.Vehicles(c.Query("after"), limit)
	if err != nil {
		return err
	}
	if p.Vehicles == nil {
		p.Vehicles = []store.Vehicle{}
	}
	return c.JSON(fiber.Map{"vehicles": p.Vehicles, "next": p.Next, "total": p.Total})
}

func (a *API) updateVehicle(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.Vehicle
	if err := decode(c, &in); err != nil {
		return err
	}
	in.ID = id
	out, err := a.Store.UpdateVehicle(web.Actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *API) addReading(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in store.Reading
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Source == "" {
		in.Source = "api"
	}
	out, err := a.Store.AddReading(web.Actor(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (a *API) transferVehicle(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in struct {
		CustomerID uint64 `json:"customer_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := a.Store.TransferVehicle(web.Actor(c), id, in.CustomerID)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
