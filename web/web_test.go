package web

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
)

// do sends req through app and returns the status and body.
func do(t *testing.T, app *fiber.App, req *http.Request) (int, string) {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func get(t *testing.T, app *fiber.App, req *http.Request) string {
	t.Helper()
	status, body := do(t, app, req)
	if status != http.StatusOK {
		t.Fatalf("%s %s: status %d (%s)", req.Method, req.URL.Path, status, body)
	}
	return body
}

func TestLang(t *testing.T) {
	tests := []struct {
		name           string
		principal      *Principal
		acceptLanguage string
		dealership     string
		want           i18n.Lang
	}{
		{"account's choice beats the browser", &Principal{Lang: "it"}, "ro-RO,ro;q=0.9", "en", i18n.Italian},
		{"account's choice with region", &Principal{Lang: "ro-RO"}, "en", "it", i18n.Romanian},
		{"account follows the browser", &Principal{}, "ro-RO,ro;q=0.9,en;q=0.5", "it", i18n.Romanian},
		{"unsupported account language falls to the browser", &Principal{Lang: "de"}, "it", "en", i18n.Italian},
		{"anonymous visitor gets the browser's language", nil, "it-IT,it;q=0.9", "ro", i18n.Italian},
		{"browser's second choice when the first is unsupported", nil, "de-DE,de;q=0.9,it;q=0.8", "en", i18n.Italian},
		{"unsupported browser language gets the dealership's", nil, "de-DE,de;q=0.9", "it", i18n.Italian},
		{"no browser language gets the dealership's", nil, "", "ro", i18n.Romanian},
		{"malformed header gets the dealership's", nil, ";;;q=x", "it", i18n.Italian},
		{"unsupported dealership language falls back to English", nil, "", "de", i18n.English},
		{"unset dealership language falls back to English", nil, "", "", i18n.English},
		// The same header again, after its answer was kept for another
		// dealership language.
		{"kept answers are per dealership language", nil, "de-DE,de;q=0.9", "ro", i18n.Romanian},
		{"a kept answer is the same answer", nil, "ro-RO,ro;q=0.9,en;q=0.5", "it", i18n.Romanian},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := fiber.New()
			app.Get("/", func(c *fiber.Ctx) error {
				if tt.principal != nil {
					SetPrincipal(c, tt.principal)
				}
				return c.SendString(string(Lang(c, tt.dealership)))
			})
			req := httptest.NewRequest("GET", "/", nil)
			if tt.acceptLanguage != "" {
				req.Header.Set("Accept-Language", tt.acceptLanguage)
			}
			if got := get(t, app, req); got != string(tt.want) {
				t.Errorf("Lang = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStaffRoleGuard(t *testing.T) {
	var handled error
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		handled = err
		return c.Status(Status(err)).SendString(Code(err))
	}})
	// The test stands in for the session middleware: X-Role signs in.
	app.Use(func(c *fiber.Ctx) error {
		if r := c.Get("X-Role"); r != "" {
			SetPrincipal(c, &Principal{Kind: "staff", UserID: 1, Role: store.Role(r)})
		}
		return c.Next()
	})
	var routes Routes
	g := app.Group("/admin")
	routes.Staff(g, fiber.MethodGet, "/settings", ManagerOnly, func(c *fiber.Ctx) error { return c.SendString("settings") })
	routes.Staff(g, fiber.MethodGet, "/jobs", AllStaff, func(c *fiber.Ctx) error { return c.SendString("jobs") })

	tests := []struct {
		name, path, role string
		status           int
		body             string
		code             store.Code // of the *store.Error the error handler saw; empty when none
	}{
		{"anonymous", "/admin/settings", "", http.StatusUnauthorized, "unauthorized", store.CodeUnauthorized},
		{"anonymous on an all-staff route", "/admin/jobs", "", http.StatusUnauthorized, "unauthorized", store.CodeUnauthorized},
		{"wrong role", "/admin/settings", "sales", http.StatusForbidden, "forbidden", store.CodeForbidden},
		{"workshop on a manager route", "/admin/settings", "workshop", http.StatusForbidden, "forbidden", store.CodeForbidden},
		{"unknown role", "/admin/jobs", "admin", http.StatusForbidden, "forbidden", store.CodeForbidden},
		{"right role", "/admin/settings", "manager", http.StatusOK, "settings", ""},
		{"one of several roles", "/admin/jobs", "workshop", http.StatusOK, "jobs", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handled = nil
			req := httptest.NewRequest("GET", tt.path, nil)
			if tt.role != "" {
				req.Header.Set("X-Role", tt.role)
			}
			status, body := do(t, app, req)
			if status != tt.status || body != tt.body {
				t.Errorf("got %d %q, want %d %q", status, body, tt.status, tt.body)
			}
			var se *store.Error
			switch {
			case tt.code == "" && handled != nil:
				t.Errorf("error handler saw %v", handled)
			case tt.code != "" && (!errors.As(handled, &se) || se.Code != tt.code):
				t.Errorf("error handler saw %#v, want a *store.Error with code %s", handled, tt.code)
			}
		})
	}
}

