package e2e

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWorkshopJobToInvoice is the workshop journey: the customer asks for
// an appointment on their phone with a photo of the problem, which staff
// see on the appointment's page; staff open a job on the car, check it in
// with the odometer, find a red item in the inspection, photograph it and
// propose it as an extra line; the customer sees the photo beside the line
// and approves it on their phone, and staff see it without reloading;
// staff close the job with the invoice, which the phone opens, and its
// text shows the right total.
func TestWorkshopJobToInvoice(t *testing.T) {
	app := start(t)
	for _, u := range []struct{ username, name, role string }{{"paola", "Paola Bianchi", "manager"}, {"marco", "Marco Neri", "workshop"}} {
		add := exec.Command(binary, "user", "add", "--data", app.DataDir, "--username", u.username, "--name", u.name, "--role", u.role)
		add.Stdin = strings.NewReader("officina-2026!\n")
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("pitlane user add: %v\n%s", err, out)
		}
	}
	staff := browser(t, 1280, 900)
	signIn(t, staff, app.URL, "paola", "officina-2026!")
	run(t, staff, "the services customers may ask for",
		chromedp.Navigate(app.URL+"/settings/workshop"),
		chromedp.WaitVisible(chromedp.CSS("#services")),
		chromedp.SetValue(chromedp.CSS("#services"), "Brake check | Mechanics | 60 | 40.00"),
	)
	if status := submit(t, staff, "#services"); status != 200 {
		t.Fatalf("saving the workshop settings answered %d: %s", status, text(t, staff, "main"))
	}
	signOut(t, staff)
	signIn(t, staff, app.URL, "marco", "officina-2026!")
	run(t, staff, "a new customer",
		chromedp.Navigate(app.URL+"/customers/new"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ana Pop"),
		chromedp.SendKeys(chromedp.CSS("#mobile"), "+40 721 000 222"),
	)
	submit(t, staff, "#name")
	follow(t, staff, `a[href$="/vehicles/new"]`)
	run(t, staff, "her car",
		chromedp.SendKeys(chromedp.CSS("#plate"), "B 34 XYZ"),
		chromedp.SendKeys(chromedp.CSS("#make"), "Dacia"),
		chromedp.SendKeys(chromedp.CSS("#model"), "Logan"),
		chromedp.SendKeys(chromedp.CSS("#km"), "48200"),
	)
	submit(t, staff, "#plate")
	vehiclePath := eval[string](t, staff, `location.pathname`)

	// The customer's phone, paired with a link support prints.
	out, err := exec.Command(binary, "pair", "--data", app.DataDir, "--customer", "+40 721 000 222", "--public-url", app.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("pitlane pair: %v\n%s", err, out)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(app.URL) + `/pair/[A-Za-z0-9_-]{43}`).FindString(string(out))
	phone := browser(t, 360, 740)
	run(t, phone, "pair the phone", chromedp.Emulate(pixel{}), chromedp.Navigate(link))

	// The customer asks for an appointment with a photo of the problem.
	photos := t.TempDir()
	leak, pads := filepath.Join(photos, "leak.jpg"), filepath.Join(photos, "pads.jpg")
	writeJPEG(t, leak, 800, 600)
	writeJPEG(t, pads, 600, 800)
	run(t, phone, "the request form",
		chromedp.Navigate(app.URL+"/app/appointments/new"),
		chromedp.WaitVisible(chromedp.CSS("input[name=services]")),
		chromedp.Click(chromedp.CSS("input[name=services]")),
	)
	submit(t, phone, "input[name=services]")
	run(t, phone, "a time, a note and a photo",
		chromedp.WaitVisible(chromedp.CSS("input[name=slot]")),
		chromedp.Click(chromedp.CSS("input[name=slot]")),
		chromedp.SendKeys(chromedp.CSS("#description"), "The brakes squeal"),
		chromedp.SetUploadFiles(chromedp.CSS("#gallery"), []string{leak}),
		chromedp.WaitVisible(chromedp.CSS("#previews img")),
	)
	shot(t, phone, "app-request-photo-360.png")
	follow(t, phone, "#send")
	waitFor(t, phone, "the request sent, with its photo", `location.pathname.startsWith("/app/appointments/") &&
		[...document.querySelectorAll("main img, body img")].some((i) => i.src.includes("/app/media/") && i.complete && i.naturalWidth > 0)`)
	apptPath := strings.TrimPrefix(eval[string](t, phone, `location.pathname`), "/app")
	run(t, staff, "the request on the staff side", chromedp.Navigate(app.URL+apptPath), chromedp.WaitVisible(chromedp.CSS("#appt-files")))
	waitFor(t, staff, "the customer's photo on the appointment page", `[...document.querySelectorAll("section[aria-labelledby=appt-files] img")].some((i) => i.src.includes("/media/") && i.complete && i.naturalWidth > 0)`)
	shot(t, staff, "appointment-photo.png")

	run(t, staff, "open a job", chromedp.Navigate(app.URL+vehiclePath), chromedp.WaitVisible(chromedp.CSS("#description")),
		chromedp.SendKeys(chromedp.CSS("#description"), "Annual service"))
	submit(t, staff, "#description")
	jobPath := eval[string](t, staff, `location.pathname`)
	if !regexp.MustCompile(`^/jobs/\d+$`).MatchString(jobPath) {
		t.Fatalf("after opening the job the browser is at %s", jobPath)
	}

	run(t, staff, "check in", chromedp.SendKeys(chromedp.CSS("#km"), "52300"), chromedp.SetValue(chromedp.CSS("#fuel"), "6"))
	submit(t, staff, "#km")
	if got := text(t, staff, "#checkin ~ dl, section[aria-labelledby=checkin]"); !strings.Contains(got, "52,300") {
		t.Fatalf("check-in shows %q", got)
	}
	follow(t, staff, `form[action$="/inspection"] button`)
	run(t, staff, "a red item, photographed",
		chromedp.SetValue(chromedp.CSS(`#item-0 select[name=status]`), "red"),
		chromedp.SendKeys(chromedp.CSS(`#item-0 input[name=note]`), "Pads at 2 mm"),
		chromedp.SetUploadFiles(chromedp.CSS(`#item-0-camera`), []string{pads}),
	)
	submit(t, staff, `#item-0 input[name=note]`)
	waitFor(t, staff, "the item's photo", `[...document.querySelectorAll("#item-0 img")].some((i) => i.complete && i.naturalWidth > 0)`)
	shot(t, staff, "job-inspection-photo.png")
	run(t, staff, "the item as an extra line",
		chromedp.SendKeys(chromedp.CSS(`#item-0 .item-line input[name=unit_price]`), "120.50"),
		chromedp.SetValue(chromedp.CSS(`#item-0 .item-line input[name=tax_rate]`), "22"),
	)
	submit(t, staff, `#item-0 .item-line input[name=unit_price]`)
	if got := text(t, staff, "#line-1"); !strings.Contains(got, "Pads at 2 mm") || !strings.Contains(got, "Awaiting the customer") {
		t.Fatalf("the extra line reads %q", got)
	}

	run(t, phone, "the job in the app", chromedp.Navigate(app.URL+"/app"+jobPath))
	if got := text(t, phone, "#line-1"); !strings.Contains(got, "Pads at 2 mm") || !strings.Contains(got, "147.01") {
		t.Fatalf("the phone shows the line as %q", got)
	}
	waitFor(t, phone, "the item's photo beside the line", `[...document.querySelectorAll("#line-1 img")].some((i) => i.src.includes("/app/media/") && i.complete && i.naturalWidth > 0)`)
	shot(t, phone, "app-job-line-photo-360.png")
	follow(t, phone, `#line-1 button[value=approve]`)
	if got := text(t, phone, "#line-1"); !strings.Contains(got, "Approved") {
		t.Fatalf("after approving the phone shows %q", got)
	}

	// Staff see the decision without reloading.
	run(t, staff, "the decision arrives", chromedp.WaitVisible(chromedp.CSS("#line-1.line-approved")))

	follow(t, staff, `form[action$="/invoice"] button`)
	run(t, phone, "the invoice in the app", chromedp.Navigate(app.URL+"/app"+jobPath), chromedp.WaitVisible(chromedp.CSS("#invoice-link")))
	// The PDF, fetched with the phone's own cookies.
	b64 := evalAsync[string](t, phone, `fetch(document.getElementById("invoice-link").href).then(r => {
		if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") throw new Error("HTTP " + r.status);
		return r.arrayBuffer();
	}).then(buf => {
		const bytes = new Uint8Array(buf);
		let s = "";
		for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
		return btoa(s);
	})`)
	pdfData, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is not installed (apt-get install -y poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(in, pdfData, 0o600); err != nil {
		t.Fatal(err)
	}
	txt, err := exec.Command(bin, "-enc", "UTF-8", "-layout", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// 120.50 + 22 % tax (26.51) = 147.01
	if !regexp.MustCompile(`Total to pay\s+€147\.01`).Match(txt) {
		t.Errorf("the invoice's text lacks the total €147.01:\n%s", txt)
	}
}
