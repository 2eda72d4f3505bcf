package web

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestSecurityHeaders(t *testing.T) {
	tests := []struct {
		name     string
		tls      bool
		path     string
		wantHSTS bool
	}{
		{"page over TLS", true, "/", true},
		{"error page over TLS", true, "/missing", true},
		{"page without TLS", false, "/", false},
		{"error page without TLS", false, "/missing", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := fiber.New()
			app.Use(SecurityHeaders(tt.tls))
			app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
			resp, err := app.Test(httptest.NewRequest("GET", tt.path, nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy %q allows inline code", csp)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if got := resp.Header.Get("Referrer-Policy"); got != "same-origin" {
				t.Errorf("Referrer-Policy = %q", got)
			}
			hsts := resp.Header.Get("Strict-Transport-Security")
			if tt.wantHSTS && !strings.HasPrefix(hsts, "max-age=") {
				t.Errorf("Strict-Transport-Security = %q over TLS", hsts)
			}
			if !tt.wantHSTS && hsts != "" {
				t.Errorf("Strict-Transport-Security = %q without TLS: browsers would refuse plain HTTP", hsts)
			}
		})
	}
}

// app.Test's connections come from 0.0.0.0, so that address stands for the
// reverse proxy in front of the appliance.
func TestTrustedProxyCheck(t *testing.T) {
	tests := []struct {
		name     string
		prefixes []string
		wantIP   string
	}{
		{"no proxies: the header is ignored", nil, "0.0.0.0"},
		{"proxy as a single address", []string{"0.0.0.0/32"}, "203.0.113.7"},
		{"proxy inside a range", []string{"192.0.2.0/24", "0.0.0.0/8"}, "203.0.113.7"},
		{"peer is not a configured proxy", []string{"192.0.2.0/24", "::1/128"}, "0.0.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prefixes []netip.Prefix
			for _, p := range tt.prefixes {
				prefixes = append(prefixes, netip.MustParsePrefix(p))
			}
			app := fiber.New(fiber.Config{
				EnableTrustedProxyCheck: true,
				TrustedProxies:          TrustedProxyCheck(prefixes),
				ProxyHeader:             fiber.HeaderXForwardedFor,
			})
			app.Get("/", func(c *fiber.Ctx) error { return c.SendString(c.IP()) })
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set(fiber.HeaderXForwardedFor, "203.0.113.7")
			if got := get(t, app, req); got != tt.wantIP {
				t.Errorf("client IP = %q, want %q", got, tt.wantIP)
			}
		})
	}
}
