package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"pitlane/auth"
	"pitlane/config"
	"pitlane/media"
	"pitlane/server"
	"pitlane/store"
)

// clock is a settable store clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newEnvWith is newEnv with the configuration changed by configure and the
// store's clock set to clk (nil: the real one).
func newEnvWith(t *testing.T, configure func(*config.Config), clk *clock) *env {
	t.Helper()
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := store.Options{Logger: log}
	if clk != nil {
		o.Now = clk.Now
	}
	st, err := store.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := media.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.DataDir, cfg.TLS = dir, "off"
	if configure != nil {
		configure(&cfg)
	}
	srv, err := server.New(server.Options{Config: cfg, Store: st, Media: m, Version: "test", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, st: st, staff: map[store.Role]*staffLogin{}, keys: map[store.Role]string{}}
}

var qrImage = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`)

// readQR decodes the QR code a page shows.
func readQR(t *testing.T, page string) string {
	t.Helper()
	m := qrImage.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no QR image on the page: %.500s", page)
	}
	data, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return decodeQR(t, data)
}

func decodeQR(t *testing.T, pngData []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatalf("QR is not a PNG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The PNG holds nothing but the code: without this hint gozxing misreads
	// about one code in 300.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("QR does not decode: %v", err)
	}
	return res.GetText()
}

func TestStaffPairsCustomerPhone(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.SaveSettings(store.CLI, dealership("+39 011 123 4567", "en")); err != nil {
		t.Fatal(err)
	}
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	if _, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B 12 ABC", Make: "Dacia", Model: "Duster",
		Odometer: []store.Reading{{Km: 48200}}}); err != nil {
		t.Fatal(err)
	}
	customerPage := fmt.Sprintf("/customers/%d", c.ID)
	e.run(t, []scenario{
		{name: "the customer page offers pairing", path: customerPage, as: store.RoleWorkshop, status: 200,
			contains: []string{"Customer&#39;s app", fmt.Sprintf(`action="/customers/%d/pair"`, c.ID), "No phone paired yet"}},
		{name: "unknown customer", method: http.MethodPost, path: "/customers/999/pair", as: store.RoleSales, status: 404},
	})

	resp, page := e.do(scenario{method: http.MethodPost, path: customerPage + "/pair", as: store.RoleWorkshop})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("show QR: %d: %.300s", resp.StatusCode, page)
	}
	link := readQR(t, page)
	if !regexp.MustCompile(`^http://example\.com/pair/[A-Za-z0-9_-]{43}$`).MatchString(link) {
		t.Fatalf("the QR holds %q, want this host's pairing link", link)
	}
	for _, want := range []string{link, "Works once, until", "Print for the customer"} {
		if !strings.Contains(page, want) {
			t.Errorf("the pairing page lacks %q", want)
		}
	}

	p := e.phone()
	resp, _ = p.get(strings.TrimPrefix(link, "http://example.com"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/" {
		t.Fatalf("opening the link: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "pl_device" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/app" ||
		cookie.MaxAge < 399*24*3600 || cookie.Secure {
		t.Fatalf("device cookie = %+v; want HttpOnly, Lax, Path=/app, ~400 days, not Secure over plain HTTP", cookie)
	}
	if len(cookie.Value) < 40 {
		t.Errorf("device credential %q is short", cookie.Value)
	}

	resp, home := p.get("/app/")
	if resp.StatusCode != 200 {
		t.Fatalf("home: %d", resp.StatusCode)
	}
	for _, want := range []string{"Hello, Ana Pop", "B 12 ABC", "Dacia Duster", "48,200 km", `href="tel:+390111234567"`,
		`rel="manifest" href="/app/manifest.webmanifest"`, `id="inbox"`, "Via Roma 1"} {
		if !strings.Contains(html.UnescapeString(home), want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("home Cache-Control %q", resp.Header.Get("Cache-Control"))
	}

	e.run(t, []scenario{
		{name: "staff see the phone", path: customerPage, as: store.RoleSales, status: 200,
			contains: []string{"Chrome · Android", "Disconnect", "Phone paired: Chrome · Android"}},
	})
	devices, _ := e.st.CustomerDevices(c.ID)
	if len(devices) != 1 {
		t.Fatalf("devices = %+v", devices)
	}
	revoke := fmt.Sprintf("%s/devices/%d/revoke", customerPage, devices[0].ID)
	other, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Radu Ionescu"})
	e.run(t, []scenario{
		{name: "revoking through another customer", method: http.MethodPost, path: fmt.Sprintf("/customers/%d/devices/%d/revoke", other.ID, devices[0].ID),
			as: store.RoleSales, status: 404},
		{name: "revoke without the form's token", method: http.MethodPost, path: revoke, as: store.RoleSales, noCSRF: true, status: 403},
		{name: "revoke", method: http.MethodPost, path: revoke, as: store.RoleSales, status: http.StatusSeeOther,
			location: customerPage + "?done=pairing.device_revoked"},
		{name: "staff see it disconnected", path: customerPage, as: store.RoleSales, status: 200,
			contains: []string{"Disconnected", "Phone disconnected: Chrome · Android"}},
	})
	resp, body := p.get("/app/")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Please scan the code again") ||
		!strings.Contains(body, "no longer connected") || strings.Contains(body, "B 12 ABC") {
		t.Fatalf("after revoking, the phone got %d: %.300s", resp.StatusCode, body)
	}
	if _, body := e.phone().get("/app/"); !strings.Contains(body, "not connected to your account yet") {
		t.Errorf("a phone never paired is not told so: %.300s", body)
	}
}

// dealership is settings with a phone, an address and opening hours.
func dealership(phone, lang string) store.Settings {
	st := store.DefaultSettings()
	st.Name, st.Phone, st.Address, st.Lang = "Autofficina Rossi & Figli", phone, "Via Roma 1, Torino", lang
	return st
}

func TestPairingLinkUsesPublicURLAndTLS(t *testing.T) {
	e := newEnvWith(t, func(c *config.Config) {
		c.PublicURL = "https://officina.example.it"
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")}
	}, nil)
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	resp, page := e.do(scenario{method: http.MethodPost, path: fmt.Sprintf("/customers/%d/pair", c.ID), as: store.RoleSales})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d", resp.StatusCode)
	}
	link := readQR(t, page)
	if !strings.HasPrefix(link, "https://officina.example.it/pair/") {
		t.Fatalf("link %q ignores --public-url", link)
	}
	if strings.Contains(page, "cannot reach") || strings.Contains(page, "not HTTPS") {
		t.Error("a public HTTPS link is warned about")
	}
	// Behind a TLS-terminating proxy the device cookie is Secure.
	req := httptest.NewRequest(http.MethodGet, strings.TrimPrefix(link, "https://officina.example.it"), nil)
	req.Header.Set("User-Agent", androidUA)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pair: %d", resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "pl_device" && !ck.Secure {
			t.Error("device cookie not Secure under TLS")
		}
	}

	local := newEnv(t)
	c, _ = local.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	_, page = local.do(scenario{method: http.MethodPost, path: fmt.Sprintf("http://127.0.0.1:8080/customers/%d/pair", c.ID), as: store.RoleSales})
	if link := readQR(t, page); !strings.HasPrefix(link, "http://127.0.0.1:8080/pair/") || !strings.Contains(page, "cannot reach") {
		t.Errorf("link %q on a loopback address is not warned about", link)
	}
}

