package bench

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// op is one request of a scenario, made by worker w.
type op func(ctx context.Context, w int) error

// Result is one scenario's measurement. Only requests that completed inside
// the measured window count; those still running when it closes are
// finished but not recorded, as wrk does.
type Result struct {
	Scenario    string
	Concurrency int
	Window      time.Duration
	Requests    int             // successful requests
	Errors      int             // failed requests
	FirstError  error           // an example, nil when Errors is 0
	Latencies   []time.Duration // of the successful requests, sorted
	// Late is how late each successful request started after it was due,
	// sorted: only open loops (the push scenario's staff) fill it in.
	Late     []time.Duration
	OtherCPU float64       // share of the machine's CPU other processes used in the window; -1: unknown
	CPU      time.Duration // this process's CPU time in the window (server and load generator); 0: unknown
	RSS      int64         // resident set size afterwards, bytes; 0 where unknown
	Heap     uint64        // live heap afterwards, bytes
}

// Throughput is successful requests per second.
func (r Result) Throughput() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Window.Seconds()
}

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of the
// successful requests' latencies: the smallest latency that at least p % of
// them did not exceed.
func (r Result) Percentile(p float64) time.Duration { return percentile(r.Latencies, p) }

// percentile is the nearest-rank p-th percentile of sorted durations; 0
// when there are none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(n))) - 1
	return sorted[min(max(i, 0), n-1)]
}

// CPUPerRequest is the process's CPU time per successful request, load
// generator included: unlike throughput, it barely moves when other
// processes share the machine, so it is the figure to compare across runs.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// Max is the slowest successful request.
func (r Result) Max() time.Duration { return r.Percentile(100) }

// measure runs do on concurrency workers back to back (a closed loop, as
// browsers behind staff members are), discards the warm-up, then records
// every request that completes in the next window.
func measure(ctx context.Context, name string, concurrency int, warmup, window time.Duration, do op) Result {
	start := time.Now()
	from, to := start.Add(warmup), start.Add(warmup+window)
	type tally struct {
		lat   []time.Duration
		errs  int
		first error
	}
	tallies := make([]tally, concurrency)
	samples := make(chan cpuSample, 2)
	timers := []*time.Timer{
		time.AfterFunc(warmup, func() { samples <- sampleCPU() }),
		time.AfterFunc(warmup+window, func() { samples <- sampleCPU() }),
	}
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Go(func() {
			t := &tallies[w]
			for ctx.Err() == nil {
				begin := time.Now()
				if !begin.Before(to) {
					return
				}
				err := do(ctx, w)
				end := time.Now()
				if end.Before(from) || !end.Before(to) {
					continue
				}
				if err != nil {
					t.errs++
					if t.first == nil {
						t.first = err
					}
					continue
				}
				t.lat = append(t.lat, end.Sub(begin))
			}
		})
	}
	wg.Wait()
	r := Result{Scenario: name, Concurrency: concurrency, Window: window, OtherCPU: -1}
	if ctx.Err() == nil {
		a, b := <-samples, <-samples
		r.OtherCPU = otherCPU(a, b)
		if a.ok && b.ok {
			r.CPU = b.own - a.own
		}
	}
	for _, t := range timers {
		t.Stop()
	}
	for _, t := range tallies {
		r.Latencies = append(r.Latencies, t.lat...)
		r.Errors += t.errs
		if r.FirstError == nil {
			r.FirstError = t.first
		}
	}
	slices.Sort(r.Latencies)
	r.Requests = len(r.Latencies)
	if ctx.Err() != nil {
		// Cut short: the window did not run its full length.
		r.Window = max(time.Since(from), 0)
	}
	return r
}
