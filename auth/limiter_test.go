package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is the Limiter's clock in tests; advance moves it forward.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimiter(max int, window time.Duration) (*Limiter, *fakeClock) {
	l := NewLimiter(max, window)
	c := &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	l.now = c.now
	return l, c
}

// step is one thing that happens to a limiter: a failure, a reset, time
// passing, or a check of whether key is blocked and for how long.
type step struct {
	fail, reset, check string
	advance            time.Duration
	blocked            bool
	wait               time.Duration
}

func TestLimiter(t *testing.T) {
	const window = 15 * time.Minute
	tests := []struct {
		name  string
		max   int
		steps []step
	}{
		{"below the limit", 3, []step{
			{fail: "ip"}, {fail: "ip"},
			{check: "ip", blocked: false},
		}},
		{"blocks at the limit for the whole window", 3, []step{
			{fail: "ip"}, {fail: "ip"}, {fail: "ip"},
			{check: "ip", blocked: true, wait: window},
		}},
		{"reports the remaining wait", 3, []step{
			{fail: "ip"}, {advance: 4 * time.Minute}, {fail: "ip"}, {advance: 6 * time.Minute}, {fail: "ip"},
			{check: "ip", blocked: true, wait: 5 * time.Minute},
			{advance: 2 * time.Minute},
			{check: "ip", blocked: true, wait: 3 * time.Minute},
		}},
		{"forgets after the window", 2, []step{
			{fail: "ip"}, {fail: "ip"},
			{advance: window - time.Second},
			{check: "ip", blocked: true, wait: time.Second},
			{advance: time.Second},
			{check: "ip", blocked: false},
			{fail: "ip"},
			{check: "ip", blocked: false},
		}},
		{"window slides: only the oldest failure expires", 2, []step{
			{fail: "ip"}, {advance: 10 * time.Minute}, {fail: "ip"},
			{advance: 6 * time.Minute},
			{check: "ip", blocked: false},
			{fail: "ip"},
			{check: "ip", blocked: true, wait: 9 * time.Minute},
		}},
		{"reset clears", 2, []step{
			{fail: "alice"}, {fail: "alice"},
			{reset: "alice"},
			{check: "alice", blocked: false},
			{fail: "alice"},
			{check: "alice", blocked: false},
		}},
		{"keys are independent", 2, []step{
			{fail: "alice"}, {fail: "alice"}, {fail: "bob"},
			{check: "alice", blocked: true, wait: window},
			{check: "bob", blocked: false},
			{reset: "bob"},
			{check: "alice", blocked: true, wait: window},
		}},
		{"unknown key is not blocked", 1, []step{
			{check: "nobody", blocked: false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clock := newTestLimiter(tt.max, window)
			for i, s := range tt.steps {
				switch {
				case s.fail != "":
					l.Fail(s.fail)
				case s.reset != "":
					l.Reset(s.reset)
				case s.advance != 0:
					clock.advance(s.advance)
				case s.check != "":
					blocked, wait := l.Blocked(s.check)
					if blocked != s.blocked || wait != s.wait {
						t.Fatalf("step %d: Blocked(%q) = %v, %v; want %v, %v", i, s.check, blocked, wait, s.blocked, s.wait)
					}
				}
			}
		})
	}
}

// An attacker rotating keys must not grow memory once old entries expire.
func TestLimiterForgetsStaleKeys(t *testing.T) {
	l, clock := newTestLimiter(5, time.Minute)
	for i := range 100_000 {
		l.Fail(fmt.Sprint("10.0.", i/256, ".", i%256))
	}
	clock.advance(2 * time.Minute)
	l.Fail("fresh")
	l.mu.Lock()
	n := len(l.fails)
	l.mu.Unlock()
	if n != 1 {
		t.Errorf("limiter holds %d keys after every other key expired, want 1", n)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	const workers, each = 8, 50
	const max = workers*each + 1
	l := NewLimiter(max, time.Hour)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			own := fmt.Sprint("worker-", w)
			for range each {
				l.Fail("shared")
				l.Blocked("shared")
				l.Fail(own)
				l.Blocked(own)
				l.Reset(own)
			}
		})
	}
	wg.Wait()
	if blocked, _ := l.Blocked("shared"); blocked {
		t.Fatalf("blocked after %d failures, limit is %d", workers*each, max)
	}
	l.Fail("shared")
	if blocked, _ := l.Blocked("shared"); !blocked {
		t.Errorf("not blocked after %d failures: concurrent failures were lost", max)
	}
	for w := range workers {
		if blocked, _ := l.Blocked(fmt.Sprint("worker-", w)); blocked {
			t.Errorf("worker-%d blocked after its Reset", w)
		}
	}
}
