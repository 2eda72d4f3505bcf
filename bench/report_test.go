package bench

import (
	"testing"
	"time"
)

func TestFmtDur(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Microsecond:   "850µs",
		2345 * time.Microsecond:  "2.35ms",
		12345 * time.Microsecond: "12.3ms",
		234 * time.Millisecond:   "234ms",
		2500 * time.Millisecond:  "2.50s",
	} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
}
