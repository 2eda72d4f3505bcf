package installer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"

	"github.com/caddyserver/certmagic"
)

// TLS modes accepted in TLSOptions.Mode.
const (
	ModeOff   = "off"   // plain HTTP, TLS ends at a reverse proxy
	ModeLocal = "local" // certificates from a CA kept in the data folder
	ModeACME  = "acme"  // publicly trusted certificates through ACME (Let's Encrypt)
)

// The HTTPS listener is served by Fiber v2 (fasthttp), which speaks only
// HTTP/1.1: offering "h2" would let browsers negotiate a protocol the server
// then cannot answer. "acme-tls/1" lets the same listener answer TLS-ALPN-01
// challenges when certificates are renewed.
var (
	localNextProtos = []string{"http/1.1"}
	acmeNextProtos  = []string{"http/1.1", "acme-tls/1"}
)

// TLSOptions says how Pitlane gets its certificates.
type TLSOptions struct {
	Mode          string         // ModeOff, ModeLocal or ModeACME
	DataDir       string         // absolute data folder; TLS state lives under DataDir/tls/
	Domain        string         // public host name (required for acme); extra name in local mode
	Email         string         // ACME account e-mail (required for acme)
	ACMEDirectory string         // ACME directory URL; empty = Let's Encrypt production
	ACMERoots     *x509.CertPool // trust for the ACME server; nil = system roots
	HTTPPort      int            // plain HTTP port (redirect and HTTP-01); 0 = 80
	HTTPSPort     int            // TLS port (redirect target and TLS-ALPN-01); 0 = 443
	// ListenHost is the address certmagic binds for its own short-lived
	// challenge listeners while no Pitlane server holds the ports yet; empty
	// = all interfaces.
	ListenHost string
	Logger     *slog.Logger // nil = slog.Default()
	// disableARI turns off ACME Renewal Information. Tests set it: pebble
	// answers a renewal that names the certificate it replaces with a 500
	// when its retries fall on that path; real CAs use ARI to spread
	// renewals, so production keeps it on.
	disableARI bool
}

// TLSProvider holds the certificates of one TLS mode and what the listeners
// need to serve them. A nil *TLSProvider stands for mode "off": its methods
// return nil.
type TLSProvider struct {
	config    *tls.Config
	http      http.Handler
	caCertPEM []byte

	// Set in acme mode only.
	magic *certmagic.Config
	cache *certmagic.Cache

	closeOnce sync.Once
}

// NewTLS prepares certificates and returns what the HTTPS and plain HTTP
// listeners serve. In acme mode it obtains or renews the certificate for
// Domain before returning, so call it before binding HTTPPort and HTTPSPort:
// the first certificate is validated through certmagic's own short-lived
// listeners on those ports, and later renewals through HTTPHandler and
// Config. In local mode it creates or loads the CA and the server
// certificate. Mode "off" returns (nil, nil).
func NewTLS(ctx context.Context, o TLSOptions) (*TLSProvider, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	switch o.Mode {
	case ModeOff:
		return nil, nil
	case ModeLocal:
		return newLocalTLS(o)
	default:
		return newACMETLS(ctx, o)
	}
}

// withDefaults validates o and fills in the documented defaults.
func (o TLSOptions) withDefaults() (TLSOptions, error) {
	o.Mode = strings.ToLower(strings.TrimSpace(o.Mode))
	switch o.Mode {
	case ModeOff:
		return o, nil
	case ModeLocal, ModeACME:
	case "":
		return o, fmt.Errorf("tls mode is empty: choose %q, %q or %q", ModeOff, ModeLocal, ModeACME)
	default:
		return o, fmt.Errorf("tls mode %q is unknown: choose %q, %q or %q", o.Mode, ModeOff, ModeLocal, ModeACME)
	}
	if !filepath.IsAbs(o.DataDir) {
		return o, fmt.Errorf("tls: data folder %q must be an absolute path", o.DataDir)
	}
	if o.HTTPPort == 0 {
		o.HTTPPort = 80
	}
	if o.HTTPSPort == 0 {
		o.HTTPSPort = 443
	}
	for _, p := range []struct {
		name string
		port int
	}{{"http", o.HTTPPort}, {"https", o.HTTPSPort}} {
		if p.port < 1 || p.port > 65535 {
			return o, fmt.Errorf("tls: %s port %d is out of range 1-65535", p.name, p.port)
		}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o.Domain)), ".")
	o.Email = strings.TrimSpace(o.Email)

	if o.Mode == ModeLocal {
		if o.Domain != "" && net.ParseIP(o.Domain) == nil && !isDNSName(o.Domain) {
			return o, fmt.Errorf("tls: domain %q is not a valid host name", o.Domain)
		}
		return o, nil
	}
	switch {
	case o.Domain == "":
		return o, errors.New("tls: acme mode needs the public domain name that points at this machine")
	case net.ParseIP(o.Domain) != nil:
		return o, fmt.Errorf("tls: acme mode needs a domain name, not the IP address %s", o.Domain)
	case !isDNSName(o.Domain) || !strings.Contains(o.Domain, "."):
		return o, fmt.Errorf("tls: domain %q is not a valid public host name", o.Domain)
	}
	// certmagic asks for an address on stdin when none is set, which a
	// service cannot answer.
	if at := strings.Index(o.Email, "@"); at < 1 || at == len(o.Email)-1 {
		return o, fmt.Errorf("tls: acme mode needs the e-mail address of the ACME account, got %q", o.Email)
	}
	return o, nil
}

// Config returns the configuration for the HTTPS listener.
func (p *TLSProvider) Config() *tls.Config {
	if p == nil {
		return nil
	}
	return p.config
}

// HTTPHandler is what the plain HTTP listener serves when TLS is on: ACME
// HTTP-01 challenges in acme mode, and a 308 redirect to HTTPS for
// everything else.
func (p *TLSProvider) HTTPHandler() http.Handler {
	if p == nil {
		return nil
	}
	return p.http
}

// CACertPEM returns the local CA certificate so staff devices can trust it;
// nil in other modes.
func (p *TLSProvider) CACertPEM() []byte {
	if p == nil || p.caCertPEM == nil {
		return nil
	}
	return append([]byte(nil), p.caCertPEM...)
}

// Close stops background certificate maintenance (ACME renewals). Call it
// when the server shuts down; it is safe to call more than once.
func (p *TLSProvider) Close() error {
	if p == nil {
		return nil
	}
	p.closeOnce.Do(func() {
		if p.cache != nil {
			p.cache.Stop()
		}
	})
	return nil
}

// isDNSName reports whether s is a host name made of letters, digits,
// hyphens and underscores (some Windows machine names have them).
func isDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}
