package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pitlane/store"
)

func TestCustomerNoReEntry(t *testing.T) {
	e := newEnv(t)
	existing, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Maria Rossi", Mobile: "+39 333 123 4567", TaxCode: "RSSMRA80A41H501Z"})
	if err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{
		{name: "same mobile typed differently shows the existing customer", method: http.MethodPost, path: "/customers", as: store.RoleSales,
			form: url.Values{"name": {"M. Rossi"}, "phone": {"+39 (333) 123-4567"}}, status: http.StatusConflict,
			contains: []string{"Already on file", fmt.Sprintf(`href="/customers/%d"`, existing.ID), "Maria Rossi", `value="M. Rossi"`}},
		{name: "same tax code", method: http.MethodPost, path: "/customers", as: store.RoleSales,
			form: url.Values{"name": {"Maria"}, "tax_code": {"rssmra80a41h501z"}}, status: http.StatusConflict, contains: []string{"tax code already exists"}},
		{name: "invalid e-mail kept with message", method: http.MethodPost, path: "/customers", as: store.RoleWorkshop,
			form: url.Values{"name": {"Ion"}, "email": {"ion@"}}, status: http.StatusUnprocessableEntity, contains: []string{"valid email", `value="ion@"`}},
		{name: "new customer", method: http.MethodPost, path: "/customers", as: store.RoleWorkshop,
			form: url.Values{"name": {"Ion Popescu"}, "mobile": {"+40 721 000 111"}, "marketing": {"on"}, "marketing_source": {"paper"}}, status: http.StatusSeeOther},
	})
	c, err := e.st.CustomerByPhone("+40721000111")
	if err != nil || !c.Marketing || c.MarketingSource != "paper" || c.MarketingDate.IsZero() {
		t.Fatalf("created customer = %+v, %v", c, err)
	}
}

func TestCustomerPageAndVehicles(t *testing.T) {
	e := newEnv(t)
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop", Email: "ana@example.com"})
	e.run(t, []scenario{
		{name: "add a car", method: http.MethodPost, path: fmt.Sprintf("/customers/%d/vehicles", c.ID), as: store.RoleWorkshop,
			form: url.Values{"plate": {"B 12 ABC"}, "make": {"Dacia"}, "model": {"Duster"}, "fuel": {"diesel"}, "km": {"48200"}}, status: http.StatusSeeOther},
		{name: "same plate again shows the car", method: http.MethodPost, path: fmt.Sprintf("/customers/%d/vehicles", c.ID), as: store.RoleWorkshop,
			form: url.Values{"plate": {"b12-abc"}, "make": {"Dacia"}}, status: http.StatusConflict, contains: []string{"already on file", "Duster"}},
		{name: "bad VIN", method: http.MethodPost, path: fmt.Sprintf("/customers/%d/vehicles", c.ID), as: store.RoleWorkshop,
			form: url.Values{"plate": {"B 99 XYZ"}, "make": {"Dacia"}, "vin": {"UU1HSDAAG5O123456"}}, status: http.StatusUnprocessableEntity, contains: []string{"17 letters"}},
		{name: "customer page lists the car and the history", path: fmt.Sprintf("/customers/%d", c.ID), as: store.RoleSales, status: 200,
			contains: []string{"Ana Pop", "B 12 ABC", "Dacia Duster", "Car B 12 ABC added", "Customer created"}},
	})
	v, err := e.st.VehicleByPlate("B12ABC")
	if err != nil || len(v.Odometer) != 1 || v.Odometer[0].Km != 48200 {
		t.Fatalf("vehicle = %+v, %v", v, err)
	}
	buyer, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Radu Ionescu", Phone: "+40 722 111 222"})
	e.run(t, []scenario{
		{name: "odometer cannot go back", method: http.MethodPost, path: fmt.Sprintf("/vehicles/%d/readings", v.ID), as: store.RoleWorkshop,
			form: url.Values{"km": {"1000"}}, status: http.StatusUnprocessableEntity, contains: []string{"cannot go back"}},
		{name: "reading", method: http.MethodPost, path: fmt.Sprintf("/vehicles/%d/readings", v.ID), as: store.RoleWorkshop,
			form: url.Values{"km": {"51.000"}}, status: http.StatusSeeOther},
		{name: "unknown buyer", method: http.MethodPost, path: fmt.Sprintf("/vehicles/%d/transfer", v.ID), as: store.RoleSales,
			form: url.Values{"to": {"#999"}}, status: http.StatusUnprocessableEntity, contains: []string{"No customer with this number"}},
		{name: "sold", method: http.MethodPost, path: fmt.Sprintf("/vehicles/%d/transfer", v.ID), as: store.RoleSales,
			form: url.Values{"to": {fmt.Sprintf("#%d", buyer.ID)}}, status: http.StatusSeeOther},
		{name: "vehicle page keeps both owners and readings", path: fmt.Sprintf("/vehicles/%d", v.ID), as: store.RoleWorkshop, status: 200,
			contains: []string{"Radu Ionescu", "Ana Pop", "48,200", "51,000"}},
		{name: "seller's history says so", path: fmt.Sprintf("/customers/%d", c.ID), as: store.RoleSales, status: 200,
			contains: []string{"passed to a new owner"}, notContains: []string{`href="/vehicles/` + fmt.Sprint(v.ID) + `"><span class="plate">`}},
	})
}

