package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"pitlane/config"
	"pitlane/installer"
)

func defaultServiceData() string { return installer.DefaultDataDir(true) }

// cmdInstall installs the service that runs `pitlane serve` with the given
// options. They are checked as serve would check them, so a typo fails here
// rather than in a service that keeps restarting. Only flags are written
// into the service: the environment of this shell is not.
func cmdInstall(_ context.Context, e *env, args []string) error {
	dryRun := false
	var serveArgs []string
	for _, a := range args {
		if a == "--dry-run" || a == "-dry-run" {
			dryRun = true
			continue
		}
		serveArgs = append(serveArgs, a)
	}
	dataArgs, rest := splitData(serveArgs)
	if len(dataArgs) == 0 {
		dataArgs = []string{"--data", defaultServiceData()}
	}
	noEnv := func(string) string { return "" }
	cfg, err := config.Parse("pitlane install", append(dataArgs, rest...), noEnv, io.Discard)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(e.stdout, "Usage: pitlane install [--dry-run] [serve options]\n\n"+
			"Installs the system service running pitlane serve with these options (data folder %s unless --data).\n"+
			"--dry-run prints the service definition and installs nothing.\n\n", defaultServiceData())
		config.PrintHelp(e.stdout, "pitlane install")
		return errHelp
	}
	if err != nil {
		return usageError{fmt.Errorf("install: %w (pitlane install --help lists the options)", err)}
	}
	opts := installer.ServiceOptions{DataDir: cfg.DataDir, Args: rest}
	if dryRun {
		def, err := installer.DryRun(opts)
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, def)
		return nil
	}
	done, err := installer.Control(opts, "install")
	if err != nil {
		return fmt.Errorf("%w%s", err, adminHint())
	}
	fmt.Fprintf(e.stdout, "Pitlane service %s, data folder %s. Start it with: pitlane start\n", done, cfg.DataDir)
	return nil
}

// splitData separates the --data option (both spellings, with = or as two
// words) from the other arguments: the service definition names the data
// folder itself.
func splitData(args []string) (data, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--data" || a == "-data":
			data = append(data, a)
			if i+1 < len(args) {
				data = append(data, args[i+1])
				i++
			}
		case strings.HasPrefix(a, "--data=") || strings.HasPrefix(a, "-data="):
			data = append(data, a)
		default:
			rest = append(rest, a)
		}
	}
	return data, rest
}

// serviceAction runs uninstall, start, stop or status.
func serviceAction(action string) command {
	return func(_ context.Context, e *env, args []string) error {
		fs := flags(action)
		if err := parse(e, fs, args); err != nil {
			return err
		}
		done, err := installer.Control(installer.ServiceOptions{DataDir: defaultServiceData()}, action)
		if err != nil {
			return fmt.Errorf("%w%s", err, adminHint())
		}
		fmt.Fprintf(e.stdout, "Pitlane service: %s\n", done)
		return nil
	}
}

// adminHint says how to retry when the command probably lacked the rights
// the service manager asks for.
func adminHint() string {
	switch {
	case runtime.GOOS == "windows":
		return " (service commands need an administrator prompt)"
	case os.Geteuid() != 0:
		return " (service commands need root: try sudo)"
	}
	return ""
}
