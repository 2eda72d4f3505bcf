// Package server assembles the appliance's HTTP application — middleware,
// error responses, health, the staff UI and the API — and runs its listeners.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"pitlane/api"
	"pitlane/backup"
	"pitlane/config"
	"pitlane/i18n"
	"pitlane/installer"
	"pitlane/media"
	"pitlane/pwa"
	"pitlane/search"
	"pitlane/store"
	"pitlane/ui"
	"pitlane/upload"
	"pitlane/web"
)

// Options is what the server is built from.
type Options struct {
	Config  config.Config
	Store   *store.Store
	Media   *media.Store
	TLS     *installer.TLSProvider // nil when TLS is off
	Version string
	Logger  *slog.Logger
	// Backups takes the appliance's backups; nil: one without a schedule.
	Backups *backup.Runner
	// Search is the search index; nil: searches find nothing.
	Search *search.Index
}

// Server is the appliance's HTTP side.
type Server struct {
	opts    Options
	app     *fiber.App
	routes  web.Routes
	ui      *ui.UI
	pwa     *pwa.PWA
	started time.Time
}

// shutdownGrace is how long running requests get to finish on shutdown; the
// whole process must exit within 10 s of SIGTERM.
const shutdownGrace = 7 * time.Second

// New builds the application.
func New(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Server{opts: o, started: time.Now()}
	var err error
	if o.Backups == nil {
		o.Backups = backup.NewRunner(backup.Config{Store: o.Store, Media: o.Media, Version: o.Version, Logger: o.Logger})
	}
	uploads := upload.Limits{Photo: o.Config.MaxPhoto, Video: o.Config.MaxVideo}
	s.ui, err = ui.New(ui.Deps{Store: o.Store, Media: o.Media, Logger: o.Logger, Backups: o.Backups, HasLocalCA: o.TLS != nil && o.TLS.CACertPEM() != nil, Version: o.Version, PublicURL: o.Config.PublicURL, Search: o.Search, Uploads: uploads})
	if err != nil {
		return nil, fmt.Errorf("prepare staff UI: %w", err)
	}
	s.pwa, err = pwa.New(pwa.Deps{Store: o.Store, Logger: o.Logger, PublicURL: o.Config.PublicURL, Media: o.Media, Uploads: uploads})
	if err != nil {
		return nil, fmt.Errorf("prepare the customers' app: %w", err)
	}
	cfg := fiber.Config{
		AppName:               "Pitlane",
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		BodyLimit:             web.BodyLimit, // the largest request but an upload: a 20 MB CSV import and its form
		// A page (a job, a week of the calendar: some 50 KB) leaves in one
		// write, and reaches the browser in one read, not a 4 KB head and the
		// rest. The buffer is held only while a response is written.
		WriteBufferSize:         64 << 10,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            120 * time.Second,
		IdleTimeout:             120 * time.Second,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          web.TrustedProxyCheck(o.Config.TrustedProxies),
		// Bodies are streamed so that an upload (a 200 MB video) is written
		// to disk as it arrives; web.LimitBodies holds every other route to
		// BodyLimit, read whole as before. Multipart forms are parsed by
		// whoever reads them, not in advance.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
	}
	if len(o.Config.TrustedProxies) > 0 {
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
	}
	s.app = fiber.New(cfg)
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		o.Logger.Error("panic while handling request", "route", c.Route().Path, "panic", e)
	}}))
	s.app.Use(s.logRequest)
	s.app.Use(web.SecurityHeaders(o.TLS != nil))
	s.app.Use(s.routes.LimitBodies(web.BodyLimit))
	s.routes.Public(s.app, fiber.MethodGet, "/healthz", s.health)
	s.routes.Public(s.app, fiber.MethodGet, "/ca.crt", s.caCert)
	(&api.API{Store: o.Store, Search: o.Search}).Mount(s.app, &s.routes)
	// Before the staff UI: the app has its own credential, and the staff
	// session and CSRF checks are not its business.
	s.pwa.Mount(s.app, &s.routes)
	s.ui.Mount(s.app, &s.routes)
	return s, nil
}

// App is the fiber application (tests drive it with app.Test).
func (s *Server) App() *fiber.App { return s.app }

// Routes lists every declared route with its roles.
func (s *Server) Routes() []web.Route { return s.routes.All() }

