package installer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

func TestNewTLSRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		o    TLSOptions
		want string
	}{
		{"empty mode", TLSOptions{DataDir: dir}, "mode is empty"},
		{"unknown mode", TLSOptions{Mode: "self-signed", DataDir: dir}, `"self-signed" is unknown`},
		{"relative data folder", TLSOptions{Mode: ModeLocal, DataDir: "pitlane-data"}, "absolute path"},
		{"port out of range", TLSOptions{Mode: ModeLocal, DataDir: dir, HTTPSPort: 70000}, "https port 70000"},
		{"bad local domain", TLSOptions{Mode: ModeLocal, DataDir: dir, Domain: "garage example"}, "not a valid host name"},
		{"acme without domain", TLSOptions{Mode: ModeACME, DataDir: dir, Email: "a@b.example"}, "needs the public domain"},
		{"acme with IP", TLSOptions{Mode: ModeACME, DataDir: dir, Domain: "203.0.113.9", Email: "a@b.example"}, "not the IP address"},
		{"acme single label", TLSOptions{Mode: ModeACME, DataDir: dir, Domain: "garage", Email: "a@b.example"}, "not a valid public host name"},
		{"acme without email", TLSOptions{Mode: ModeACME, DataDir: dir, Domain: "garage.example"}, "e-mail address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewTLS(context.Background(), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewTLS error = %v, want it to mention %q", err, tt.want)
			}
			if p != nil {
				t.Errorf("NewTLS returned a provider along with an error")
			}
		})
	}
}

func TestNewTLSOff(t *testing.T) {
	p, err := NewTLS(context.Background(), TLSOptions{Mode: " OFF "})
	if err != nil || p != nil {
		t.Fatalf("NewTLS(off) = %v, %v; want nil, nil", p, err)
	}
	// The server may call these without checking the mode first.
	if p.Config() != nil || p.HTTPHandler() != nil || p.CACertPEM() != nil || p.Close() != nil {
		t.Errorf("methods of the off provider return non-nil values")
	}
}

func TestNextProtosNeverOfferH2(t *testing.T) {
	p, err := NewTLS(context.Background(), TLSOptions{Mode: ModeLocal, DataDir: t.TempDir(), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if got := p.Config().NextProtos; !slices.Equal(got, []string{"http/1.1"}) {
		t.Errorf("local NextProtos = %q, want [http/1.1]", got)
	}
	// The shared slices must not leak: a caller appending to one config's
	// NextProtos must not change the next provider's.
	p.Config().NextProtos = append(p.Config().NextProtos, "h2")
	if slices.Contains(localNextProtos, "h2") || slices.Contains(acmeNextProtos, "h2") {
		t.Errorf("package NextProtos changed through a provider's config: %q / %q", localNextProtos, acmeNextProtos)
	}
	// acme mode is checked against a real ACME server in TestACMEWithPebble.
}

// testLogger writes to the test log while the test runs and drops what
// background goroutines (certmagic, pebble) log after it ended.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter(t), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func testWriter(t *testing.T) io.Writer {
	w := &lateSafeWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return w
}

type lateSafeWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *lateSafeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// listenLocal listens on 127.0.0.1:port (0 = any free port).
func listenLocal(t *testing.T, port int) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveFiber serves body at / over TLS on ln with Fiber, as Pitlane does.
func serveFiber(t *testing.T, ln net.Listener, cfg *tls.Config, body string) {
	t.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(body) })
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = app.Listener(tls.NewListener(ln, cfg))
	}()
	t.Cleanup(func() {
		_ = app.ShutdownWithTimeout(5 * time.Second)
		<-done
	})
}

// httpsGet fetches url over a connection to addr, trusting only roots and
// offering h2 first as browsers do. It returns the body and TLS state.
func httpsGet(t *testing.T, roots *x509.CertPool, addr, url string) (string, *tls.ConnectionState) {
	t.Helper()
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: roots},
			ForceAttemptHTTP2: true,
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
		},
	}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, body %q", url, resp.StatusCode, b)
	}
	return string(b), resp.TLS
}

var errNoCert = errors.New("no certificate")

// servedLeaf returns the certificate cfg presents for serverName.
func servedLeaf(t *testing.T, cfg *tls.Config, serverName string) *x509.Certificate {
	t.Helper()
	cert, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: serverName})
	if err == nil && cert == nil {
		err = errNoCert
	}
	if err != nil {
		t.Fatalf("certificate for %q: %v", serverName, err)
	}
	if cert.Leaf != nil {
		return cert.Leaf
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}
