package server_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pitlane/config"
	"pitlane/media"
	"pitlane/store"
)

// postFiles sends the multipart form whose action is action on the page at
// from, as the browser does: the CSRF token in the action's query.
func (b *browser) postFiles(t *testing.T, from, action string, fields map[string]string, files ...upFile) (*http.Response, string) {
	t.Helper()
	_, page := b.get(from)
	m := regexp.MustCompile(`action="` + regexp.QuoteMeta(action) + `\?_csrf=([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("%s has no upload form to %s: %.600s", from, action, page)
	}
	body, ctype := multipartBody(t, fields, files...)
	req := httptest.NewRequest(http.MethodPost, action+"?_csrf="+url.QueryEscape(html.UnescapeString(m[1])), body)
	req.Header.Set("Content-Type", ctype)
	return b.send(req)
}

// serviceEnv is an appliance whose workshop offers one service, and a
// customer with a car and a paired phone. (calendarEnv's change of the
// server's zone is not needed here.)
func serviceEnv(t *testing.T) (*env, store.Customer, store.Vehicle, phone, string) {
	t.Helper()
	e := newEnv(t)
	ws, err := e.st.SaveWorkshop(store.CLI, store.Workshop{SlotMinutes: 60, ReminderHour: 18,
		Services: []store.ServiceType{{Name: "Brake check", Department: "Mechanics", Minutes: 60, PriceMinor: 4000}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ion Popescu"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B123ABC", Make: "Dacia", Model: "Logan"})
	if err != nil {
		t.Fatal(err)
	}
	return e, c, v, pairPhone(t, e, c.ID), strconv.FormatUint(ws.Services[0].ID, 10)
}

// request sends the app's appointment request form for the first free
// time, with files.
func (p phone) request(t *testing.T, service string, vehicleID uint64, asJSON bool, files ...upFile) (*http.Response, string) {
	t.Helper()
	_, page := p.get("/app/appointments/new?dept=Mechanics&services=" + service)
	slot := regexp.MustCompile(`name="slot" value="([^"]+)"`).FindStringSubmatch(page)
	action := regexp.MustCompile(`action="(/app/appointments\?[^"]+)"`).FindStringSubmatch(page)
	if slot == nil || action == nil {
		t.Fatalf("the request form has no time or no upload action: %.2000s", page)
	}
	body, ctype := multipartBody(t, map[string]string{"dept": "Mechanics", "services": service,
		"vehicle": strconv.FormatUint(vehicleID, 10), "description": "Oil under the car", "slot": slot[1]}, files...)
	req := httptest.NewRequest(http.MethodPost, html.UnescapeString(action[1]), body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", androidUA)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	return p.send(req)
}

