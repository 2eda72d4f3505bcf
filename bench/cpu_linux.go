package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is Linux's USER_HZ, the unit of /proc/stat; 100 on every
// architecture Go supports.
const clockTick = 10 * time.Millisecond

// sampleCPU reads the machine's busy time from /proc/stat and the process's
// own from getrusage.
func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return s
	}
	// user nice system idle iowait irq softirq steal: all but idle and iowait
	// are CPU someone used (steal: another virtual machine).
	for i, f := range fields[1:9] {
		if i == 3 || i == 4 {
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return s
		}
		s.machineBusy += time.Duration(n) * clockTick
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return s
	}
	s.own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	s.ok = true
	return s
}
