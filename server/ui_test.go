package server_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"pitlane/auth"
	"pitlane/store"
)

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// browser is a cookie-keeping client of the app, for multi-step flows.
type browser struct {
	e       *env
	cookies map[string]string
	lang    string
	ip      string
}

func (e *env) browser() *browser { return &browser{e: e, cookies: map[string]string{}} }

func (b *browser) send(req *http.Request) (*http.Response, string) {
	b.e.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	if b.ip != "" {
		req.RemoteAddr = b.ip + ":1234"
	}
	resp, err := b.e.srv.App().Test(req, -1)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	return b.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// submit posts a form the way the page at from would: with its CSRF token.
func (b *browser) submit(from, action string, form url.Values) (*http.Response, string) {
	b.e.t.Helper()
	_, page := b.get(from)
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		b.e.t.Fatalf("%s has no CSRF field: %.300s", from, page)
	}
	form.Set("_csrf", m[1])
	req := httptest.NewRequest(http.MethodPost, action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

func (e *env) addUser(t *testing.T, username, password string, role store.Role) store.User {
	h, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.st.CreateUser(store.CLI, store.NewUser{Username: username, Name: "Name " + username, Role: role, PasswordHash: h})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginLogout(t *testing.T) {
	e := newEnv(t)
	e.addUser(t, "maria", "a-long-password", store.RoleWorkshop)
	b := e.browser()
	resp, _ := b.get("/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous dashboard: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := b.submit("/login", "/login", url.Values{"username": {"maria"}, "password": {"wrong-password"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password.") || !strings.Contains(body, `value="maria"`) {
		t.Fatalf("wrong password: %d, body %.500s", resp.StatusCode, body)
	}
	resp, _ = b.submit("/login", "/login", url.Values{"username": {" Maria "}, "password": {"a-long-password"}, "next": {"/profile"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/profile" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	sc := resp.Header.Get("Set-Cookie")
	for _, attr := range []string{"pl_session=", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("session cookie %q lacks %s", sc, attr)
		}
	}
	if strings.Contains(sc, "Secure") {
		t.Errorf("cookie marked Secure on plain HTTP: %q", sc)
	}
	resp, body = b.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "Welcome, Name maria") {
		t.Fatalf("dashboard: %d %.300s", resp.StatusCode, body)
	}
	if strings.Contains(body, `href="/settings"`) {
		t.Error("workshop user sees the settings link")
	}
	resp, _ = b.submit("/", "/logout", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ = b.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout the dashboard answered %d", resp.StatusCode)
	}
	entries, _, err := e.st.AuditLog(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action)
	}
	if got := strings.Join(actions, ","); !strings.HasPrefix(got, "logout,login,login_failed") {
		t.Errorf("audit actions newest first = %s", got)
	}
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	e := newEnv(t)
	e.addUser(t, "maria", "a-long-password", store.RoleSales)
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
		b := e.browser()
		resp, _ := b.submit("/login", "/login", url.Values{"username": {"maria"}, "password": {"a-long-password"}, "next": {next}})
		if resp.Header.Get("Location") != "/" {
			t.Errorf("next=%q redirected to %q", next, resp.Header.Get("Location"))
		}
	}
}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t)
	e.addUser(t, "maria", "a-long-password", store.RoleSales)
	b := e.browser()
	b.ip = "192.0.2.10"
	for i := range 5 {
		resp, _ := b.submit("/login", "/login", url.Values{"username": {"maria"}, "password": {fmt.Sprint("guess", i)}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := b.submit("/login", "/login", url.Values{"username": {"maria"}, "password": {"a-long-password"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed attempts. Try again in 15 minutes.") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt with the right password: %d %.400s", resp.StatusCode, body)
	}
	// Another address may still not guess this account...
	other := e.browser()
	other.ip = "192.0.2.11"
	if resp, _ := other.submit("/login", "/login", url.Values{"username": {"maria"}, "password": {"a-long-password"}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("account lock ignored from another address: %d", resp.StatusCode)
	}
	// ...but other accounts are unaffected.
	e.addUser(t, "ion", "another-long-password", store.RoleSales)
	if resp, _ := other.submit("/login", "/login", url.Values{"username": {"ion"}, "password": {"another-long-password"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account: %d", resp.StatusCode)
	}
}

func TestCSRFRefused(t *testing.T) {
	e := newEnv(t)
	m := e.as(store.RoleManager)
	e.run(t, []scenario{
		{name: "no token", method: http.MethodPost, path: "/users", as: store.RoleManager, noCSRF: true,
			form: url.Values{"username": {"x1"}}, status: http.StatusForbidden, contains: []string{"The form expired"}},
		{name: "wrong token", method: http.MethodPost, path: "/users", as: store.RoleManager, noCSRF: true,
			form: url.Values{"_csrf": {"not-" + m.csrf}, "username": {"x1"}}, status: http.StatusForbidden},
		{name: "cross-site origin", method: http.MethodPost, path: "/settings", as: store.RoleManager,
			header: map[string]string{"Origin": "https://evil.example"}, status: http.StatusForbidden},
		{name: "login without cookie token", method: http.MethodPost, path: "/login",
			form: url.Values{"username": {"a"}, "password": {"b"}, "_csrf": {"x"}}, status: http.StatusForbidden},
	})
	users, _ := e.st.Users()
	for _, u := range users {
		if u.Username == "x1" {
			t.Fatal("a user was created without a valid CSRF token")
		}
	}
}

func TestFirstRunSetup(t *testing.T) {
	e := newEnv(t)
	token := auth.NewToken()
	if err := e.st.SetSetupToken(auth.HashToken(token), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	if resp, _ := b.get("/setup/wrong-token"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	resp, body := b.submit("/setup/"+token, "/setup/"+token, url.Values{"name": {"Ana Pop"}, "username": {"ana"}, "password": {"short"}, "confirm": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "At least 10 characters.") || !strings.Contains(body, `value="Ana Pop"`) {
		t.Fatalf("short password: %d %.500s", resp.StatusCode, body)
	}
	resp, _ = b.submit("/setup/"+token, "/setup/"+token, url.Values{"name": {"Ana Pop"}, "username": {"ana"}, "password": {"a-good-password"}, "confirm": {"a-good-password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d", resp.StatusCode)
	}
	if resp, body := b.get("/settings"); resp.StatusCode != 200 || !strings.Contains(body, "Settings") {
		t.Fatalf("first manager cannot open settings: %d", resp.StatusCode)
	}
	u, err := e.st.UserByUsername("ana")
	if err != nil || u.Role != store.RoleManager {
		t.Fatalf("first user = %+v, %v", u, err)
	}
	if resp, _ := e.browser().get("/setup/" + token); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("setup link worked twice: %d", resp.StatusCode)
	}
}

func TestManagerAddsUser(t *testing.T) {
	e := newEnv(t)
	e.addUser(t, "boss", "boss-password-1", store.RoleManager)
	b := e.browser()
	b.submit("/login", "/login", url.Values{"username": {"boss"}, "password": {"boss-password-1"}})
	resp, body := b.submit("/users/new", "/users", url.Values{"name": {"Luca"}, "username": {"Luca!"}, "role": {"workshop"}, "password": {"luca-password"}, "confirm": {"luca-password"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "lower-case letters") || !strings.Contains(body, `value="Luca!"`) {
		t.Fatalf("bad username: %d %.400s", resp.StatusCode, body)
	}
	resp, _ = b.submit("/users/new", "/users", url.Values{"name": {"Luca"}, "username": {"luca"}, "role": {"workshop"}, "password": {"luca-password"}, "confirm": {"luca-password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	resp, body = b.submit("/users/new", "/users", url.Values{"name": {"Luca 2"}, "username": {"LUCA"}, "role": {"sales"}, "password": {"luca-password"}, "confirm": {"luca-password"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already taken") {
		t.Fatalf("duplicate: %d %.300s", resp.StatusCode, body)
	}
	w := e.browser()
	w.submit("/login", "/login", url.Values{"username": {"luca"}, "password": {"luca-password"}})
	if resp, body := w.get("/settings"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "have access to this page.") {
		t.Fatalf("workshop opened settings: %d", resp.StatusCode)
	}
	luca, _ := e.st.UserByUsername("luca")
	resp, _ = b.submit(fmt.Sprintf("/users/%d", luca.ID), fmt.Sprintf("/users/%d/disable", luca.ID), url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := w.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled user still signed in: %d", resp.StatusCode)
	}
	boss, _ := e.st.UserByUsername("boss")
	resp, body = b.submit(fmt.Sprintf("/users/%d", boss.ID), fmt.Sprintf("/users/%d/disable", boss.ID), url.Values{})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "last active manager") {
		t.Fatalf("last manager disabled: %d %.300s", resp.StatusCode, body)
	}
}

func TestSettingsValidationKeepsInput(t *testing.T) {
	e := newEnv(t)
	e.addUser(t, "boss", "boss-password-1", store.RoleManager)
	b := e.browser()
	b.lang = "it-IT,it;q=0.9"
	b.submit("/login", "/login", url.Values{"username": {"boss"}, "password": {"boss-password-1"}})
	form := url.Values{"name": {"Officina Rossi"}, "email": {"not-an-email"}, "currency": {"XYZ"}, "time_zone": {"Mars/Olympus"},
		"lang": {"it"}, "departments": {"Meccanica"}, "bays": {"Ponte 1 | Meccanica"}}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		form.Set("open_"+d, "08:00")
		form.Set("close_"+d, "18:00")
	}
	resp, body := b.submit("/settings", "/settings", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"Officina Rossi", "not-an-email", "Mars/Olympus", "Valuta sconosciuta", "Fuso orario sconosciuto", `lang="it"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	form.Set("email", "info@officina.example")
	form.Set("currency", "eur")
	form.Set("time_zone", "Europe/Rome")
	if resp, _ := b.submit("/settings", "/settings", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid settings: %d", resp.StatusCode)
	}
	st, _ := e.st.Settings()
	if st.Name != "Officina Rossi" || st.Currency != "EUR" || len(st.Bays) != 1 {
		t.Fatalf("saved %+v", st)
	}
}

func TestLogoUploadChecksContent(t *testing.T) {
	e := newEnv(t)
	m := e.as(store.RoleManager)
	st, _ := e.st.Settings()
	post := func(name string, content []byte) *http.Response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"_csrf": m.csrf, "name": st.Name, "lang": "en", "currency": "EUR",
			"time_zone": "Europe/Rome", "departments": "Mechanics", "closed_sun": "on", "closed_sat": "on"} {
			w.WriteField(k, v)
		}
		for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
			w.WriteField("open_"+d, "08:00")
			w.WriteField("close_"+d, "18:00")
		}
		fw, _ := w.CreateFormFile("logo", name)
		fw.Write(content)
		w.Close()
		req := httptest.NewRequest(http.MethodPost, "/settings", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "pl_session", Value: m.cookie})
		resp, err := e.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := post("logo.png", []byte("#!/bin/sh\necho not an image\n")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("script named .png accepted: %d", resp.StatusCode)
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	if resp := post("logo.bin", png); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("png refused: %d", resp.StatusCode)
	}
	resp, body := e.do(scenario{method: http.MethodGet, path: "/logo"})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || body != string(png) {
		t.Fatalf("logo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestLanguageNegotiation(t *testing.T) {
	e := newEnv(t)
	e.run(t, []scenario{
		{name: "italian browser", path: "/login", header: map[string]string{"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}, status: 200, contains: []string{"Accedi", `lang="it"`}},
		{name: "romanian browser", path: "/login", header: map[string]string{"Accept-Language": "ro"}, status: 200, contains: []string{`lang="ro"`}},
		{name: "unknown language falls back to the dealership's", path: "/login", header: map[string]string{"Accept-Language": "de-DE"}, status: 200, contains: []string{`lang="en"`, "Sign in"}},
	})
}

func TestStaticAssetsCached(t *testing.T) {
	e := newEnv(t)
	_, page := e.browser().get("/login")
	m := regexp.MustCompile(`/static/app\.css\?v=([0-9a-f]+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("login page does not link the hashed stylesheet")
	}
	resp, _ := e.do(scenario{method: http.MethodGet, path: m[0]})
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("asset: %d %q %q", resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
	resp, _ = e.do(scenario{method: http.MethodGet, path: "/static/app.css?v=old"})
	if strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatal("stale hash cached for a year")
	}
	if resp, _ := e.do(scenario{method: http.MethodGet, path: "/static/../ui.go"}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("path escape: %d", resp.StatusCode)
	}
}

func TestDashboardShowsTodayInDealershipTime(t *testing.T) {
	e := newEnv(t)
	st, _ := e.st.Settings()
	loc := st.Location()
	now := time.Now().In(loc)
	// A first view fills the dashboard's cache; what follows must show anyway.
	e.run(t, []scenario{{name: "empty dashboard", path: "/", as: store.RoleWorkshop, status: 200, contains: []string{"No appointments today."}}})
	c, err := e.st.CreateCustomer(store.CLI, store.Customer{Name: "Ion Popescu", Phone: "+40 721 000 111"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.st.CreateVehicle(store.CLI, store.Vehicle{CustomerID: c.ID, Plate: "B 123 ABC", Make: "Dacia", Model: "Logan"})
	if err != nil {
		t.Fatal(err)
	}
	startOfDay := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	for _, a := range []struct {
		service string
		start   time.Time
	}{{"Oil service", startOfDay.Add(10 * time.Hour)}, {"Tomorrow's brakes", startOfDay.AddDate(0, 0, 1).Add(9 * time.Hour)}} {
		if _, err := e.st.CreateAppointment(store.CLI, store.Appointment{CustomerID: c.ID, VehicleID: v.ID, Service: a.service,
			Start: a.start, End: a.start.Add(time.Hour), Department: "Mechanics"}); err != nil {
			t.Fatal(err)
		}
	}
	j, err := e.st.CreateJob(store.CLI, store.Job{VehicleID: v.ID, Description: "Oil service"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetJobStage(store.CLI, j.ID, store.StageReady); err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{{name: "dashboard", path: "/", as: store.RoleWorkshop, status: 200,
		contains:    []string{"Ion Popescu", "B 123 ABC", "Dacia Logan", "Oil service", "10:00–11:00", j.Number},
		notContains: []string{"Tomorrow&#39;s brakes", "Tomorrow's brakes"}}})
}

// The manager sets the default tax rate in percent, as typed in Italy or
// elsewhere; what is not a rate from 0 to 100 is refused in the user's
// language with what was typed kept, and a page without the field (opened
// before an upgrade) keeps the rate.
func TestSettingsTaxRate(t *testing.T) {
	e := newEnv(t)
	m := e.as(store.RoleManager)
	italian := map[string]string{"Accept-Language": "it-IT,it;q=0.9"}
	const refused = "aliquota IVA in percentuale, da 0 a 100"
	form := func(tax []string) url.Values {
		f := url.Values{"name": {"Officina Rossi"}, "lang": {"it"}, "currency": {"EUR"}, "time_zone": {"Europe/Rome"},
			"departments": {"Meccanica"}, "closed_sat": {"on"}, "closed_sun": {"on"}}
		for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
			f.Set("open_"+d, "08:00")
			f.Set("close_"+d, "18:00")
		}
		if tax != nil {
			f["tax_rate"] = tax
		}
		return f
	}
	// postMultipart posts as the settings page does (it carries the logo).
	postMultipart := func(f url.Values) *http.Response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("_csrf", m.csrf)
		for k, vs := range f {
			for _, v := range vs {
				w.WriteField(k, v)
			}
		}
		w.Close()
		req := httptest.NewRequest(http.MethodPost, "/settings", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "pl_session", Value: m.cookie})
		resp, err := e.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	tests := []struct {
		name      string
		tax       []string // nil: the form has no such field
		multipart bool
		status    int
		want      int64 // the rate saved afterwards
		contains  []string
	}{
		{name: "whole percent", tax: []string{"22"}, status: http.StatusSeeOther, want: 2200},
		{name: "decimal comma", tax: []string{"22,5"}, status: http.StatusSeeOther, want: 2250},
		{name: "decimal point with spaces", tax: []string{" 5.5 "}, status: http.StatusSeeOther, want: 550},
		{name: "no tax", tax: []string{"0"}, status: http.StatusSeeOther, want: 0},
		{name: "from the page as it posts", tax: []string{"22"}, multipart: true, status: http.StatusSeeOther, want: 2200},
		{name: "older page without the field", status: http.StatusSeeOther, want: 2200},
		{name: "older page, as it posts", multipart: true, status: http.StatusSeeOther, want: 2200},
		{name: "words", tax: []string{"ventidue"}, status: http.StatusUnprocessableEntity, want: 2200,
			contains: []string{refused, `value="ventidue"`, "Officina Rossi"}},
		{name: "over 100", tax: []string{"122"}, status: http.StatusUnprocessableEntity, want: 2200,
			contains: []string{refused, `value="122"`}},
		{name: "negative", tax: []string{"-22"}, status: http.StatusUnprocessableEntity, want: 2200, contains: []string{refused}},
		{name: "three decimals", tax: []string{"22,125"}, status: http.StatusUnprocessableEntity, want: 2200, contains: []string{refused}},
		{name: "emptied", tax: []string{""}, status: http.StatusUnprocessableEntity, want: 2200, contains: []string{refused}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *http.Response
			var body string
			if tt.multipart {
				resp = postMultipart(form(tt.tax))
			} else {
				resp, body = e.do(scenario{method: http.MethodPost, path: "/settings", as: store.RoleManager, form: form(tt.tax), header: italian})
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.400s", resp.StatusCode, tt.status, body)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			if st, _ := e.st.Settings(); st.TaxRate != tt.want {
				t.Errorf("saved rate %d, want %d", st.TaxRate, tt.want)
			}
		})
	}
	e.run(t, []scenario{{name: "the page shows the rate", path: "/settings", as: store.RoleManager, status: http.StatusOK,
		contains: []string{`id="tax_rate" name="tax_rate" inputmode="decimal" size="6" required value="22.00"`}}})
}
