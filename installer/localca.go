package installer

// The local CA uses crypto/x509 from the standard library: a two-level
// hierarchy that only this process issues from needs nothing more, and a PKI
// library would add a dependency without removing any code.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	caCertFile     = "ca.crt"
	caKeyFile      = "ca.key"
	serverCertFile = "server.crt"
	serverKeyFile  = "server.key"

	caValidityYears     = 10
	serverValidityYears = 1
	// renewBefore is how long before expiry a certificate is replaced, so a
	// machine that is switched off for a few weeks still starts with a valid
	// one.
	renewBefore = 30 * 24 * time.Hour
	// retryIssueAfter keeps a failing re-issue (full disk, say) from being
	// attempted on every TLS handshake.
	retryIssueAfter = time.Minute
)

// newLocalTLS serves certificates from the CA in DataDir/tls/ca.
func newLocalTLS(o TLSOptions) (*TLSProvider, error) {
	ca, err := openLocalCA(filepath.Join(o.DataDir, "tls", "ca"), o.Domain, o.Logger, time.Now())
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     slices.Clone(localNextProtos),
		GetCertificate: ca.getCertificate,
	}
	return &TLSProvider{
		config:    cfg,
		http:      redirectToHTTPS(o.HTTPSPort, o.Domain),
		caCertPEM: ca.certPEM,
	}, nil
}

// localCA is a certificate authority kept in the data folder, and the server
// certificate it issued for this machine.
type localCA struct {
	dir    string
	domain string
	log    *slog.Logger

	cert    *x509.Certificate
	certPEM []byte
	key     *ecdsa.PrivateKey

	mu         sync.Mutex
	server     *tls.Certificate // Leaf is always set
	retryAfter time.Time
}

// openLocalCA loads the CA and server certificate from dir, creating or
// re-issuing what is missing, expiring, or no longer covers this machine.
func openLocalCA(dir, domain string, log *slog.Logger, now time.Time) (*localCA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating local CA folder: %w", err)
	}
	ca := &localCA{dir: dir, domain: domain, log: log}
	if err := ca.loadOrCreate(now); err != nil {
		return nil, err
	}
	if err := ca.loadOrIssueServer(now); err != nil {
		return nil, err
	}
	return ca, nil
}

func (ca *localCA) path(name string) string { return filepath.Join(ca.dir, name) }