// TestWorkshopFilesReachTheirCustomerOnly follows a car's photos from the
// customer's request through check-in, inspection and an invoice PDF from
// the accounting system: staff see them, the customer sees them in the
// app, and another customer who knows every hash gets none.
func TestWorkshopFilesReachTheirCustomerOnly(t *testing.T) {
	e, c, car, ion, svc := serviceEnv(t)
	radu := newCustomerWithCar(t, e, "Radu Ionescu", "BB 222 BB")

	leak := photoJPEG(t, 640, 480)
	resp, body := ion.request(t, svc, car.ID, false, upFile{"files", "leak.jpg", leak})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=requested") {
		t.Fatalf("request: %d %q %.500s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	aps, _ := e.st.CustomerAppointments(c.ID)
	if len(aps) != 1 || len(aps[0].Attachments) != 1 || aps[0].Attachments[0].Thumb == "" {
		t.Fatalf("stored %+v", aps)
	}
	ap, request := aps[0], aps[0].Attachments[0]
	if _, page := ion.get(resp.Header.Get("Location")); !strings.Contains(page, `src="/app/media/`+request.Thumb+`"`) ||
		!strings.Contains(page, `href="/app/media/`+request.Media+`"`) {
		t.Errorf("the app's appointment page does not show the photo: %.1500s", page)
	}
	desk := e.staffDesk(store.RoleWorkshop)
	if _, page := desk.get(fmt.Sprintf("/appointments/%d", ap.ID)); !strings.Contains(page, `src="/media/`+request.Thumb+`"`) ||
		!strings.Contains(page, "The customer’s photos and videos") {
		t.Errorf("the staff appointment page does not show the photo: %.1500s", page)
	}
	for _, role := range store.Roles {
		if resp, got := e.staffDesk(role).get("/media/" + request.Media); resp.StatusCode != 200 || got != string(leak) {
			t.Errorf("%s fetching the request's photo: %d", role, resp.StatusCode)
		}
	}

	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: car.ID})
	if err != nil {
		t.Fatal(err)
	}
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	scratch, pads := photoJPEG(t, 300, 200), photoJPEG(t, 200, 300)
	if resp, body := desk.postFiles(t, jp, jp+"/checkin", map[string]string{"km": "52.300", "fuel": "6"},
		upFile{"files", "scratch.jpg", scratch}, upFile{"files", "walkaround.mp4", padded(mp4Head(), 5000)}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("check-in: %d %.800s", resp.StatusCode, body)
	}
	e.run(t, []scenario{{name: "start the inspection", method: http.MethodPost, path: jp + "/inspection", as: store.RoleWorkshop, status: http.StatusSeeOther}})
	if resp, body := desk.postFiles(t, jp, jp+"/items/0", map[string]string{"status": "red", "note": "Pads at 2 mm"},
		upFile{"files", "pads.jpg", pads}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("inspection item: %d %.800s", resp.StatusCode, body)
	}
	e.run(t, []scenario{{name: "an extra line from the item", method: http.MethodPost, path: jp + "/items/0/line", as: store.RoleWorkshop,
		form: url.Values{"kind": {"part"}, "qty": {"1"}, "unit_price": {"80"}, "tax_rate": {"22"}}, status: http.StatusSeeOther}})
	j, _ = e.st.Job(j.ID)
	if j.CheckIn == nil || j.CheckIn.Km != 52300 || len(j.CheckIn.Attachments) != 2 || len(j.Inspection[0].Attachments) != 1 || len(j.Lines) != 1 {
		t.Fatalf("job %+v", j)
	}
	checkin, video, item := j.CheckIn.Attachments[0], j.CheckIn.Attachments[1], j.Inspection[0].Attachments[0]
	_, page := desk.get(jp)
	for _, want := range []string{`src="/media/` + checkin.Thumb + `"`, `<video controls playsinline preload="metadata" src="/media/` + video.Media + `"`,
		`src="/media/` + item.Thumb + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the staff job page lacks %s", want)
		}
	}

	_, app := ion.get(fmt.Sprintf("/app/jobs/%d", j.ID))
	// The line, from its start to its approve button.
	line := regexp.MustCompile(`(?s)<li id="line-` + strconv.Itoa(j.Lines[0].ID) + `".*?value="approve"`).FindString(app)
	if !strings.Contains(line, `src="/app/media/`+item.Thumb+`"`) {
		t.Errorf("the extra line is not shown with its item's photo: %s", line)
	}
	if !strings.Contains(app, `src="/app/media/`+checkin.Thumb+`"`) || !strings.Contains(app, "Photos at check-in") {
		t.Errorf("the app's job page lacks the check-in photo: %.2000s", app)
	}

	if resp, body := desk.postFiles(t, jp, jp+"/invoice/upload", map[string]string{"number": "FT 7/2026"},
		upFile{"file", "ft7.pdf", []byte(pdf)}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("invoice upload: %d %.800s", resp.StatusCode, body)
	}
	j, _ = e.st.Job(j.ID)
	if j.Invoice == nil || j.Invoice.Number != "FT 7/2026" || j.Invoice.Upload == "" {
		t.Fatalf("invoice %+v", j.Invoice)
	}
	if _, page := desk.get(jp); !strings.Contains(page, "Invoice FT 7/2026") || !strings.Contains(page, "PDF from the accounting system") {
		t.Errorf("the staff job page does not show the uploaded invoice: %.3000s", page)
	}
	for who, b := range map[string]*browser{"the customer": ion.browser, "staff": desk} {
		path := fmt.Sprintf("/app/jobs/%d/invoice.pdf", j.ID)
		if b == desk {
			path = jp + "/invoice.pdf"
		}
		resp, got := b.get(path)
		if resp.StatusCode != 200 || got != pdf || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("%s downloading the uploaded invoice: %d %q", who, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}

	files := map[string]string{"the request's photo": request.Media, "its thumbnail": request.Thumb, "the check-in photo": checkin.Media,
		"the check-in video": video.Media, "the inspection photo": item.Media, "the uploaded invoice": j.Invoice.Upload}
	for name, hash := range files {
		if resp, got := ion.get("/app/media/" + hash); resp.StatusCode != 200 || got == "" {
			t.Errorf("the customer fetching %s: %d", name, resp.StatusCode)
		}
		if resp, got := radu.phone.get("/app/media/" + hash); resp.StatusCode != http.StatusNotFound || strings.Contains(got, "JFIF") || strings.Contains(got, "%PDF") {
			t.Errorf("another customer fetching %s by its hash: %d", name, resp.StatusCode)
		}
	}
	if resp, _ := radu.phone.get(fmt.Sprintf("/app/jobs/%d/invoice.pdf", j.ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's invoice: %d", resp.StatusCode)
	}
	// The daily clean-up of unused uploads finds every one of these used.
	if n := e.purgeMedia(t); n != 0 {
		t.Errorf("the clean-up deleted %d files records point at", n)
	}
	for name, hash := range files {
		if resp, _ := ion.get("/app/media/" + hash); resp.StatusCode != 200 {
			t.Errorf("the customer fetching %s after the clean-up: %d", name, resp.StatusCode)
		}
	}
}

func TestWorkshopUploadRefusals(t *testing.T) {
	e := newEnvWith(t, func(c *config.Config) { c.MaxPhoto, c.MaxVideo = 1_000_000, 2_000_000 }, nil)
	mario := newCustomerWithCar(t, e, "Mario Rossi", "AB 123 CD")
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: mario.car.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.StartInspection(store.CLI, j.ID); err != nil {
		t.Fatal(err)
	}
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	desk := e.staffDesk(store.RoleWorkshop)
	italian := e.staffDesk(store.RoleWorkshop)
	italian.lang = "it"
	tests := []struct {
		name   string
		b      *browser
		action string
		fields map[string]string
		files  []upFile
		say    string
	}{
		{"a PDF called photo.jpg at check-in", desk, jp + "/checkin", map[string]string{"km": "50000", "fuel": "4"},
			[]upFile{{"files", "photo.jpg", []byte(pdf)}}, "“photo.jpg” is not a photo or a video"},
		{"a photo over the limit on an item", desk, jp + "/items/0", map[string]string{"status": "red"},
			[]upFile{{"files", "big.jpg", padded(photoJPEG(t, 8, 8), 1_000_001)}}, "The photo “big.jpg” is larger than 1 MB."},
		{"in the staff member's language", italian, jp + "/items/0", map[string]string{"status": "red"},
			[]upFile{{"files", "clip.mp4", padded(mp4Head(), 2_000_001)}}, "Il video «clip.mp4» supera i 2 MB."},
		{"a photo as the invoice", desk, jp + "/invoice/upload", map[string]string{"number": "FT 7"},
			[]upFile{{"file", "scan.jpg", photoJPEG(t, 8, 8)}}, "“scan.jpg” is not a PDF."},
		{"an invoice without its PDF", desk, jp + "/invoice/upload", map[string]string{"number": "FT 7"}, nil, "Choose the invoice PDF."},
		{"an invoice without its number", desk, jp + "/invoice/upload", map[string]string{"number": " "},
			[]upFile{{"file", "ft7.pdf", []byte(pdf)}}, "Enter the number of the uploaded invoice."},
		{"an invoice PDF over the limit", desk, jp + "/invoice/upload", map[string]string{"number": "FT 7"},
			[]upFile{{"file", "ft7.pdf", padded([]byte(pdf), 20_000_001)}}, "The PDF is larger than 20 MB."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := tt.b.postFiles(t, jp, tt.action, tt.fields, tt.files...)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(tt.say)) {
				t.Fatalf("%d, want 422 saying %q: %.3000s", resp.StatusCode, tt.say, body)
			}
			if files := e.mediaFiles(t); len(files) != 0 {
				t.Errorf("a refused form left %v on disk", files)
			}
		})
	}
	if got, _ := e.st.Job(j.ID); got.CheckIn != nil || got.Invoice != nil || len(got.Inspection[0].Attachments) != 0 || got.Inspection[0].Status != "" {
		t.Errorf("refused forms changed the job: %+v", got)
	}
}

