package notify

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// senderNice is the sender's nice value where its threads cannot be put
// in the idle class.
const senderNice = 10

// lowerPriority puts the sender's threads in Linux's idle scheduling class
// (SCHED_IDLE): they run on what CPU time nothing else wants, and a thread
// of any other process that wakes up takes the CPU from them at once.
// A nice value alone is not enough: a niced thread still keeps the CPU for
// the rest of its time slice when one of the staff's wakes up. Measured
// here, a thread waking every 10 ms next to two busy nice-19 threads
// waited 1.4 to 3.8 ms at p99, and 0.14 ms next to two idle-class ones.
// On two cores, the staff's dashboard p99 while ten thousand
// notifications went out fell from 6.7–8.8 ms (nice 10) to 5.1–5.4 ms.
// The cost is that the sender waits while the machine is saturated (a
// reindex), and a request that times out meanwhile is retried later.
//
// Linux keeps the policy and nice value per thread, and a new thread takes
// its creator's, so each thread that already exists is lowered.
func lowerPriority() {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return
	}
	for _, t := range tasks {
		if tid, err := strconv.Atoi(t.Name()); err == nil {
			_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, senderNice)
			_ = unix.SchedSetAttr(tid, &unix.SchedAttr{Policy: unix.SCHED_IDLE}, 0)
		}
	}
}

// belowNormal sets nothing on Linux: the sender lowers itself.
func belowNormal(*exec.Cmd) {}
