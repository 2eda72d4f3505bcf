package web

import (
	"net/netip"

	"github.com/gofiber/fiber/v2"
)

// SecurityHeaders sets the headers every response carries. The CSP allows
// only the appliance's own scripts, styles and images (no inline script).
func SecurityHeaders(tls bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "+
			"style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return c.Next()
	}
}

// TrustedProxyCheck builds fiber's test for whether a peer is a trusted
// reverse proxy, from the configured prefixes.
func TrustedProxyCheck(prefixes []netip.Prefix) []string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p.String()
	}
	return out
}
