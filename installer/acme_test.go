package installer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// TestACMEWithPebble gets a certificate from an in-process pebble (Let's
// Encrypt's test CA), serves a Fiber page over it, redirects plain HTTP, and
// restarts with the CA gone.
func TestACMEWithPebble(t *testing.T) {
	// Certificates that last 40 minutes are due for renewal at once
	// (certmagic renews anything with less than 50 minutes left), which
	// the restart below needs.
	f := newACMEFixture(t, 40*time.Minute)
	// The ports are still free here, as on a real first start: certmagic
	// answers the first challenge on them itself.
	p, err := NewTLS(f.ctx, f.opts)
	if err != nil {
		t.Fatalf("NewTLS: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	cfg := p.Config()
	if !slices.Equal(cfg.NextProtos, []string{"http/1.1", "acme-tls/1"}) {
		t.Fatalf("NextProtos = %q, want [http/1.1 acme-tls/1]", cfg.NextProtos)
	}
	httpAddr := f.serve(t, p.HTTPHandler(), cfg, "pitlane over acme")

	body, state := httpsGet(t, f.roots(), f.httpsAddr(), f.pageURL())
	if body != "pitlane over acme" {
		t.Errorf("body = %q", body)
	}
	if state.NegotiatedProtocol != "http/1.1" {
		t.Errorf("negotiated protocol = %q, want http/1.1", state.NegotiatedProtocol)
	}
	if names := state.PeerCertificates[0].DNSNames; !slices.Contains(names, acmeDomain) {
		t.Errorf("certificate names = %q, want %s", names, acmeDomain)
	}

	// Everything but challenges on the HTTP port goes to HTTPS.
	req, err := http.NewRequest(http.MethodGet, "http://"+httpAddr+"/jobs?id=7", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = acmeDomain
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantLoc := "https://" + net.JoinHostPort(acmeDomain, strconv.Itoa(f.httpsPort)) + "/jobs?id=7"
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != wantLoc {
		t.Errorf("plain HTTP answered %d %q, want 308 %q", resp.StatusCode, resp.Header.Get("Location"), wantLoc)
	}

	// A restart while the CA is unreachable serves the stored certificate,
	// although renewing it failed, and says so.
	f.pebble.close()
	p.Close()
	warnings := &recordingHandler{Handler: f.opts.Logger.Handler()}
	restartOpts := f.opts
	restartOpts.Logger = slog.New(warnings)
	again, err := NewTLS(f.ctx, restartOpts)
	if err != nil {
		t.Fatalf("NewTLS with the CA down and a stored certificate: %v", err)
	}
	t.Cleanup(func() { again.Close() })
	if !warnings.saw(slog.LevelWarn, "renewing TLS certificate failed") {
		t.Errorf("no warning that renewal failed")
	}
	if leaf := servedLeaf(t, again.Config(), acmeDomain); !slices.Contains(leaf.DNSNames, acmeDomain) {
		t.Errorf("after restart the certificate names are %q", leaf.DNSNames)
	}
	if leaf := servedLeaf(t, again.Config(), ""); !slices.Contains(leaf.DNSNames, acmeDomain) {
		t.Errorf("a client without server name (connecting by IP) got names %q", leaf.DNSNames)
	}

	// Without a stored certificate there is nothing to serve: NewTLS fails
	// and says why.
	fresh := f.opts
	fresh.DataDir = t.TempDir()
	if p, err := NewTLS(f.ctx, fresh); err == nil || !strings.Contains(err.Error(), acmeDomain) {
		p.Close()
		t.Errorf("NewTLS with the CA down and no certificate = %v, want an error naming %s", err, acmeDomain)
	}
}

// recordingHandler passes records on and remembers the level and message of
// those logged on it directly (not through With).
type recordingHandler struct {
	slog.Handler
	mu   sync.Mutex
	seen []string
}

func (h *recordingHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	h.seen = append(h.seen, r.Level.String()+" "+r.Message)
	h.mu.Unlock()
	return h.Handler.Handle(ctx, r)
}

// saw reports whether a record of level was logged with a message starting
// with msg.
func (h *recordingHandler) saw(level slog.Level, msg string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.ContainsFunc(h.seen, func(s string) bool { return strings.HasPrefix(s, level.String()+" "+msg) })
}

// TestACMERenewalThroughPitlaneListeners renews while Pitlane serves both
// ports, so certmagic cannot bind them and pebble's validation must be
// answered by HTTPHandler (http-01) or by the HTTPS listener's config
// (tls-alpn-01, which needs acme-tls/1 in NextProtos).
func TestACMERenewalThroughPitlaneListeners(t *testing.T) {
	for _, challenge := range []string{"http-01", "tls-alpn-01"} {
		t.Run(challenge, func(t *testing.T) {
			f := newACMEFixture(t, 0)
			p, err := NewTLS(f.ctx, f.opts)
			if err != nil {
				t.Fatalf("NewTLS: %v", err)
			}
			t.Cleanup(func() { p.Close() })

			// Leave certmagic one challenge type, so the renewal cannot
			// succeed through the other. Set before the listeners start,
			// as nothing else reads these fields yet.
			issuer := p.magic.Issuers[0].(*certmagic.ACMEIssuer)
			issuer.DisableHTTPChallenge = challenge != "http-01"
			issuer.DisableTLSALPNChallenge = challenge != "tls-alpn-01"

			var httpSeen, alpnSeen atomic.Int32
			countHTTP := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/.well-known/acme-challenge/") {
					httpSeen.Add(1)
				}
				p.HTTPHandler().ServeHTTP(w, r)
			})
			countALPN := p.Config().Clone()
			countALPN.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
				if slices.Contains(hello.SupportedProtos, "acme-tls/1") {
					alpnSeen.Add(1)
				}
				return p.Config().GetCertificate(hello)
			}
			f.serve(t, countHTTP, countALPN, "renewed")
			before := servedLeaf(t, p.Config(), acmeDomain)

			if err := p.magic.RenewCertSync(f.ctx, acmeDomain, true); err != nil {
				t.Fatalf("renewing through Pitlane's listeners: %v", err)
			}
			seen, other := httpSeen.Load(), alpnSeen.Load()
			if challenge == "tls-alpn-01" {
				seen, other = other, seen
			}
			if seen == 0 || other != 0 {
				t.Errorf("%s validations reached Pitlane %d times, the other type %d times; want >0 and 0", challenge, seen, other)
			}
			// The renewed certificate is what the next start serves.
			p.Close()
			restarted, err := NewTLS(f.ctx, f.opts)
			if err != nil {
				t.Fatalf("NewTLS after renewal: %v", err)
			}
			t.Cleanup(func() { restarted.Close() })
			if after := servedLeaf(t, restarted.Config(), acmeDomain); after.SerialNumber.Cmp(before.SerialNumber) == 0 {
				t.Errorf("the stored certificate is still serial %s after renewal", before.SerialNumber)
			}
		})
	}
}

