package server_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pitlane/store"
)

// TestServiceHistory shows a car's declined lines as recommended later and
// prints its service history with the jobs, readings and recommendations.
func TestServiceHistory(t *testing.T) {
	e := newEnv(t)
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	car, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B 12 ABC", Make: "Dacia", Model: "Duster"})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := e.st.CreateJob(store.CLI, store.Job{VehicleID: car.ID, Description: "Annual service"})
	if _, err := e.st.CheckInJob(store.CLI, j.ID, store.CheckIn{Km: 61000, Fuel: 4}); err != nil {
		t.Fatal(err)
	}
	e.st.AddLine(store.CLI, j.ID, store.Line{Kind: store.LineLabour, Description: "Oil service", Qty: 100, UnitPrice: 9000, TaxRate: 1900, Status: store.LineApproved})
	e.st.AddLine(store.CLI, j.ID, store.Line{Kind: store.LinePart, Description: "Rear wiper blade", Qty: 100, UnitPrice: 1500, TaxRate: 1900})
	if _, err := e.st.DecideLine(store.CLI, c.ID, j.ID, 2, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.IssueInvoice(store.CLI, j.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{{name: "the car page", path: fmt.Sprintf("/vehicles/%d", car.ID), as: store.RoleWorkshop,
		status: http.StatusOK, contains: []string{"Recommended for later", "Rear wiper blade", "history.pdf"}}})

	resp, body := e.do(scenario{path: fmt.Sprintf("/vehicles/%d/history.pdf", car.ID), as: store.RoleSales})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("history PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed (apt-get install -y poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "h.pdf")
	os.WriteFile(in, []byte(body), 0o600)
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Service history", "B 12 ABC", "Oil service", "61,000 km", "Rear wiper blade", fmt.Sprintf("%d-0001", time.Now().Year())} {
		if !strings.Contains(string(out), want) {
			t.Errorf("history lacks %q:\n%s", want, out)
		}
	}
}

// TestChecklistEdited: a manager's checklist, in their language, is what a
// new inspection starts from.
func TestChecklistEdited(t *testing.T) {
	e := newEnv(t)
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	car, _ := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B 12 ABC", Make: "Dacia"})
	j, _ := e.st.CreateJob(store.CLI, store.Job{VehicleID: car.ID})
	e.run(t, []scenario{
		{name: "the list", path: "/workshop/checklist", as: store.RoleManager, status: http.StatusOK, contains: []string{"Front brakes\nRear brakes"}},
		{name: "workshop may not", path: "/workshop/checklist", as: store.RoleWorkshop, status: http.StatusForbidden},
		{name: "save", method: http.MethodPost, path: "/workshop/checklist", as: store.RoleManager,
			form: map[string][]string{"items": {"Battery\nHorn"}}, status: http.StatusSeeOther},
		{name: "start", method: http.MethodPost, path: fmt.Sprintf("/jobs/%d/inspection", j.ID), as: store.RoleWorkshop, status: http.StatusSeeOther},
		{name: "the inspection", path: fmt.Sprintf("/jobs/%d", j.ID), as: store.RoleWorkshop, status: http.StatusOK,
			contains: []string{">Battery</th>", ">Horn</th>"}, notContains: []string{"Front brakes"}},
	})
	got, _ := e.st.Job(j.ID)
	if got.Inspection[0].Key != "battery" {
		t.Errorf("a default item was not kept as its key: %+v", got.Inspection[0])
	}
}
