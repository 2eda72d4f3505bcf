package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pitlane/control"
	"pitlane/store"
)

// bin is the pitlane binary the tests run, built once by TestMain.
var bin string

const testVersion = "v9.9.9-test"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pitlane-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "pitlane")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-ldflags", "-X main.version="+testVersion, "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building pitlane:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// pitlaneCmd prepares the binary with args, in an environment without
// PITLANE_ variables so the tests see the defaults.
func pitlaneCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PITLANE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

type result struct {
	stdout, stderr string
	code           int
}

// pitlane runs the binary to completion with stdin.
func pitlane(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := pitlaneCmd(args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run pitlane %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: cmd.ProcessState.ExitCode()}
}

// ok runs the binary and fails the test unless it succeeds.
func ok(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	r := pitlane(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("pitlane %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// failsWith runs the binary and checks it fails with code and says why in
// one "pitlane: " line containing want (a server logs before it).
func failsWith(t *testing.T, code int, want, stdin string, args ...string) {
	t.Helper()
	r := pitlane(t, stdin, args...)
	if r.code != code {
		t.Errorf("pitlane %v: exit %d, want %d (stderr %q)", args, r.code, code, r.stderr)
	}
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(line, "pitlane: ") && strings.Contains(line, want) {
			return
		}
	}
	t.Errorf("pitlane %v: stderr %q has no line \"pitlane: …%s…\"", args, r.stderr, want)
}

func TestVersion(t *testing.T) {
	out := ok(t, "", "version")
	for _, want := range []string{"pitlane " + testVersion, fmt.Sprintf("database schema %d", store.SchemaVersion()),
		runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH} {
		if !strings.Contains(out, want) {
			t.Errorf("version output %q lacks %q", out, want)
		}
	}
}

func TestUsage(t *testing.T) {
	if out := ok(t, "", "help"); !strings.Contains(out, "user add") || !strings.Contains(out, "install") {
		t.Errorf("help: %q", out)
	}
	for _, args := range [][]string{{"frobnicate"}, {}} {
		r := pitlane(t, "", args...)
		if r.code != 2 || !strings.Contains(r.stderr, "Usage: pitlane <command>") {
			t.Errorf("pitlane %v: exit %d, stderr %q; want usage and 2", args, r.code, r.stderr)
		}
	}
	failsWith(t, 2, `unknown command "frobnicate"`, "", "frobnicate")
	failsWith(t, 2, "-bogus", "", "demo", "--bogus")
	failsWith(t, 2, "--tls", "", "serve", "--tls", "maybe")
	if out := ok(t, "", "serve", "--help"); !strings.Contains(out, "PITLANE_TLS") {
		t.Errorf("serve --help does not print the options table: %q", out)
	}
}

func TestInstallDryRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the unit is a systemd unit")
	}
	dir := filepath.Join(t.TempDir(), "x")
	out := ok(t, "", "install", "--dry-run", "--data", dir, "--tls", "off", "--addr", ":8080")
	want := "ExecStart=" + bin + " serve --data " + dir + " --tls off --addr :8080\n"
	if !strings.Contains(out, "[Service]") || !strings.Contains(out, want) {
		t.Errorf("dry run printed\n%s\nwant a systemd unit with %q", out, want)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dry run created the data folder (%v)", err)
	}
	failsWith(t, 2, "--tls acme needs --domain", "", "install", "--dry-run", "--tls", "acme")
}

