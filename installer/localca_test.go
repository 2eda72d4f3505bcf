package installer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLocalTLSServesFiberPage(t *testing.T) {
	dir := t.TempDir()
	opts := TLSOptions{Mode: ModeLocal, DataDir: dir, Domain: "garage.example", Logger: testLogger(t)}
	p, err := NewTLS(context.Background(), opts)
	if err != nil {
		t.Fatalf("NewTLS: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	if got := p.Config().NextProtos; !slices.Equal(got, []string{"http/1.1"}) {
		t.Errorf("NextProtos = %q, want [http/1.1]", got)
	}
	caPEM := p.CACertPEM()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatalf("CACertPEM is not a PEM certificate: %q", caPEM)
	}

	ln := listenLocal(t, 0)
	serveFiber(t, ln, p.Config(), "pitlane over local tls")
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, host := range []string{"localhost", "127.0.0.1", "garage.example"} {
		t.Run(host, func(t *testing.T) {
			u := url.URL{Scheme: "https", Host: net.JoinHostPort(host, port), Path: "/"}
			body, state := httpsGet(t, roots, ln.Addr().String(), u.String())
			if body != "pitlane over local tls" {
				t.Errorf("body = %q", body)
			}
			if state.NegotiatedProtocol != "http/1.1" {
				t.Errorf("negotiated protocol = %q, want http/1.1", state.NegotiatedProtocol)
			}
		})
	}

	leaf := servedLeaf(t, p.Config(), "localhost")
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("server certificate does not verify for %s against CACertPEM: %v", name, err)
		}
	}
	if host, err := os.Hostname(); err == nil && isDNSName(host) {
		if err := leaf.VerifyHostname(strings.ToLower(host)); err != nil {
			t.Errorf("server certificate does not cover the host name: %v", err)
		}
	}

	// A restart on the same folder keeps the CA staff devices trust, and
	// the server certificate too while it is good.
	again, err := NewTLS(context.Background(), opts)
	if err != nil {
		t.Fatalf("second NewTLS: %v", err)
	}
	t.Cleanup(func() { again.Close() })
	if string(again.CACertPEM()) != string(caPEM) {
		t.Errorf("the local CA changed across restarts")
	}
	if l := servedLeaf(t, again.Config(), "localhost"); l.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Errorf("the server certificate was re-issued although nothing changed")
	}

	if runtime.GOOS != "windows" {
		for _, name := range []string{caKeyFile, serverKeyFile} {
			fi, err := os.Stat(filepath.Join(dir, "tls", "ca", name))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
			}
		}
	}
}

func TestLocalCACertificate(t *testing.T) {
	ca := openTestCA(t, t.TempDir(), "", time.Now())
	c := ca.cert
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("CA key is %T, want ECDSA P-256", c.PublicKey)
	}
	if !c.IsCA || !c.BasicConstraintsValid || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA certificate cannot sign certificates: IsCA %v, key usage %v", c.IsCA, c.KeyUsage)
	}
	if years := c.NotAfter.Sub(c.NotBefore).Hours() / 24 / 365; years < 9.9 || years > 10.1 {
		t.Errorf("CA is valid for %.1f years, want 10", years)
	}
	leaf := ca.server.Leaf
	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
		t.Errorf("server certificate lacks the server-auth usage phones require")
	}
	if days := leaf.NotAfter.Sub(leaf.NotBefore).Hours() / 24; days < 364 || days > 367 {
		t.Errorf("server certificate is valid for %.0f days, want a year", days)
	}
}

func TestLocalServerCertificateReissue(t *testing.T) {
	start := time.Now()
	tests := []struct {
		name     string
		domain   string
		at       time.Time
		reissued bool
	}{
		{"same names a month later", "a.example", start.AddDate(0, 1, 0), false},
		{"less than 30 days left", "a.example", start.AddDate(0, 11, 5), true},
		{"domain changed", "b.example", start, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			first := openTestCA(t, dir, "a.example", start)
			again := openTestCA(t, dir, tt.domain, tt.at)
			if !again.cert.Equal(first.cert) {
				t.Fatalf("the CA was replaced")
			}
			reissued := again.server.Leaf.SerialNumber.Cmp(first.server.Leaf.SerialNumber) != 0
			if reissued != tt.reissued {
				t.Errorf("re-issued = %v, want %v", reissued, tt.reissued)
			}
			if !slices.Contains(again.server.Leaf.DNSNames, tt.domain) {
				t.Errorf("server certificate names %q lack %s", again.server.Leaf.DNSNames, tt.domain)
			}
		})
	}
}

