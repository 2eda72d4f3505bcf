package installer

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRedirectToHTTPS(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		target    string
		host      string
		httpsPort int
		fallback  string
		status    int
		location  string
	}{
		{"path and query kept", "GET", "/jobs/42?tab=photos&x=1", "garage.example", 8443, "", 308, "https://garage.example:8443/jobs/42?tab=photos&x=1"},
		{"port 443 omitted", "GET", "/jobs?id=7", "garage.example", 443, "", 308, "https://garage.example/jobs?id=7"},
		{"plain HTTP port dropped", "GET", "/", "garage.example:8080", 8443, "", 308, "https://garage.example:8443/"},
		{"posted form keeps its method", "POST", "/quotes", "garage.example", 443, "", 308, "https://garage.example/quotes"},
		{"escaped path stays escaped", "GET", "/docs/a%20b%2Fc?q=%C3%A8", "garage.example", 443, "", 308, "https://garage.example/docs/a%20b%2Fc?q=%C3%A8"},
		{"LAN address kept", "GET", "/pair", "192.168.1.20", 8443, "garage.example", 308, "https://192.168.1.20:8443/pair"},
		{"IPv6 address bracketed", "GET", "/", "[fd00::2]:80", 443, "", 308, "https://[fd00::2]/"},
		{"IPv6 address with port", "GET", "/", "[fd00::2]", 8443, "", 308, "https://[fd00::2]:8443/"},
		{"host upper-cased", "GET", "/", "Garage.Example", 443, "", 308, "https://garage.example/"},
		{"bad host falls back to domain", "GET", "/x", "evil.example/<script>", 443, "garage.example", 308, "https://garage.example/x"},
		{"no usable host and no domain", "GET", "/x", "", 443, "", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "http://placeholder"+tt.target, strings.NewReader(""))
			req.Host = tt.host
			rec := httptest.NewRecorder()
			redirectToHTTPS(tt.httpsPort, tt.fallback).ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d (body %q)", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
		})
	}
}

func TestHTTPHandlerOfLocalModeRedirects(t *testing.T) {
	p, err := NewTLS(t.Context(), TLSOptions{Mode: ModeLocal, DataDir: t.TempDir(), HTTPSPort: 8443, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	req := httptest.NewRequest(http.MethodGet, "http://pitlane.local/customers?page=2", nil)
	rec := httptest.NewRecorder()
	p.HTTPHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusPermanentRedirect || rec.Header().Get("Location") != "https://pitlane.local:8443/customers?page=2" {
		t.Errorf("got %d %q", rec.Code, rec.Header().Get("Location"))
	}
}
