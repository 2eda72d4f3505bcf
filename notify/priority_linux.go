package notify

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The sender's scheduling on Linux: the lowest nice value, and a short
// time slice where the kernel takes one (EEVDF, Linux 6.12 and later).
//
// A nice value alone is not enough: a niced thread still keeps the CPU for
// the rest of its time slice (1.4 ms here) when one of the staff's wakes
// up. Measured on this project's two-core machine, a thread waking every
// 10 ms next to two busy nice-19 threads waited 1.4 to 3.8 ms at p99, and
// 0.13 ms when their slice was 100 µs. The idle scheduling class
// (SCHED_IDLE) gave the staff the same and starved the sender outright on
// a busy machine: its TLS handshakes timed out. At nice 19 it still gets
// a share (about 1.5 % of a CPU against each busy normal thread), so a
// reindex or a backup slows the messages down instead of failing them.
const (
	senderNice  = 19
	senderSlice = 100 * time.Microsecond
)

// lowerPriority lowers each of the sender's threads. Linux keeps the nice
// value and slice per thread, and a new thread takes its creator's, so
// each thread that already exists is lowered.
func lowerPriority() {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return
	}
	for _, t := range tasks {
		if tid, err := strconv.Atoi(t.Name()); err == nil {
			lowerThread(tid)
		}
	}
}

// lowerThread gives one thread the sender's nice value and time slice.
func lowerThread(tid int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, senderNice)
	// Older kernels ignore the slice; the nice value above stays.
	_ = unix.SchedSetAttr(tid, &unix.SchedAttr{Policy: unix.SCHED_NORMAL, Nice: senderNice,
		Runtime: uint64(senderSlice.Nanoseconds())}, 0)
}

// belowNormal sets nothing on Linux: see lowerStarted.
func belowNormal(*exec.Cmd) {}

// lowerStarted lowers the sender's main thread from the appliance as soon
// as it started, so the Go runtime's and the packages' start-up (a few
// milliseconds of CPU) already runs below the staff's pages; the threads
// the runtime starts from it take its priority, and the sender lowers any
// that started before (lowerPriority).
func lowerStarted(pid int) { lowerThread(pid) }