// loadOrCreate loads the CA, or creates one when there is none. An existing
// CA is kept for as long as it is valid: staff devices trust it.
func (ca *localCA) loadOrCreate(now time.Time) error {
	keyPEM, keyErr := os.ReadFile(ca.path(caKeyFile))
	certPEM, certErr := os.ReadFile(ca.path(caCertFile))
	keyMissing, certMissing := errors.Is(keyErr, fs.ErrNotExist), errors.Is(certErr, fs.ErrNotExist)
	switch {
	case keyErr != nil && !keyMissing:
		return fmt.Errorf("reading local CA key: %w", keyErr)
	case certErr != nil && !certMissing:
		return fmt.Errorf("reading local CA certificate: %w", certErr)
	case keyMissing && certMissing:
		return ca.create(now, nil)
	case keyMissing:
		return fmt.Errorf("local CA certificate %s exists but its key %s is missing: restore the key from a backup, "+
			"or delete the certificate to create a new CA that staff devices must then trust again",
			ca.path(caCertFile), ca.path(caKeyFile))
	}

	key, err := parseECKey(keyPEM)
	if err != nil {
		return fmt.Errorf("local CA key %s: %w", ca.path(caKeyFile), err)
	}
	if certMissing {
		// The key is written before the certificate, so an interrupted first
		// start leaves only the key; no device can trust a certificate that
		// was never written, so make it now.
		return ca.create(now, key)
	}
	cert, err := parseCert(certPEM)
	if err != nil {
		return fmt.Errorf("local CA certificate %s: %w", ca.path(caCertFile), err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) || !cert.IsCA {
		return fmt.Errorf("local CA certificate %s does not belong to key %s or is not a CA",
			ca.path(caCertFile), ca.path(caKeyFile))
	}
	if now.Add(renewBefore).After(cert.NotAfter) {
		ca.log.Warn("local CA expires; creating a new one that staff devices must trust again",
			"expires", cert.NotAfter)
		return ca.create(now, nil)
	}
	if now.AddDate(1, 0, 0).After(cert.NotAfter) {
		ca.log.Warn("local CA expires within a year; after that staff devices must trust a new one",
			"expires", cert.NotAfter)
	}
	ca.cert, ca.certPEM, ca.key = cert, certPEM, key
	return nil
}

// create makes a new self-signed CA certificate, with a new key unless one
// is given.
func (ca *localCA) create(now time.Time, key *ecdsa.PrivateKey) error {
	if key == nil {
		var err error
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return fmt.Errorf("generating local CA key: %w", err)
		}
		keyPEM, err := marshalECKey(key)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(ca.path(caKeyFile), keyPEM, 0o600); err != nil {
			return fmt.Errorf("saving local CA key: %w", err)
		}
	}
	serial, err := randomSerial()
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		// Devices list trusted CAs by name: say which machine and when, so
		// an owner who reinstalled can tell the current one apart.
		Subject: pkix.Name{
			Organization: []string{"Pitlane"},
			CommonName:   strings.TrimSpace("Pitlane local CA " + host + " " + now.Format("2006-01-02")),
		},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(caValidityYears, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("creating local CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("parsing new local CA certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := writeFileAtomic(ca.path(caCertFile), certPEM, 0o644); err != nil {
		return fmt.Errorf("saving local CA certificate: %w", err)
	}
	ca.cert, ca.certPEM, ca.key = cert, certPEM, key
	ca.log.Info("created local certificate authority", "certificate", ca.path(caCertFile), "expires", cert.NotAfter)
	return nil
}

// loadOrIssueServer loads the server certificate if it is still good for
// this machine, and issues a new one otherwise.
func (ca *localCA) loadOrIssueServer(now time.Time) error {
	want := ca.machineNames(nil)
	certPEM, certErr := os.ReadFile(ca.path(serverCertFile))
	keyPEM, keyErr := os.ReadFile(ca.path(serverKeyFile))
	for _, err := range []error{certErr, keyErr} {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("reading local server certificate: %w", err)
		}
	}
	if certErr == nil && keyErr == nil {
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		switch {
		case err != nil:
			ca.log.Warn("local server certificate unreadable; issuing a new one", "err", err)
		case pair.Leaf.CheckSignatureFrom(ca.cert) != nil:
			ca.log.Info("local server certificate is from another CA; issuing a new one")
		case ca.expiring(pair.Leaf, now):
			ca.log.Info("local server certificate expires soon; issuing a new one", "expires", pair.Leaf.NotAfter)
		case !want.equal(namesOf(pair.Leaf)):
			ca.log.Info("machine names changed; issuing a new local server certificate",
				"was", namesOf(pair.Leaf).String(), "now", want.String())
		default:
			ca.server = &pair
			return nil
		}
	}
	return ca.issueServer(now, want)
}

// expiring reports whether leaf is due for replacement. A leaf that already
// ends with the CA is left alone: a new one could not last longer.
func (ca *localCA) expiring(leaf *x509.Certificate, now time.Time) bool {
	return now.Add(renewBefore).After(leaf.NotAfter) && leaf.NotAfter.Before(ca.cert.NotAfter)
}

// issueServer signs a new server certificate for names and saves it.
func (ca *localCA) issueServer(now time.Time, names certNames) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating local server key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return err
	}
	notAfter := now.AddDate(serverValidityYears, 0, 0)
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"Pitlane"}, CommonName: names.dns[0]},
		DNSNames:              names.dns,
		IPAddresses:           names.ips,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return fmt.Errorf("signing local server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("parsing new local server certificate: %w", err)
	}
	keyPEM, err := marshalECKey(key)
	if err != nil {
		return err
	}
	// Key first: a crash in between leaves a pair that does not match,
	// which the next start detects and replaces.
	if err := writeFileAtomic(ca.path(serverKeyFile), keyPEM, 0o600); err != nil {
		return fmt.Errorf("saving local server key: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := writeFileAtomic(ca.path(serverCertFile), certPEM, 0o644); err != nil {
		return fmt.Errorf("saving local server certificate: %w", err)
	}
	ca.server = &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	ca.log.Info("issued local server certificate", "names", names.String(), "expires", notAfter)
	return nil
}