func TestRoutesAll(t *testing.T) {
	ok := func(c *fiber.Ctx) error { return c.SendString("ok") }
	tests := []struct {
		name    string
		declare func(app *fiber.App, r *Routes)
		want    Route
	}{
		{"on the app", func(app *fiber.App, r *Routes) {
			r.Public(app, fiber.MethodGet, "/healthz", ok)
		}, Route{Method: "GET", Path: "/healthz", Public: true}},
		{"group with trailing slash", func(app *fiber.App, r *Routes) {
			r.Staff(app.Group("/api/"), fiber.MethodPost, "/jobs", AllStaff, ok)
		}, Route{Method: "POST", Path: "/api/jobs", Roles: AllStaff}},
		{"root group", func(app *fiber.App, r *Routes) {
			r.Public(app.Group("/"), fiber.MethodGet, "/login", ok)
		}, Route{Method: "GET", Path: "/login", Public: true}},
		{"root of the root group", func(app *fiber.App, r *Routes) {
			r.Staff(app.Group("/"), fiber.MethodGet, "/", AllStaff, ok)
		}, Route{Method: "GET", Path: "/", Roles: AllStaff}},
		{"nested groups", func(app *fiber.App, r *Routes) {
			r.Staff(app.Group("/api").Group("/v1"), fiber.MethodGet, "/users/:id", ManagerOnly, ok)
		}, Route{Method: "GET", Path: "/api/v1/users/:id", Roles: ManagerOnly}},
		{"group root with trailing slash", func(app *fiber.App, r *Routes) {
			r.Public(app.Group("/api/v1"), fiber.MethodGet, "/", ok)
		}, Route{Method: "GET", Path: "/api/v1", Public: true}},
		{"path without leading slash", func(app *fiber.App, r *Routes) {
			r.Public(app.Group("/api"), fiber.MethodGet, "status", ok)
		}, Route{Method: "GET", Path: "/api/status", Public: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := fiber.New()
			app.Use(func(c *fiber.Ctx) error {
				SetPrincipal(c, &Principal{Kind: "staff", Role: store.RoleManager})
				return c.Next()
			})
			var r Routes
			tt.declare(app, &r)
			all := r.All()
			if len(all) != 1 {
				t.Fatalf("All() = %+v, want one route", all)
			}
			got := all[0]
			if got.Method != tt.want.Method || got.Path != tt.want.Path || got.Public != tt.want.Public || !slices.Equal(got.Roles, tt.want.Roles) {
				t.Errorf("All() = %+v, want %+v", got, tt.want)
			}
			// The recorded path must be the one fiber serves, or a test
			// walking All() would probe the wrong URL.
			get(t, app, httptest.NewRequest(got.Method, got.Path, nil))
		})
	}
	t.Run("All returns a copy", func(t *testing.T) {
		var r Routes
		r.Public(fiber.New(), fiber.MethodGet, "/a", ok)
		r.All()[0].Path = "/changed"
		if p := r.All()[0].Path; p != "/a" {
			t.Errorf("changing All()'s result changed the declared route to %q", p)
		}
	})
}

func TestActor(t *testing.T) {
	tests := []struct {
		name      string
		principal *Principal
		want      store.Actor
	}{
		{"anonymous", nil, store.Actor{Kind: "anonymous", Name: "-", IP: "0.0.0.0"}},
		{"staff session", &Principal{Kind: "staff", UserID: 7, Name: "Ana Pop"}, store.Actor{Kind: "user", UserID: 7, Name: "Ana Pop", IP: "0.0.0.0"}},
		{"api key", &Principal{Kind: "apikey", APIKeyID: 3, UserID: 0, Name: "DMS sync"}, store.Actor{Kind: "apikey", Name: "DMS sync", IP: "0.0.0.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got store.Actor
			app := fiber.New()
			app.Get("/", func(c *fiber.Ctx) error {
				if tt.principal != nil {
					SetPrincipal(c, tt.principal)
				}
				got = Actor(c)
				return nil
			})
			get(t, app, httptest.NewRequest("GET", "/", nil))
			if got != tt.want {
				t.Errorf("Actor = %+v, want %+v", got, tt.want)
			}
		})
	}
}