var pdfLine = regexp.MustCompile(`\s+`)

func TestPairingSheet(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.SaveSettings(store.CLI, dealership("+40 21 555 0101", "it")); err != nil {
		t.Fatal(err)
	}
	ro, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ștefan Țăranu", Lang: "ro"})
	it, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Mario Rossi"})
	token, _, err := e.st.CreatePairLink(store.CLI, ro.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	sheet := func(customer uint64, token string) (*http.Response, string) {
		return e.do(scenario{method: http.MethodPost, path: fmt.Sprintf("/customers/%d/pair/sheet", customer), as: store.RoleWorkshop,
			form: url.Values{"token": {token}}})
	}
	resp, doc := sheet(ro.ID, token)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(doc, "%PDF-") {
		t.Fatalf("sheet: %d %s %.20q", resp.StatusCode, resp.Header.Get("Content-Type"), doc)
	}
	text := pdfText(t, []byte(doc))
	if text != "" {
		for _, want := range []string{"Autofficina Rossi & Figli", "Pentru Ștefan Țăranu",
			"Deschideți camera telefonului și îndreptați-o spre cod.", "Codul funcționează o singură dată",
			"/pair/" + token, "+40 21 555 0101"} {
			if !strings.Contains(text, want) {
				t.Errorf("the Romanian sheet lacks %q:\n%s", want, text)
			}
		}
	}

	e.run(t, []scenario{
		{name: "another customer's link", method: http.MethodPost, path: fmt.Sprintf("/customers/%d/pair/sheet", it.ID), as: store.RoleSales,
			form: url.Values{"token": {token}}, status: 404},
		{name: "made-up token", method: http.MethodPost, path: fmt.Sprintf("/customers/%d/pair/sheet", ro.ID), as: store.RoleSales,
			form: url.Values{"token": {auth.NewToken()}}, status: 404},
	})
	pairPhoneWith(t, e, token)
	if resp, _ := sheet(ro.ID, token); resp.StatusCode != 404 {
		t.Errorf("a spent link was printed: %d", resp.StatusCode)
	}

	// Without a language of their own, the customer gets the dealership's.
	token, _, _ = e.st.CreatePairLink(store.CLI, it.ID, 0)
	if _, doc := sheet(it.ID, token); pdfText(t, []byte(doc)) != "" && !strings.Contains(pdfText(t, []byte(doc)), "Apra la fotocamera del telefono") {
		t.Errorf("the sheet of a customer without a language is not in the dealership's Italian")
	}
}

func pairPhoneWith(t *testing.T, e *env, token string) phone {
	t.Helper()
	p := e.phone()
	if resp, _ := p.get("/pair/" + token); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("pairing: %d", resp.StatusCode)
	}
	return p
}

