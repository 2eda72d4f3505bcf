package bench

import (
	"runtime"
	"time"
)

// cpuSample is the machine's busy CPU time and this process's share of it,
// so a report can say how much of the machine other processes took: on a
// shared 2-core box that changes the figures more than any code change.
type cpuSample struct {
	ok          bool
	machineBusy time.Duration // all CPUs, from /proc/stat
	own         time.Duration // this process, user + system
	at          time.Time
}

// otherCPU is the share of the machine's CPU capacity that other processes
// (and other virtual machines, as steal) used between a and b; -1 when
// unknown.
func otherCPU(a, b cpuSample) float64 {
	wall := b.at.Sub(a.at)
	if !a.ok || !b.ok || wall <= 0 {
		return -1
	}
	other := (b.machineBusy - a.machineBusy) - (b.own - a.own)
	return min(max(float64(other)/(float64(wall)*float64(runtime.NumCPU())), 0), 1)
}