func TestLocalCAFiles(t *testing.T) {
	t.Run("key without certificate gets a certificate for the same key", func(t *testing.T) {
		dir := t.TempDir()
		first := openTestCA(t, dir, "", time.Now())
		if err := os.Remove(filepath.Join(dir, caCertFile)); err != nil {
			t.Fatal(err)
		}
		again := openTestCA(t, dir, "", time.Now())
		if !again.key.Equal(first.key) {
			t.Errorf("a new CA key was generated although one existed")
		}
	})
	t.Run("certificate without key is refused", func(t *testing.T) {
		dir := t.TempDir()
		openTestCA(t, dir, "", time.Now())
		if err := os.Remove(filepath.Join(dir, caKeyFile)); err != nil {
			t.Fatal(err)
		}
		_, err := openLocalCA(dir, "", testLogger(t), time.Now())
		if err == nil || !strings.Contains(err.Error(), "key") {
			t.Fatalf("openLocalCA = %v, want an error about the missing key", err)
		}
	})
	t.Run("expired CA is replaced", func(t *testing.T) {
		dir := t.TempDir()
		first := openTestCA(t, dir, "", time.Now())
		again := openTestCA(t, dir, "", time.Now().AddDate(caValidityYears, 0, 1))
		if again.key.Equal(first.key) {
			t.Errorf("an expired CA was kept")
		}
		if err := again.server.Leaf.CheckSignatureFrom(again.cert); err != nil {
			t.Errorf("server certificate is not from the new CA: %v", err)
		}
	})
	t.Run("damaged server certificate is re-issued", func(t *testing.T) {
		dir := t.TempDir()
		openTestCA(t, dir, "", time.Now())
		if err := os.WriteFile(filepath.Join(dir, serverCertFile), []byte("garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
		again := openTestCA(t, dir, "", time.Now())
		data, err := os.ReadFile(filepath.Join(dir, serverCertFile))
		if err != nil {
			t.Fatal(err)
		}
		if block, _ := pem.Decode(data); block == nil || !again.server.Leaf.Equal(mustParse(t, block.Bytes)) {
			t.Errorf("the re-issued certificate was not saved")
		}
	})
}

// A machine that gets a new address (DHCP) is reached on it before anyone
// restarts Pitlane: the certificate must follow.
func TestLocalCertificateFollowsNewAddress(t *testing.T) {
	ca := openTestCA(t, t.TempDir(), "", time.Now())
	newIP := net.ParseIP("198.51.100.7")
	if slices.ContainsFunc(ca.server.Leaf.IPAddresses, newIP.Equal) {
		t.Skip("this machine already has the test address")
	}
	hello := &tls.ClientHelloInfo{Conn: addrConn{local: &net.TCPAddr{IP: newIP, Port: 443}}}
	cert, err := ca.getCertificate(hello)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(cert.Leaf.IPAddresses, newIP.Equal) {
		t.Errorf("certificate IPs %v lack the address the client connected to", cert.Leaf.IPAddresses)
	}
	if !slices.Contains(cert.Leaf.DNSNames, "localhost") {
		t.Errorf("re-issued certificate lost localhost: %q", cert.Leaf.DNSNames)
	}
	again, err := ca.getCertificate(hello)
	if err != nil {
		t.Fatal(err)
	}
	if again.Leaf.SerialNumber.Cmp(cert.Leaf.SerialNumber) != 0 {
		t.Errorf("certificate re-issued again for an address it already covers")
	}
}

func openTestCA(t *testing.T, dir, domain string, now time.Time) *localCA {
	t.Helper()
	ca, err := openLocalCA(dir, domain, testLogger(t), now)
	if err != nil {
		t.Fatalf("openLocalCA: %v", err)
	}
	return ca
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type addrConn struct {
	net.Conn
	local net.Addr
}

func (c addrConn) LocalAddr() net.Addr { return c.local }
