package notify

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// senderNice is the sender's nice value: below the staff's pages, above
// background chores.
const senderNice = 10

// lowerPriority lowers the sender's own CPU priority. Linux keeps a nice
// value per thread and a new thread takes its creator's, so each thread
// that already exists is lowered.
func lowerPriority() {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return
	}
	for _, t := range tasks {
		if tid, err := strconv.Atoi(t.Name()); err == nil {
			_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, senderNice)
		}
	}
}

// belowNormal sets nothing on Linux: the sender lowers itself.
func belowNormal(*exec.Cmd) {}
