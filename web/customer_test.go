package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

// A customer route lets in a paired device only: no one anonymous, and no
// member of staff, whatever their role.
func TestCustomerGuard(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		return c.Status(Status(err)).SendString(Code(err))
	}})
	// The test stands in for the device and session middleware.
	app.Use(func(c *fiber.Ctx) error {
		switch c.Get("X-As") {
		case "customer":
			SetPrincipal(c, &Principal{Kind: "customer", CustomerID: 7, DeviceID: 3, Name: "Ana Pop"})
		case "manager":
			SetPrincipal(c, &Principal{Kind: "staff", UserID: 1, Role: store.RoleManager})
		case "customer without id":
			SetPrincipal(c, &Principal{Kind: "customer"})
		}
		return c.Next()
	})
	var routes Routes
	g := app.Group("/app")
	routes.Customer(g, fiber.MethodGet, "/cars/:vehicle", func(c *fiber.Ctx) error {
		return c.SendString("cars of " + Actor(c).Kind + " " + Actor(c).Name)
	})
	if all := routes.All(); len(all) != 1 || !all[0].Customer || all[0].Public || all[0].Path != "/app/cars/:vehicle" {
		t.Fatalf("declared %+v", all)
	}
	for _, tt := range []struct {
		as     string
		status int
		body   string
	}{
		{"", http.StatusUnauthorized, "unauthorized"},
		{"manager", http.StatusUnauthorized, "unauthorized"},
		{"customer without id", http.StatusUnauthorized, "unauthorized"},
		{"customer", http.StatusOK, "cars of customer Ana Pop"},
	} {
		t.Run(tt.as, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/app/cars/1", nil)
			req.Header.Set("X-As", tt.as)
			if status, body := do(t, app, req); status != tt.status || body != tt.body {
				t.Errorf("got %d %q, want %d %q", status, body, tt.status, tt.body)
			}
		})
	}
}
