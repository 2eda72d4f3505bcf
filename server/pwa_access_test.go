package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"pitlane/store"
	"pitlane/web"
)

// androidUA is a phone's browser, for requests that pair or use the app.
const androidUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"

// phone is a browser on a customer's phone: it keeps its cookies and sends
// a phone's User-Agent.
type phone struct{ *browser }

func (e *env) phone() phone { return phone{e.browser()} }

func (p phone) do(method, path string) (*http.Response, string) {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("User-Agent", androidUA)
	if p.ip != "" {
		// Believed when the test trusts the proxy at the test connection's
		// address (newEnvWith).
		req.Header.Set("X-Forwarded-For", p.ip)
	}
	return p.send(req)
}

func (p phone) get(path string) (*http.Response, string) { return p.do(http.MethodGet, path) }

// pairPhone makes a pairing link for the customer as staff would and opens
// it on a new phone, which lands in the app.
func pairPhone(t *testing.T, e *env, customerID uint64) phone {
	t.Helper()
	token, _, err := e.st.CreatePairLink(store.CLI, customerID, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := e.phone()
	resp, body := p.get("/pair/" + token)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/" {
		t.Fatalf("pairing: %d to %q: %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	if p.cookies["pl_device"] == "" {
		t.Fatal("pairing set no device cookie")
	}
	return p
}

// customerWithCar is one customer of the access test, with what only they
// may see.
type customerWithCar struct {
	customer store.Customer
	car      store.Vehicle
	phone    phone
	// job has an estimate line and an invoice.
	job store.Job
	// photo is the hash of a photo the customer sent in a message.
	photo string
	// appointment is booked for the car, with a new time proposed.
	appointment store.Appointment // waitlist is the customer's entry on the appointments' waiting list.
	waitlist    store.WaitlistEntry
}

func newCustomerWithCar(t *testing.T, e *env, name, plate string) customerWithCar {
	t.Helper()
	c, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	car, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: plate, Make: "Dacia", Model: "Logan",
		Odometer: []store.Reading{{Km: 48200}}})
	if err != nil {
		t.Fatal(err)
	}
	job := invoicedJob(t, e, car.ID)
	f := customerWithCar{customer: c, car: car, phone: pairPhone(t, e, c.ID), job: job, appointment: proposedAppointment(t, e, car)}
	f.waitlist = waitingFor(t, e, c.ID)
	return f
}

// markers are strings only this customer's pages may contain.
func (f customerWithCar) markers() []string { return []string{f.customer.Name, f.car.Plate} }

// paramValues gives, for each route parameter of the customers' app, the
// customer's record of that kind. A route whose parameter is missing here
// fails TestCustomerAccess until its kind is added: every customer route
// is walked with another customer's records.
var paramValues = map[string]func(f customerWithCar) string{
	"vehicle":     func(f customerWithCar) string { return fmt.Sprint(f.car.ID) },
	"job":         func(f customerWithCar) string { return fmt.Sprint(f.job.ID) },
	"line":        func(f customerWithCar) string { return fmt.Sprint(f.job.Lines[0].ID) },
	"media":       func(f customerWithCar) string { return f.photo },
	"appointment": func(f customerWithCar) string { return fmt.Sprint(f.appointment.ID) },
	"waitlist":    func(f customerWithCar) string { return fmt.Sprint(f.waitlist.ID) },
}

var routeParam = regexp.MustCompile(`:([a-z_]+)|\*`)

// fill puts f's records in the route's parameters.
func fill(t *testing.T, path string, f customerWithCar) string {
	t.Helper()
	return routeParam.ReplaceAllStringFunc(path, func(p string) string {
		value, ok := paramValues[strings.TrimPrefix(p, ":")]
		if !ok {
			t.Fatalf("route %s: no value for %s in paramValues; add the kind of record it names", path, p)
		}
		return value(f)
	})
}

