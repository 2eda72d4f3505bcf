package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestLocalTLS runs the binary with its own certificate authority, as a
// garage without a public name would: a device that trusts the downloaded
// CA gets a verified HTTP/1.1 connection, plain HTTP redirects, and the
// browser-facing protections of HTTPS are on.
func TestLocalTLS(t *testing.T) {
	httpsPort, httpPort := freePort(t), freePort(t)
	base := fmt.Sprintf("https://127.0.0.1:%d", httpsPort)
	// Only to download the CA the first time, as a person clicks through
	// the warning once.
	bootstrap := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	launch(t, base, bootstrap, "--tls", "local", "--addr", fmt.Sprintf("127.0.0.1:%d", httpsPort),
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort))

	resp, err := bootstrap.Get(base + "/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	pool := x509.NewCertPool()
	if resp.StatusCode != 200 || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("/ca.crt: %d, %d bytes", resp.StatusCode, len(caPEM))
	}

	trusting := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err = trusting.Get(base + "/login")
	if err != nil {
		t.Fatalf("a device trusting the CA cannot connect: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.TLS.NegotiatedProtocol != "http/1.1" || resp.ProtoMajor != 1 {
		t.Errorf("negotiated %q (HTTP/%d); Fiber needs http/1.1", resp.TLS.NegotiatedProtocol, resp.ProtoMajor)
	}
	if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS under TLS")
	}
	if !strings.Contains(string(body), `href="/ca.crt"`) {
		t.Error("the login page does not offer the CA download")
	}
	var csrfCookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "pl_csrf" {
			csrfCookie = c
		}
	}
	if csrfCookie == nil || !csrfCookie.Secure || !csrfCookie.HttpOnly {
		t.Errorf("cookie under TLS = %+v, want Secure and HttpOnly", csrfCookie)
	}

	resp, err = trusting.Get(fmt.Sprintf("http://127.0.0.1:%d/login?next=%%2Fusers", httpPort))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := base + "/login?next=%2Fusers"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %d to %q, want 308 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}
