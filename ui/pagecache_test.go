package ui

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

// staffApp mounts the UI and signs in one account per name → role (and
// language), returning the app and each account's session token and CSRF.
type signedIn struct{ token, csrf string }

func staffApp(t *testing.T, u *UI, people map[string]store.User) (*fiber.App, map[string]signedIn) {
	t.Helper()
	app := fiber.New()
	var routes web.Routes
	u.Mount(app, &routes)
	hash, _ := auth.HashPassword("a-long-password-1")
	out := map[string]signedIn{}
	for name, p := range people {
		user, err := u.Store.CreateUser(testActor, store.NewUser{Username: name, Name: p.Name, Role: p.Role, Lang: p.Lang, PasswordHash: hash})
		if err != nil {
			t.Fatal(err)
		}
		token := auth.NewToken()
		s := signedIn{token: token, csrf: auth.NewToken()}
		if err := u.Store.CreateSession(auth.HashToken(token), store.Session{UserID: user.ID, CSRF: s.csrf,
			Created: time.Now(), Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		out[name] = s
	}
	return app, out
}

func get(t *testing.T, app *fiber.App, path string, s signedIn) string {
	t.Helper()
	req := httptest.NewRequest(fiber.MethodGet, path, nil)
	req.Header.Set("Cookie", "pl_session="+s.token)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != fiber.StatusOK {
		t.Fatalf("GET %s: status %d:\n%s", path, resp.StatusCode, body)
	}
	return string(body)
}

func (pc *pageCache) len() int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.entries)
}