// TestCustomerAccess proves every page, file and call of the customers'
// app is scoped to the paired customer: it walks each route declared with
// routes.Customer, so routes added later are covered without touching
// this test (unless they name a new kind of record).
func TestCustomerAccess(t *testing.T) {
	e := newEnv(t)
	a := newCustomerWithCar(t, e, "Ana Pop", "AA 111 AA")
	b := newCustomerWithCar(t, e, "Radu Ionescu", "BB 222 BB")
	a.photo, b.photo = sentPhoto(t, e, a), sentPhoto(t, e, b)

	// A second phone of A's, disconnected by staff after it was used.
	revoked := pairPhone(t, e, a.customer.ID)
	if resp, _ := revoked.get("/app/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("before revoking, the phone got %d", resp.StatusCode)
	}
	devices, _ := e.st.CustomerDevices(a.customer.ID)
	var revokedID uint64 // the later pairing
	for _, d := range devices {
		revokedID = max(revokedID, d.ID)
	}
	if _, err := e.st.RevokeDevice(store.CLI, a.customer.ID, revokedID); err != nil {
		t.Fatal(err)
	}
	stranger := e.phone()
	forged := e.phone()
	forged.cookies["pl_device"] = "not-a-credential"

	var routes []web.Route
	for _, r := range e.srv.Routes() {
		switch {
		case r.Customer:
			routes = append(routes, r)
		case r.Public && strings.HasPrefix(r.Path, "/app") && !routeParam.MatchString(r.Path):
			// What the app serves to anyone (the offline page the service
			// worker keeps, the manifest) says nothing about the caller.
			t.Run("public "+r.Path, func(t *testing.T) {
				for _, f := range []customerWithCar{a, b} {
					_, body := f.phone.do(r.Method, r.Path)
					for _, m := range append(a.markers(), b.markers()...) {
						if strings.Contains(body, m) {
							t.Errorf("public %s shows %q", r.Path, m)
						}
					}
				}
			})
		}
	}
	if len(routes) < 2 {
		t.Fatalf("only %d customer routes declared", len(routes))
	}
	for _, r := range routes {
		ofB := fill(t, r.Path, b)
		hasParams := ofB != r.Path
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			resp, body := b.phone.do(r.Method, ofB)
			switch {
			case r.Method == http.MethodGet && resp.StatusCode != http.StatusOK:
				t.Fatalf("B's phone on B's %s got %d: %.300s", ofB, resp.StatusCode, body)
			case resp.StatusCode >= 500 || resp.StatusCode == http.StatusUnauthorized ||
				resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound:
				t.Fatalf("B's phone on B's %s got %d", ofB, resp.StatusCode)
			}
			isPage := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html")
			if r.Method == http.MethodGet && hasParams && isPage && !strings.Contains(body, b.car.Plate) {
				t.Errorf("B's phone on B's %s does not show B's car", ofB)
			}

			resp, body = a.phone.do(r.Method, ofB)
			if hasParams && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
				t.Errorf("A's phone on B's %s got %d, want 403 or 404", ofB, resp.StatusCode)
			}
			if !hasParams && r.Method == http.MethodGet && resp.StatusCode != http.StatusOK {
				t.Errorf("A's phone on %s got %d", ofB, resp.StatusCode)
			}
			for _, m := range b.markers() {
				if strings.Contains(body, m) {
					t.Errorf("A's phone on %s sees B's %q", ofB, m)
				}
			}

			for name, p := range map[string]phone{"revoked phone": revoked, "phone never paired": stranger, "forged cookie": forged} {
				resp, body := p.do(r.Method, ofB)
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s on %s got %d, want 401", name, ofB, resp.StatusCode)
				}
				for _, m := range append(a.markers(), b.markers()...) {
					if strings.Contains(body, m) {
						t.Errorf("%s on %s sees %q", name, ofB, m)
					}
				}
				if r.Method == http.MethodGet && !strings.Contains(body, "scan the code again") {
					t.Errorf("%s on %s is not told to scan the code again: %.300s", name, ofB, body)
				}
			}
		})
	}
}

// invoicedJob opens a job on the car with one approved line and closes it
// with an invoice, so every job route has something to show.
func invoicedJob(t *testing.T, e *env, vehicleID uint64) store.Job {
	t.Helper()
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: vehicleID})
	if err == nil {
		j, err = e.st.AddLine(store.CLI, j.ID, store.Line{Kind: store.LineLabour, Description: "Oil service",
			Qty: 100, UnitPrice: 5000, TaxRate: 2200, Status: store.LineApproved})
	}
	if err == nil {
		j, err = e.st.IssueInvoice(store.CLI, j.ID, "", "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// proposedAppointment books the car a week ahead and proposes another time,
// so every appointment route has something to show and to answer.
func proposedAppointment(t *testing.T, e *env, car store.Vehicle) store.Appointment {
	t.Helper()
	start := time.Now().Truncate(time.Hour).AddDate(0, 0, 7+int(car.ID))
	ap, err := e.st.BookAppointment(store.CLI, store.Booking{CustomerID: car.CustomerID, VehicleID: car.ID, Department: "Mechanics",
		Start: start, End: start.Add(time.Hour)})
	if err == nil {
		ap, err = e.st.ProposeAppointment(store.CLI, ap.ID, start.Add(2*time.Hour), start.Add(3*time.Hour))
	}
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

// waitingFor puts the customer on the waiting list for a tyre change.
func waitingFor(t *testing.T, e *env, customerID uint64) store.WaitlistEntry {
	t.Helper()
	ws, err := e.st.Workshop()
	if err == nil && len(ws.Services) == 0 {
		ws, err = e.st.SaveWorkshop(store.CLI, store.Workshop{SlotMinutes: 30, ReminderHour: 18,
			Services: []store.ServiceType{{Name: "Tyre change", Department: "Mechanics", Minutes: 30}}})
	}
	var w store.WaitlistEntry
	if err == nil {
		day := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
		w, err = e.st.JoinWaitlist(store.CLI, customerID, store.WaitlistEntry{Department: "Mechanics",
			Services: []uint64{ws.Services[0].ID}, From: day, To: day})
	}
	if err != nil {
		t.Fatal(err)
	}
	return w
}