// pdfText extracts a PDF's text with pdftotext, whitespace folded; "" (and a
// note) when pdftotext is not installed.
func pdfText(t *testing.T, doc []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext is not installed (apt-get install -y poppler-utils): the PDF's text is not checked")
		return ""
	}
	in := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(in, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v (is the PDF valid?)", err)
	}
	if pages := bytes.Count(out, []byte("\f")); pages != 1 {
		t.Errorf("the sheet has %d pages, want one", pages)
	}
	return strings.TrimSpace(pdfLine.ReplaceAllString(string(out), " "))
}

func TestPairingLinkPages(t *testing.T) {
	clk := &clock{now: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)}
	e := newEnvWith(t, nil, clk)
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	used, _, _ := e.st.CreatePairLink(store.CLI, c.ID, 0)
	pairPhoneWith(t, e, used)
	expired, _, _ := e.st.CreatePairLink(store.CLI, c.ID, time.Hour)
	fresh, _, _ := e.st.CreatePairLink(store.CLI, c.ID, 0)
	clk.Advance(time.Hour)

	phoneUA := map[string]string{"User-Agent": androidUA}
	e.run(t, []scenario{
		{name: "used", path: "/pair/" + used, header: phoneUA, status: http.StatusGone,
			contains: []string{"This code does not work", "already been used"}},
		{name: "expired", path: "/pair/" + expired, header: phoneUA, status: http.StatusGone, contains: []string{"has expired"}},
		{name: "unknown", path: "/pair/" + auth.NewToken(), header: phoneUA, status: http.StatusNotFound, contains: []string{"not valid"}},
		{name: "in the browser's language", path: "/pair/" + expired, header: map[string]string{"User-Agent": androidUA, "Accept-Language": "ro-RO,ro;q=0.9"},
			status: http.StatusGone, contains: []string{"Acest cod a expirat", `lang="ro"`}},
		{name: "a chat app's link preview does not spend it", path: "/pair/" + fresh, header: map[string]string{"User-Agent": "WhatsApp/2.23.20.0 A"},
			status: 200, contains: []string{"Open this link on your phone"}},
		{name: "nor does a HEAD request", method: http.MethodHead, path: "/pair/" + fresh, header: phoneUA, status: http.StatusMethodNotAllowed},
	})
	if _, err := e.st.PairLinkByHash(auth.HashToken(fresh)); err != nil {
		t.Fatalf("the link was spent by a preview: %v", err)
	}
	pairPhoneWith(t, e, fresh)
}

