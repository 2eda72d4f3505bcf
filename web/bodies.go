package web

import (
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Request bodies. The server streams them (fasthttp's StreamRequestBody),
// so that an upload route can write a 200 MB video to disk as it arrives
// instead of holding it in memory. Every other route keeps the old
// contract, a body read in full and at most the server's limit: LimitBodies
// enforces it before any handler runs.

// BodyLimit is the largest request body a route that is not streamed may
// receive: a 20 MB CSV import and its form.
const BodyLimit = 21 << 20

// SmallBody reports whether the request's body may be read whole: it is at
// most BodyLimit, or already was read. A larger one is an upload for a
// streamed route's handler to read as it arrives; middleware must not read
// it first (looking for a form field in it would spool all of it).
func SmallBody(c *fiber.Ctx) bool {
	n := c.Request().Header.ContentLength()
	return c.Context().RequestBodyStream() == nil || (n >= 0 && n <= BodyLimit)
}

// Streamed marks the declared route method path (its full path, as
// declared) as reading its body as it arrives, with its own limit. Its
// handler must bound what it reads.
func (r *Routes) Streamed(method, path string) {
	for i := range r.list {
		if r.list[i].Method == method && r.list[i].Path == path {
			r.list[i].Streamed = true
			return
		}
	}
	panic("web: Streamed on a route not declared: " + method + " " + path)
}

// streams reports whether a request for method and path reaches a
// streamed route.
func (r *Routes) streams(method, path string) bool {
	for _, rt := range r.list {
		if rt.Streamed && rt.Method == method && pathMatches(rt.Path, path) {
			return true
		}
	}
	return false
}

// pathMatches matches a request path against a route pattern whose
// ":name" segments match any one segment, as the router does (case- and
// trailing-slash-insensitively, its defaults).
func pathMatches(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, ":") {
			if xs[i] == "" {
				return false
			}
		} else if !strings.EqualFold(p, xs[i]) {
			return false
		}
	}
	return true
}

// LimitBodies refuses a body over limit bytes (413) unless the route is
// streamed, and reads a chunked one of any route but those in full, at
// most limit, so handlers find it as they did before streaming. After the
// handler it reads off what the handler left unread of the body (at most
// limit bytes, else the connection is closed), or the next request on the
// connection would be read from the middle of it.
func (r *Routes) LimitBodies(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		streamed := r.streams(c.Method(), c.Path())
		length := c.Request().Header.ContentLength()
		if !streamed {
			if length > limit {
				c.Context().SetConnectionClose()
				return fiber.ErrRequestEntityTooLarge
			}
			if length == -1 { // chunked
				if body := c.Context().RequestBodyStream(); body != nil {
					data, err := io.ReadAll(io.LimitReader(body, int64(limit)+1))
					if err != nil || len(data) > limit {
						c.Context().SetConnectionClose()
						return fiber.ErrRequestEntityTooLarge
					}
					c.Request().SetBody(data)
				}
			}
		}
		err := c.Next()
		DrainBody(c, int64(limit))
		return err
	}
}

// DrainBody reads and discards what remains of the request body, at most
// max bytes; a longer rest, or a chunked body (whose end cannot be read
// twice safely), closes the connection after the response instead.
func DrainBody(c *fiber.Ctx, max int64) {
	body := c.Context().RequestBodyStream()
	if body == nil || c.Response().ConnectionClose() {
		return
	}
	if c.Request().Header.ContentLength() < 0 {
		c.Context().SetConnectionClose()
		return
	}
	if n, err := io.CopyN(io.Discard, body, max+1); (err != nil && err != io.EOF) || n > max {
		c.Context().SetConnectionClose()
	}
}