func TestMergeCustomers(t *testing.T) {
	e := newEnv(t)
	keep, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Giovanni Verdi", Phone: "+39 051 111 2222"})
	gone, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Gianni Verdi", Email: "gianni@example.com"})
	if _, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: gone.ID, Plate: "AA111BB", Make: "Fiat", Model: "Tipo"}); err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{
		{name: "compare", path: fmt.Sprintf("/customers/%d/merge?other=%d", keep.ID, gone.ID), as: store.RoleBackoffice, status: 200,
			contains: []string{"Gianni Verdi", "AA111BB", "cannot be undone"}},
		{name: "itself", path: fmt.Sprintf("/customers/%d/merge?other=%d", keep.ID, keep.ID), as: store.RoleBackoffice, status: 200,
			contains: []string{"cannot be merged with itself"}},
		{name: "workshop may not merge", method: http.MethodPost, path: fmt.Sprintf("/customers/%d/merge", keep.ID), as: store.RoleWorkshop,
			form: url.Values{"other": {fmt.Sprint(gone.ID)}}, status: http.StatusForbidden},
		{name: "merge", method: http.MethodPost, path: fmt.Sprintf("/customers/%d/merge", keep.ID), as: store.RoleBackoffice,
			form: url.Values{"other": {fmt.Sprint(gone.ID)}}, status: http.StatusSeeOther},
		{name: "gone is gone", path: fmt.Sprintf("/customers/%d", gone.ID), as: store.RoleBackoffice, status: 404},
		{name: "kept has the car, the e-mail and the story", path: fmt.Sprintf("/customers/%d", keep.ID), as: store.RoleBackoffice, status: 200,
			contains: []string{"AA111BB", "gianni@example.com", "Merged with duplicate Gianni Verdi"}},
	})
	entries, _, _ := e.st.AuditLog(store.AuditFilter{Action: "customer_merge"})
	if len(entries) != 1 || !strings.Contains(entries[0].Detail, "Gianni Verdi") {
		t.Fatalf("audit = %+v", entries)
	}
}

func TestCustomerListPaging(t *testing.T) {
	e := newEnv(t)
	for i := range 60 {
		if _, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: fmt.Sprintf("Customer %03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	l := e.as(store.RoleSales)
	b.cookies["pl_session"] = l.cookie
	_, first := b.get("/customers")
	if !strings.Contains(first, "Customer 000") || strings.Contains(first, "Customer 055") || !strings.Contains(first, "(60)") {
		t.Fatalf("first page wrong: %.300s", first)
	}
	next := strings.Index(first, "/customers?sort=name&amp;after=")
	if next < 0 {
		t.Fatal("no next link")
	}
	href := first[next:]
	href = strings.ReplaceAll(href[:strings.Index(href, `"`)], "&amp;", "&")
	_, second := b.get(href)
	if !strings.Contains(second, "Customer 055") || strings.Contains(second, "Customer 049") {
		t.Fatalf("second page wrong")
	}
}
