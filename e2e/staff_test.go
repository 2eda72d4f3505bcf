package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFirstRunToRoleRefusal is the first journey: the owner opens the
// first-run link, creates the manager, signs in, adds a workshop user; that
// user signs in on a phone and is refused the settings page.
func TestFirstRunToRoleRefusal(t *testing.T) {
	app := start(t)
	link := app.SetupLink(t)
	ctx := browser(t, 1280, 900)

	run(t, ctx, "first-run setup",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Giulia Bianchi"),
		chromedp.SendKeys(chromedp.CSS("#username"), "giulia"),
		chromedp.SendKeys(chromedp.CSS("#password"), "officina-2026!"),
		chromedp.SendKeys(chromedp.CSS("#confirm"), "officina-2026!"),
	)
	submit(t, ctx, "#confirm")
	if h := text(t, ctx, "main h1"); !strings.Contains(h, "Giulia Bianchi") {
		t.Fatalf("after setup the page says %q", h)
	}
	signOut(t, ctx)

	signIn(t, ctx, app.URL, "giulia", "officina-2026!")
	run(t, ctx, "open the menu", chromedp.Click(chromedp.CSS("details.menu summary")))
	follow(t, ctx, `a[href="/users"]`)
	follow(t, ctx, `a[href="/users/new"]`)
	run(t, ctx, "add a workshop user",
		chromedp.SendKeys(chromedp.CSS("#name"), "Marco Rossi"),
		chromedp.SendKeys(chromedp.CSS("#username"), "marco"),
		chromedp.SetValue(chromedp.CSS("#role"), "workshop"),
		chromedp.SendKeys(chromedp.CSS("#password"), "chiave-inglese-10"),
		chromedp.SendKeys(chromedp.CSS("#confirm"), "chiave-inglese-10"),
	)
	submit(t, ctx, "#confirm")
	if h := text(t, ctx, "main h1"); !strings.Contains(h, "Marco Rossi") {
		t.Fatalf("after adding the user the page says %q", h)
	}
	signOut(t, ctx)

	phone := browser(t, 360, 740)
	signIn(t, phone, app.URL, "marco", "chiave-inglese-10")
	if h := text(t, phone, "main h1"); !strings.Contains(h, "Marco Rossi") {
		t.Fatalf("workshop dashboard says %q", h)
	}
	settingsLinks := eval[int](t, phone, `document.querySelectorAll('a[href="/settings"]').length`)
	if settingsLinks != 0 {
		t.Fatal("the workshop user is shown a link to settings")
	}
	overflow := eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth`)
	if overflow {
		t.Error("the dashboard scrolls sideways on a 360 px phone")
	}
	shot(t, phone, "dashboard-360.png")
	resp, err := chromedp.RunResponse(phone, chromedp.Navigate(app.URL+"/settings"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 403 {
		t.Fatalf("workshop user on /settings got HTTP %d", resp.Status)
	}
	if msg := text(t, phone, "main .alert"); !strings.Contains(msg, "have access to this page") {
		t.Fatalf("workshop user on /settings sees %q", msg)
	}
	hasForm := eval[bool](t, phone, `!!document.querySelector('form[action="/settings"]')`)
	if hasForm {
		t.Fatal("the settings form is shown to a workshop user")
	}
}

// shot saves a screenshot when PITLANE_SCREENSHOTS names a folder, for a
// person to look at; it asserts nothing.
func shot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("PITLANE_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