// getCertificate serves the server certificate, replacing it first when it
// is about to expire or when the client reached this machine on an address
// the certificate does not cover (DHCP gave the machine a new one).
func (ca *localCA) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	now := time.Now()
	if now.Before(ca.retryAfter) {
		return ca.server, nil
	}
	var newIP net.IP
	if hello.Conn != nil {
		if a, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok && !a.IP.IsUnspecified() &&
			!slices.ContainsFunc(ca.server.Leaf.IPAddresses, a.IP.Equal) {
			newIP = a.IP
		}
	}
	if newIP == nil && !ca.expiring(ca.server.Leaf, now) {
		return ca.server, nil
	}
	if err := ca.issueServer(now, ca.machineNames(newIP)); err != nil {
		ca.retryAfter = now.Add(retryIssueAfter)
		ca.log.Error("re-issuing local server certificate failed; serving the current one", "err", err)
	}
	return ca.server, nil
}

// certNames is the set of names a server certificate covers, sorted.
type certNames struct {
	dns []string
	ips []net.IP
}

func (n certNames) equal(o certNames) bool {
	return slices.Equal(n.dns, o.dns) && slices.EqualFunc(n.ips, o.ips, net.IP.Equal)
}

func (n certNames) String() string {
	all := slices.Clone(n.dns)
	for _, ip := range n.ips {
		all = append(all, ip.String())
	}
	return strings.Join(all, ",")
}

func namesOf(leaf *x509.Certificate) certNames {
	return newCertNames(leaf.DNSNames, leaf.IPAddresses)
}

// newCertNames lower-cases, de-duplicates and sorts, so that sets compare
// equal regardless of the order they were gathered in.
func newCertNames(dns []string, ips []net.IP) certNames {
	var n certNames
	for _, d := range dns {
		n.dns = append(n.dns, strings.ToLower(d))
	}
	slices.Sort(n.dns)
	n.dns = slices.Compact(n.dns)
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		n.ips = append(n.ips, ip)
	}
	slices.SortFunc(n.ips, func(a, b net.IP) int { return bytes.Compare(a, b) })
	n.ips = slices.CompactFunc(n.ips, net.IP.Equal)
	return n
}

// machineNames lists every name a device on the LAN may use to reach this
// machine: localhost, the host name (and its mDNS .local form), the
// configured domain, loopback and the addresses of every interface, plus
// extra if not nil.
func (ca *localCA) machineNames(extra net.IP) certNames {
	dns := []string{"localhost"}
	if host, err := os.Hostname(); err == nil {
		host = strings.TrimSuffix(strings.ToLower(host), ".")
		if isDNSName(host) {
			short, _, _ := strings.Cut(host, ".")
			dns = append(dns, host, short, short+".local")
		}
	}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if ca.domain != "" {
		if ip := net.ParseIP(ca.domain); ip != nil {
			ips = append(ips, ip)
		} else {
			dns = append(dns, ca.domain)
		}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		ca.log.Warn("listing network addresses for the local certificate", "err", err)
	}
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok || ipnet.IP.IsLoopback() {
			continue
		}
		if ipnet.IP.IsGlobalUnicast() || ipnet.IP.IsLinkLocalUnicast() {
			ips = append(ips, ipnet.IP)
		}
	}
	if extra != nil {
		ips = append(ips, extra)
	}
	return newCertNames(dns, ips)
}

func randomSerial() (*big.Int, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generating certificate serial number: %w", err)
	}
	return serial, nil
}

func marshalECKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func parseECKey(data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM data")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("unexpected PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parsing private key: %w", err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key is %T, want ECDSA", key)
	}
	return ec, nil
}

func parseCert(data []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing certificate: %w", err)
	}
	return cert, nil
}

// writeFileAtomic replaces path with data so that a power cut leaves either
// the old file or the new one, never half of one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable where the OS allows it (Windows cannot
	// sync a directory, so there it is best effort).
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		_ = dir.Sync()
		dir.Close()
	}
	return nil
}