// logRequest logs each request with its route pattern, never the concrete
// path or query, which may carry one-time tokens.
func (s *Server) logRequest(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	// Checked first: the arguments cost allocations on every request.
	if !s.opts.Logger.Enabled(c.Context(), slog.LevelDebug) {
		return err
	}
	status := c.Response().StatusCode()
	if err != nil {
		status = web.Status(err)
	}
	s.opts.Logger.Debug("request", "method", c.Method(), "route", c.Route().Path, "status", status,
		"ms", time.Since(start).Milliseconds(), "ip", c.IP())
	return err
}

// handleError is the one place errors become responses: JSON for the API,
// a page (or the login redirect) for browsers.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status := web.Status(err)
	if status >= 500 {
		s.opts.Logger.Error("request failed", "method", c.Method(), "route", c.Route().Path, "err", err)
	}
	if pwa.Owns(c.Path()) {
		return s.pwa.ErrorPage(c, status, web.MessageKey(err))
	}
	isAPI := strings.HasPrefix(c.Path(), api.Prefix+"/") || c.Path() == api.Prefix
	if !isAPI && status == fiber.StatusUnauthorized {
		return c.Redirect("/login?next="+url.QueryEscape(string(c.Request().URI().RequestURI())), fiber.StatusSeeOther)
	}
	if !isAPI {
		return s.ui.ErrorPage(c, status, web.MessageKey(err))
	}
	st, serr := s.opts.Store.Settings()
	if serr != nil {
		st = store.DefaultSettings()
	}
	lang := web.Lang(c, st.Lang)
	body := apiError{Code: web.Code(err), Message: i18n.T(lang, web.MessageKey(err))}
	if e, ok := store.AsError(err); ok {
		if e.Key != "" {
			body.Message = i18n.T(lang, e.Key, e.Args...)
		}
		for _, f := range e.Fields {
			body.Fields = append(body.Fields, apiField{Field: f.Field, Message: i18n.T(lang, f.Key, f.Args...)})
		}
	}
	return c.Status(status).JSON(fiber.Map{"error": body})
}

type apiError struct {
	Code    string     `json:"code"`
	Message string     `json:"message"`
	Fields  []apiField `json:"fields,omitempty"`
}

type apiField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (s *Server) health(c *fiber.Ctx) error {
	dbOK := s.opts.Store.Ping() == nil
	version, _ := s.opts.Store.Version()
	status := fiber.StatusOK
	if !dbOK {
		status = fiber.StatusServiceUnavailable
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(fiber.Map{
		"status": map[bool]string{true: "ok", false: "degraded"}[dbOK], "version": s.opts.Version,
		"schema_version": version, "database": map[bool]string{true: "ok", false: "unavailable"}[dbOK],
		"uptime_seconds": int64(time.Since(s.started).Seconds()), "search": s.searchHealth(),
	})
}

// caCert lets staff devices download and trust the local CA.
func (s *Server) caCert(c *fiber.Ctx) error {
	if s.opts.TLS == nil || s.opts.TLS.CACertPEM() == nil {
		return store.NotFound()
	}
	c.Set(fiber.HeaderContentType, "application/x-x509-ca-cert")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="pitlane-ca.crt"`)
	return c.Send(s.opts.TLS.CACertPEM())
}

// Serve listens until ctx ends, then lets running requests finish.
func (s *Server) Serve(ctx context.Context, ready func(addr string)) error {
	cfg := s.opts.Config
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	scheme := "http"
	if s.opts.TLS != nil {
		ln = tls.NewListener(ln, s.opts.TLS.Config())
		scheme = "https"
	}
	var redirect *http.Server
	if s.opts.TLS != nil && cfg.HTTPAddr != "" {
		hl, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (plain HTTP redirect): %w", cfg.HTTPAddr, err)
		}
		redirect = &http.Server{Handler: s.opts.TLS.HTTPHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := redirect.Serve(hl); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.opts.Logger.Error("plain HTTP listener stopped", "err", err)
			}
		}()
	}
	addr := ln.Addr().String()
	s.opts.Logger.Info("serving", "url", scheme+"://"+displayHost(addr))
	if ready != nil {
		ready(scheme + "://" + displayHost(addr))
	}
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.opts.Logger.Info("shutting down: letting running requests finish")
	if redirect != nil {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = redirect.Shutdown(sctx)
		cancel()
	}
	err = s.app.ShutdownWithTimeout(shutdownGrace)
	if errors.Is(err, context.DeadlineExceeded) {
		// A client kept a request going past the grace (a stalled upload,
		// a browser holding a half-sent request): its connection is cut,
		// which is what a stop means, not a failure of the stop.
		s.opts.Logger.Warn("requests still running after the shutdown grace were cut off", "grace", shutdownGrace)
		return nil
	}
	return err
}

// displayHost turns a wildcard listen address into one a browser can open.
func displayHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
