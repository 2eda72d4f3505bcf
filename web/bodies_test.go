package web

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// bodyApp is a server that streams request bodies, as the appliance's does,
// with one ordinary and one streamed route.
func bodyApp(t *testing.T, limit int) *fiber.App {
	t.Helper()
	var routes Routes
	app := fiber.New(fiber.Config{DisableStartupMessage: true, StreamRequestBody: true, DisablePreParseMultipartForm: true, BodyLimit: limit,
		ErrorHandler: func(c *fiber.Ctx, err error) error { return c.SendStatus(Status(err)) }})
	app.Use(routes.LimitBodies(limit))
	routes.Public(app, fiber.MethodPost, "/form", func(c *fiber.Ctx) error {
		return c.SendString(fmt.Sprint(len(c.Body())))
	})
	routes.Public(app, fiber.MethodPost, "/ignore", func(c *fiber.Ctx) error { return c.SendString("ignored") })
	g := app.Group("/up")
	routes.Public(g, fiber.MethodPost, "/:id", func(c *fiber.Ctx) error {
		n, err := io.Copy(io.Discard, c.Context().RequestBodyStream())
		if err != nil {
			return err
		}
		return c.SendString(fmt.Sprint(n))
	})
	routes.Streamed(fiber.MethodPost, "/up/:id")
	return app
}

func TestLimitBodies(t *testing.T) {
	const limit = 1000
	app := bodyApp(t, limit)
	big := strings.Repeat("x", 50_000)
	tests := []struct {
		name, path, body string
		chunked          bool
		status           int
		want             string
	}{
		{"small body", "/form", "hello", false, 200, "5"},
		{"body at the limit", "/form", big[:limit], false, 200, fmt.Sprint(limit)},
		{"body over the limit", "/form", big[:limit+1], false, 413, ""},
		{"chunked body under the limit", "/form", big[:900], true, 200, "900"},
		{"chunked body over the limit", "/form", big, true, 413, ""},
		{"upload over the limit is streamed", "/up/7", big, false, 200, "50000"},
		{"chunked upload", "/UP/7/", big, true, 200, "50000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // no length: sent chunked
			}
			req := httptest.NewRequest(http.MethodPost, tt.path, body)
			if tt.chunked {
				req.ContentLength = -1
				req.TransferEncoding = []string{"chunked"}
			}
			status, got := do(t, app, req)
			if status != tt.status || (tt.want != "" && got != tt.want) {
				t.Fatalf("%d %q, want %d %q", status, got, tt.status, tt.want)
			}
		})
	}
	if pathMatches("/up/:id", "/up") || pathMatches("/up/:id", "/up/1/2") || !pathMatches("/app/messages", "/app/messages/") {
		t.Error("pathMatches")
	}
}

// TestUnreadBodyDoesNotBreakTheConnection sends, on one kept-alive
// connection, a request whose handler ignores its body and then another:
// the second must be read as a request, not from the first's body.
func TestUnreadBodyDoesNotBreakTheConnection(t *testing.T) {
	app := bodyApp(t, 100_000)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := strings.Repeat("GET /form HTTP/1.1\r\n\r\n", 2000) // looks like requests if misread
	fmt.Fprintf(conn, "POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	fmt.Fprintf(conn, "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
	r := bufio.NewReader(conn)
	for i, want := range []string{"ignored", "3"} {
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != want {
			t.Fatalf("response %d: %d %q, want %q", i+1, resp.StatusCode, got, want)
		}
	}
}
