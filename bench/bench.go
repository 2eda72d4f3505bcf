// Package bench measures the appliance under load: it seeds a synthetic
// dealership, runs the real server in-process on a loopback port and drives
// named scenarios against it, reporting throughput and latency percentiles.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"pitlane/store"
)

// Config is one benchmark run.
type Config struct {
	DataDir     string         // empty: a temporary folder, removed afterwards
	Size        Size           // dataset to seed (or find already seeded)
	Scenarios   []string       // names, in run order; empty: all
	Warmup      time.Duration  // load before each window that is not measured
	Window      time.Duration  // measured time per scenario
	Concurrency map[string]int // workers per scenario, overriding its default
	CPUProfile  string         // file for a CPU profile of the measured load; empty: none
	Out         io.Writer      // the report; nil: discarded
	Logger      *slog.Logger   // the appliance's log; nil: discarded
	// PushInProcess runs the push scenario's push service in this process
	// instead of its own (which only pitlane-bench can start: see
	// IsPushServiceProcess).
	PushInProcess bool

	// profile starts the CPU profile of a scenario that runs itself (run
	// rather than prepare), around what it measures; Run sets it.
	profile func() (stop func() error, err error)
}

// profiled runs f, the measured part of a scenario that runs itself,
// under the CPU profile when one was asked for.
func (c Config) profiled(f func()) error {
	if c.profile == nil {
		f()
		return nil
	}
	stop, err := c.profile()
	if err != nil {
		return err
	}
	f()
	return stop()
}

// Report is what a run measured.
type Report struct {
	Seed    SeedReport
	Results []Result
}

// Run seeds the dataset, starts the appliance and runs the scenarios one
// after the other, printing a line for each as it finishes.
func Run(ctx context.Context, cfg Config) (rep Report, err error) {
	plan, err := cfg.plan()
	if err != nil {
		return rep, err
	}
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dir := cfg.DataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "pitlane-bench-*"); err != nil {
			return rep, err
		}
		defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	}
	printRuntime(out)
	st, err := store.Open(dir, store.Options{Logger: log})
	if err != nil {
		return rep, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()

	fmt.Fprintf(out, "dataset: %s in %s\n", cfg.Size, dir)
	if rep.Seed, err = Seed(st, cfg.Size, out); err != nil {
		return rep, fmt.Errorf("seed: %w", err)
	}
	printSeed(out, rep.Seed)

	a, err := startAppliance(ctx, dir, st, log)
	if err != nil {
		return rep, err
	}
	defer func() { err = errors.Join(err, a.stop()) }()
	a.job, a.week = rep.Seed.Job, rep.Seed.Week
	fmt.Fprintf(out, "appliance: %s, %v warm-up then %v measured per scenario; garbage collector: %s\n", a.base, cfg.Warmup, cfg.Window, a.gc)
	fmt.Fprintln(out)

	printHeader(out)
	for _, p := range plan {
		if p.run != nil {
			cfg := cfg
			cfg.profile = func() (func() error, error) { return startProfile(cfg.CPUProfile, p.name, len(plan)) }
			r, err := p.run(ctx, a, p.concurrency, cfg)
			if err != nil {
				return rep, fmt.Errorf("%s: %w", p.name, err)
			}
			r.RSS, r.Heap = memory()
			printResult(out, r)
			rep.Results = append(rep.Results, r)
			continue
		}
		do, cleanup, err := p.prepare(ctx, a, p.concurrency)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", p.name, err)
		}
		stopProfile, err := startProfile(cfg.CPUProfile, p.name, len(plan))
		if err != nil {
			cleanup()
			return rep, err
		}
		r := measure(ctx, p.name, p.concurrency, cfg.Warmup, cfg.Window, do)
		cleanup()
		if err := stopProfile(); err != nil {
			return rep, err
		}
		r.RSS, r.Heap = memory()
		printResult(out, r)
		rep.Results = append(rep.Results, r)
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// plan checks the configuration and resolves the scenarios to run with
// their concurrency.
func (cfg Config) plan() ([]scenario, error) {
	if err := cfg.Size.check(); err != nil {
		return nil, err
	}
	if cfg.Window <= 0 || cfg.Warmup < 0 {
		return nil, errors.New("the measured window must be positive and the warm-up not negative")
	}
	names := cfg.Scenarios
	if len(names) == 0 {
		names = Scenarios()
	}
	for name, n := range cfg.Concurrency {
		if _, ok := findScenario(name); !ok {
			return nil, fmt.Errorf("concurrency for unknown scenario %q (known: %v)", name, Scenarios())
		}
		if n < 1 {
			return nil, fmt.Errorf("concurrency of %s must be at least 1", name)
		}
	}
	var plan []scenario
	for _, name := range names {
		s, ok := findScenario(name)
		if !ok {
			return nil, fmt.Errorf("unknown scenario %q (known: %v)", name, Scenarios())
		}
		if n, ok := cfg.Concurrency[name]; ok {
			s.concurrency = n
		}
		plan = append(plan, s)
	}
	return plan, nil
}

// startProfile profiles the CPU while one scenario runs (not its set-up, such
// as the dashboard's sign-ins or the push scenario's subscriptions). With
// several scenarios, each gets its own file: "cpu.prof" becomes
// "cpu.login.prof" and so on.
func startProfile(path, scenario string, scenarios int) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	if scenarios > 1 {
		ext := filepath.Ext(path)
		path = strings.TrimSuffix(path, ext) + "." + scenario + ext
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
