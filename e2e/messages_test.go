package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"pitlane/notify"
	"pitlane/notify/pushtest"
)

// TestMessagesJourney is the messages journey: staff create a customer and
// a car, show the pairing QR code; a phone (another browser) reads the
// code, opens the link and sees the car; its push subscription is on a
// push service on 127.0.0.1; staff write to the customer from the thread
// page; the push service receives the notification (and decrypts it) and
// the phone's inbox shows the message. Then the customer answers with a
// photo, and the staff page, left open, shows it without a reload.
//
// What it cannot: Chromium's own pushManager.subscribe (it needs Google's
// push service), so the subscription the phone posts is one the local
// service made, posted through the app's own endpoint from the phone's
// page; and a tap on a notification (see TestPushInTheApp).
func TestMessagesJourney(t *testing.T) {
	push := pushtest.Start()
	defer push.Close()
	certFile := filepath.Join(t.TempDir(), "push-ca.pem")
	if err := os.WriteFile(certFile, push.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The binary trusts the push service's certificate (Go reads
	// SSL_CERT_FILE on Linux).
	_, base := serveData(t, dir, "SSL_CERT_FILE="+certFile)
	add := exec.Command(binary, "user", "add", "--data", dir, "--username", "giulia", "--name", "Giulia Bianchi", "--role", "manager")
	add.Stdin = strings.NewReader("officina-2026!\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("pitlane user add: %v\n%s", err, out)
	}

	staff := browser(t, 1280, 900)
	signIn(t, staff, base, "giulia", "officina-2026!")
	// Push services need the dealership's real e-mail.
	run(t, staff, "the dealership's name and e-mail",
		chromedp.Navigate(base+"/settings"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#name"), "Autofficina Rossi"),
		chromedp.SendKeys(chromedp.CSS("#email"), dealerEmail),
	)
	if status := submit(t, staff, "#email"); status != 200 {
		t.Fatalf("saving settings: HTTP %d", status)
	}
	run(t, staff, "a new customer",
		chromedp.Navigate(base+"/customers/new"),
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
	)
	submit(t, staff, "#plate")

	run(t, staff, "open the customer", chromedp.Navigate(base+customerPage))
	if status := follow(t, staff, `form[action$="/pair"] button`); status != http.StatusCreated {
		t.Fatalf("showing the QR code: HTTP %d", status)
	}
	link := decodeQR(t, eval[string](t, staff, `document.getElementById("pair-qr").src`))
	if !strings.HasPrefix(link, base+"/pair/") {
		t.Fatalf("the QR code holds %q", link)
	}

	phone := browser(t, 360, 740)
	run(t, phone, "a phone", chromedp.Emulate(pixel{}))
	resp, err := chromedp.Run(phone, chromedp.NavigateResponse(link))
	if err != nil {
		t.Fatal(err)
	}
	if path := eval[string](t, phone, `location.pathname`); path != "/app/" || resp.Status != 200 {
		t.Fatalf("after opening the link the phone is at %s (HTTP %d)", path, resp.Status)
	}
	if home := text(t, phone, "#main"); !strings.Contains(home, "B 12 ABC") || !strings.Contains(home, "Dacia Duster") {
		t.Fatalf("the app does not show the car: %q", home)
	}

	// The phone's subscription, on the local push service, sent as the
	// app's page sends one.
	key, err := exec.Command(binary, "vapid", "--data", dir).Output()
	if err != nil {
		t.Fatalf("pitlane vapid: %v", err)
	}
	sub, err := push.Subscribe(strings.TrimSpace(string(key)))
	if err != nil {
		t.Fatal(err)
	}
	subJSON, _ := json.Marshal(sub)
	status := await[int](t, phone, fmt.Sprintf(`fetch("/app/push", {method: "POST", credentials: "same-origin",
		headers: {"Content-Type": "application/json"}, body: JSON.stringify(%s)}).then((r) => r.status)`, subJSON))
	if status != http.StatusNoContent {
		t.Fatalf("subscribing the phone: HTTP %d", status)
	}

	// Staff write from the customer's thread, reached from the customer.
	const reply = "Your Duster is ready: come by after 17:00."
	run(t, staff, "back to the customer", chromedp.Navigate(base+customerPage))
	follow(t, staff, fmt.Sprintf(`a[href="/messages/%s"]`, strings.TrimPrefix(customerPage, "/customers/")))
	run(t, staff, "write", chromedp.WaitVisible(chromedp.CSS("#text")), chromedp.SendKeys(chromedp.CSS("#text"), reply))
	// Submitted as a form without the page's script (form.submit() fires
	// no submit event): the way without JavaScript works.
	if status := submit(t, staff, "#text"); status != 200 {
		t.Fatalf("sending the reply: HTTP %d", status)
	}
	if thread := text(t, staff, "#live"); !strings.Contains(thread, reply) || !strings.Contains(thread, "Giulia Bianchi") {
		t.Fatalf("the staff thread after sending: %q", thread)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := push.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if r := push.Rejections(); len(r) > 0 {
		t.Fatalf("the push service refused: %+v", r)
	}
	msg := push.Messages()[0]
	var p notify.Payload
	if err := json.Unmarshal(msg.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if msg.Endpoint != sub.Endpoint || p.URL != "/app/messages" || p.Title != "New message from Autofficina Rossi" || p.Body != reply {
		t.Fatalf("push to %s: %+v", msg.Endpoint, p)
	}

	// The phone's inbox shows the message; opening it shows the thread.
	run(t, phone, "the app's home", chromedp.Navigate(base+"/app/"), chromedp.WaitVisible(chromedp.CSS("#inbox")))
	if unread := text(t, phone, "#inbox-unread"); !strings.HasPrefix(strings.TrimSpace(unread), "1") {
		t.Errorf("the inbox shows %q unread", unread)
	}
	if inbox := text(t, phone, "#inbox"); !strings.Contains(inbox, reply) {
		t.Errorf("the inbox shows %q", inbox)
	}
	follow(t, phone, `#inbox a[href="/app/messages"]`)
	if thread := text(t, phone, ".thread"); !strings.Contains(thread, reply) {
		t.Fatalf("the phone's thread: %q", thread)
	}
	if overflow := eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		t.Error("the thread scrolls sideways on a 360 px phone")
	}

	// Staff keep the thread open; the customer answers with a photo from
	// the gallery, sent by the page's script.
	run(t, staff, "mark the page", chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`))
	photo := filepath.Join(t.TempDir(), "scratch.jpg")
	writeJPEG(t, photo, 800, 600)
	const answer = "Thanks! Here is the scratch on the door."
	run(t, phone, "answer with a photo",
		chromedp.SendKeys(chromedp.CSS("#text"), answer),
		chromedp.SetUploadFiles(chromedp.CSS("#gallery"), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS("#previews img")),
		chromedp.Click(chromedp.CSS("#send")),
	)
	waitFor(t, phone, "the phone's thread shows the answer", fmt.Sprintf(`document.querySelector(".thread").textContent.includes(%q) && document.getElementById("text").value === ""`, answer))
	shot(t, phone, "app-messages-360.png")

	waitFor(t, staff, "the staff page shows the answer without a reload", fmt.Sprintf(
		`document.getElementById("live").textContent.includes(%q) && [...document.querySelectorAll("#live img")].some((i) => i.complete && i.naturalWidth > 0)`, answer))
	if !eval[bool](t, staff, `window.__notReloaded === true`) {
		t.Error("the staff page reloaded to show the answer")
	}
	shot(t, staff, "staff-thread.png")
	run(t, staff, "the inbox", chromedp.Navigate(base+"/messages"), chromedp.WaitVisible(chromedp.CSS(".inbox")))
	if inbox := text(t, staff, ".inbox"); !strings.Contains(inbox, "Ana Pop") || !strings.Contains(inbox, answer) {
		t.Errorf("the inbox shows %q", inbox)
	}
}

func writeJPEG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x / 4), G: 120, B: uint8(y / 3), A: 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, nil); err != nil {
		t.Fatal(err)
	}
}
