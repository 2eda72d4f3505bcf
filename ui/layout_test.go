package ui

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"text/template/parse"

	"pitlane/auth"
	"pitlane/i18n"
	"pitlane/store"
	"pitlane/web"
)

var testActor = store.Actor{Kind: "cli", Name: "test"}

func newTestUI(t *testing.T) *UI {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, err := New(Deps{Store: st, Logger: slog.New(slog.DiscardHandler), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// testView is a View as view() starts it, without a request.
func (u *UI) testView(t *testing.T, lang i18n.Lang, me *web.Principal, path string) *View {
	t.Helper()
	writes, seq, messages, err := u.state.get(u.Store)
	if err != nil {
		t.Fatal(err)
	}
	st, version, err := u.settings.get(u.Store, seq)
	if err != nil {
		t.Fatal(err)
	}
	v := &View{Title: "errors.title", Me: me, Lang: lang, Settings: st, Path: path, Version: u.Version,
		Loc: i18n.Locale{Lang: lang, Currency: st.Currency, Location: st.Location()}, Errors: map[string]string{},
		Form: map[string]string{}, writes: writes, seq: seq, settingsVersion: version, CSRF: "anon-token"}
	if me != nil {
		v.Unread, v.CSRF = messages.Unread, me.CSRF
	}
	return v
}

func plainPage(t *testing.T, u *UI, page string, v *View) string {
	t.Helper()
	var b bytes.Buffer
	if err := u.pages[v.Lang][page].ExecuteTemplate(&b, "layout.html", v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func framedPage(t *testing.T, u *UI, page string, v *View) string {
	t.Helper()
	var b bytes.Buffer
	if err := u.renderPage(&b, page, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFramedLayoutIsTheLayout renders pages through frames for every
// language, role, notice and menu entry, with names and errors full of
// characters that need escaping, and compares each with the layout
// executed whole: a cached frame must never show anything else.
func TestFramedLayoutIsTheLayout(t *testing.T) {
	u := newTestUI(t)
	if u.frames == nil {
		t.Fatal("the layout is not framed: layout.html reads something newLayoutFrames does not account for")
	}
	people := []*web.Principal{nil}
	for _, r := range store.Roles {
		people = append(people, &web.Principal{Kind: "staff", Role: r, Name: `Ann "A+B" <O'Neil> & co` + "\x00",
			CSRF: fmt.Sprintf(`tok-%s-<&"'>`, r)})
	}
	for _, lang := range i18n.Supported {
		for _, me := range people {
			for _, path := range []string{"/", "/users", "/jobs/7"} {
				for _, unread := range []int64{0, 12} {
					for _, flash := range []string{"", "jobs.saved"} {
						for _, fail := range []string{"", `<b>bad</b> & "worse" + 'worst'`} {
							v := u.testView(t, lang, me, path)
							v.Unread, v.Flash, v.Error = unread, flash, fail
							if me == nil {
								v.Unread = 0
							}
							want := plainPage(t, u, "error", v)
							got := framedPage(t, u, "error", v)
							if got != want {
								t.Fatalf("%s %+v %s unread=%d flash=%q error=%q:\nframed:\n%s\nplain:\n%s", lang, me, path, unread, flash, fail, got, want)
							}
							if f, err := u.frames.get(v); err != nil || f == nil {
								t.Fatalf("%s %+v %s: no frame (err %v): the page was rendered plainly", lang, me, path, err)
							}
						}
					}
				}
			}
		}
	}
}

// TestFramesKeepRolesApart renders the manager's page first and then a
// salesman's: the manager's menu entries must not appear in the second.
func TestFramesKeepRolesApart(t *testing.T) {
	u := newTestUI(t)
	manager := &web.Principal{Kind: "staff", Role: store.RoleManager, Name: "Mia", CSRF: "m"}
	sales := &web.Principal{Kind: "staff", Role: store.RoleSales, Name: "Sal", CSRF: "s"}
	for _, lang := range i18n.Supported {
		if got := framedPage(t, u, "error", u.testView(t, lang, manager, "/")); !strings.Contains(got, `href="/users"`) {
			t.Fatalf("%s: the manager's menu has no users link", lang)
		}
		got := framedPage(t, u, "error", u.testView(t, lang, sales, "/"))
		if strings.Contains(got, `href="/users"`) || strings.Contains(got, "Mia") || strings.Contains(got, `value="m"`) {
			t.Fatalf("%s: the salesman's page shows the manager's menu or session:\n%s", lang, got)
		}
		if !strings.Contains(got, "Sal") || !strings.Contains(got, `value="s"`) {
			t.Fatalf("%s: the salesman's page lacks his name or token", lang)
		}
		if got := framedPage(t, u, "error", u.testView(t, lang, nil, "/")); strings.Contains(got, "/logout") {
			t.Fatalf("%s: a visitor's page has the staff menu", lang)
		}
	}
}

// TestFramesFollowTheLanguage renders the same page in every language in
// turn: each must come out in its own.
func TestFramesFollowTheLanguage(t *testing.T) {
	u := newTestUI(t)
	me := &web.Principal{Kind: "staff", Role: store.RoleWorkshop, Name: "Wes", CSRF: "w"}
	for range 2 {
		for _, lang := range i18n.Supported {
			got := framedPage(t, u, "error", u.testView(t, lang, me, "/"))
			if want := i18n.T(lang, "nav.logout"); !strings.Contains(got, want) || !strings.Contains(got, `<html lang="`+string(lang)+`">`) {
				t.Fatalf("%s: page not in its language (no %q)", lang, want)
			}
		}
	}
}

// TestFramesFollowTheSettings saves a new dealership name: the next page
// shows it, and settings saved with no change keep the frames.
func TestFramesFollowTheSettings(t *testing.T) {
	u := newTestUI(t)
	me := &web.Principal{Kind: "staff", Role: store.RoleSales, Name: "Sal", CSRF: "s"}
	before := u.testView(t, "en", me, "/")
	if got := framedPage(t, u, "error", before); !strings.Contains(got, "<span>Pitlane</span>") {
		t.Fatalf("no dealership name in the header:\n%s", got)
	}
	st := before.Settings
	st.Name = "Garage <Rossi>"
	if _, err := u.Store.SaveSettings(testActor, st); err != nil {
		t.Fatal(err)
	}
	after := u.testView(t, "en", me, "/")
	if after.settingsVersion == before.settingsVersion {
		t.Fatal("saving a new name kept the settings version")
	}
	got := framedPage(t, u, "error", after)
	if !strings.Contains(got, "<span>Garage &lt;Rossi&gt;</span>") || strings.Contains(got, "<span>Pitlane</span>") {
		t.Fatalf("the header does not show the new name:\n%s", got)
	}
	if _, err := u.Store.SaveSettings(testActor, after.Settings); err != nil {
		t.Fatal(err)
	}
	if again := u.testView(t, "en", me, "/"); again.seq == after.seq || again.settingsVersion != after.settingsVersion {
		t.Fatalf("saving the same settings: seq %d → %d, version %d → %d; want the feed to move and the version to stay",
			after.seq, again.seq, after.settingsVersion, again.settingsVersion)
	}
}

// TestSettingsCopiesAreTheCallers changes the lists of one page's settings:
// the next page must not see it.
func TestSettingsCopiesAreTheCallers(t *testing.T) {
	u := newTestUI(t)
	v := u.testView(t, "en", nil, "/")
	v.Settings.Departments[0] = "Changed"
	v.Settings.Bays[0].Name = "Changed"
	if w := u.testView(t, "en", nil, "/"); w.Settings.Departments[0] == "Changed" || w.Settings.Bays[0].Name == "Changed" {
		t.Fatal("a page's change to its settings reached the cache")
	}
}

// TestUnreadFollowsMessages: the menu's badge counts a message that arrives
// after a page was served.
func TestUnreadFollowsMessages(t *testing.T) {
	u := newTestUI(t)
	me := &web.Principal{Kind: "staff", Role: store.RoleSales, Name: "Sal", CSRF: "s"}
	if v := u.testView(t, "en", me, "/"); v.Unread != 0 {
		t.Fatalf("unread = %d before any message", v.Unread)
	}
	c, err := u.Store.CreateCustomer(testActor, store.Customer{Name: "Carla", Email: "carla@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := u.Store.CreatePairLink(testActor, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, err := u.Store.Pair(testActor, auth.HashToken(token), "phone", "cred")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Store.CustomerMessage(store.Actor{Kind: "customer", Name: "Carla"}, c.ID, d.ID, "hello", nil); err != nil {
		t.Fatal(err)
	}
	v := u.testView(t, "en", me, "/")
	if v.Unread != 1 {
		t.Fatalf("unread = %d after a customer's message, want 1", v.Unread)
	}
	if got := framedPage(t, u, "error", v); !strings.Contains(got, "<span data-count>1</span>") {
		t.Fatalf("the badge does not show 1:\n%s", got)
	}
}

// TestUnframableLayout: a layout that reads what frames do not key on is
// rendered whole.
func TestUnframableLayout(t *testing.T) {
	for _, src := range []string{
		`{{.Me.Username}}`,
		`{{.Path}}`,
		`{{with .Me}}{{.Name}}{{end}}`,
		`{{range .Errors}}{{.}}{{end}}`,
		`{{template "input" .}}`,
		`{{.Now}}`,
		`{{printf "%s" .Me}}`,
	} {
		tree, err := parseTree(src)
		if err != nil {
			t.Fatal(err)
		}
		if lf, err := newLayoutFrames(src, tree, nil); err != nil || lf != nil {
			t.Errorf("%s: framed (err %v)", src, err)
		}
	}
}

func parseTree(src string) (*parse.Tree, error) {
	tr := parse.New("layout.html")
	tr.Mode = parse.SkipFuncCheck
	return tr.Parse(src, "{{", "}}", map[string]*parse.Tree{})
}
