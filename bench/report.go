package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func printRuntime(out io.Writer) {
	fmt.Fprintf(out, "runtime: %s %s/%s, GOMAXPROCS %d, %d CPUs\n", runtime.Version(), runtime.GOOS, runtime.GOARCH,
		runtime.GOMAXPROCS(0), runtime.NumCPU())
}

func printSeed(out io.Writer, s SeedReport) {
	how := "seeded"
	if s.Reused {
		how = "reused (already seeded)"
	}
	fmt.Fprintf(out, "dataset %s in %s; database file %s\n", how, s.Elapsed.Round(time.Millisecond), fmtBytes(s.DBBytes))
}

const lineFormat = "%-13s %5v %9v %10v %9v %9v %9v %9v %7v %9v %10v %10v %6v\n"

// printHeader names the columns. cpu/req is this process's CPU time per
// successful request, load generator included; rss and heap are read after
// the scenario (heap: live, after a collection); other is the share of the
// machine's CPU that other processes took during the window.
func printHeader(out io.Writer) {
	fmt.Fprintf(out, lineFormat, "scenario", "conc", "requests", "req/s", "p50", "p90", "p99", "max", "errors", "cpu/req", "rss", "heap", "other")
}

func printResult(out io.Writer, r Result) {
	rss := "-"
	if r.RSS > 0 {
		rss = fmtBytes(r.RSS)
	}
	cpu, other := "-", "-"
	if r.CPU > 0 {
		cpu = fmtDur(r.CPUPerRequest())
	}
	if r.OtherCPU >= 0 {
		other = strconv.FormatFloat(100*r.OtherCPU, 'f', 0, 64) + "%"
	}
	fmt.Fprintf(out, lineFormat, r.Scenario, r.Concurrency, r.Requests, strconv.FormatFloat(r.Throughput(), 'f', 1, 64),
		fmtDur(r.Percentile(50)), fmtDur(r.Percentile(90)), fmtDur(r.Percentile(99)), fmtDur(r.Max()),
		r.Errors, cpu, rss, fmtBytes(int64(r.Heap)), other)
	if r.FirstError != nil {
		fmt.Fprintf(out, "  first error: %v\n", r.FirstError)
	}
}

// fmtDur keeps three significant figures.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	case d >= 100*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 0, 64) + "ms"
	case d >= 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + "ms"
	case d >= time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(float64(d)/1e3, 'f', 0, 64) + "µs"
}

func fmtBytes(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

// memory returns the process's resident set size (0 where /proc is not
// available) and its live heap after a collection.
func memory() (rss int64, heap uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return residentSetSize(), m.HeapAlloc
}

// residentSetSize reads VmRSS from /proc/self/status (Linux only).
func residentSetSize() int64 {
	if runtime.GOOS != "linux" {
		return 0
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
