package ui

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/web"
)

// MergeRoles may fold one customer into another: the office, not the floor.
var MergeRoles = []store.Role{store.RoleBackoffice, store.RoleManager}

var customerFields = []string{"name", "company", "phone", "mobile", "email", "address", "tax_code", "vat", "lang",
	"marketing", "marketing_source", "notes"}

func customerFromForm(c *fiber.Ctx) store.Customer {
	return store.Customer{
		Company: c.FormValue("company") != "", Name: c.FormValue("name"), Phone: c.FormValue("phone"),
		Mobile: c.FormValue("mobile"), Email: c.FormValue("email"), Address: c.FormValue("address"),
		TaxCode: c.FormValue("tax_code"), VAT: c.FormValue("vat"), Lang: c.FormValue("lang"),
		Marketing: c.FormValue("marketing") != "", MarketingSource: c.FormValue("marketing_source"),
		Notes: c.FormValue("notes"),
	}
}

func customerToForm(v *View, cu store.Customer) {
	v.Form["name"], v.Form["phone"], v.Form["mobile"], v.Form["email"] = cu.Name, cu.Phone, cu.Mobile, cu.Email
	v.Form["address"], v.Form["tax_code"], v.Form["vat"], v.Form["lang"] = cu.Address, cu.TaxCode, cu.VAT, cu.Lang
	v.Form["marketing_source"], v.Form["notes"] = cu.MarketingSource, cu.Notes
	if cu.Company {
		v.Form["company"] = "on"
	}
	if cu.Marketing {
		v.Form["marketing"] = "on"
	}
}

type customersData struct {
	Page  store.CustomerPage
	Sort  string
	Sorts []string
}

func (u *UI) customersPage(c *fiber.Ctx) error {
	v, err := u.view(c, "customers.title")
	if err != nil {
		return err
	}
	sort := c.Query("sort", store.SortName)
	page, err := u.Store.Customers(sort, c.Query("after"), 50)
	if err != nil {
		return err
	}
	v.Data = customersData{Page: page, Sort: sort, Sorts: []string{store.SortName, store.SortNewest, store.SortOldest}}
	return u.render(c, fiber.StatusOK, "customers", v)
}

type customerFormData struct {
	Customer store.Customer
	Matches  []store.Customer
	Sources  []string
}

func (u *UI) newCustomerPage(c *fiber.Ctx) error {
	v, err := u.view(c, "customers.new")
	if err != nil {
		return err
	}
	v.Data = customerFormData{Sources: store.ConsentSources}
	return u.render(c, fiber.StatusOK, "customer_form", v)
}

// createCustomer refuses to make a second record of someone already on file
// and shows the existing one instead.
func (u *UI) createCustomer(c *fiber.Ctx) error {
	in := customerFromForm(c)
	cu, err := u.Store.CreateCustomer(web.Actor(c), in)
	if err == nil {
		return redirect(c, fmt.Sprintf("/customers/%d?done=customers.created", cu.ID))
	}
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, verr := u.view(c, "customers.new")
	if verr != nil {
		return verr
	}
	v.keep(c, customerFields...)
	v.fail(err)
	d := customerFormData{Sources: store.ConsentSources}
	if store.Is(err, store.CodeConflict) {
		var merr error
		if d.Matches, merr = u.Store.Matches(in); merr != nil {
			return merr
		}
	}
	v.Data = d
	return u.render(c, web.Status(err), "customer_form", v)
}

type customerData struct {
	Customer     store.Customer
	Vehicles     []store.Vehicle
	Appointments []store.Appointment
	Timeline     []store.TimelineEvent
	CanMerge     bool
	Devices      []store.Device // paired phones (pairing.go)
}

func (u *UI) customerPage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cu, err := u.Store.Customer(id)
	if err != nil {
		return err
	}
	v, err := u.view(c, "customers.title")
	if err != nil {
		return err
	}
	d := customerData{Customer: cu, CanMerge: hasAnyRole(v.Me, MergeRoles)}
	if d.Vehicles, err = u.Store.CustomerVehicles(id); err != nil {
		return err
	}
	if d.Appointments, err = u.Store.CustomerAppointments(id); err != nil {
		return err
	}
	if d.Timeline, err = u.Store.Timeline(id, 100); err != nil {
		return err
	}
	if err := u.withStageLabels(v); err != nil {
		return err
	}
	if d.Devices, err = u.Store.CustomerDevices(id); err != nil {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "customer", v)
}

func hasAnyRole(p *web.Principal, roles []store.Role) bool {
	if p == nil {
		return false
	}
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

func (u *UI) editCustomerPage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cu, err := u.Store.Customer(id)
	if err != nil {
		return err
	}
	v, err := u.view(c, "customers.edit")
	if err != nil {
		return err
	}
	customerToForm(v, cu)
	v.Data = customerFormData{Customer: cu, Sources: store.ConsentSources}
	return u.render(c, fiber.StatusOK, "customer_form", v)
}

func (u *UI) updateCustomer(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	old, err := u.Store.Customer(id)
	if err != nil {
		return err
	}
	in := customerFromForm(c)
	in.ID = id
	if _, err := u.Store.UpdateCustomer(web.Actor(c), in); err != nil {
		if _, ok := store.AsError(err); !ok {
			return err
		}
		v, verr := u.view(c, "customers.edit")
		if verr != nil {
			return verr
		}
		v.keep(c, customerFields...)
		v.fail(err)
		d := customerFormData{Customer: old, Sources: store.ConsentSources}
		if store.Is(err, store.CodeConflict) {
			var merr error
			if d.Matches, merr = u.Store.Matches(in); merr != nil {
				return merr
			}
		}
		v.Data = d
		return u.render(c, web.Status(err), "customer_form", v)
	}
	return redirect(c, fmt.Sprintf("/customers/%d?done=common.saved", id))
}

type mergeData struct {
	Keep, Gone         store.Customer
	KeepCars, GoneCars []store.Vehicle
}

// mergePage shows both records side by side before anything changes.
func (u *UI) mergePage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	keep, err := u.Store.Customer(id)
	if err != nil {
		return err
	}
	v, err := u.view(c, "customers.merge")
	if err != nil {
		return err
	}
	d := mergeData{Keep: keep}
	if d.KeepCars, err = u.Store.CustomerVehicles(id); err != nil {
		return err
	}
	if other := c.Query("other"); other != "" {
		v.Form["other"] = other
		otherID, perr := strconv.ParseUint(other, 10, 64)
		gone, gerr := u.Store.Customer(otherID)
		switch {
		case perr != nil || store.Is(gerr, store.CodeNotFound):
			v.fail(store.Invalid("other", "customers.error.merge_unknown"))
		case gerr != nil:
			return gerr
		case otherID == id:
			v.fail(store.Invalid("other", "customers.error.merge_self"))
		default:
			d.Gone = gone
			if d.GoneCars, err = u.Store.CustomerVehicles(otherID); err != nil {
				return err
			}
		}
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "customer_merge", v)
}

func (u *UI) mergeCustomers(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	other, err := strconv.ParseUint(c.FormValue("other"), 10, 64)
	if err != nil {
		return store.Invalid("other", "customers.error.merge_unknown")
	}
	if _, err := u.Store.MergeCustomers(web.Actor(c), id, other); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/customers/%d?done=customers.merged", id))
}
