package bench

import (
	"runtime"
	"testing"
	"time"
)

func TestOtherCPU(t *testing.T) {
	at := time.Now()
	sample := func(busy, own time.Duration, after time.Duration) cpuSample {
		return cpuSample{ok: true, machineBusy: busy, own: own, at: at.Add(after)}
	}
	// Over 10 s a machine of n CPUs offers n×10 s.
	capacity := time.Duration(runtime.NumCPU()) * 10 * time.Second
	tests := []struct {
		name string
		a, b cpuSample
		want float64
	}{
		{"alone", sample(0, 0, 0), sample(capacity/2, capacity/2, 10*time.Second), 0},
		{"a neighbour took a quarter", sample(time.Second, 0, 0), sample(time.Second+capacity/2, capacity/4, 10*time.Second), 0.25},
		{"unknown", cpuSample{at: at}, cpuSample{at: at.Add(time.Second)}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := otherCPU(tt.a, tt.b); got < tt.want-1e-9 || got > tt.want+1e-9 {
				t.Errorf("otherCPU = %v, want %v", got, tt.want)
			}
		})
	}
}