func TestAppointmentRequestRefusesWhatIsNoPhoto(t *testing.T) {
	e, c, car, ion, svc := serviceEnv(t)
	resp, body := ion.request(t, svc, car.ID, false, upFile{"files", "photo.jpg", []byte(pdf)})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString("“photo.jpg” is not a photo or a video")) ||
		!strings.Contains(body, `value="`+svc+`" checked`) {
		t.Errorf("%d, want 422 with the reason and the services kept: %.3000s", resp.StatusCode, body)
	}
	resp, body = ion.request(t, svc, car.ID, true, upFile{"files", "photo.jpg", []byte(pdf)})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"error":"“photo.jpg” is not a photo or a video`) {
		t.Errorf("as JSON: %d %s", resp.StatusCode, body)
	}
	if aps, _ := e.st.CustomerAppointments(c.ID); len(aps) != 0 {
		t.Errorf("refused requests were stored: %+v", aps)
	}
	if files := e.mediaFiles(t); len(files) != 0 {
		t.Errorf("refused requests left %v on disk", files)
	}
	resp, body = ion.request(t, svc, car.ID, true)
	if resp.StatusCode != 200 || !strings.Contains(body, `"url":"/app/appointments/`) {
		t.Errorf("a request without files, as JSON: %d %s", resp.StatusCode, body)
	}
}

