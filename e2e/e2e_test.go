// Package e2e runs the user journeys in headless Chromium against the built
// pitlane binary, as a person would use the appliance.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pitlane-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pitlane")
	build := exec.Command("go", "build", "-o", binary, "../cmd/pitlane")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pitlane:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// appliance is a running pitlane binary.
type appliance struct {
	URL     string
	DataDir string
	cmd     *exec.Cmd
	mu      sync.Mutex
	output  strings.Builder
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs `pitlane serve` without TLS on a fresh data folder and waits
// until it answers.
func start(t *testing.T, args ...string) *appliance {
	t.Helper()
	port := freePort(t)
	return launch(t, fmt.Sprintf("http://127.0.0.1:%d", port), http.DefaultClient,
		append([]string{"--tls", "off", "--addr", fmt.Sprintf("127.0.0.1:%d", port)}, args...)...)
}

// launch runs `pitlane serve` with args on a fresh data folder and waits
// until client gets 200 from url's /healthz.
func launch(t *testing.T, url string, client *http.Client, args ...string) *appliance {
	t.Helper()
	a := &appliance{DataDir: t.TempDir(), URL: url}
	a.cmd = exec.Command(binary, append([]string{"serve", "--data", a.DataDir}, args...)...)
	out, err := a.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	a.cmd.Stderr = a.cmd.Stdout
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			a.mu.Lock()
			a.output.WriteString(sc.Text() + "\n")
			a.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		a.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- a.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("pitlane exited with %v after SIGTERM", err)
			}
		case <-time.After(10 * time.Second):
			a.cmd.Process.Kill()
			t.Error("pitlane did not stop within 10 s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("pitlane output:\n%s", a.Output())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := client.Get(a.URL + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return a
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pitlane did not answer /healthz: %v\n%s", err, a.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Output is what the binary printed so far.
func (a *appliance) Output() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.output.String()
}

var setupLink = regexp.MustCompile(`https?://[^\s"]+/setup/[A-Za-z0-9_-]+`)

// SetupLink waits for the first-run link in the output.
func (a *appliance) SetupLink(t *testing.T) string {
	t.Helper()
	for range 100 {
		if m := setupLink.FindString(a.Output()); m != "" {
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no setup link printed:\n%s", a.Output())
	return ""
}

func chromiumPath(t *testing.T) string {
	if p := os.Getenv("PITLANE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is needed for the journey tests: apt-get install -y chromium (or set PITLANE_CHROMIUM)")
	return ""
}

// browser starts a fresh headless Chromium (its own profile) and returns a
// context for one tab with a phone-sized or desktop viewport.
func browser(t *testing.T, width, height int64) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(int(width), int(height)),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// signIn fills the login form.
func signIn(t *testing.T, ctx context.Context, base, username, password string) {
	t.Helper()
	run(t, ctx, "sign in as "+username,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	)
	submit(t, ctx, "#password")
}

// submit submits the form of the field sel and waits for the next page,
// returning its HTTP status.
func submit(t *testing.T, ctx context.Context, sel string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("submit %s: %v", sel, err)
	}
	return resp.Status
}

// follow clicks sel and waits for the page it leads to.
func follow(t *testing.T, ctx context.Context, sel string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("follow %s: %v", sel, err)
	}
	return resp.Status
}

// signOut uses the menu as a person would.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "open the menu", chromedp.Click(chromedp.CSS("details.menu summary")))
	follow(t, ctx, `form[action="/logout"] button`)
}

// eval runs JavaScript in the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
