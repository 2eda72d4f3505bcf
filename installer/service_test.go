package installer

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultDataDir(t *testing.T) {
	local := DefaultDataDir(false)
	if !filepath.IsAbs(local) || filepath.Base(local) != "pitlane-data" {
		t.Errorf("DefaultDataDir(false) = %q, want an absolute path ending in pitlane-data", local)
	}
	svc := DefaultDataDir(true)
	switch runtime.GOOS {
	case "windows":
		if !strings.HasSuffix(svc, `\Pitlane`) {
			t.Errorf("DefaultDataDir(true) = %q, want %%ProgramData%%\\Pitlane", svc)
		}
	default:
		if svc != "/var/lib/pitlane" {
			t.Errorf("DefaultDataDir(true) = %q, want /var/lib/pitlane", svc)
		}
	}
}

func TestServiceConfig(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	cfg, err := serviceConfig(ServiceOptions{DataDir: dataDir, Executable: "/opt/pitlane/pitlane", Args: []string{"--addr", ":443"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "pitlane" || cfg.DisplayName != "Pitlane" || cfg.Description == "" {
		t.Errorf("name %q, display name %q, description %q", cfg.Name, cfg.DisplayName, cfg.Description)
	}
	if want := []string{"serve", "--data", dataDir, "--addr", ":443"}; !slices.Equal(cfg.Arguments, want) {
		t.Errorf("Arguments = %q, want %q", cfg.Arguments, want)
	}
	if cfg.WorkingDirectory != dataDir || cfg.Executable != "/opt/pitlane/pitlane" {
		t.Errorf("WorkingDirectory %q, Executable %q", cfg.WorkingDirectory, cfg.Executable)
	}
	for k, v := range map[string]any{"Restart": "on-failure", "OnFailure": "restart", "OnFailureDelayDuration": "5s", "StartType": "automatic"} {
		if cfg.Option[k] != v {
			t.Errorf("Option[%s] = %v, want %v", k, cfg.Option[k], v)
		}
	}
	if runtime.GOOS == "linux" && !slices.Contains(cfg.Dependencies, "After=network-online.target") {
		t.Errorf("Dependencies = %q, want After=network-online.target", cfg.Dependencies)
	}
}

func TestServiceConfigRejects(t *testing.T) {
	tests := []struct {
		name string
		o    ServiceOptions
		want string
	}{
		{"relative data folder", ServiceOptions{DataDir: "pitlane-data"}, "absolute path"},
		{"newline in an argument", ServiceOptions{DataDir: "/srv/pitlane", Args: []string{"--addr", ":443\nExecStartPre=/bin/sh"}}, "cannot be written"},
		{"template braces", ServiceOptions{DataDir: "/srv/{{Name}}"}, "cannot be written"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := serviceConfig(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serviceConfig error = %v, want it to mention %q", err, tt.want)
			}
			if _, err := DryRun(tt.o); err == nil {
				t.Errorf("DryRun accepted what install would refuse")
			}
		})
	}
}

func TestNewService(t *testing.T) {
	if _, err := NewService(ServiceOptions{DataDir: t.TempDir()}, nil); err == nil {
		t.Errorf("NewService accepted a nil run function")
	}
	s, err := NewService(ServiceOptions{DataDir: t.TempDir()}, func(ctx context.Context) error { <-ctx.Done(); return nil })
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	if s.String() != "Pitlane" {
		t.Errorf("service name shown = %q, want Pitlane", s.String())
	}
}

func TestControl(t *testing.T) {
	o := ServiceOptions{DataDir: t.TempDir()}
	if _, err := Control(o, "reinstall"); err == nil || !strings.Contains(err.Error(), "unknown service action") {
		t.Errorf("Control(reinstall) error = %v", err)
	}
	// Status only reads; the machine running the tests decides the answer.
	got, err := Control(o, "status")
	if err != nil {
		t.Skipf("service manager not reachable here: %v", err)
	}
	if !slices.Contains([]string{"running", "stopped", "not installed", "unknown"}, got) {
		t.Errorf("Control(status) = %q", got)
	}
}

func TestProgramStartStop(t *testing.T) {
	errBroken := errors.New("database closed badly")
	tests := []struct {
		name    string
		result  error
		wantErr bool
	}{
		{"clean stop", nil, false},
		{"stop by cancellation", context.Canceled, false},
		{"error while stopping", errBroken, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started := make(chan struct{})
			p := &program{
				log:  testLogger(t),
				exit: func(code int) { t.Errorf("exit(%d) called on an ordinary stop", code) },
				run: func(ctx context.Context) error {
					close(started)
					<-ctx.Done()
					return tt.result
				},
			}
			if err := p.Start(nil); err != nil {
				t.Fatal(err)
			}
			<-started
			err := p.Stop(nil)
			if (err != nil) != tt.wantErr {
				t.Errorf("Stop = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, errBroken) {
				t.Errorf("Stop error %v does not wrap run's error", err)
			}
		})
	}
}

// When Pitlane stops by itself the process must exit non-zero, or the
// service manager would not restart it.
func TestProgramExitsWhenRunReturnsByItself(t *testing.T) {
	for _, result := range []error{errors.New("address already in use"), nil} {
		exited := make(chan int, 1)
		p := &program{
			log:  testLogger(t),
			exit: func(code int) { exited <- code },
			run:  func(context.Context) error { return result },
		}
		if err := p.Start(nil); err != nil {
			t.Fatal(err)
		}
		select {
		case code := <-exited:
			if code != 1 {
				t.Errorf("run returned %v: exit code %d, want 1", result, code)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("run returned %v but the process did not exit", result)
		}
	}
}
