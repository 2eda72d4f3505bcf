package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

func fileApp(t *testing.T, content string) (*fiber.App, time.Time) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "video")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error { return c.SendStatus(Status(err)) }})
	app.Get("/f", func(c *fiber.Ctx) error {
		return SendFile(c, File{Path: p, Type: "video/mp4", Name: "clip è.mp4", ETag: `"abc"`})
	})
	app.Get("/missing", func(c *fiber.Ctx) error {
		return SendFile(c, File{Path: p + ".gone", Type: "video/mp4"})
	})
	return app, fi.ModTime()
}

func TestSendFileRanges(t *testing.T) {
	const content = "0123456789abcdefghij"
	app, modified := fileApp(t, content)
	tests := []struct {
		name, method       string
		header             map[string]string
		status             int
		body, contentRange string
	}{
		{"whole file", "GET", nil, 200, content, ""},
		{"first bytes", "GET", map[string]string{"Range": "bytes=0-3"}, 206, "0123", "bytes 0-3/20"},
		{"middle", "GET", map[string]string{"Range": "bytes=10-14"}, 206, "abcde", "bytes 10-14/20"},
		{"open end", "GET", map[string]string{"Range": "bytes=15-"}, 206, "fghij", "bytes 15-19/20"},
		{"past the end is cut", "GET", map[string]string{"Range": "bytes=18-99"}, 206, "ij", "bytes 18-19/20"},
		{"suffix", "GET", map[string]string{"Range": "bytes=-3"}, 206, "hij", "bytes 17-19/20"},
		{"outside the file", "GET", map[string]string{"Range": "bytes=20-"}, 416, "", "bytes */20"},
		{"several ranges: whole file", "GET", map[string]string{"Range": "bytes=0-1,5-6"}, 200, content, ""},
		{"another unit: whole file", "GET", map[string]string{"Range": "items=0-1"}, 200, content, ""},
		{"If-Range with the ETag", "GET", map[string]string{"Range": "bytes=0-1", "If-Range": `"abc"`}, 206, "01", "bytes 0-1/20"},
		{"If-Range with another ETag", "GET", map[string]string{"Range": "bytes=0-1", "If-Range": `"old"`}, 200, content, ""},
		{"If-Range with the date", "GET", map[string]string{"Range": "bytes=0-1", "If-Range": modified.UTC().Format(http.TimeFormat)}, 206, "01", "bytes 0-1/20"},
		{"If-Range with an older date", "GET", map[string]string{"Range": "bytes=0-1", "If-Range": modified.Add(-time.Hour).UTC().Format(http.TimeFormat)}, 200, content, ""},
		{"If-None-Match", "GET", map[string]string{"If-None-Match": `W/"x", "abc"`}, 304, "", ""},
		{"HEAD", "HEAD", nil, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/f", nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if got := resp.Header.Get("Content-Range"); got != tt.contentRange {
				t.Errorf("Content-Range %q, want %q", got, tt.contentRange)
			}
			if resp.Header.Get("Accept-Ranges") != "bytes" || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "private") {
				t.Errorf("headers %v", resp.Header)
			}
			if tt.method == "HEAD" && resp.Header.Get("Content-Length") != "20" {
				t.Errorf("HEAD Content-Length %q", resp.Header.Get("Content-Length"))
			}
			if tt.status == 200 && resp.Header.Get("Content-Disposition") != "inline; filename*=UTF-8''clip%20%C3%A8.mp4" {
				t.Errorf("Content-Disposition %q", resp.Header.Get("Content-Disposition"))
			}
		})
	}
	if status, _ := do(t, app, httptest.NewRequest("GET", "/missing", nil)); status != 404 {
		t.Errorf("a missing file: %d", status)
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-3", "bytes=-5", "bytes=5-", "bytes=0-1,2-3", "bytes=9-2", "bytes= 1 - 2 "} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			return
		}
		from, n, ok := ParseRange(h, size)
		if ok && from >= 0 && (n <= 0 || from+n > size) {
			t.Errorf("ParseRange(%q, %d) = %d, %d outside the file", h, size, from, n)
		}
	})
}

func TestParseRange(t *testing.T) {
	cases := []struct {
		h         string
		from, n   int64
		satisfied bool
	}{
		{"bytes=0-99", 0, 100, true},
		{"bytes=100-", 100, 900, true},
		{"bytes=900-5000", 900, 100, true},
		{"bytes=-10", 990, 10, true},
		{"bytes=-5000", 0, 1000, true},
		{"bytes=1000-", 0, 0, false},
		{"bytes=-0", 0, 0, false},
		{"bytes=0-1,5-6", -1, 0, true}, // several ranges: the whole file
		{"bytes=5-1", -1, 0, true},
		{"items=0-1", -1, 0, true},
		{"bytes=x-1", -1, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.h, func(t *testing.T) {
			from, n, ok := ParseRange(tc.h, 1000)
			if from != tc.from || n != tc.n || ok != tc.satisfied {
				t.Errorf("ParseRange(%q) = %d, %d, %v; want %d, %d, %v", tc.h, from, n, ok, tc.from, tc.n, tc.satisfied)
			}
		})
	}
}
