package ui

import (
	"strings"
	"testing"
	"time"

	"pitlane/i18n"
	"pitlane/store"
)

// TestDashboardCache: the body is kept per language, and a write (here a
// new customer) shows on the next view.
func TestDashboardCache(t *testing.T) {
	u := newTestUI(t)
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	body := func(lang i18n.Lang) string {
		t.Helper()
		v := u.testView(t, lang, nil, "/")
		b, err := u.dash.body(u, v, day)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for range 2 {
		for _, lang := range i18n.Supported {
			if got, want := body(lang), i18n.T(lang, "dashboard.customers_count"); !strings.Contains(got, want) {
				t.Fatalf("%s: the body is not in its language (no %q):\n%s", lang, want, got)
			}
		}
	}
	if got := body("en"); !strings.Contains(got, `<span class="num">0</span><span>`+i18n.T("en", "dashboard.customers_count")) {
		t.Fatalf("no customers yet, but:\n%s", got)
	}
	if _, err := u.Store.CreateCustomer(testActor, store.Customer{Name: "Carla", Email: "carla@example.com"}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Supported {
		if got := body(lang); !strings.Contains(got, `<span class="num">1</span><span>`+i18n.T(lang, "dashboard.customers_count")) {
			t.Fatalf("%s: the new customer is not counted:\n%s", lang, got)
		}
	}
}
