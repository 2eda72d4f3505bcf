package server

import (
	"fmt"
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target for the appliance, as GOGC
// sets it: a collection starts once the heap has grown to five times what
// the previous one left live. Go's default, 100, collects each time the
// heap doubles. The appliance keeps little live (15 to 50 MB, with ten
// thousand customers or a hundred thousand), so a campaign's thousands of
// small commits made it collect three times a second, and a staff page
// that ran into a collection waited behind its marking. At 400 collections
// are about four times rarer; the README's Benchmarks section has the
// figures.
const GCPercent = 400

// MemoryLimit bounds the heap as GOMEMLIMIT does: a burst that leaves much
// garbage at once (logins hash passwords in 19 MiB each) is collected at
// this size rather than five times its own. Live data stays far below it,
// so it does not make collections more frequent in normal work.
const MemoryLimit = 512 << 20

// TuneGC sets the garbage collector's target and the memory limit, unless
// the process's environment sets GOGC or GOMEMLIMIT: the runtime has then
// applied the operator's choice, which stands. It returns the settings in
// force, for the log.
func TuneGC() string {
	gogc, limit := os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT")
	if gogc == "" {
		debug.SetGCPercent(GCPercent)
		gogc = fmt.Sprint(GCPercent)
	} else {
		gogc += " (environment)"
	}
	if limit == "" {
		debug.SetMemoryLimit(MemoryLimit)
		limit = fmt.Sprintf("%dMiB", MemoryLimit>>20)
	} else {
		limit += " (environment)"
	}
	return "GOGC " + gogc + ", GOMEMLIMIT " + limit
}
