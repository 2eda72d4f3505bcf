package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// pixel is a mid-range Android phone: 360×740, touch, Chrome's mobile UA.
type pixel struct{}

func (pixel) Device() device.Info {
	return device.Info{Name: "Android phone", Width: 360, Height: 740, Scale: 2, Mobile: true, Touch: true,
		UserAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 7a) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"}
}

// TestCustomerPairsPhone is the pairing journey: staff open a customer and
// show the QR code; the customer's phone (another browser) opens the link in
// it, lands in the app, which Chromium finds installable; staff disconnect
// the phone, and its next page asks for a new code.
func TestCustomerPairsPhone(t *testing.T) {
	app := start(t)
	// The manager account, made through the running service's socket.
	add := exec.Command(binary, "user", "add", "--data", app.DataDir, "--username", "giulia", "--name", "Giulia Bianchi", "--role", "manager")
	add.Stdin = strings.NewReader("officina-2026!\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("pitlane user add: %v\n%s", err, out)
	}

	staff := browser(t, 1280, 900)
	signIn(t, staff, app.URL, "giulia", "officina-2026!")
	run(t, staff, "the dealership's phone",
		chromedp.Navigate(app.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS("#phone")),
		chromedp.SendKeys(chromedp.CSS("#phone"), "+39 011 555 0101"),
	)
	if status := submit(t, staff, "#phone"); status != 200 {
		t.Fatalf("saving settings: HTTP %d", status)
	}
	run(t, staff, "a new customer",
		chromedp.Navigate(app.URL+"/customers/new"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ana Pop"),
		chromedp.SendKeys(chromedp.CSS("#mobile"), "+40 721 000 111"),
	)
	submit(t, staff, "#name")
	customerPage := eval[string](t, staff, `location.pathname`)
	if !regexp.MustCompile(`^/customers/\d+$`).MatchString(customerPage) {
		t.Fatalf("after creating the customer the browser is at %s", customerPage)
	}
	follow(t, staff, `a[href$="/vehicles/new"]`)
	run(t, staff, "her car",
		chromedp.SendKeys(chromedp.CSS("#plate"), "B 12 ABC"),
		chromedp.SendKeys(chromedp.CSS("#make"), "Dacia"),
		chromedp.SendKeys(chromedp.CSS("#model"), "Duster"),
		chromedp.SendKeys(chromedp.CSS("#km"), "48200"),
	)
	submit(t, staff, "#plate")

	// Staff show the QR code; the link is read from the image, as the
	// phone's camera would.
	run(t, staff, "open the customer", chromedp.Navigate(app.URL+customerPage))
	if status := follow(t, staff, `form[action$="/pair"] button`); status != http.StatusCreated {
		t.Fatalf("showing the QR code: HTTP %d", status)
	}
	src := eval[string](t, staff, `document.getElementById("pair-qr").src`)
	link := decodeQR(t, src)
	if shown := text(t, staff, "#pair-link"); link != shown || !strings.HasPrefix(link, app.URL+"/pair/") {
		t.Fatalf("the QR code holds %q, the page shows %q", link, shown)
	}
	shot(t, staff, "pairing-qr.png")

	// The customer's phone: a browser of its own.
	phone := browser(t, 360, 740)
	run(t, phone, "a phone", chromedp.Emulate(pixel{}))
	resp, err := chromedp.Run(phone, chromedp.NavigateResponse(link))
	if err != nil {
		t.Fatal(err)
	}
	if path := eval[string](t, phone, `location.pathname`); path != "/app/" || resp.Status != 200 {
		t.Fatalf("after opening the link the phone is at %s (HTTP %d)", path, resp.Status)
	}
	if cars := text(t, phone, "#main"); !strings.Contains(cars, "B 12 ABC") || !strings.Contains(cars, "Dacia Duster") {
		t.Fatalf("the app does not show the car: %q", cars)
	}
	if tel := eval[string](t, phone, `document.querySelector('#dealer a[href^="tel:"]').getAttribute("href")`); tel != "tel:+390115550101" {
		t.Errorf("the dealership's phone is %q", tel)
	}
	if overflow := eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		t.Error("the app scrolls sideways on a 360 px phone")
	}
	waitServiceWorker(t, phone)
	installable(t, phone)
	shot(t, phone, "app-home-360.png")

	// A new app colour is a new version: the installed app offers it, and
	// after the reload runs it with only the new version's caches.
	oldCaches := evalAsync[[]string](t, phone, `caches.keys()`)
	run(t, staff, "a new app colour",
		chromedp.Navigate(app.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS("#theme_color")),
		chromedp.SetValue(chromedp.CSS("#theme_color"), "#a01020"),
	)
	submit(t, staff, "#theme_color")
	run(t, phone, "the app looks for an update",
		chromedp.Evaluate[chromedp.Void](`navigator.serviceWorker.getRegistration("/app/").then(r => r.update())`, chromedp.EvalAwaitPromise),
		chromedp.WaitVisible(chromedp.CSS("#update")),
	)
	follow(t, phone, "#update-button")
	if colour := eval[string](t, phone, `document.querySelector('meta[name="theme-color"]').content`); colour != "#a01020" {
		t.Errorf("after the update the app's colour is %s", colour)
	}
	newCaches := evalAsync[[]string](t, phone, `caches.keys()`)
	for _, name := range newCaches {
		if slices.Contains(oldCaches, name) {
			t.Errorf("cache %s of the old version kept after the update (now %v)", name, newCaches)
		}
	}
	if len(newCaches) == 0 {
		t.Error("no caches after the update")
	}

	// The same link does not pair a second phone.
	other := browser(t, 360, 740)
	resp, err = chromedp.Run(other, chromedp.NavigateResponse(link))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusGone || !strings.Contains(text(t, other, "main"), "already been used") {
		t.Errorf("a used link on another phone: HTTP %d", resp.Status)
	}

	// Staff see the phone and disconnect it.
	run(t, staff, "back to the customer", chromedp.Navigate(app.URL+customerPage))
	if devices := text(t, staff, "#devices"); !strings.Contains(devices, "Chrome · Android") {
		t.Fatalf("staff do not see the phone: %q", devices)
	}
	dialogs := chromedp.Events(staff, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(staff, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	follow(t, staff, `form[action*="/devices/"] button.danger`)
	if msg := text(t, staff, "main .flash"); !strings.Contains(msg, "disconnected") {
		t.Errorf("after revoking staff read %q", msg)
	}

	// The phone's next page, through its service worker, asks for a code.
	run(t, phone, "reload the app", chromedp.Navigate(app.URL+"/app/"))
	if body := text(t, phone, "main"); !strings.Contains(body, "Please scan the code again") || strings.Contains(body, "B 12 ABC") {
		t.Fatalf("after revoking the phone shows %q", body)
	}
	shot(t, phone, "app-unpaired-360.png")

	// Support prints a link from the command line, through the service.
	out, err := exec.Command(binary, "pair", "--data", app.DataDir, "--customer", "+40 721 000 111", "--public-url", app.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("pitlane pair: %v\n%s", err, out)
	}
	cli := regexp.MustCompile(regexp.QuoteMeta(app.URL) + `/pair/[A-Za-z0-9_-]{43}`).FindString(string(out))
	if cli == "" {
		t.Fatalf("pitlane pair printed no link:\n%s", out)
	}
	run(t, other, "open the printed link", chromedp.Navigate(cli))
	if cars := text(t, other, "#main"); !strings.Contains(cars, "B 12 ABC") {
		t.Fatalf("the printed link does not open the app: %q", cars)
	}
}

// evalAsync is eval for an expression whose value is a promise.
func evalAsync[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// decodeQR reads the link in a QR code given as a data: URL.
func decodeQR(t *testing.T, src string) string {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
	if err != nil {
		t.Fatalf("QR image %.60q: %v", src, err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The image is the code alone, as the page draws it: without this hint
	// the reader looks for finder patterns and misses about one code in
	// three hundred.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	return res.GetText()
}

// waitServiceWorker waits until the app's service worker is active.
func waitServiceWorker(t *testing.T, ctx context.Context) {
	t.Helper()
	active, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Promise.race([
		navigator.serviceWorker.ready.then(r => r.active !== null && r.scope.endsWith("/app/")),
		new Promise(resolve => setTimeout(() => resolve(false), 10000)),
	])`, chromedp.EvalAwaitPromise))
	if err != nil || !active {
		t.Fatalf("no active service worker for /app/: %v", err)
	}
}

// installable asks Chromium whether it would install the app, and why not.
func installable(t *testing.T, ctx context.Context) {
	t.Helper()
	var errs []string
	for deadline := time.Now().Add(10 * time.Second); ; {
		res, err := chromedp.Call(ctx, page.GetInstallabilityErrors, cdp.Empty{})
		if err != nil {
			t.Fatalf("Page.getInstallabilityErrors: %v", err)
		}
		errs = errs[:0]
		for _, e := range res.InstallabilityErrors {
			args := make([]string, 0, len(e.ErrorArguments))
			for _, a := range e.ErrorArguments {
				args = append(args, a.Name+"="+a.Value)
			}
			errs = append(errs, e.ErrorID+" "+strings.Join(args, ","))
		}
		if len(errs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Chromium reports installability errors: %v", errs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