// TestPageCache loads a job and the calendar as staff of different roles
// and languages: each sees their own page (token, menu, language), a
// reload is served from the cache exactly as rendered, and a write shows
// on the next load.
func TestPageCache(t *testing.T) {
	u := newTestUI(t)
	app, staff := staffApp(t, u, map[string]store.User{
		"mia": {Name: "Mia Manager", Role: store.RoleManager, Lang: "en"},
		"sal": {Name: "Sal Sales", Role: store.RoleSales, Lang: "en"},
		"ida": {Name: "Ida Officina", Role: store.RoleWorkshop, Lang: "it"},
	})
	cust, err := u.Store.CreateCustomer(testActor, store.Customer{Name: "Carla Bianchi", Email: "carla@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	car, err := u.Store.CreateVehicle(testActor, store.Vehicle{CustomerID: cust.ID, Plate: "AB123CD", Make: "Fiat", Model: "Panda"})
	if err != nil {
		t.Fatal(err)
	}
	job, err := u.Store.CreateJob(testActor, store.Job{VehicleID: car.ID, Description: "Brakes squeak"})
	if err != nil {
		t.Fatal(err)
	}
	jobPath := fmt.Sprintf("/jobs/%d", job.ID)

	for _, path := range []string{jobPath, "/calendar?view=week&dept=Mechanics"} {
		t.Run(path, func(t *testing.T) {
			pages := map[string]string{}
			for _, name := range []string{"mia", "sal", "ida"} {
				first := get(t, app, path, staff[name])
				n := u.pageCache.len()
				again := get(t, app, path, staff[name])
				if u.pageCache.len() != n || n == 0 {
					t.Fatalf("%s: %d cached pages after the first load, %d after the second; want the reload served from the cache", name, n, u.pageCache.len())
				}
				if again != first {
					t.Fatalf("%s: the cached page differs from the rendered one:\n%s\n---\n%s", name, again, first)
				}
				if !strings.Contains(first, `value="`+staff[name].csrf+`"`) {
					t.Fatalf("%s: the page lacks the session's CSRF token", name)
				}
				pages[name] = first
			}
			for name, page := range pages {
				for other, s := range staff {
					if other != name && strings.Contains(page, s.csrf) {
						t.Errorf("%s's page holds %s's CSRF token", name, other)
					}
				}
			}
			if !strings.Contains(pages["mia"], `href="/users"`) || strings.Contains(pages["sal"], `href="/users"`) {
				t.Error("the manager's menu reached the salesman, or the manager lacks it")
			}
			if want := i18n.T("it", "nav.logout"); !strings.Contains(pages["ida"], want) || strings.Contains(pages["sal"], want) {
				t.Errorf("the Italian page is not in Italian (%q), or the English one is", want)
			}
		})
	}

	t.Run("per session", func(t *testing.T) {
		// Mia signs in on a second browser (a write, so both loads below
		// come after it): its page has that session's token, not the one
		// cached for her first browser.
		user, err := u.Store.UserByUsername("mia")
		if err != nil {
			t.Fatal(err)
		}
		other := signedIn{token: auth.NewToken(), csrf: auth.NewToken()}
		if err := u.Store.CreateSession(auth.HashToken(other.token), store.Session{UserID: user.ID, CSRF: other.csrf,
			Created: time.Now(), Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		get(t, app, jobPath, other) // a session's first use may be a write too
		first := get(t, app, jobPath, staff["mia"])
		second := get(t, app, jobPath, other)
		if !strings.Contains(second, `value="`+other.csrf+`"`) || strings.Contains(second, staff["mia"].csrf) ||
			strings.Contains(first, other.csrf) {
			t.Error("one session's page holds the other's CSRF token")
		}
	})

	t.Run("gzip", func(t *testing.T) {
		for _, path := range []string{jobPath, "/calendar?view=week&dept=Mechanics"} {
			plain := get(t, app, path, staff["ida"])
			for range 2 { // rendered, then from the cache
				req := httptest.NewRequest(fiber.MethodGet, path, nil)
				req.Header.Set("Cookie", "pl_session="+staff["ida"].token)
				req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
				resp, err := app.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
					t.Fatalf("%s: Content-Encoding %q, Vary %q; want gzip, varying by Accept-Encoding", path,
						resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
				}
				zr, err := gzip.NewReader(bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				if string(body) != plain {
					t.Fatalf("%s: the gzipped page unpacks to something else than the plain one", path)
				}
				if len(raw) >= len(plain)/2 {
					t.Errorf("%s: gzipped %d bytes of %d", path, len(raw), len(plain))
				}
			}
		}
	})

	t.Run("manager-only content", func(t *testing.T) {
		// A job without inspection offers the manager the checklist link.
		if !strings.Contains(get(t, app, jobPath, staff["mia"]), `href="/workshop/checklist"`) {
			t.Skip("the job page no longer links managers to the checklist")
		}
		if strings.Contains(get(t, app, jobPath, staff["sal"]), `href="/workshop/checklist"`) {
			t.Error("the manager's checklist link reached the salesman's cached job page")
		}
	})

	t.Run("a write shows", func(t *testing.T) {
		before := get(t, app, jobPath, staff["sal"])
		if _, err := u.Store.AddLine(testActor, job.ID, store.Line{Kind: store.LineLabour, Description: "Replace pads",
			Qty: 100, UnitPrice: 5000, TaxRate: 2200}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(before, "Replace pads") || !strings.Contains(get(t, app, jobPath, staff["sal"]), "Replace pads") {
			t.Error("the job page does not show the line added since the last load")
		}
		// Today at noon in the dealership's zone, so within the week the
		// page shows whatever the hour the test runs at.
		settings, err := u.Store.Settings()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().In(settings.Location())
		noon := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, now.Location())
		if _, err := u.Store.CreateAppointment(testActor, store.Appointment{CustomerID: cust.ID, VehicleID: car.ID,
			Start: noon, End: noon.Add(time.Hour), Department: "Mechanics", Service: "Tyre swap"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(get(t, app, "/calendar?view=week&dept=Mechanics", staff["sal"]), "Tyre swap") {
			t.Error("the calendar does not show the appointment booked since the last load")
		}
	})

	t.Run("any write renders afresh", func(t *testing.T) {
		get(t, app, jobPath, staff["sal"])
		u.pageCache.mu.Lock()
		before := u.pageCache.writes
		u.pageCache.mu.Unlock()
		// Regenerating a calendar feed's link adds nothing to the change feed.
		if _, err := u.Store.RegenerateFeed(testActor, "department:Mechanics"); err != nil {
			t.Fatal(err)
		}
		get(t, app, jobPath, staff["sal"])
		u.pageCache.mu.Lock()
		after, n := u.pageCache.writes, len(u.pageCache.entries)
		u.pageCache.mu.Unlock()
		if after == before || n != 1 {
			t.Errorf("after a write: cache at write %d (was %d) with %d pages; want a fresh cache with the one page", after, before, n)
		}
	})

	t.Run("not for visitors", func(t *testing.T) {
		req := httptest.NewRequest(fiber.MethodGet, jobPath, nil)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "Brakes squeak") {
			t.Error("a visitor without a session was shown the job")
		}
	})
}
