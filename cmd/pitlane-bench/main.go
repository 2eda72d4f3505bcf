// Command pitlane-bench measures the appliance under load. It seeds a
// synthetic dealership into a data folder (or reuses one seeded at the same
// size), runs the real server in-process on 127.0.0.1 and drives the named
// scenarios against it — browser logins, the dashboard, a filled-in job's
// page, the calendar's busy week, durable store writes and API writes —
// printing throughput and latency percentiles for each.
// `make bench` runs it with $(BENCHFLAGS).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"pitlane/bench"
	"pitlane/notify"
)

func main() {
	// The push scenario starts this program again to be its push service.
	if bench.IsPushServiceProcess() {
		os.Exit(bench.ServePushService(os.Stdin, os.Stdout, os.Stderr))
	}
	// And again to be its staff, clicking in their browsers.
	if bench.IsStaffLoadProcess() {
		os.Exit(bench.ServeStaffLoad(os.Stdin, os.Stdout, os.Stderr))
	}
	// And again to be the appliance's push sender, as pitlane does.
	if notify.IsSenderProcess() {
		os.Exit(notify.ServeSender(os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "pitlane-bench:", err)
		return 2
	}
	cfg.Out = stdout
	// The appliance's own warnings and errors still reach the terminal.
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "pitlane-bench:", err)
		return 1
	}
	for _, r := range rep.Results {
		if r.Errors > 0 {
			fmt.Fprintf(stderr, "pitlane-bench: %s had %d failed requests\n", r.Scenario, r.Errors)
			return 1
		}
	}
	return 0
}

func parse(args []string, stderr io.Writer) (bench.Config, error) {
	fs := flag.NewFlagSet("pitlane-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.Config
	fs.StringVar(&cfg.DataDir, "data", "", "data folder to seed or reuse (default: a temporary folder, removed afterwards)")
	fs.IntVar(&cfg.Size.Customers, "customers", 10_000, "customers in the dataset")
	fs.IntVar(&cfg.Size.Vehicles, "vehicles", 0, "vehicles in the dataset (default 2 × customers)")
	fs.IntVar(&cfg.Size.Jobs, "jobs", 0, "jobs in the dataset (default 5 × customers)")
	names := fs.String("scenarios", strings.Join(bench.Scenarios(), ","), "comma-separated scenarios to run, in order")
	fs.DurationVar(&cfg.Window, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&cfg.Warmup, "warmup", time.Second, "unmeasured load before each scenario's measured time")
	conc := fs.String("concurrency", "", "workers: N for every scenario, or name=N,… per scenario (default: each scenario's own)")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured load to this file; with several scenarios, one file each (cpu.prof → cpu.login.prof, …)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: pitlane-bench [flags]\n\nScenarios: %s\n\nFlags:\n", strings.Join(bench.Scenarios(), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["vehicles"] {
		cfg.Size.Vehicles = 2 * cfg.Size.Customers
	}
	if !set["jobs"] {
		cfg.Size.Jobs = 5 * cfg.Size.Customers
	}
	for _, n := range strings.Split(*names, ",") {
		if n = strings.TrimSpace(n); n != "" {
			cfg.Scenarios = append(cfg.Scenarios, n)
		}
	}
	var err error
	cfg.Concurrency, err = parseConcurrency(*conc)
	return cfg, err
}

// parseConcurrency reads "N" (every scenario) or "name=N,name=N".
func parseConcurrency(s string) (map[string]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	out := map[string]int{}
	if n, err := strconv.Atoi(s); err == nil {
		for _, name := range bench.Scenarios() {
			out[name] = n
		}
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return nil, fmt.Errorf("-concurrency: %q is not name=N", part)
		}
		out[strings.TrimSpace(name)] = n
	}
	return out, nil
}
