package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"pitlane/api"
	"pitlane/store"
)

// TestOpenAPIMatchesRoutes keeps the OpenAPI document true: every API route
// is documented with its method, and every documented operation exists.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:([a-z]+)`)
	served := map[string]bool{}
	for _, r := range e.srv.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, api.Prefix+"/") || r.Method == http.MethodHead {
			continue
		}
		p := param.ReplaceAllString(strings.TrimPrefix(r.Path, api.Prefix), "{$1}")
		op := strings.ToLower(r.Method) + " " + p
		served[op] = true
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s is not in openapi.json", r.Method, p)
		}
	}
	if len(served) < 9 {
		t.Fatalf("only %d API operations found among the app's routes", len(served))
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !served[m+" "+p] {
				t.Errorf("openapi.json documents %s %s, which is not served", m, p)
			}
		}
	}
	resp, body := e.do(scenario{method: http.MethodGet, path: "/api/v1/openapi.json"})
	if resp.StatusCode != 200 || body != string(api.OpenAPI()) {
		t.Fatalf("served document: %d", resp.StatusCode)
	}
}

func TestAPICustomers(t *testing.T) {
	e := newEnv(t)
	e.run(t, []scenario{
		{name: "no key", method: http.MethodGet, path: "/api/v1/me", status: 401, contains: []string{`"code":"unauthorized"`}},
		{name: "bad key", method: http.MethodGet, path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer pl_nope"}, status: 401},
		{name: "me", method: http.MethodGet, path: "/api/v1/me", as: store.RoleSales, apiKey: true, status: 200, contains: []string{`"role":"sales"`}},
		{name: "create", method: http.MethodPost, path: "/api/v1/customers", as: store.RoleSales, apiKey: true,
			json: `{"name":"Ion Popescu","email":"Ion@Example.com","phone":"+40 721 000 111"}`, status: 201, contains: []string{`"email":"ion@example.com"`, `"id":1`}},
		{name: "same phone written differently", method: http.MethodPost, path: "/api/v1/customers", as: store.RoleSales, apiKey: true,
			json: `{"name":"Someone","phone":"+40721000111"}`, status: 409, contains: []string{`"code":"conflict"`, `"field":"phone"`}},
		{name: "invalid in italian", method: http.MethodPost, path: "/api/v1/customers", as: store.RoleSales, apiKey: true,
			header: map[string]string{"Accept-Language": "it"}, json: `{"email":"nope"}`, status: 422,
			contains: []string{`"code":"invalid"`, `"field":"name"`, "Questo campo è obbligatorio.", `"field":"email"`}},
		{name: "not json", method: http.MethodPost, path: "/api/v1/customers", as: store.RoleSales, apiKey: true, status: 422, contains: []string{"JSON"}},
		{name: "read", method: http.MethodGet, path: "/api/v1/customers/1", as: store.RoleWorkshop, apiKey: true, status: 200, contains: []string{"Ion Popescu"}},
		{name: "vehicle with bad VIN", method: http.MethodPost, path: "/api/v1/vehicles", as: store.RoleSales, apiKey: true,
			json: `{"customer_id":1,"plate":"AB 123 CD","make":"Fiat","vin":"ZFA3120000J12345O"}`, status: 422, contains: []string{`"field":"vin"`}},
		{name: "vehicle", method: http.MethodPost, path: "/api/v1/vehicles", as: store.RoleSales, apiKey: true,
			json: `{"customer_id":1,"plate":"AB 123 CD","make":"Fiat","model":"Panda","fuel":"petrol"}`, status: 201, contains: []string{`"plate":"AB 123 CD"`}},
		{name: "customer vehicles", method: http.MethodGet, path: "/api/v1/customers/1/vehicles", as: store.RoleSales, apiKey: true, status: 200, contains: []string{"Panda"}},
		{name: "missing", method: http.MethodGet, path: "/api/v1/customers/77", as: store.RoleSales, apiKey: true, status: 404, contains: []string{`"code":"not_found"`}},
		{name: "users needs manager", method: http.MethodGet, path: "/api/v1/users", as: store.RoleSales, apiKey: true, status: 403, contains: []string{`"code":"forbidden"`}},
		{name: "users hides hashes", method: http.MethodGet, path: "/api/v1/users", as: store.RoleManager, apiKey: true, status: 200, notContains: []string{"argon2", "password"}},
		{name: "audit records the API caller", method: http.MethodGet, path: "/api/v1/audit", as: store.RoleManager, apiKey: true, status: 200, contains: []string{`"name":"API: test sales"`, "customer_create"}},
	})
}

func TestRevokedKeyLosesAccess(t *testing.T) {
	e := newEnv(t)
	secret := e.key(store.RoleSales)
	keys, _ := e.st.APIKeys()
	if err := e.st.RevokeAPIKey(store.CLI, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{{name: "revoked", method: http.MethodGet, path: "/api/v1/me", header: map[string]string{"Authorization": "Bearer " + secret}, status: 401}})
}

func TestAPICustomerLifecycle(t *testing.T) {
	e := newEnv(t)
	a, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop", Email: "ana@example.com"})
	b, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop (dup)", Phone: "+40 700 000 001"})
	v, _ := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: b.ID, Plate: "CJ 01 ABC", Make: "Dacia"})
	e.run(t, []scenario{
		{name: "list", method: http.MethodGet, path: "/api/v1/customers?limit=1", as: store.RoleSales, apiKey: true, status: 200,
			contains: []string{`"total":2`, `"name":"Ana Pop"`, `"next":"`}},
		{name: "update collides", method: http.MethodPut, path: fmt.Sprintf("/api/v1/customers/%d", a.ID), as: store.RoleSales, apiKey: true,
			json: `{"name":"Ana Pop","phone":"+40700000001"}`, status: 409, contains: []string{`"field":"phone"`}},
		{name: "reading", method: http.MethodPost, path: fmt.Sprintf("/api/v1/vehicles/%d/readings", v.ID), as: store.RoleWorkshop, apiKey: true,
			json: `{"km":1200}`, status: 201, contains: []string{`"km":1200`, `"source":"api"`}},
		{name: "reading going back", method: http.MethodPost, path: fmt.Sprintf("/api/v1/vehicles/%d/readings", v.ID), as: store.RoleWorkshop, apiKey: true,
			json: `{"km":100}`, status: 422, contains: []string{"1200"}},
		{name: "sales may not merge", method: http.MethodPost, path: fmt.Sprintf("/api/v1/customers/%d/merge", a.ID), as: store.RoleSales, apiKey: true,
			json: fmt.Sprintf(`{"other":%d}`, b.ID), status: 403},
		{name: "merge", method: http.MethodPost, path: fmt.Sprintf("/api/v1/customers/%d/merge", a.ID), as: store.RoleBackoffice, apiKey: true,
			json: fmt.Sprintf(`{"other":%d}`, b.ID), status: 200, contains: []string{`"phone":"+40 700 000 001"`}},
		{name: "timeline", method: http.MethodGet, path: fmt.Sprintf("/api/v1/customers/%d/timeline", a.ID), as: store.RoleSales, apiKey: true, status: 200,
			contains: []string{"timeline.merged", "timeline.vehicle_added"}},
		{name: "transfer to unknown", method: http.MethodPost, path: fmt.Sprintf("/api/v1/vehicles/%d/transfer", v.ID), as: store.RoleSales, apiKey: true,
			json: `{"customer_id":999}`, status: 422},
		{name: "vehicles", method: http.MethodGet, path: "/api/v1/vehicles", as: store.RoleSales, apiKey: true, status: 200,
			contains: []string{fmt.Sprintf(`"customer_id":%d`, a.ID), "CJ 01 ABC"}},
	})
}
