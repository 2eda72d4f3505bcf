package installer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/kardianos/service"
)

const (
	serviceName        = "pitlane"
	serviceDisplayName = "Pitlane"
	serviceDescription = "Pitlane dealership and workshop server"

	// restartDelay is how long the service manager waits before starting
	// Pitlane again after it failed.
	restartDelay = 5 * time.Second
	// stopTimeout bounds how long a stop waits for open requests and the
	// database to close; it stays well below the time after which service
	// managers give up on a stopping service and kill it.
	stopTimeout = 15 * time.Second
)

// ServiceOptions describes the service that runs `pitlane serve`.
type ServiceOptions struct {
	DataDir    string       // data folder the service uses (absolute)
	Args       []string     // extra args for `pitlane serve` (e.g. --addr, --tls ...)
	Executable string       // path of the binary; empty = os.Executable()
	Logger     *slog.Logger // nil = slog.Default()
}

// DefaultDataDir is where Pitlane keeps its data when none is given: for a
// service, /var/lib/pitlane on Linux and %ProgramData%\Pitlane on Windows;
// otherwise ./pitlane-data, made absolute.
func DefaultDataDir(service bool) string {
	if !service {
		dir, err := filepath.Abs("pitlane-data")
		if err != nil {
			// Abs fails only when the working directory is gone; the
			// caller's own validation reports the relative path.
			return "pitlane-data"
		}
		return dir
	}
	if runtime.GOOS == "windows" {
		base := os.Getenv("ProgramData")
		if base == "" {
			base = `C:\ProgramData`
		}
		return filepath.Join(base, "Pitlane")
	}
	return "/var/lib/pitlane"
}

// NewService returns the OS service that runs Pitlane. Its Run calls run
// with a context that is cancelled when the service manager (or Ctrl+C, when
// started from a terminal) stops it. If run returns while nobody asked it to
// stop, the process exits with status 1 so the service manager restarts it.
func NewService(o ServiceOptions, run func(ctx context.Context) error) (service.Service, error) {
	if run == nil {
		return nil, errors.New("service: nothing to run")
	}
	return newService(o, run)
}

func newService(o ServiceOptions, run func(ctx context.Context) error) (service.Service, error) {
	cfg, err := serviceConfig(o)
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	s, err := service.New(&program{run: run, log: log, exit: os.Exit}, cfg)
	if err != nil {
		return nil, fmt.Errorf("setting up the %s service: %w", serviceName, err)
	}
	return s, nil
}

// Control performs install, uninstall, start, stop, restart or status.
// It returns what happened in words: for status "running", "stopped" or
// "not installed".
func Control(o ServiceOptions, action string) (string, error) {
	s, err := newService(o, nil)
	if err != nil {
		return "", err
	}
	switch action {
	case "status":
		st, err := s.Status()
		switch {
		case errors.Is(err, service.ErrNotInstalled), err != nil && sysvScriptMissing(s):
			return "not installed", nil
		case err != nil:
			return "", fmt.Errorf("reading %s service status: %w", serviceName, err)
		case st == service.StatusRunning:
			return "running", nil
		case st == service.StatusStopped:
			return "stopped", nil
		default:
			return "unknown", nil
		}
	case "install":
		// systemd refuses to start a unit whose working directory is missing.
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return "", fmt.Errorf("creating data folder for the service: %w", err)
		}
	case "uninstall", "start", "stop", "restart":
	default:
		return "", fmt.Errorf("unknown service action %q: use install, uninstall, start, stop, restart or status", action)
	}
	if err := service.Control(s, action); err != nil {
		return "", fmt.Errorf("%s %s service: %w", action, serviceName, err)
	}
	done := map[string]string{
		"install":   "installed",
		"uninstall": "uninstalled",
		"start":     "started",
		"stop":      "stopped",
		"restart":   "restarted",
	}
	return done[action], nil
}

// sysvScriptMissing reports whether kardianos fell back to SysV init (no
// systemd, as in most containers) and no init script is installed: its
// status check then fails instead of saying "not installed".
func sysvScriptMissing(s service.Service) bool {
	if s.Platform() != "unix-systemv" {
		return false
	}
	_, err := os.Stat("/etc/init.d/" + serviceName)
	return errors.Is(err, fs.ErrNotExist)
}

// serviceConfig builds the kardianos configuration for o.
func serviceConfig(o ServiceOptions) (*service.Config, error) {
	if !filepath.IsAbs(o.DataDir) {
		return nil, fmt.Errorf("service: data folder %q must be an absolute path: a service does not start in your current folder", o.DataDir)
	}
	exe := o.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("service: finding the pitlane binary: %w", err)
		}
	}
	exe, err := filepath.Abs(exe)
	if err != nil {
		return nil, fmt.Errorf("service: resolving binary path %q: %w", o.Executable, err)
	}
	dataDir := filepath.Clean(o.DataDir)
	args := append([]string{"serve", "--data", dataDir}, o.Args...)
	for _, v := range append([]string{exe}, args...) {
		// One value per line in the service definition, and kardianos
		// renders it as a template.
		if strings.ContainsAny(v, "\x00\r\n") || strings.Contains(v, "{{") {
			return nil, fmt.Errorf("service: %q cannot be written into a service definition", v)
		}
	}
	cfg := &service.Config{
		Name:             serviceName,
		DisplayName:      serviceDisplayName,
		Description:      serviceDescription,
		Executable:       exe,
		Arguments:        args,
		WorkingDirectory: dataDir,
		Option: service.KeyValue{
			"Restart": "on-failure",
			// Windows recovery; kardianos exports these names only in its
			// Windows build.
			"StartType":              "automatic",
			"OnFailure":              "restart",
			"OnFailureDelayDuration": restartDelay.String(),
			"OnFailureResetPeriod":   int((24 * time.Hour).Seconds()),
		},
	}
	if runtime.GOOS == "linux" {
		// Wants pulls the target in, After orders us behind it: ACME needs
		// the network at start.
		cfg.Dependencies = []string{"Wants=network-online.target", "After=network-online.target"}
		unit, err := systemdUnit(cfg)
		if err != nil {
			return nil, err
		}
		// Our own unit so that install writes exactly what DryRun shows.
		cfg.Option["SystemdScript"] = unit
	}
	return cfg, nil
}

// program adapts a blocking run function to kardianos' Start/Stop.
type program struct {
	run  func(ctx context.Context) error
	log  *slog.Logger
	exit func(code int)

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	err    error // run's result, readable once done is closed
}

func (p *program) Start(service.Service) error {
	if p.run == nil {
		return errors.New("service: nothing to run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	p.mu.Lock()
	p.cancel, p.done = cancel, done
	p.mu.Unlock()
	go func() {
		err := p.run(ctx)
		p.err = err
		asked := ctx.Err() != nil
		close(done)
		if asked {
			return
		}
		p.log.Error("pitlane stopped by itself; exiting so the service manager restarts it", "err", err)
		p.exit(1)
	}()
	return nil
}

func (p *program) Stop(service.Service) error {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-done:
		if p.err != nil && !errors.Is(p.err, context.Canceled) {
			return fmt.Errorf("pitlane stopped with an error: %w", p.err)
		}
		return nil
	case <-timer.C:
		return fmt.Errorf("pitlane did not stop within %s", stopTimeout)
	}
}
