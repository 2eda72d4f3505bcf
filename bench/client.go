package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fasthttp"
)

// newClient returns the HTTP client a scenario's workers share: an idle
// keep-alive connection for every worker, and redirects returned rather than
// followed, since a login's 303 is what gets checked.
func newClient(concurrency int) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// statusError describes an unexpected response with the start of its body.
func statusError(what string, resp *http.Response, body []byte) error {
	if len(body) > 200 {
		body = body[:200]
	}
	return fmt.Errorf("%s: status %d: %s", what, resp.StatusCode, bytes.TrimSpace(body))
}

func cookie(resp *http.Response, name string) string {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (a *appliance) healthy(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return statusError("GET /healthz", resp, body)
	}
	return nil
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// login signs in as a browser does: GET /login for the form and its CSRF
// cookie, then POST the form back with the credentials. It returns the
// session cookie's value.
func (a *appliance) login(ctx context.Context, c *http.Client, username string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/login", nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", statusError("GET /login", resp, body)
	}
	csrf := cookie(resp, "pl_csrf")
	form := url.Values{}
	for _, m := range hiddenInput.FindAllSubmatch(body, -1) {
		form.Set(string(m[1]), html.UnescapeString(string(m[2])))
	}
	if csrf == "" || form.Get("_csrf") != csrf {
		return "", errors.New("GET /login: the form's _csrf does not match the pl_csrf cookie")
	}
	form.Set("username", username)
	form.Set("password", benchPassword)
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.base)
	req.AddCookie(&http.Cookie{Name: "pl_csrf", Value: csrf})
	resp, err = c.Do(req)
	if err != nil {
		return "", err
	}
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		return "", statusError(fmt.Sprintf("POST /login as %s: redirect to %q", username, resp.Header.Get("Location")), resp, body)
	}
	token := cookie(resp, "pl_session")
	if token == "" {
		return "", errors.New("POST /login: no pl_session cookie")
	}
	return token, nil
}

// dashboard loads the dashboard with session, reading the body into buf.
func (a *appliance) dashboard(ctx context.Context, c *http.Client, session string, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/", nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: "pl_session", Value: session})
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return statusError("GET /", resp, buf.Bytes())
	}
	if !bytes.Contains(buf.Bytes(), dashboardMarker) {
		return errors.New("GET /: 200 without the dashboard")
	}
	return nil
}

// page loads path over fasthttp's client with session, taking gzip as
// browsers do, and checks that the answer is a 200 holding marker. A
// gzipped answer the same as the one last found holding it (*seen) holds
// it: unpacking every answer would cost the load generator, which shares
// the CPUs with the appliance, more than the appliance spends serving it.
func (a *appliance) page(c *fasthttp.HostClient, path string, marker []byte, session string, seen *[]byte) error {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(a.base + path)
	req.Header.SetCookie("pl_session", session)
	req.Header.Set(fasthttp.HeaderAcceptEncoding, "gzip, deflate, br, zstd")
	if err := c.Do(req, resp); err != nil {
		return err
	}
	if resp.StatusCode() != fasthttp.StatusOK {
		return fmt.Errorf("GET %s: status %d", path, resp.StatusCode())
	}
	found := bytes.Contains(resp.Body(), marker)
	switch enc := string(resp.Header.ContentEncoding()); enc {
	case "":
	case "gzip":
		if found = bytes.Equal(resp.Body(), *seen); found {
			break
		}
		var err error
		if found, err = gzipHolds(resp.Body(), marker); err != nil {
			return fmt.Errorf("GET %s: %w", path, err)
		}
		if found {
			*seen = append((*seen)[:0], resp.Body()...)
		}
	default:
		return fmt.Errorf("GET %s: content encoding %q, not asked for", path, enc)
	}
	if !found {
		return fmt.Errorf("GET %s: 200 without %q", path, marker)
	}
	return nil
}

var gzipReaders sync.Pool

// gzipHolds reports whether the gzipped body holds marker, unpacking it
// only as far as the marker, as the check of a plain body reads it only so
// far: the markers are near the top of their page.
func gzipHolds(body, marker []byte) (bool, error) {
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(body))
	} else {
		err = zr.Reset(bytes.NewReader(body))
	}
	if err != nil {
		return false, err
	}
	defer gzipReaders.Put(zr)
	buf := make([]byte, 0, 16<<10)
	for {
		n, err := zr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if bytes.Contains(buf, marker) {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if len(buf) == cap(buf) {
			// Keep the tail, where a marker cut in two begins.
			buf = append(buf[:0], buf[len(buf)-len(marker):]...)
		}
	}
}

// postCustomer creates a customer through the API with the manager key.
func (a *appliance) postCustomer(ctx context.Context, c *http.Client, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/api/v1/customers", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.apiKey)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return statusError("POST /api/v1/customers", resp, out)
	}
	return nil
}
