package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
	"pitlane/web"
)

var vehicleFields = []string{"plate", "vin", "make", "model", "version", "year", "fuel", "colour", "registered", "km"}

// vehicleFromForm reads the car form; numbers and dates that do not parse
// are reported against their field.
func vehicleFromForm(c *fiber.Ctx) (store.Vehicle, error) {
	var val store.Validation
	v := store.Vehicle{Plate: c.FormValue("plate"), VIN: c.FormValue("vin"), Make: c.FormValue("make"),
		Model: c.FormValue("model"), Version: c.FormValue("version"), Fuel: c.FormValue("fuel"), Colour: c.FormValue("colour")}
	if y := strings.TrimSpace(c.FormValue("year")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			val.Add("year", "vehicles.error.year_invalid")
		}
		v.Year = n
	}
	if r := strings.TrimSpace(c.FormValue("registered")); r != "" {
		t, err := time.Parse("2006-01-02", r)
		if err != nil {
			val.Add("registered", "common.error.invalid_date")
		}
		v.Registered = t
	}
	return v, val.Err()
}

func vehicleToForm(v *View, ve store.Vehicle) {
	v.Form["plate"], v.Form["vin"], v.Form["make"], v.Form["model"] = ve.Plate, ve.VIN, ve.Make, ve.Model
	v.Form["version"], v.Form["fuel"], v.Form["colour"] = ve.Version, ve.Fuel, ve.Colour
	if ve.Year != 0 {
		v.Form["year"] = strconv.Itoa(ve.Year)
	}
	if !ve.Registered.IsZero() {
		v.Form["registered"] = ve.Registered.Format("2006-01-02")
	}
}

type vehiclesData struct {
	Page store.VehiclePage
}

func (u *UI) vehiclesPage(c *fiber.Ctx) error {
	v, err := u.view(c, "vehicles.title")
	if err != nil {
		return err
	}
	page, err := u.Store.Vehicles(c.Query("after"), 50)
	if err != nil {
		return err
	}
	v.Data = vehiclesData{Page: page}
	return u.render(c, fiber.StatusOK, "vehicles", v)
}

type vehicleFormData struct {
	Customer store.Customer
	Vehicle  store.Vehicle
	Fuels    []string
	Matches  []store.Vehicle
}

func (u *UI) newVehiclePage(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cu, err := u.Store.Customer(id)
	if err != nil {
		return err
	}
	v, err := u.view(c, "vehicles.new")
	if err != nil {
		return err
	}
	v.Data = vehicleFormData{Customer: cu, Fuels: store.Fuels}
	return u.render(c, fiber.StatusOK, "vehicle_form", v)
}

// createVehicle adds a car to the customer; a plate or VIN already on file
// shows that car instead.
func (u *UI) createVehicle(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	cu, err := u.Store.Customer(id)
	if err != nil {
		return err
	}
	in, err := vehicleFromForm(c)
	if err == nil {
		in.CustomerID = id
		if km := strings.TrimSpace(c.FormValue("km")); km != "" {
			n, perr := strconv.Atoi(km)
			if perr != nil {
				err = store.Invalid("km", "vehicles.error.odometer_invalid")
			}
			in.Odometer = []store.Reading{{Km: n, Source: "manual"}}
		}
	}
	if err == nil {
		var ve store.Vehicle
		if ve, err = u.Store.CreateVehicle(web.Actor(c), in); err == nil {
			return redirect(c, fmt.Sprintf("/vehicles/%d?done=vehicles.created", ve.ID))
		}
	}
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, verr := u.view(c, "vehicles.new")
	if verr != nil {
		return verr
	}
	v.keep(c, vehicleFields...)
	v.fail(err)
	d := vehicleFormData{Customer: cu, Fuels: store.Fuels}
	if store.Is(err, store.CodeConflict) {
		var merr error
		if d.Matches, merr = u.Store.VehicleMatches(in); merr != nil {
			return merr
		}
	}
	v.Data = d
	return u.render(c, web.Status(err), "vehicle_form", v)
}

type vehicleData struct {
	Vehicle store.Vehicle
	Owner   store.Customer
	Owners  []ownerRow
	Jobs    []store.Job
	// Recommended are the lines the customer declined, for a later visit.
	Recommended []store.Recommended
}

type ownerRow struct {
	store.Ownership
	Name string
}

