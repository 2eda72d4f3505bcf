package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"pitlane/auth"
	"pitlane/config"
	"pitlane/media"
	"pitlane/server"
	"pitlane/store"
)

// env is a real appliance wired as in production, on a temporary data folder.
type env struct {
	t     *testing.T
	srv   *server.Server
	st    *store.Store
	staff map[store.Role]*staffLogin
	keys  map[store.Role]string
}

type staffLogin struct {
	user   store.User
	cookie string
	csrf   string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(dir, store.Options{Logger: log})
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
	srv, err := server.New(server.Options{Config: cfg, Store: st, Media: m, Version: "test", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, st: st, staff: map[store.Role]*staffLogin{}, keys: map[store.Role]string{}}
}

// as returns a fresh session of a staff member of role (so a test that signs
// out does not affect the next), creating the account on first use directly
// in the store.
func (e *env) as(role store.Role) *staffLogin {
	u := store.User{}
	if l, ok := e.staff[role]; ok {
		u = l.user
	} else {
		var err error
		u, err = e.st.CreateUser(store.CLI, store.NewUser{Username: "u-" + string(role), Name: "Test " + string(role), Role: role, PasswordHash: testHash})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	token, csrf := auth.NewToken(), auth.NewToken()
	if err := e.st.CreateSession(auth.HashToken(token), store.Session{UserID: u.ID, CSRF: csrf, Created: time.Now(), Expires: time.Now().Add(time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	l := &staffLogin{user: u, cookie: token, csrf: csrf}
	e.staff[role] = l
	return l
}

// key returns an API key bound to role.
func (e *env) key(role store.Role) string {
	if k, ok := e.keys[role]; ok {
		return k
	}
	secret := "pl_" + auth.NewToken()
	if _, err := e.st.CreateAPIKey(store.CLI, "test "+string(role), role, secret[:9], auth.HashToken(secret)); err != nil {
		e.t.Fatal(err)
	}
	e.keys[role] = secret
	return secret
}

var testHash, _ = auth.HashPassword("correct horse battery")

// scenario is one request and what the user would notice in the answer.
type scenario struct {
	name        string
	method      string
	path        string
	as          store.Role // empty: anonymous
	apiKey      bool       // authenticate with an API key of role `as`
	form        url.Values // sent url-encoded; the CSRF token is added for staff
	json        string
	header      map[string]string
	noCSRF      bool
	status      int
	contains    []string
	notContains []string
	location    string // expected redirect target prefix
}

func (e *env) do(sc scenario) (*http.Response, string) {
	e.t.Helper()
	var body io.Reader
	form := url.Values{}
	for k, v := range sc.form {
		form[k] = v
	}
	var login *staffLogin
	if sc.as != "" && !sc.apiKey {
		login = e.as(sc.as)
		if !sc.noCSRF && sc.method != http.MethodGet {
			form.Set("_csrf", login.csrf)
		}
	}
	switch {
	case sc.json != "":
		body = strings.NewReader(sc.json)
	case sc.method != http.MethodGet:
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(sc.method, sc.path, body)
	if sc.json != "" {
		req.Header.Set("Content-Type", "application/json")
	} else if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if login != nil {
		req.AddCookie(&http.Cookie{Name: "pl_session", Value: login.cookie})
	}
	if sc.apiKey {
		req.Header.Set("Authorization", "Bearer "+e.key(sc.as))
	}
	for k, v := range sc.header {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", sc.method, sc.path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func (e *env) run(t *testing.T, scenarios []scenario) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if sc.method == "" {
				sc.method = http.MethodGet
			}
			resp, body := e.do(sc)
			if resp.StatusCode != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body: %.400s", sc.method, sc.path, resp.StatusCode, sc.status, body)
			}
			for _, s := range sc.contains {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s: body lacks %q; body: %.600s", sc.method, sc.path, s, body)
				}
			}
			for _, s := range sc.notContains {
				if strings.Contains(body, s) {
					t.Errorf("%s %s: body has %q", sc.method, sc.path, s)
				}
			}
			if sc.location != "" && !strings.HasPrefix(resp.Header.Get("Location"), sc.location) {
				t.Errorf("Location %q, want prefix %q", resp.Header.Get("Location"), sc.location)
			}
		})
	}
}

var pathParam = regexp.MustCompile(`:[a-z]+|\*`)

// TestEveryRoleIsRefusedWhereNotDeclared walks every declared staff route and
// proves each role it does not name gets 403, each role it names gets in,
// and an anonymous caller is sent to sign in.
func TestEveryRoleIsRefusedWhereNotDeclared(t *testing.T) {
	e := newEnv(t)
	routes := e.srv.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes declared", len(routes))
	}
	for _, r := range routes {
		if r.Public || r.Customer { // customer routes: TestCustomerAccess
			continue
		}
		if len(r.Roles) == 0 {
			t.Errorf("%s %s declares no role", r.Method, r.Path)
			continue
		}
		path := pathParam.ReplaceAllString(r.Path, "999")
		isAPI := strings.HasPrefix(path, "/api/")
		for _, role := range store.Roles {
			allowed := slices.Contains(r.Roles, role)
			t.Run(r.Method+" "+r.Path+" as "+string(role), func(t *testing.T) {
				resp, body := e.do(scenario{method: r.Method, path: path, as: role, apiKey: isAPI, json: jsonIf(isAPI, r.Method)})
				forbidden := resp.StatusCode == http.StatusForbidden
				if allowed && (forbidden || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode >= 500) {
					t.Fatalf("role %s is declared but got %d: %.300s", role, resp.StatusCode, body)
				}
				if !allowed && !forbidden {
					t.Fatalf("role %s is not declared but got %d", role, resp.StatusCode)
				}
			})
		}
		t.Run(r.Method+" "+r.Path+" anonymous", func(t *testing.T) {
			resp, _ := e.do(scenario{method: r.Method, path: path, json: jsonIf(isAPI, r.Method)})
			if isAPI && resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("anonymous API call got %d, want 401", resp.StatusCode)
			}
			if !isAPI && r.Method == http.MethodGet && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login")) {
				t.Fatalf("anonymous page got %d to %q, want the login page", resp.StatusCode, resp.Header.Get("Location"))
			}
			if !isAPI && r.Method != http.MethodGet && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("anonymous post got %d", resp.StatusCode)
			}
		})
	}
}

func jsonIf(api bool, method string) string {
	if api && method != http.MethodGet {
		return "{}"
	}
	return ""
}

func TestHealth(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(scenario{method: http.MethodGet, path: "/healthz"})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var h struct {
		Version       string `json:"version"`
		SchemaVersion int    `json:"schema_version"`
		Database      string `json:"database"`
		Uptime        *int64 `json:"uptime_seconds"`
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatal(err)
	}
	if h.Version != "test" || h.SchemaVersion != store.SchemaVersion() || h.Database != "ok" || h.Uptime == nil {
		t.Fatalf("health = %+v", h)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/login", "/healthz", "/api/v1/me"} {
		resp, _ := e.do(scenario{method: http.MethodGet, path: path})
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("%s: no %s header", path, h)
			}
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent without TLS", path)
		}
	}
}
