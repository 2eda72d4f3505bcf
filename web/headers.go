package web

import (
	"net/netip"

	"github.com/gofiber/fiber/v2"
)

// SecurityHeaders sets the headers every response carries. The CSP allows
// only the appliance's own scripts, styles and images (no inline script).
func SecurityHeaders(tls bool) fiber.Handler {
	headers := [][2]string{
		{"Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
			"style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"},
		{"X-Content-Type-Options", "nosniff"},
		{"Referrer-Policy", "same-origin"},
		{"X-Frame-Options", "DENY"},
		{"Permissions-Policy", "camera=(self), microphone=(self), geolocation=()"},
	}
	if tls {
		headers = append(headers, [2]string{"Strict-Transport-Security", "max-age=31536000"})
	}
	// As bytes, with the names already in canonical form, so that each
	// response only copies them.
	kv := make([][2][]byte, len(headers))
	for i, h := range headers {
		kv[i] = [2][]byte{[]byte(h[0]), []byte(h[1])}
	}
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		for _, p := range kv {
			h.SetCanonical(p[0], p[1])
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
