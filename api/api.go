// Package api serves /api/v1, the JSON integration API: bearer API keys
// bound to a staff role, documented by an OpenAPI 3 document.
package api

import (
	_ "embed"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pitlane/auth"
	"pitlane/search"
	"pitlane/store"
	"pitlane/web"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openAPI }

// API is the integration API.
type API struct {
	Store *store.Store
	// Search answers /search; nil: it finds nothing.
	Search *search.Index
}

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Mount adds the API's routes, declaring each in routes.
func (a *API) Mount(app *fiber.App, routes *web.Routes) {
	g := app.Group(Prefix, a.authenticate)
	routes.Public(g, fiber.MethodGet, "/openapi.json", func(c *fiber.Ctx) error {
		c.Type("json")
		return c.Send(openAPI)
	})
	routes.Staff(g, fiber.MethodGet, "/me", web.AllStaff, a.me)
	routes.Staff(g, fiber.MethodGet, "/settings", web.AllStaff, a.settings)
	routes.Staff(g, fiber.MethodGet, "/users", web.ManagerOnly, a.users)
	routes.Staff(g, fiber.MethodGet, "/audit", web.ManagerOnly, a.audit)
	routes.Staff(g, fiber.MethodPost, "/customers", web.AllStaff, a.createCustomer)
	routes.Staff(g, fiber.MethodGet, "/customers/:id", web.AllStaff, a.customer)
	routes.Staff(g, fiber.MethodGet, "/customers/:id/vehicles", web.AllStaff, a.customerVehicles)
	routes.Staff(g, fiber.MethodPost, "/vehicles", web.AllStaff, a.createVehicle)
	routes.Staff(g, fiber.MethodGet, "/vehicles/:id", web.AllStaff, a.vehicle)
	a.mountCustomers(g, routes)
	a.mountJobs(g, routes)
	a.mountAppointments(g, routes)
	routes.Staff(g, fiber.MethodGet, "/search", web.AllStaff, a.search)
}

// authenticate turns a bearer API key into the caller. A request without
// one stays anonymous and is refused by the route's role check.
func (a *API) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		return c.Next()
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return &store.Error{Code: store.CodeUnauthorized, Key: "errors.unauthorized"}
	}
	key, err := a.Store.APIKeyByHash(auth.HashToken(strings.TrimSpace(token)))
	if store.Is(err, store.CodeNotFound) {
		return &store.Error{Code: store.CodeUnauthorized, Key: "errors.unauthorized"}
	}
	if err != nil {
		return err
	}
	// Last use is informational: record it at most every ten minutes so a
	// busy integration does not turn every read into a write.
	if now := time.Now(); now.Sub(key.LastUsed) > 10*time.Minute {
		if err := a.Store.TouchAPIKey(key.ID, now); err != nil {
			return err
		}
	}
	web.SetPrincipal(c, &web.Principal{Kind: "apikey", APIKeyID: key.ID, Name: "API: " + key.Name, Role: key.Role})
	return c.Next()
}

func paramID(c *fiber.Ctx) (uint64, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil || id == 0 {
		return 0, store.NotFound()
	}
	return id, nil
}

// decode reads a JSON body, refusing anything that is not JSON.
func decode(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return &store.Error{Code: store.CodeInvalid, Key: "errors.json_expected"}
	}
	if err := c.BodyParser(v); err != nil {
		return &store.Error{Code: store.CodeInvalid, Key: "errors.json_invalid"}
	}
	return nil
}

func (a *API) me(c *fiber.Ctx) error {
	p := web.PrincipalOf(c)
	return c.JSON(fiber.Map{"name": p.Name, "role": p.Role, "kind": p.Kind})
}

type settingsOut struct {
	Name        string            `json:"name"`
	Address     string            `json:"address"`
	Phone       string            `json:"phone"`
	Website     string            `json:"website"`
	Email       string            `json:"email"`
	Lang        string            `json:"lang"`
	Currency    string            `json:"currency"`
	TimeZone    string            `json:"time_zone"`
	Departments []string          `json:"departments"`
	Bays        []store.Bay       `json:"bays"`
	Hours       [7]store.DayHours `json:"hours"`
}

func (a *API) settings(c *fiber.Ctx) error {
	st, err := a.Store.Settings()
	if err != nil {
		return err
	}
	return c.JSON(settingsOut{Name: st.Name, Address: st.Address, Phone: st.Phone, Website: st.Website, Email: st.Email,
		Lang: st.Lang, Currency: st.Currency, TimeZone: st.TimeZone, Departments: st.Departments, Bays: st.Bays, Hours: st.Hours})
}

type userOut struct {
	ID       uint64     `json:"id"`
	Username string     `json:"username"`
	Name     string     `json:"name"`
	Role     store.Role `json:"role"`
	Lang     string     `json:"lang"`
	Disabled bool       `json:"disabled"`
	Created  time.Time  `json:"created"`
}

func (a *API) users(c *fiber.Ctx) error {
	users, err := a.Store.Users()
	if err != nil {
		return err
	}
	out := make([]userOut, 0, len(users))
	for _, u := range users {
		out = append(out, userOut{ID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role, Lang: u.Lang, Disabled: u.Disabled, Created: u.Created})
	}
	return c.JSON(fiber.Map{"users": out})
}

func (a *API) audit(c *fiber.Ctx) error {
	before, _ := strconv.ParseUint(c.Query("before"), 10, 64)
	limit, _ := strconv.Atoi(c.Query("limit"))
	entries, next, err := a.Store.AuditLog(store.AuditFilter{Before: before, Limit: limit, Action: c.Query("action")})
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []store.AuditEntry{}
	}
	return c.JSON(fiber.Map{"entries": entries, "next": next})
}

func (a *API) createCustomer(c *fiber.Ctx) error {
	var in store.Customer
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := a.Store.CreateCustomer(web.Actor(c), store.Customer{Company: in.Company, Name: in.Name, Phone: in.Phone,
		Email: in.Email, Address: in.Address, TaxCode: in.TaxCode, Lang: in.Lang})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (a *API) customer(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	out, err := a.Store.Customer(id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *API) customerVehicles(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if _, err := a.Store.Customer(id); err != nil {
		return err
	}
	out, err := a.Store.CustomerVehicles(id)
	if err != nil {
		return err
	}
	if out == nil {
		out = []store.Vehicle{}
	}
	return c.JSON(fiber.Map{"vehicles": out})
}

func (a *API) createVehicle(c *fiber.Ctx) error {
	var in store.Vehicle
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := a.Store.CreateVehicle(web.Actor(c), store.Vehicle{CustomerID: in.CustomerID, Plate: in.Plate, VIN: in.VIN,
		Make: in.Make, Model: in.Model, Year: in.Year, Fuel: in.Fuel, Odometer: in.Odometer})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (a *API) vehicle(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	out, err := a.Store.Vehicle(id)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
