// Package web is the HTTP plumbing the staff UI, the PWA and the API share:
// who is asking, which roles a route allows, how errors become responses.
package web

import (
	"slices"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"pitlane/i18n"
	"pitlane/store"
)

// Principal is whoever a request acts as.
type Principal struct {
	Kind        string // "staff" (browser session), "apikey" or "customer" (a paired device)
	UserID      uint64
	APIKeyID    uint64
	Name        string
	Username    string
	Role        store.Role
	Lang        string // the account's chosen language, empty to follow the browser
	SessionHash string
	CSRF        string
	// CustomerID and DeviceID name a paired customer's device; every
	// customer-facing read is scoped by CustomerID.
	CustomerID uint64
	DeviceID   uint64
}

const principalKey = "pitlane.principal"

// SetPrincipal attaches the caller to the request.
func SetPrincipal(c *fiber.Ctx, p *Principal) { c.Locals(principalKey, p) }

// PrincipalOf returns the caller, or nil for an anonymous request.
func PrincipalOf(c *fiber.Ctx) *Principal {
	p, _ := c.Locals(principalKey).(*Principal)
	return p
}

// Actor is the caller as the audit log records it.
func Actor(c *fiber.Ctx) store.Actor {
	p := PrincipalOf(c)
	if p == nil {
		return store.Actor{Kind: "anonymous", Name: "-", IP: c.IP()}
	}
	kind := "user"
	switch p.Kind {
	case "apikey":
		kind = "apikey"
	case "customer":
		kind = "customer"
	}
	return store.Actor{Kind: kind, UserID: p.UserID, Name: p.Name, IP: c.IP()}
}

// Route is one declared route and the staff roles allowed on it. Public
// routes need no sign-in; Customer routes need a paired customer's device.
type Route struct {
	Method   string
	Path     string
	Roles    []store.Role
	Public   bool
	Customer bool
	// Streamed routes take bodies larger than the server's buffered limit,
	// read as they arrive (uploads); see Routes.Streamed.
	Streamed bool
}

// Routes collects every route an application declares, so a test can prove
// each one refuses the roles it does not name.
type Routes struct {
	list []Route
}

// All returns the declared routes.
func (r *Routes) All() []Route { return slices.Clone(r.list) }

// Staff declares a route that needs a signed-in caller with one of roles.
func (r *Routes) Staff(g fiber.Router, method, path string, roles []store.Role, h fiber.Handler) {
	r.list = append(r.list, Route{Method: method, Path: joinPath(g, path), Roles: roles})
	g.Add(method, path, requireRole(roles), h)
}

// Public declares a route anyone may call.
func (r *Routes) Public(g fiber.Router, method, path string, h fiber.Handler) {
	r.list = append(r.list, Route{Method: method, Path: joinPath(g, path), Public: true})
	g.Add(method, path, h)
}

// Customer declares a route of the customers' app: only a paired device may
// call it, and the handler scopes what it reads by the caller's CustomerID.
// g must resolve the device first (it sets a "customer" Principal).
func (r *Routes) Customer(g fiber.Router, method, path string, h fiber.Handler) {
	r.list = append(r.list, Route{Method: method, Path: joinPath(g, path), Customer: true})
	g.Add(method, path, requireCustomer, h)
}

func requireCustomer(c *fiber.Ctx) error {
	if p := PrincipalOf(c); p == nil || p.Kind != "customer" || p.CustomerID == 0 {
		return &store.Error{Code: store.CodeUnauthorized, Key: "errors.unauthorized"}
	}
	return c.Next()
}

func joinPath(g fiber.Router, path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if grp, ok := g.(*fiber.Group); ok {
		path = strings.TrimSuffix(grp.Prefix, "/") + path
		if len(path) > 1 {
			path = strings.TrimSuffix(path, "/")
		}
	}
	return path
}

func requireRole(roles []store.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := PrincipalOf(c)
		if p == nil {
			return &store.Error{Code: store.CodeUnauthorized, Key: "errors.unauthorized"}
		}
		if !slices.Contains(roles, p.Role) {
			return store.Forbidden()
		}
		return c.Next()
	}
}

// Role sets for route declarations.
var (
	AllStaff    = []store.Role{store.RoleSales, store.RoleBackoffice, store.RoleWorkshop, store.RoleManager}
	ManagerOnly = []store.Role{store.RoleManager}
)

// Lang picks the language for a request: the account's choice, then the
// browser's Accept-Language, then the dealership's language.
func Lang(c *fiber.Ctx, dealership string) i18n.Lang {
	fallback, ok := parseLang(dealership)
	if !ok {
		fallback = "en"
	}
	if p := PrincipalOf(c); p != nil {
		if l, ok := parseLang(p.Lang); ok {
			return l
		}
	}
	accept := c.Get(fiber.HeaderAcceptLanguage)
	if accept == "" {
		return fallback
	}
	return matchAccept(accept, fallback)
}

// A browser sends the same Accept-Language on every request, and matching
// it is costly: the answers for a bounded number of headers are kept.
var (
	matchedMu sync.Mutex
	matched   = map[acceptKey]i18n.Lang{}
)

type acceptKey struct {
	accept   string
	fallback i18n.Lang
}

const maxMatched = 1024

func matchAccept(accept string, fallback i18n.Lang) i18n.Lang {
	matchedMu.Lock()
	l, ok := matched[acceptKey{accept, fallback}]
	matchedMu.Unlock()
	if ok {
		return l
	}
	l = i18n.Match(accept, fallback)
	matchedMu.Lock()
	if len(matched) >= maxMatched {
		clear(matched)
	}
	// The header's bytes belong to the request: keep a copy.
	matched[acceptKey{strings.Clone(accept), fallback}] = l
	matchedMu.Unlock()
	return l
}

// parseLang is i18n.Parse with its common cases first, as every page asks:
// a supported code as it is, or nothing.
func parseLang(s string) (i18n.Lang, bool) {
	if s == "" {
		return "", false
	}
	for _, l := range i18n.Supported {
		if s == string(l) {
			return l, true
		}
	}
	return i18n.Parse(s)
}
