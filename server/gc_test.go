package server

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	t.Setenv("GOGC", "")
	if got := TuneGC(); got != "400" {
		t.Errorf("TuneGC() = %q, want 400", got)
	}
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("the collector's target is %d, want %d", got, GCPercent)
	}

	// The operator's GOGC stands: the runtime applied it at start, and
	// TuneGC leaves the target alone.
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	if got := TuneGC(); got != "150 (GOGC)" {
		t.Errorf("with GOGC=150, TuneGC() = %q", got)
	}
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("with GOGC=150 the collector's target became %d", got)
	}
}