// purgeMedia runs the appliance's daily clean-up of uploaded files no
// record uses, with every file counted as old enough, and returns how many
// it deleted.
func (e *env) purgeMedia(t *testing.T) int {
	t.Helper()
	med, err := media.Open(filepath.Dir(e.st.Path()))
	if err != nil {
		t.Fatal(err)
	}
	refs, err := e.st.MediaRefs()
	if err != nil {
		t.Fatal(err)
	}
	n, _, err := med.RemoveUnreferenced(refs, -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUploadsTheStoreRefusedAreDeleted: a check-in the store refuses after
// its photo was stored leaves the photo unused on disk; the clean-up
// deletes it and only it, and the photos of the check-in that was taken
// are still shown.
func TestUploadsTheStoreRefusedAreDeleted(t *testing.T) {
	e, _, car, _, _ := serviceEnv(t)
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: car.ID})
	if err != nil {
		t.Fatal(err)
	}
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	desk := e.staffDesk(store.RoleWorkshop)
	first, second := photoJPEG(t, 300, 200), photoJPEG(t, 200, 300)
	_, page := desk.get(jp)
	action := regexp.MustCompile(`action="(` + regexp.QuoteMeta(jp+"/checkin") + `\?_csrf=[^"]+)"`).FindStringSubmatch(page)
	if action == nil {
		t.Fatalf("no check-in form: %.600s", page)
	}
	if resp, body := desk.postFiles(t, jp, jp+"/checkin", map[string]string{"km": "52.300", "fuel": "6"},
		upFile{"files", "front.jpg", first}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("check-in: %d %.800s", resp.StatusCode, body)
	}
	stored := len(e.mediaFiles(t)) // the photo and its thumbnail
	// The same form sent again, as from a second tab opened before the
	// first check-in: the store refuses a second check-in.
	body, ctype := multipartBody(t, map[string]string{"km": "52.400", "fuel": "6"}, upFile{"files", "rear.jpg", second})
	req := httptest.NewRequest(http.MethodPost, html.UnescapeString(action[1]), body)
	req.Header.Set("Content-Type", ctype)
	if resp, body := desk.send(req); resp.StatusCode < 400 {
		t.Fatalf("a second check-in: %d, want it refused: %.800s", resp.StatusCode, body)
	}
	orphans := len(e.mediaFiles(t)) - stored
	if orphans == 0 {
		t.Fatal("the refused check-in left no file: the test no longer makes an orphan")
	}
	if n := e.purgeMedia(t); n != orphans {
		t.Errorf("the clean-up deleted %d files; want the %d of the refused check-in", n, orphans)
	}
	if got := len(e.mediaFiles(t)); got != stored {
		t.Errorf("%d files after the clean-up, want %d", got, stored)
	}
	j, _ = e.st.Job(j.ID)
	for _, h := range []string{j.CheckIn.Attachments[0].Media, j.CheckIn.Attachments[0].Thumb} {
		if resp, _ := desk.get("/media/" + h); resp.StatusCode != http.StatusOK {
			t.Errorf("the check-in's file %s after the clean-up: %d", h[:8], resp.StatusCode)
		}
	}
}