func TestSplitData(t *testing.T) {
	cases := []struct {
		args, data, rest []string
	}{
		{nil, nil, nil},
		{[]string{"--tls", "off"}, nil, []string{"--tls", "off"}},
		{[]string{"--data", "/d", "--tls", "off"}, []string{"--data", "/d"}, []string{"--tls", "off"}},
		{[]string{"--tls", "off", "-data=/d"}, []string{"-data=/d"}, []string{"--tls", "off"}},
		{[]string{"--addr", ":1", "-data", "/d"}, []string{"-data", "/d"}, []string{"--addr", ":1"}},
	}
	for _, tc := range cases {
		data, rest := splitData(tc.args)
		if !slices.Equal(data, tc.data) || !slices.Equal(rest, tc.rest) {
			t.Errorf("splitData(%q) = %q, %q; want %q, %q", tc.args, data, rest, tc.data, tc.rest)
		}
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	first := ok(t, "", "demo", "--data", dir)
	if strings.Contains(first, "created: 0 customers") || !strings.Contains(first, "pitlane-demo") ||
		!strings.Contains(first, "manager") {
		t.Errorf("first demo run printed %q", first)
	}
	second := ok(t, "", "demo", "--data", dir)
	if !strings.Contains(second, "created: 0 customers, 0 cars, 0 jobs, 0 appointments this week, 0 staff accounts") {
		t.Errorf("second demo run printed %q", second)
	}
}

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	data := []string{"--data", dir}
	user := func(args ...string) []string { return append(append([]string{"user"}, args...), data...) }

	out := ok(t, "a-long-password\n", user("add", "--username", "ana", "--name", "Ana Pop", "--role", "workshop",
		"--lang", "ro")...)
	if !strings.Contains(out, "ana") {
		t.Errorf("user add printed %q", out)
	}
	list := ok(t, "", user("list")...)
	if !regexp.MustCompile(`(?m)^ana\s+Ana Pop\s+workshop\s+ro\s+active`).MatchString(list) {
		t.Errorf("user list:\n%s", list)
	}

	failsWith(t, 1, "username", "a-long-password\n", user("add", "--username", "ana", "--name", "Ana", "--role", "sales")...)
	failsWith(t, 1, "password", "short\n", user("add", "--username", "bo", "--name", "Bo", "--role", "sales")...)
	failsWith(t, 1, "no password", "", user("add", "--username", "bo", "--name", "Bo", "--role", "sales")...)
	failsWith(t, 2, "--role is required", "", user("add", "--username", "bo", "--name", "Bo")...)
	failsWith(t, 1, `no account named "nobody"`, "another-long-one\n", user("passwd", "--username", "nobody")...)
	failsWith(t, 1, "no Pitlane database", "", "user", "list", "--data", filepath.Join(dir, "typo"))

	ok(t, "another-long-one\n", user("passwd", "--username", "ana")...)
	ok(t, "", user("disable", "--username", "ana")...)
	if list := ok(t, "", user("list")...); !strings.Contains(list, "disabled") {
		t.Errorf("after disable:\n%s", list)
	}
	ok(t, "", user("enable", "--username", "ana")...)

	s, err := store.Open(dir, store.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.UserByUsername("ana")
	if err != nil || u.Disabled || u.Lang != "ro" {
		t.Errorf("ana = %+v, %v", u, err)
	}
}

// syncBuffer collects a subprocess's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// eventually retries check until it succeeds or the deadline passes.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServe(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("stops the server with SIGTERM")
	}
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	base := "http://" + addr
	cmd := pitlaneCmd("serve", "--data", dir, "--tls", "off", "--addr", addr)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server stdout:\n%s\nserver stderr:\n%s", stdout.String(), stderr.String())
		}
	}()
	client := &http.Client{Timeout: 5 * time.Second}

	eventually(t, "healthz", func() error {
		res, err := client.Get(base + "/healthz")
		if err != nil {
			return err
		}
		defer res.Body.Close()
		var h struct {
			Version       string `json:"version"`
			SchemaVersion int    `json:"schema_version"`
			Database      string `json:"database"`
			Uptime        *int64 `json:"uptime_seconds"`
		}
		if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK || h.Version != testVersion || h.SchemaVersion != store.SchemaVersion() ||
			h.Database != "ok" || h.Uptime == nil {
			return fmt.Errorf("status %d, %+v", res.StatusCode, h)
		}
		return nil
	})

	linkPattern := regexp.MustCompile(regexp.QuoteMeta(base) + `/setup/[A-Za-z0-9_-]{43}`)
	var link string
	eventually(t, "setup link on stdout", func() error {
		if link = linkPattern.FindString(stdout.String()); link == "" {
			return errors.New("not printed")
		}
		return nil
	})
	if !strings.Contains(stderr.String(), "level=WARN") || !strings.Contains(stderr.String(), link) {
		t.Error("setup link not logged at WARN")
	}
	if status := get(t, client, link); status != http.StatusOK {
		t.Errorf("setup link: %d, want 200", status)
	}

	// The database is the server's: this can only work through the socket.
	ok(t, "a-long-password\n", "user", "add", "--data", dir, "--username", "ana", "--name", "Ana Pop", "--role", "manager")
	if list := ok(t, "", "user", "list", "--data", dir); !strings.Contains(list, "ana") {
		t.Errorf("user list while serving:\n%s", list)
	}
	if status := get(t, client, link); status != http.StatusNotFound {
		t.Errorf("setup link after an account exists: %d, want 404", status)
	}
	failsWith(t, 1, "in use by another Pitlane process", "", "serve", "--data", dir, "--tls", "off",
		"--addr", fmt.Sprintf("127.0.0.1:%d", freePort(t)))

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("server exited with %v after SIGTERM, want status 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server still running 10 s after SIGTERM")
	}
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))

	s, err := store.Open(dir, store.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("database after shutdown: %v", err)
	}
	defer s.Close()
	if _, err := s.UserByUsername("ana"); err != nil {
		t.Errorf("ana after shutdown: %v", err)
	}
	if _, err := os.Stat(control.SocketPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("control socket left behind: %v", err)
	}
}

func get(t *testing.T, client *http.Client, url string) int {
	t.Helper()
	res, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
