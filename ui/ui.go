// Package ui serves the staff web interface: server-rendered pages for sales,
// back office, workshop and management.
package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/template/parse"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"pitlane/auth"
	"pitlane/backup"
	"pitlane/csvimport"
	"pitlane/i18n"
	"pitlane/media"
	"pitlane/search"
	"pitlane/store"
	"pitlane/upload"
	"pitlane/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is what the staff UI needs from the appliance.
type Deps struct {
	Store  *store.Store
	Media  *media.Store
	Logger *slog.Logger
	// Backups takes backups and tells how they went (the Backups page).
	Backups *backup.Runner
	// HasLocalCA shows the "trust this appliance" download on the login page.
	HasLocalCA bool
	Version    string
	// PublicURL, when set, is the base of the links put in QR codes.
	PublicURL string
	// Search answers the search box; nil: it finds nothing.
	Search *search.Index
	// Uploads limits the photos and videos of messages.
	Uploads upload.Limits
}

// UI is the staff interface.
type UI struct {
	Deps
	pages  map[i18n.Lang]map[string]*template.Template
	assets *web.Assets
	dash   dashboardCache
	// sessions, state and settings spare every page store reads it would
	// otherwise repeat; frames hold the layout rendered around pages
	// (layout.go), pageCache whole pages (pagecache.go).
	sessions  sessionCache
	state     storeState
	settings  settingsCache
	frames    *layoutFrames
	pageCache *pageCache
	ipLimit   *auth.Limiter
	acLimit   *auth.Limiter
	imports   *csvimport.Jobs
}

// Login throttling: after 10 failures in 15 minutes from one address, or 5
// against one account, that address or account waits.
const (
	loginWindow   = 15 * time.Minute
	maxFailsIP    = 10
	maxFailsAcct  = 5
	sessionTTL    = 12 * time.Hour
	sessionCookie = "pl_session"
	csrfCookie    = "pl_csrf"
	csrfField     = "_csrf"
)

// New parses the templates and prepares the UI.
func New(d Deps) (*UI, error) {
	u := &UI{Deps: d,
		ipLimit: auth.NewLimiter(maxFailsIP, loginWindow),
		acLimit: auth.NewLimiter(maxFailsAcct, loginWindow)}
	u.imports = newImportJobs(d)
	var err error
	if u.assets, err = web.NewAssets(staticFS, "static", "/static/"); err != nil {
		return nil, err
	}
	u.pageCache = &pageCache{}
	u.pages, err = u.parseTemplates()
	return u, err
}

// TemplateSources returns every template's text, for the catalogue test.
func TemplateSources() (map[string]string, error) {
	return web.TemplateSources(templateFS, "templates")
}

func (u *UI) parseTemplates() (map[i18n.Lang]map[string]*template.Template, error) {
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	out := map[i18n.Lang]map[string]*template.Template{}
	layouts := map[i18n.Lang]*template.Template{}
	var tree *parse.Tree
	for _, lang := range i18n.Supported {
		funcs := i18n.Funcs(lang, i18n.Locale{Lang: lang, Currency: "EUR", Location: time.UTC})
		funcs["asset"] = u.assets.URL
		funcs["hasRole"] = func(p *web.Principal, roles ...string) bool {
			if p == nil {
				return false
			}
			for _, r := range roles {
				if string(p.Role) == r {
					return true
				}
			}
			return false
		}
		base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
		if err != nil {
			return nil, err
		}
		tree = base.Lookup("layout.html").Tree
		// The layout alone, its content what .Data holds, to cut into frames.
		if layouts[lang], err = template.Must(base.Clone()).Parse(`{{define "content"}}{{.Data}}{{end}}`); err != nil {
			return nil, err
		}
		out[lang] = map[string]*template.Template{}
		for _, e := range entries {
			if e.Name() == "layout.html" {
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+e.Name())
			if err != nil {
				return nil, err
			}
			out[lang][strings.TrimSuffix(e.Name(), ".html")] = t
		}
	}
	src, err := templateFS.ReadFile("templates/layout.html")
	if err != nil {
		return nil, err
	}
	if u.frames, err = newLayoutFrames(string(src), tree, layouts); err != nil {
		return nil, err
	}
	return out, nil
}

// View is what every page template receives.
type View struct {
	Title    string // catalogue key
	Me       *web.Principal
	Lang     i18n.Lang
	Loc      i18n.Locale
	Settings store.Settings
	CSRF     string
	Flash    string // catalogue key of a one-line notice
	Path     string
	Errors   map[string]string // field → translated message
	Error    string            // translated form-level message
	Form     map[string]string // what the user typed, to show it again
	Data     any
	// Body is content rendered earlier and shared between views (the
	// dashboard's), placed as is.
	Body    template.HTML
	Version string
	// Unread counts the customers' messages no staff member has read, for
	// the menu's badge.
	Unread int64
	// writes is the store's write count and seq the change-feed position,
	// read before anything else; settingsVersion is the version of
	// Settings (see settingsCache).
	writes, seq     uint64
	settingsVersion uint64
	// StageLabels are the dealership's names of job stages, set by the
	// pages that show stages.
	StageLabels map[string]string
}

// view starts a View for the current request.
func (u *UI) view(c *fiber.Ctx, title string) (*View, error) {
	writes, seq, messages, err := u.state.get(u.Store)
	if err != nil {
		return nil, err
	}
	st, version, err := u.settings.get(u.Store, seq)
	if err != nil {
		return nil, err
	}
	lang := web.Lang(c, st.Lang)
	v := &View{Title: title, Me: web.PrincipalOf(c), Lang: lang, Settings: st, Path: c.Path(),
		Loc: i18n.Locale{Lang: lang, Currency: st.Currency, Location: st.Location()}, Version: u.Version,
		Errors: map[string]string{}, Form: map[string]string{}, writes: writes, seq: seq, settingsVersion: version}
	if done := c.Query("done"); i18n.Has(done) {
		v.Flash = done
	}
	if v.Me != nil {
		v.Unread = messages.Unread
		v.CSRF = v.Me.CSRF
	} else {
		v.CSRF = u.anonCSRF(c)
	}
	return v, nil
}

