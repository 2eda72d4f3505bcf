package server

import (
	"os"
	"runtime/debug"
	"strconv"
)

// GCPercent is the garbage collector's target for the appliance, as GOGC
// sets it: a collection starts once the heap has grown to five times what
// the previous one left live. Go's default, 100, collects each time the
// heap doubles. The appliance keeps little live (15 to 20 MB with ten
// thousand customers), so a campaign's thousands of small commits made it
// collect three times a second, and a staff page that ran into a
// collection waited behind its marking. At 400 collections are about four
// times rarer, for a heap of 100 MB or so, little for a dealership PC; the
// README's Benchmarks section has the figures.
const GCPercent = 400

// TuneGC sets the garbage collector's target to GCPercent, unless GOGC is
// set in the process's environment: then the runtime has applied the
// operator's choice, which stands. It returns the target in force, for the
// log.
func TuneGC() string {
	if v := os.Getenv("GOGC"); v != "" {
		return v + " (GOGC)"
	}
	debug.SetGCPercent(GCPercent)
	return strconv.Itoa(GCPercent)
}
