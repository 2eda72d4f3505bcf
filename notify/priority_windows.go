package notify

import (
	"os/exec"
	"syscall"
)

// belowNormalPriorityClass is Windows' BELOW_NORMAL_PRIORITY_CLASS.
const belowNormalPriorityClass = 0x00004000

// belowNormal starts the sender below the staff's pages in priority.
func belowNormal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: belowNormalPriorityClass}
}

// lowerPriority does nothing on Windows: the priority class was set at start.
func lowerPriority() {}

// lowerStarted does nothing on Windows: the priority class was set at start.
func lowerStarted(int) {}