// fail puts err's messages on the view: field errors beside their fields,
// anything else above the form.
func (v *View) fail(err error) {
	e, ok := store.AsError(err)
	if !ok {
		v.Error = i18n.T(v.Lang, "errors.internal")
		return
	}
	for _, f := range e.Fields {
		v.Errors[f.Field] = i18n.T(v.Lang, f.Key, f.Args...)
	}
	if len(e.Fields) == 0 || e.Code != store.CodeInvalid {
		v.Error = i18n.T(v.Lang, e.Key, e.Args...)
	}
}

// keep remembers what the user typed in the named fields.
func (v *View) keep(c *fiber.Ctx, fields ...string) {
	for _, f := range fields {
		v.Form[f] = c.FormValue(f)
	}
}

// render executes page inside the layout.
func (u *UI) render(c *fiber.Ctx, status int, page string, v *View) error {
	if k := u.cacheable(c, status, page, v); k != nil {
		return u.renderCached(c, k, page, v)
	}
	resp := c.Response()
	resp.ResetBody()
	if err := u.renderPage(responseBody{resp}, page, v); err != nil {
		resp.ResetBody()
		return err
	}
	pageHeaders(c, status)
	return nil
}

// pageHeaders are a staff page's: HTML, never kept by the browser or a proxy
// (it shows what the signed-in person may see, as of now).
func pageHeaders(c *fiber.Ctx, status int) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	c.Status(status)
}

// responseBody writes straight into a response's body.
type responseBody struct{ r *fasthttp.Response }

func (b responseBody) Write(p []byte) (int, error) {
	b.r.AppendBody(p)
	return len(p), nil
}

func (b responseBody) WriteString(s string) (int, error) {
	b.r.AppendBodyString(s)
	return len(s), nil
}

// pageWriter is where pages are written: a response's body, or a buffer.
type pageWriter interface {
	io.Writer
	io.StringWriter
}

// renderPage writes page inside the layout: into the layout's frame when
// there is one for v, else executing the whole layout.
func (u *UI) renderPage(buf pageWriter, page string, v *View) error {
	t := u.pages[v.Lang][page]
	if t == nil {
		return fmt.Errorf("no template %q", page)
	}
	f, err := u.frames.get(v)
	if err != nil {
		return err
	}
	if f != nil {
		var vals [slots]string
		if v.Me != nil {
			vals[slotName] = v.Me.Name
		}
		vals[slotCSRF], vals[slotUnread], vals[slotError] = v.CSRF, strconv.FormatInt(v.Unread, 10), v.Error
		err = f.fill(buf, escapeSlots(vals), func(w pageWriter) error { return t.ExecuteTemplate(w, "content", v) })
	} else {
		err = t.ExecuteTemplate(buf, "layout.html", v)
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	return nil
}

// renderPart executes one named template of page (not the layout) to HTML.
func (u *UI) renderPart(page, name string, v *View) (template.HTML, error) {
	t := u.pages[v.Lang][page]
	if t == nil {
		return "", fmt.Errorf("no template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		return "", fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	return template.HTML(buf.String()), nil
}

// ErrorPage renders an error for a browser; the server's error handler calls it.
func (u *UI) ErrorPage(c *fiber.Ctx, status int, key string) error {
	v, err := u.view(c, "errors.title")
	if err != nil {
		return c.Status(status).SendString(key)
	}
	v.Error = i18n.T(v.Lang, key)
	v.Data = status
	return u.render(c, status, "error", v)
}

// redirect sends the browser to a local path after a form post (303 so a
// reload does not post again).
func redirect(c *fiber.Ctx, to string) error {
	return c.Redirect(to, fiber.StatusSeeOther)
}

// Field is one labelled form input, for the "input" template.
type Field struct {
	Name, Label, Type, Value, Error, Hint, Autocomplete string
	Required                                            bool
}

// Field describes input name with its label key, type, the value typed
// and its error, so forms stay one line per input.
func (v *View) Field(name, label, typ string) Field {
	return Field{Name: name, Label: label, Type: typ, Value: v.Form[name], Error: v.Errors[name]}
}

// Required is Field for an input that must be filled.
func (v *View) Required(name, label, typ string) Field {
	f := v.Field(name, label, typ)
	f.Required = true
	return f
}

// Count formats a whole number in the page's locale.
func (v *View) Count(n int64) string { return v.Loc.Number(float64(n), 0) }

// Int formats an int in the page's locale.
func (v *View) Int(n int) string { return v.Loc.Number(float64(n), 0) }

// Event says a timeline event in the page's language. A "stage" argument is
// a job stage, itself translated.
func (v *View) Event(e store.TimelineEvent) string {
	args := make([]any, 0, len(e.Args))
	for i := 0; i+1 < len(e.Args); i += 2 {
		val := e.Args[i+1]
		if e.Args[i] == "stage" {
			val = v.Stage(val)
		}
		args = append(args, e.Args[i], val)
	}
	return i18n.T(v.Lang, e.Key, args...)
}

// Stage names a job stage: the dealership's name for it, or the
// catalogue's in the page's language.
func (v *View) Stage(stage string) string {
	if label := v.StageLabels[stage]; label != "" {
		return label
	}
	return i18n.T(v.Lang, "stage."+stage)
}

// Now is the current time, for pages that show today's date.
func (v *View) Now() time.Time { return time.Now() }
