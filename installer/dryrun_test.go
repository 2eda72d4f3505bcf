package installer

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDryRunSystemdUnit(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the systemd unit is what install writes on Linux")
	}
	// Spaces, quotes, % and $ exercise the unit's quoting and escaping.
	root := t.TempDir()
	exe := filepath.Join(root, "bin dir", "pitlane")
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(root, "data dir")
	unit, err := DryRun(ServiceOptions{
		DataDir:    dataDir,
		Executable: exe,
		Args:       []string{"--addr", ":443", "--tls", "acme", "--banner", `50% off $HOME "now"`},
	})
	if err != nil {
		t.Fatalf("DryRun: %v", err)
	}

	sections := parseUnit(t, unit)
	for _, kv := range []struct{ section, key, want string }{
		{"Unit", "Description", serviceDescription},
		{"Unit", "After", "network-online.target"},
		{"Unit", "Wants", "network-online.target"},
		{"Service", "WorkingDirectory", dataDir},
		{"Service", "Restart", "on-failure"},
		{"Service", "RestartSec", "5"},
		{"Install", "WantedBy", "multi-user.target"},
	} {
		if got := sections[kv.section][kv.key]; got != kv.want {
			t.Errorf("[%s] %s = %q, want %q", kv.section, kv.key, got, kv.want)
		}
	}
	wantExec := `"` + exe + `" serve --data "` + dataDir + `" --addr :443 --tls acme --banner "50%% off $$HOME \"now\""`
	if got := sections["Service"]["ExecStart"]; got != wantExec {
		t.Errorf("ExecStart = %s\nwant        %s", got, wantExec)
	}

	// What install hands kardianos is the same text.
	cfg, err := serviceConfig(ServiceOptions{DataDir: dataDir, Executable: exe, Args: []string{"--addr", ":443", "--tls", "acme", "--banner", `50% off $HOME "now"`}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Option["SystemdScript"] != unit {
		t.Errorf("install would write a different unit than DryRun shows")
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not on PATH; unit checked by parsing only")
	}
	unitFile := filepath.Join(t.TempDir(), serviceName+".service")
	if err := os.WriteFile(unitFile, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unitFile).CombinedOutput()
	if err != nil || strings.Contains(string(out), serviceName+".service") {
		t.Errorf("systemd-analyze verify: %v\n%s\nunit:\n%s", err, out, unit)
	}
}

// parseUnit reads a systemd unit into section → key → value, failing on
// lines that are neither.
func parseUnit(t *testing.T, unit string) map[string]map[string]string {
	t.Helper()
	sections := map[string]map[string]string{}
	var current map[string]string
	sc := bufio.NewScanner(strings.NewReader(unit))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			current = map[string]string{}
			sections[line[1:len(line)-1]] = current
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || current == nil {
				t.Fatalf("line %d is not key=value inside a section: %q", n, line)
			}
			current[k] = v
		}
	}
	return sections
}

func TestWindowsDescription(t *testing.T) {
	cfg, err := serviceConfig(ServiceOptions{
		DataDir:    "/srv/pitlane",
		Executable: "/opt/pitlane/pitlane",
		Args:       []string{"--addr", ":443"},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := windowsDescription(cfg)
	for _, want := range []string{
		"Service name:  pitlane",
		"Display name:  Pitlane",
		"Command line:  /opt/pitlane/pitlane serve --data /srv/pitlane --addr :443",
		"Start type:    automatic",
		"On failure:    restart after 5s",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("description lacks %q:\n%s", want, text)
		}
	}
}

func TestWindowsArg(t *testing.T) {
	// Expectations follow syscall.EscapeArg, which builds the service
	// manager's command line on Windows.
	tests := []struct{ in, want string }{
		{``, `""`},
		{`serve`, `serve`},
		{`C:\ProgramData\Pitlane`, `C:\ProgramData\Pitlane`},
		{`C:\Program Files\Pitlane\pitlane.exe`, `"C:\Program Files\Pitlane\pitlane.exe"`},
		{`C:\My Data\`, `"C:\My Data\\"`},
		{`say "hi"`, `"say \"hi\""`},
		{`a\"b`, `a\\\"b`},
	}
	for _, tt := range tests {
		if got := windowsArg(tt.in); got != tt.want {
			t.Errorf("windowsArg(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
