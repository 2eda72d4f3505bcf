package bench

import (
	"syscall"
	"time"
)

// sleepUntil returns at t, or as soon after as the kernel wakes the
// thread. A Go timer in a process with nothing else to do fires up to a
// millisecond late, since the runtime's network poller waits in whole
// milliseconds (measured here: 0.6 ms late at p50, 1.1 ms at p99, against
// 0.14 and 0.19 ms for nanosleep); the open loop would count that as the
// appliance's latency, and more of it while the appliance idles than while
// it is busy. nanosleep blocks this goroutine's thread on the kernel's
// high-resolution timer instead; the runtime runs other goroutines on
// other threads meanwhile.
func sleepUntil(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		// Interrupted by a signal (the runtime's own, to preempt), it
		// returns early, and the loop sleeps the rest.
		_ = syscall.Nanosleep(&ts, nil)
	}
}
