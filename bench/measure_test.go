package bench

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name string
		lat  []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p90 of ten is the ninth", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{"p99 of ten is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p100 is the max", ms(1, 5, 9), 100, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Result{Latencies: tt.lat}).Percentile(tt.p); got != tt.want {
				t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

// TestMeasureDiscardsWarmup checks that requests completing during the
// warm-up are neither counted as successes nor as errors.
func TestMeasureDiscardsWarmup(t *testing.T) {
	start := time.Now()
	warmup := 150 * time.Millisecond
	r := measure(context.Background(), "t", 2, warmup, 200*time.Millisecond, func(context.Context, int) error {
		time.Sleep(5 * time.Millisecond)
		if time.Since(start) < warmup {
			return errors.New("still warming up")
		}
		return nil
	})
	if r.Errors != 0 {
		t.Errorf("%d warm-up errors counted", r.Errors)
	}
	if r.Requests == 0 || r.Requests > 2*200/5 {
		t.Errorf("%d requests in a 200 ms window of 2 workers taking 5 ms each", r.Requests)
	}
	for i := 1; i < len(r.Latencies); i++ {
		if r.Latencies[i] < r.Latencies[i-1] {
			t.Fatal("latencies not sorted")
		}
	}
}

// TestOpenLoopCountsLateStarts checks the open loop's bookkeeping: it
// starts staffRate requests a second, each timed from when it was due, so
// a slow request that holds up the next one of its worker shows in that
// one's latency and lateness too.
func TestOpenLoopCountsLateStarts(t *testing.T) {
	interval := time.Second / staffRate
	slow := time.Duration(loopWorkers+3) * interval // past the worker's next turn
	r := openLoop(context.Background(), 3*loopWorkers*interval, nil, func(_ context.Context, i int) error {
		if i == 0 {
			time.Sleep(slow)
		}
		if i == 1 {
			return errors.New("refused")
		}
		return nil
	})
	if want := 3*loopWorkers - 1; r.Requests != want || r.Errors != 1 || len(r.Late) != want {
		t.Fatalf("%d requests, %d errors, %d start times; want %d, 1, %d", r.Requests, r.Errors, len(r.Late), want, want)
	}
	// Request loopWorkers was due one turn after request 0 began and
	// started when it ended, three intervals late.
	if late := r.Late[len(r.Late)-1]; late < 3*interval {
		t.Errorf("latest start %v late, want ≥ %v", late, 3*interval)
	}
	if lat := r.Latencies[len(r.Latencies)-1]; lat < slow {
		t.Errorf("slowest latency %v, want ≥ %v", lat, slow)
	}
	if !slices.IsSorted(r.Latencies) || !slices.IsSorted(r.Late) {
		t.Error("not sorted")
	}
	// Without the slow one the loop is on time, give or take scheduling.
	if median := percentile(r.Late, 50); median > interval {
		t.Errorf("median start %v late: the loop does not keep its pace", median)
	}
}