func TestPairingLinksRateLimited(t *testing.T) {
	e := newEnvWith(t, func(c *config.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")}
	}, nil)
	c, _ := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ana Pop"})
	good, _, _ := e.st.CreatePairLink(store.CLI, c.ID, 0)
	p := e.phone()
	p.ip = "203.0.113.9"
	for i := range 10 {
		if resp, _ := p.get("/pair/" + auth.NewToken()); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("guess %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := p.get("/pair/" + good)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many attempts") {
		t.Fatalf("after 10 bad links: %d (Retry-After %q)", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if _, err := e.st.PairLinkByHash(auth.HashToken(good)); err != nil {
		t.Fatalf("a locked-out address spent a link: %v", err)
	}
	other := e.phone()
	other.ip = "203.0.113.10"
	if resp, _ := other.get("/pair/" + good); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another address is locked out too: %d", resp.StatusCode)
	}
}

func TestManifestAndIcons(t *testing.T) {
	e := newEnv(t)
	st := dealership("+39 011 123 4567", "en")
	st.ThemeColor = "#a01020"
	if _, err := e.st.SaveSettings(store.CLI, st); err != nil {
		t.Fatal(err)
	}
	resp, body := e.do(scenario{method: http.MethodGet, path: "/app/manifest.webmanifest", header: map[string]string{"Accept-Language": "it"}})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/manifest+json" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("manifest: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	var m struct {
		Name, ShortName, StartURL, Scope, Display, ThemeColor, BackgroundColor, Lang, Description string
		Icons                                                                                     []struct{ Src, Sizes, Type, Purpose string }
	}
	if err := json.Unmarshal([]byte(strings.ReplaceAll(body, "_", "")), &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "Autofficina Rossi & Figli" || m.ShortName != "Autofficina" || m.StartURL != "/app/" || m.Scope != "/app/" ||
		m.Display != "standalone" || m.ThemeColor != "#a01020" || m.BackgroundColor != "#a01020" || m.Lang != "it" ||
		!strings.Contains(m.Description, "Autofficina Rossi") {
		t.Errorf("manifest = %+v", m)
	}
	want := map[string]int{"192x192 any": 192, "512x512 any": 512, "512x512 maskable": 512}
	for _, ic := range m.Icons {
		size, ok := want[ic.Sizes+" "+ic.Purpose]
		if !ok || ic.Type != "image/png" {
			t.Errorf("unexpected icon %+v", ic)
			continue
		}
		delete(want, ic.Sizes+" "+ic.Purpose)
		resp, data := e.do(scenario{method: http.MethodGet, path: ic.Src})
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q %q", ic.Src, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
			continue
		}
		img, err := png.Decode(strings.NewReader(data))
		if err != nil || img.Bounds() != image.Rect(0, 0, size, size) {
			t.Errorf("%s is not a %d px PNG: %v", ic.Src, size, err)
			continue
		}
		// A maskable icon fills its square (the launcher cuts the shape);
		// either way the middle is drawn on the theme colour.
		_, _, _, cornerA := img.At(0, 0).RGBA()
		if (ic.Purpose == "maskable") != (cornerA == 0xffff) {
			t.Errorf("%s corner alpha %d", ic.Src, cornerA)
		}
		if r, g, b, _ := img.At(size/10, size/2).RGBA(); r>>8 != 0xa0 || g>>8 != 0x10 || b>>8 != 0x20 {
			t.Errorf("%s is not in the theme colour: %02x%02x%02x", ic.Src, r>>8, g>>8, b>>8)
		}
	}
	if len(want) > 0 {
		t.Errorf("manifest lacks icons %v", want)
	}
	resp, css := e.do(scenario{method: http.MethodGet, path: "/app/theme.css"})
	if resp.StatusCode != 200 || !strings.Contains(css, "--brand: #a01020") {
		t.Errorf("theme.css: %d %q", resp.StatusCode, css)
	}
}

var shellList = regexp.MustCompile(`const SHELL = (\[.*\]);`)

func TestServiceWorker(t *testing.T) {
	e := newEnv(t)
	resp, sw := e.do(scenario{method: http.MethodGet, path: "/app/sw.js"})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") ||
		resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("sw.js: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	for _, want := range []string{"skipWaiting()", "clients.claim()", "caches.delete", `const SCOPE = "/app/"`} {
		if !strings.Contains(sw, want) {
			t.Errorf("sw.js lacks %q", want)
		}
	}
	m := shellList.FindStringSubmatch(sw)
	if m == nil {
		t.Fatal("sw.js has no SHELL list")
	}
	var shell []string
	if err := json.Unmarshal([]byte(m[1]), &shell); err != nil {
		t.Fatal(err)
	}
	// One failed fetch fails the worker's install: every file must be there.
	for _, path := range append(shell, "/app/offline") {
		if resp, _ := e.do(scenario{method: http.MethodGet, path: path}); resp.StatusCode != 200 {
			t.Errorf("precached %s: %d", path, resp.StatusCode)
		}
	}
	if !strings.Contains(sw, "/app/offline") || len(shell) < 6 {
		t.Errorf("shell = %v", shell)
	}

	// A new theme is a new version: installed apps pick up the new icons.
	st := store.DefaultSettings()
	st.ThemeColor = "#204080"
	if _, err := e.st.SaveSettings(store.CLI, st); err != nil {
		t.Fatal(err)
	}
	if _, again := e.do(scenario{method: http.MethodGet, path: "/app/sw.js"}); again == sw {
		t.Error("sw.js did not change with the theme colour")
	}
}

func TestSettingsThemeColor(t *testing.T) {
	e := newEnv(t)
	e.addUser(t, "boss", "boss-password-1", store.RoleManager)
	b := e.browser()
	b.submit("/login", "/login", url.Values{"username": {"boss"}, "password": {"boss-password-1"}})
	_, page := b.get("/settings")
	if !strings.Contains(page, `type="color"`) || !strings.Contains(page, `value="`+store.DefaultThemeColor+`"`) {
		t.Fatalf("settings show no theme colour")
	}
	form := url.Values{"name": {"Officina"}, "lang": {"en"}, "currency": {"EUR"}, "time_zone": {"Europe/Rome"},
		"departments": {"Meccanica"}, "theme_color": {"#0B5CAD"}}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		form.Set("closed_"+d, "on")
	}
	if resp, body := b.submit("/settings", "/settings", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", resp.StatusCode, body)
	}
	if st, _ := e.st.Settings(); st.Theme() != "#0b5cad" {
		t.Errorf("theme saved as %q", st.Theme())
	}
	form.Set("theme_color", "blue")
	if resp, body := b.submit("/settings", "/settings", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a colour") {
		t.Errorf("bad colour: %d", resp.StatusCode)
	}
}
