package bench

import (
	"context"
	"errors"
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
