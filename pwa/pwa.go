// Package pwa serves the customers' app: pairing a phone by a one-time QR
// link, the installable web app (manifest, icons, service worker) and its
// pages, every one of them scoped to the paired customer.
package pwa

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/i18n"
	"pitlane/media"
	"pitlane/store"
	"pitlane/upload"
	"pitlane/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is what the customers' app needs from the appliance.
type Deps struct {
	Store  *store.Store
	Logger *slog.Logger
	// PublicURL, when set, is the base of pairing links (config --public-url).
	PublicURL string
	// Media holds the messages' photos and videos; Uploads limits them.
	Media   *media.Store
	Uploads upload.Limits
}

// PWA is the customers' app.
type PWA struct {
	Deps
	pages     map[i18n.Lang]map[string]*template.Template
	assets    *web.Assets
	code      string // hash of everything the service worker caches, but the settings
	pairLimit *auth.Limiter
	icons     iconCache
}

// Scope is the app's URL space: the service worker's scope, the manifest's
// start_url, and the path of the device cookie.
const Scope = "/app/"

// Guessing pairing links: 10 bad links from one address in 15 minutes lock
// that address out for the rest of the window. A 256-bit token cannot be
// guessed anyway; the limit keeps scanners from trying.
const (
	pairWindow   = 15 * time.Minute
	maxPairFails = 10
)

// New parses the templates and prepares the app.
func New(d Deps) (*PWA, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	p := &PWA{Deps: d, pairLimit: auth.NewLimiter(maxPairFails, pairWindow)}
	code := sha256.New()
	code.Write(workerSource)
	var err error
	if p.assets, err = web.NewAssets(staticFS, "static", Scope+"static/"); err != nil {
		return nil, err
	}
	for _, name := range p.assets.Names() {
		code.Write([]byte(name + "\x00" + p.assets.Hash(name)))
	}
	src, err := TemplateSources()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(src))
	for name := range src {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		code.Write([]byte(name + "\x00" + src[name]))
	}
	p.code = hex.EncodeToString(code.Sum(nil)[:6])
	p.pages, err = p.parseTemplates()
	return p, err
}

// Mount adds the app's routes to app, declaring each in routes. Mount it
// before the staff UI, whose session and CSRF checks are not the app's.
func (p *PWA) Mount(app *fiber.App, routes *web.Routes) {
	routes.Public(app, fiber.MethodGet, "/pair/:token", p.pair)
	g := app.Group("/app", p.loadDevice)
	routes.Public(g, fiber.MethodGet, "/manifest.webmanifest", p.manifest)
	routes.Public(g, fiber.MethodGet, "/sw.js", p.serviceWorker)
	routes.Public(g, fiber.MethodGet, "/theme.css", p.themeCSS)
	routes.Public(g, fiber.MethodGet, "/icons/:name", p.icon)
	routes.Public(g, fiber.MethodGet, "/static/*", p.assets.Serve)
	routes.Public(g, fiber.MethodGet, "/offline", p.offline)
	// Every route that shows a customer's data is declared with
	// routes.Customer, so the access test walks it with another customer's
	// device. A route's parameters name what they identify (:vehicle, not
	// :id): the test substitutes that customer's record of the kind.
	routes.Customer(g, fiber.MethodGet, "/", p.home)
	routes.Customer(g, fiber.MethodGet, "/cars/:vehicle", p.car)
	routes.Customer(g, fiber.MethodGet, "/notifications", p.notifications)
	routes.Customer(g, fiber.MethodPost, "/notifications", p.saveNotificationPrefs)
	p.mountMessages(g, routes)
	p.mountJobs(g, routes)
	p.mountAppointments(g, routes)
	routes.Customer(g, fiber.MethodPost, "/push", p.subscribe)
	routes.Customer(g, fiber.MethodDelete, "/push", p.unsubscribe)
}

// Owns reports whether a request path belongs to the customers' app, whose
// errors are shown as app pages rather than staff ones.
func Owns(p string) bool {
	return p == "/app" || strings.HasPrefix(p, Scope) || strings.HasPrefix(p, "/pair/")
}

// TemplateSources returns every template's text, for the catalogue test.
func TemplateSources() (map[string]string, error) {
	return web.TemplateSources(templateFS, "templates")
}