// TestStaffRemoveAJobPhoto: a check-in photo attached by mistake is taken
// off from the job's page; the customer's app no longer shows or serves
// it, the other photo stays, the clean-up then deletes its file, and once
// the job is invoiced its photos are a record that stays.
func TestStaffRemoveAJobPhoto(t *testing.T) {
	e, _, car, ion, _ := serviceEnv(t)
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: car.ID})
	if err != nil {
		t.Fatal(err)
	}
	jp := fmt.Sprintf("/jobs/%d", j.ID)
	desk := e.staffDesk(store.RoleWorkshop)
	if resp, body := desk.postFiles(t, jp, jp+"/checkin", map[string]string{"km": "52.300", "fuel": "6"},
		upFile{"files", "front.jpg", photoJPEG(t, 300, 200)}, upFile{"files", "neighbours-car.jpg", photoJPEG(t, 200, 300)}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("check-in: %d %.800s", resp.StatusCode, body)
	}
	j, _ = e.st.Job(j.ID)
	keep, wrong := j.CheckIn.Attachments[0], j.CheckIn.Attachments[1]
	action := fmt.Sprintf("%s/files/%s/remove", jp, wrong.Media)
	if _, page := desk.get(jp); !strings.Contains(page, `action="`+action+`"`) || !strings.Contains(page, "Remove: neighbours-car.jpg") {
		t.Fatalf("the job page offers no removal of the photo: %.3000s", page)
	}
	// Not an item's photo: the check-in's only.
	if resp, _ := desk.submit(jp, action, url.Values{"item": {"0"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removing it from an item it is not on: %d, want 404", resp.StatusCode)
	}
	resp, _ := desk.submit(jp, action, url.Values{"item": {"-1"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "#checkin") {
		t.Fatalf("remove: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	j, _ = e.st.Job(j.ID)
	if len(j.CheckIn.Attachments) != 1 || j.CheckIn.Attachments[0].Media != keep.Media {
		t.Fatalf("check-in files after the removal: %+v", j.CheckIn.Attachments)
	}
	_, app := ion.get(fmt.Sprintf("/app/jobs/%d", j.ID))
	if strings.Contains(app, wrong.Thumb) || !strings.Contains(app, keep.Thumb) {
		t.Error("the app still shows the removed photo, or not the other one")
	}
	for hash, want := range map[string]int{wrong.Media: 404, wrong.Thumb: 404, keep.Media: 200} {
		if resp, _ := ion.get("/app/media/" + hash); resp.StatusCode != want {
			t.Errorf("the customer fetching %s: %d, want %d", hash[:8], resp.StatusCode, want)
		}
	}
	if n := e.purgeMedia(t); n != 2 {
		t.Errorf("the clean-up deleted %d files; want the removed photo and its thumbnail", n)
	}

	if _, err := e.st.AddLine(store.CLI, j.ID, store.Line{Kind: store.LineLabour, Description: "Check", Qty: 100, UnitPrice: 100, Status: store.LineApproved}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.IssueInvoice(store.CLI, j.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, page := desk.get(jp); strings.Contains(page, "/files/") {
		t.Error("an invoiced job still offers to remove its photos")
	}
	resp, _ = desk.submit(jp, fmt.Sprintf("%s/files/%s/remove", jp, keep.Media), url.Values{"item": {"-1"}})
	if j, _ = e.st.Job(j.ID); resp.StatusCode < 400 || len(j.CheckIn.Attachments) != 1 {
		t.Errorf("removing a photo of an invoiced job: %d, %d files left", resp.StatusCode, len(j.CheckIn.Attachments))
	}
}