const acmeDomain = "pitlane.test"

// acmeFixture is a pebble CA and the options that point NewTLS at it.
type acmeFixture struct {
	ctx                 context.Context
	opts                TLSOptions
	pebble              *pebbleServer
	httpPort, httpsPort int
}

func newACMEFixture(t *testing.T, validity time.Duration) *acmeFixture {
	t.Helper()
	httpPort, httpsPort := freePort(t), freePort(t)
	pebble := startPebble(t, httpPort, httpsPort, startDNS(t), validity)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return &acmeFixture{
		ctx:       ctx,
		pebble:    pebble,
		httpPort:  httpPort,
		httpsPort: httpsPort,
		opts: TLSOptions{
			Mode:          ModeACME,
			DataDir:       t.TempDir(),
			Domain:        acmeDomain,
			Email:         "owner@pitlane.test",
			ACMEDirectory: pebble.directory,
			ACMERoots:     pebble.listenerRoots,
			HTTPPort:      httpPort,
			HTTPSPort:     httpsPort,
			ListenHost:    "127.0.0.1",
			Logger:        testLogger(t),
			disableARI:    true,
		},
	}
}

// serve takes both ports as Pitlane's server does after NewTLS: plain HTTP
// with h, HTTPS with Fiber over cfg. It returns the plain HTTP address.
func (f *acmeFixture) serve(t *testing.T, h http.Handler, cfg *tls.Config, body string) string {
	t.Helper()
	srv := &http.Server{Handler: h}
	ln := listenLocal(t, f.httpPort)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	serveFiber(t, listenLocal(t, f.httpsPort), cfg, body)
	return ln.Addr().String()
}

// roots trusts pebble's issuing root, as browsers trust Let's Encrypt's.
func (f *acmeFixture) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(f.pebble.issuingRoot())
	return pool
}

func (f *acmeFixture) httpsAddr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(f.httpsPort))
}

func (f *acmeFixture) pageURL() string {
	return "https://" + net.JoinHostPort(acmeDomain, strconv.Itoa(f.httpsPort)) + "/"
}

type pebbleServer struct {
	directory     string
	listenerRoots *x509.CertPool // trust for pebble's own HTTPS listener
	issuingRoot   func() *x509.Certificate
	close         func()
}

// startPebble runs pebble's ACME server on 127.0.0.1, wired as its
// cmd/pebble does, with validations sent to httpPort (HTTP-01) and tlsPort
// (TLS-ALPN-01) on whatever dnsAddr resolves names to. Certificates last
// validity (0 = pebble's default of 90 days).
func startPebble(t *testing.T, httpPort, tlsPort int, dnsAddr string, validity time.Duration) *pebbleServer {
	t.Helper()
	// Pebble's defaults exercise clients the hard way (random sleeps before
	// validating, rejected nonces, reused authorizations); switch that off
	// for a fast, deterministic run where every order is validated.
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	t.Setenv("PEBBLE_AUTHZREUSE", "0")

	logger := log.New(testWriter(t), "pebble ", 0)
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{
		"default": {Description: "test profile", ValidityPeriod: uint64(validity.Seconds())},
	})
	validator := va.New(logger, httpPort, tlsPort, false, dnsAddr, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)

	// httptest's built-in certificate (valid for 127.0.0.1) stands in for
	// pebble's test certificate.
	srv := httptest.NewUnstartedServer(front.Handler())
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return &pebbleServer{
		directory:     srv.URL + wfe.DirectoryPath,
		listenerRoots: roots,
		issuingRoot:   func() *x509.Certificate { return authority.GetRootCert(0).Cert },
		close:         srv.Close,
	}
}

// startDNS serves a DNS resolver over TCP (as pebble's VA asks) that points
// every name at 127.0.0.1 and has no IPv6 addresses, so validations reach
// the test's listeners whatever the machine's hosts file says.
func startDNS(t *testing.T) string {
	t.Helper()
	ln := listenLocal(t, 0)
	srv := &dns.Server{Listener: ln, Net: "tcp", Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		for _, q := range req.Question {
			if q.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET},
					A:   net.IPv4(127, 0, 0, 1),
				})
			}
		}
		_ = w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return ln.Addr().String()
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln := listenLocal(t, 0)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