// Templates: each page is layout.html, the page's own file, then every
// "*.part.html" file. A part may {{define}} a block a page declares, and
// replaces the page's default for it: home.html's "inbox" block is where
// the customer's messages go (a messages.part.html defines it).
func (p *PWA) parseTemplates() (map[i18n.Lang]map[string]*template.Template, error) {
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	var pages, parts []string
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "layout.html":
		case strings.HasSuffix(name, ".part.html"):
			parts = append(parts, "templates/"+name)
		default:
			pages = append(pages, name)
		}
	}
	out := map[i18n.Lang]map[string]*template.Template{}
	for _, lang := range i18n.Supported {
		funcs := i18n.Funcs(lang, i18n.Locale{Lang: lang, Currency: "EUR", Location: time.UTC})
		funcs["asset"] = p.assets.URL
		base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
		if err != nil {
			return nil, err
		}
		out[lang] = map[string]*template.Template{}
		for _, name := range pages {
			t, err := template.Must(base.Clone()).ParseFS(templateFS, append([]string{"templates/" + name}, parts...)...)
			if err != nil {
				return nil, err
			}
			out[lang][strings.TrimSuffix(name, ".html")] = t
		}
	}
	return out, nil
}

// view is what every page template receives.
type view struct {
	Title    string // catalogue key
	Lang     i18n.Lang
	Loc      i18n.Locale
	Settings store.Settings
	Customer *store.Customer // nil when no device is paired
	Error    string          // a translated message (message pages)
	Data     any
	icons    string // icon URL version
	// stageLabels are the dealership's names of job stages, set by the
	// pages that show stages.
	stageLabels map[string]string
}

// Stage names a job stage: the dealership's name for it, or the
// catalogue's in the customer's language.
func (v *view) Stage(stage string) string {
	if label := v.stageLabels[stage]; label != "" {
		return label
	}
	return i18n.T(v.Lang, "stage."+stage)
}

// ShortName is the app's name under its home-screen icon.
func (v *view) ShortName() string { return shortName(v.Settings.Name) }

// Icon is the URL of one of the app's icons for the current theme.
func (v *view) Icon(name string) string { return Scope + "icons/" + name + "?v=" + v.icons }

// Theme is the URL of the stylesheet with the dealership's colour.
func (v *view) Theme() string { return Scope + "theme.css?v=" + v.icons }

// Tel is a phone number as a tel: link, digits and a leading + only.
func (v *view) Tel(phone string) template.URL {
	return template.URL("tel:" + store.NormalizePhone(phone))
}

func (p *PWA) view(c *fiber.Ctx, title string) (*view, error) {
	st, err := p.Store.Settings()
	if err != nil {
		return nil, err
	}
	lang := web.Lang(c, st.Lang)
	v := &view{Title: title, Lang: lang, Settings: st, icons: iconVersion(st),
		Loc: i18n.Locale{Lang: lang, Currency: st.Currency, Location: st.Location()}}
	if cu, ok := c.Locals(customerKey).(*store.Customer); ok {
		v.Customer = cu
	}
	return v, nil
}

// render executes page inside the layout. Pages carry a customer's data,
// so no shared cache may keep them; the service worker keeps its own copy.
func (p *PWA) render(c *fiber.Ctx, status int, page string, v *view) error {
	t := p.pages[v.Lang][page]
	if t == nil {
		return fmt.Errorf("no template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderVary, "Cookie, Accept-Language")
	c.Type("html", "utf-8")
	return c.Status(status).Send(buf.Bytes())
}

// ErrorPage renders an error as an app page; the server's error handler
// calls it for the app's paths. A 401 is a browser that is not (or no
// longer) paired: it is told to scan a new code.
func (p *PWA) ErrorPage(c *fiber.Ctx, status int, key string) error {
	switch status {
	case fiber.StatusUnauthorized:
		text := "pwa.unpaired.never"
		if stale, _ := c.Locals(staleKey).(bool); stale {
			text = "pwa.unpaired.text" // a credential that stopped working: revoked
		}
		return p.message(c, status, func(v *view) messageData {
			return messageData{Heading: v.t("pwa.unpaired.title"), Text: v.t(text),
				More: v.t("pwa.unpaired.how", "name", v.Settings.Name), Call: true}
		})
	case fiber.StatusNotFound:
		key = "pwa.error.not_found"
	}
	return p.message(c, status, func(v *view) messageData {
		return messageData{Heading: v.t("pwa.error.title"), Text: v.t(key), Home: true}
	})
}

// messageData is a page that says one thing: what happened, what to do,
// and the way out (call the dealership, or back to the app).
type messageData struct {
	Heading, Text, More string
	Call, Home          bool
}

func (p *PWA) message(c *fiber.Ctx, status int, say func(v *view) messageData) error {
	v, err := p.view(c, "pwa.title")
	if err != nil {
		return c.Status(status).SendString(http.StatusText(status))
	}
	v.Data = say(v)
	return p.render(c, status, "message", v)
}

// t translates key in the page's language.
func (v *view) t(key string, args ...any) string { return i18n.T(v.Lang, key, args...) }
