package server

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	if got, want := TuneGC(), "GOGC 400, GOMEMLIMIT 512MiB"; got != want {
		t.Errorf("TuneGC() = %q, want %q", got, want)
	}
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("the collector's target is %d, want %d", got, GCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != MemoryLimit {
		t.Errorf("the memory limit is %d, want %d", got, MemoryLimit)
	}

	// The operator's settings stand: the runtime applied them at start,
	// and TuneGC leaves them alone.
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "2GiB")
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(2 << 30)
	if got, want := TuneGC(), "GOGC 150 (environment), GOMEMLIMIT 2GiB (environment)"; got != want {
		t.Errorf("TuneGC() = %q, want %q", got, want)
	}
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("with GOGC=150 the collector's target became %d", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != 2<<30 {
		t.Errorf("with GOMEMLIMIT=2GiB the memory limit became %d", got)
	}
}
