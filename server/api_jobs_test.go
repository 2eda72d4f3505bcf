package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"pitlane/store"
)

func TestAPIJobs(t *testing.T) {
	e := newEnv(t)
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	car, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B 12 ABC", Make: "Dacia", Odometer: []store.Reading{{Km: 1000}}})
	if err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{
		{name: "open", method: http.MethodPost, path: "/api/v1/jobs", as: store.RoleWorkshop, apiKey: true,
			json: fmt.Sprintf(`{"vehicle_id": %d, "description": "Service"}`, car.ID), status: http.StatusCreated, contains: []string{`"number":"`}},
		{name: "odometer going back", method: http.MethodPost, path: "/api/v1/jobs/1/checkin", as: store.RoleWorkshop, apiKey: true,
			json: `{"km": 900, "fuel": 4}`, status: http.StatusUnprocessableEntity, contains: []string{`"field":"km"`}},
		{name: "check in", method: http.MethodPost, path: "/api/v1/jobs/1/checkin", as: store.RoleWorkshop, apiKey: true,
			json: `{"km": 1500, "fuel": 4}`, status: http.StatusOK, contains: []string{`"km":1500`}},
		{name: "a line", method: http.MethodPost, path: "/api/v1/jobs/1/lines", as: store.RoleWorkshop, apiKey: true,
			json:   `{"kind": "labour", "description": "Oil service", "qty": 150, "unit_price": 4500, "tax_rate": 2200, "status": "approved"}`,
			status: http.StatusCreated, contains: []string{`"approved":{"net":6750,"tax":1485,"gross":8235}`}},
		{name: "invoice", method: http.MethodPost, path: "/api/v1/jobs/1/invoice", as: store.RoleWorkshop, apiKey: true,
			status: http.StatusCreated, contains: []string{`"invoice":{"number":"`, `"gross":8235`}},
		{name: "no line after the invoice", method: http.MethodPost, path: "/api/v1/jobs/1/lines", as: store.RoleWorkshop, apiKey: true,
			json: `{"kind": "fee", "description": "x", "qty": 100, "unit_price": 1}`, status: http.StatusConflict},
		{name: "unknown", path: "/api/v1/jobs/99", as: store.RoleSales, apiKey: true, status: http.StatusNotFound},
	})
}
