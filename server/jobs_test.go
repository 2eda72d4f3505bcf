package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pitlane/store"
)

// TestJobFromCheckInToInvoice walks a job through the staff pages and the
// customer's app: check-in with the odometer, a red inspection item made an
// extra line, the customer's approval, the invoice and its PDF.
func TestJobFromCheckInToInvoice(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.SaveSettings(store.System, func() store.Settings {
		st, _ := e.st.Settings()
		st.Currency = "EUR"
		return st
	}()); err != nil {
		t.Fatal(err)
	}
	mario := newCustomerWithCar(t, e, "Mario Rossi", "AB 123 CD")
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: mario.car.ID, Description: "Service"})
	if err != nil {
		t.Fatal(err)
	}
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	post := func(path string, form url.Values, wantStatus int) string {
		t.Helper()
		resp, body := e.do(scenario{method: http.MethodPost, path: path, as: store.RoleWorkshop, form: form})
		if resp.StatusCode != wantStatus {
			t.Fatalf("POST %s: %d, want %d: %.500s", path, resp.StatusCode, wantStatus, body)
		}
		return body
	}
	body := post(jp+"/checkin", url.Values{"km": {"40000"}, "fuel": {"4"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "48") || !strings.Contains(body, `value="40000"`) {
		t.Errorf("a reading below the car's history is not explained with the input kept: %.800s", body)
	}
	post(jp+"/checkin", url.Values{"km": {"52300"}, "fuel": {"6"}, "damage": {"Scratch on the rear bumper"}}, http.StatusSeeOther)
	if car, _ := e.st.Vehicle(mario.car.ID); car.Odometer[len(car.Odometer)-1].Km != 52300 {
		t.Errorf("check-in reading not on the car: %+v", car.Odometer)
	}
	post(jp+"/inspection", url.Values{}, http.StatusSeeOther)
	post(jp+"/items/0", url.Values{"status": {"red"}, "note": {"Pads at 2 mm"}}, http.StatusSeeOther)
	post(jp+"/items/0/line", url.Values{"kind": {"part"}, "qty": {"1"}, "unit_price": {"120,50"}, "tax_rate": {"22"}}, http.StatusSeeOther)
	post(jp+"/lines", url.Values{"kind": {"labour"}, "description": {"Oil service"}, "qty": {"1.5"}, "unit_price": {"45"}, "tax_rate": {"22"}, "approved": {"1"}}, http.StatusSeeOther)

	j, _ = e.st.Job(j.ID)
	if len(j.Lines) != 2 || j.Lines[0].Status != store.LineProposed {
		t.Fatalf("lines = %+v", j.Lines)
	}
	_, page := e.do(scenario{path: jp, as: store.RoleWorkshop})
	for _, want := range []string{"Pads at 2 mm", "Awaiting the customer", "Approved", "Oil service"} {
		if !strings.Contains(page, want) {
			t.Errorf("job page lacks %q", want)
		}
	}

	// Another customer cannot see or decide Mario's job.
	luigi := newCustomerWithCar(t, e, "Luigi Verdi", "EF 456 GH")
	decide := func(p phone, line int, decision string) *http.Response {
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/app/jobs/%d/lines/%d", j.ID, line), strings.NewReader("decision="+decision))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", androidUA)
		resp, _ := p.send(req)
		return resp
	}
	if resp := decide(luigi.phone, j.Lines[0].ID, "approve"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's approval got %d", resp.StatusCode)
	}
	if resp, body := luigi.phone.get(fmt.Sprintf("/app/jobs/%d", j.ID)); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Pads") {
		t.Errorf("another customer sees the job: %d", resp.StatusCode)
	}

	resp, app := mario.phone.get(fmt.Sprintf("/app/jobs/%d", j.ID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(app, "Pads at 2 mm") || !strings.Contains(app, `value="approve"`) {
		t.Fatalf("the customer's job page: %d %.800s", resp.StatusCode, app)
	}
	if resp := decide(mario.phone, j.Lines[0].ID, "approve"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approval got %d", resp.StatusCode)
	}
	if j, _ = e.st.Job(j.ID); j.Lines[0].Status != store.LineApproved {
		t.Fatalf("line not approved: %+v", j.Lines[0])
	}

	post(jp+"/invoice", url.Values{}, http.StatusSeeOther)
	// 120.50 + 26.51 tax, 67.50 + 14.85 tax
	const total = "229.36"
	resp, pdfBody := mario.phone.get(fmt.Sprintf("/app/jobs/%d/invoice.pdf", j.ID))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("invoice PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := luigi.phone.get(fmt.Sprintf("/app/jobs/%d/invoice.pdf", j.ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's invoice got %d", resp.StatusCode)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed (apt-get install -y poppler-utils): the PDF's text is not checked")
	}
	in := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(in, []byte(pdfBody), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", "-layout", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), total) || !strings.Contains(string(out), "Total to pay") {
		t.Errorf("invoice text lacks the total %s:\n%s", total, out)
	}
}

// The forms that add a line start with the dealership's tax rate; a line's
// own form keeps the line's rate, and a refused line keeps what was typed.
func TestAddLineStartsWithDealershipTax(t *testing.T) {
	e := newEnv(t)
	setTax := func(rate int64) {
		t.Helper()
		st, _ := e.st.Settings()
		st.TaxRate = rate
		if _, err := e.st.SaveSettings(store.System, st); err != nil {
			t.Fatal(err)
		}
	}
	setTax(2200)
	mario := newCustomerWithCar(t, e, "Mario Rossi", "AB 123 CD")
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: mario.car.ID, Description: "Service"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.AddLine(store.CLI, j.ID, store.Line{Kind: store.LinePart, Description: "Book", Qty: 100, UnitPrice: 1000, TaxRate: 400}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.StartInspection(store.CLI, j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetInspectionItem(store.CLI, j.ID, 0, store.InspectionItem{Status: "red"}); err != nil {
		t.Fatal(err)
	}
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	const (
		addLine22  = `id="tax_rate" name="tax_rate" type="text" value="22.00"`
		itemLine22 = `name="tax_rate" value="22.00" aria-label=`
		ownLine    = `id="line-1-tax_rate" name="tax_rate" value="4.00"`
	)
	e.run(t, []scenario{
		{name: "default rate", path: jp, as: store.RoleWorkshop, status: http.StatusOK,
			contains: []string{addLine22, itemLine22, ownLine}},
		{name: "refused line keeps what was typed", method: http.MethodPost, path: jp + "/lines", as: store.RoleWorkshop,
			form:   url.Values{"kind": {"part"}, "description": {"Pads"}, "qty": {"1"}, "unit_price": {"80"}, "tax_rate": {"twenty"}},
			status: http.StatusUnprocessableEntity, contains: []string{`id="tax_rate" name="tax_rate" type="text" value="twenty"`, ownLine},
			notContains: []string{addLine22}},
		{name: "emptied field is not refilled", method: http.MethodPost, path: jp + "/lines", as: store.RoleWorkshop,
			form:   url.Values{"kind": {"part"}, "description": {"Pads"}, "qty": {"1"}, "unit_price": {"80"}, "tax_rate": {""}},
			status: http.StatusUnprocessableEntity, contains: []string{`id="tax_rate" name="tax_rate" type="text" value=""`}},
	})
	setTax(1000)
	e.run(t, []scenario{
		{name: "a new rate shows at once", path: jp, as: store.RoleWorkshop, status: http.StatusOK,
			contains:    []string{`id="tax_rate" name="tax_rate" type="text" value="10.00"`, `name="tax_rate" value="10.00" aria-label=`, ownLine},
			notContains: []string{addLine22}},
	})
}