func (u *UI) vehicleView(c *fiber.Ctx, title string) (*View, vehicleData, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, vehicleData{}, err
	}
	ve, err := u.Store.Vehicle(id)
	if err != nil {
		return nil, vehicleData{}, err
	}
	v, err := u.view(c, title)
	if err != nil {
		return nil, vehicleData{}, err
	}
	d := vehicleData{Vehicle: ve}
	if d.Owner, err = u.Store.Customer(ve.CustomerID); err != nil && !store.Is(err, store.CodeNotFound) {
		return nil, d, err
	}
	for i := len(ve.Owners) - 1; i >= 0; i-- {
		row := ownerRow{Ownership: ve.Owners[i]}
		if cu, err := u.Store.Customer(row.CustomerID); err == nil {
			row.Name = cu.Name
		}
		d.Owners = append(d.Owners, row)
	}
	if d.Jobs, err = u.Store.VehicleJobs(id); err != nil {
		return nil, d, err
	}
	if err := u.withStageLabels(v); err != nil {
		return nil, d, err
	}
	if d.Recommended, err = u.Store.VehicleRecommended(id); err != nil {
		return nil, d, err
	}
	return v, d, nil
}

func (u *UI) vehiclePage(c *fiber.Ctx) error {
	v, d, err := u.vehicleView(c, "vehicles.title")
	if err != nil {
		return err
	}
	v.Data = d
	return u.render(c, fiber.StatusOK, "vehicle", v)
}

func (u *UI) vehicleFailed(c *fiber.Ctx, err error, fields ...string) error {
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v, d, verr := u.vehicleView(c, "vehicles.title")
	if verr != nil {
		return verr
	}
	v.keep(c, fields...)
	v.fail(err)
	v.Data = d
	return u.render(c, web.Status(err), "vehicle", v)
}

func (u *UI) addReading(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	r := store.Reading{Source: "manual"}
	r.Km, err = strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(c.FormValue("km"), ".", "")))
	if err != nil {
		return u.vehicleFailed(c, store.Invalid("km", "vehicles.error.odometer_invalid"), "km", "read_on")
	}
	if d := strings.TrimSpace(c.FormValue("read_on")); d != "" {
		st, serr := u.Store.Settings()
		if serr != nil {
			return serr
		}
		if r.At, err = time.ParseInLocation("2006-01-02", d, st.Location()); err != nil {
			return u.vehicleFailed(c, store.Invalid("read_on", "common.error.invalid_date"), "km", "read_on")
		}
		r.At = r.At.Add(12 * time.Hour)
	}
	if _, err := u.Store.AddReading(web.Actor(c), id, r); err != nil {
		return u.vehicleFailed(c, err, "km", "read_on")
	}
	return redirect(c, fmt.Sprintf("/vehicles/%d?done=vehicles.reading_added", id))
}

func (u *UI) transferVehicle(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	to, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(c.FormValue("to")), "#"), 10, 64)
	if err != nil {
		return u.vehicleFailed(c, store.Invalid("to", "customers.error.merge_unknown"), "to")
	}
	if _, err := u.Store.TransferVehicle(web.Actor(c), id, to); err != nil {
		if store.Is(err, store.CodeInvalid) {
			err = store.Invalid("to", "customers.error.merge_unknown")
		}
		return u.vehicleFailed(c, err, "to")
	}
	return redirect(c, fmt.Sprintf("/vehicles/%d?done=vehicles.transferred", id))
}

func (u *UI) editVehiclePage(c *fiber.Ctx) error {
	v, d, err := u.vehicleView(c, "vehicles.edit")
	if err != nil {
		return err
	}
	vehicleToForm(v, d.Vehicle)
	v.Data = vehicleFormData{Customer: d.Owner, Vehicle: d.Vehicle, Fuels: store.Fuels}
	return u.render(c, fiber.StatusOK, "vehicle_form", v)
}

func (u *UI) updateVehicle(c *fiber.Ctx) error {
	v, d, err := u.vehicleView(c, "vehicles.edit")
	if err != nil {
		return err
	}
	in, err := vehicleFromForm(c)
	if err == nil {
		in.ID = d.Vehicle.ID
		if _, err = u.Store.UpdateVehicle(web.Actor(c), in); err == nil {
			return redirect(c, fmt.Sprintf("/vehicles/%d?done=common.saved", in.ID))
		}
	}
	if _, ok := store.AsError(err); !ok {
		return err
	}
	v.keep(c, vehicleFields...)
	v.fail(err)
	fd := vehicleFormData{Customer: d.Owner, Vehicle: d.Vehicle, Fuels: store.Fuels}
	if store.Is(err, store.CodeConflict) {
		var merr error
		if fd.Matches, merr = u.Store.VehicleMatches(in); merr != nil {
			return merr
		}
	}
	v.Data = fd
	return u.render(c, web.Status(err), "vehicle_form", v)
}
