package installer

import (
	"context"
	"crypto/tls"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"

	"github.com/caddyserver/certmagic"
)

// newACMETLS obtains (or loads and renews) the certificate for o.Domain with
// certmagic and keeps it renewed in the background until Close.
func newACMETLS(ctx context.Context, o TLSOptions) (*TLSProvider, error) {
	logger := zapToSlog(o.Logger.With("component", "acme").Handler())

	// A Config of our own rather than certmagic.Default: the package
	// defaults are process-wide state that tests and other callers share.
	var current atomic.Pointer[certmagic.Config]
	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) {
			return current.Load(), nil
		},
		Logger: logger,
	})
	magic := certmagic.New(cache, certmagic.Config{
		Storage: &certmagic.FileStorage{Path: filepath.Join(o.DataDir, "tls", "acme")},
		// Clients that reach the machine by IP send no server name; give
		// them the only certificate there is instead of failing.
		DefaultServerName: o.Domain,
		DisableARI:        o.disableARI,
		Logger:            logger,
	})
	issuer := certmagic.NewACMEIssuer(magic, certmagic.ACMEIssuer{
		CA:           o.ACMEDirectory,
		Email:        o.Email,
		Agreed:       true,
		TrustedRoots: o.ACMERoots,
		// Challenges are answered where Pitlane listens: certmagic binds
		// these ports itself while they are free (first start), and finds
		// HTTPHandler and the TLS listener there once Pitlane serves.
		ListenHost:     o.ListenHost,
		AltHTTPPort:    o.HTTPPort,
		AltTLSALPNPort: o.HTTPSPort,
		Logger:         logger,
	})
	magic.Issuers = []certmagic.Issuer{issuer}
	current.Store(magic)

	if err := magic.ManageSync(ctx, []string{o.Domain}); err != nil {
		if !hasValidCert(cache, o.Domain) {
			cache.Stop()
			return nil, fmt.Errorf("getting a certificate for %s from %s (check that the name resolves to this "+
				"machine and that the router forwards ports 80 and 443 to it): %w", o.Domain, issuer.CA, err)
		}
		// A renewal that fails while the stored certificate is still valid
		// must not keep the garage offline; certmagic retries in the
		// background.
		o.Logger.Warn("renewing TLS certificate failed; serving the stored one meanwhile",
			"domain", o.Domain, "err", err)
	}

	// certmagic's TLSConfig chooses its own NextProtos (h2 in some
	// versions); Fiber needs exactly acmeNextProtos.
	cfg := magic.TLSConfig()
	cfg.MinVersion = tls.VersionTLS12
	cfg.NextProtos = slices.Clone(acmeNextProtos)
	return &TLSProvider{
		config: cfg,
		http:   issuer.HTTPChallengeHandler(redirectToHTTPS(o.HTTPSPort, o.Domain)),
		magic:  magic,
		cache:  cache,
	}, nil
}

// hasValidCert reports whether the cache holds an unexpired certificate for
// domain.
func hasValidCert(cache *certmagic.Cache, domain string) bool {
	for _, c := range cache.AllMatchingCertificates(domain) {
		if c.Leaf != nil && !c.Expired() {
			return true
		}
	}
	return false
}
