package backup

import (
	"context"
	"time"
)

// DefaultCPUShare is how much of one CPU a backup may use on average. A
// backup is a long stretch of hashing and compressing; on the two-core PC
// of a small garage, unpaced, it would take a whole core from the people
// using Pitlane, and their saves would wait behind it. Half a core keeps a
// nightly backup of a large dataset within a minute.
const DefaultCPUShare = 0.5

// pacer holds work to a share of one CPU: after each stretch of work it
// rests in proportion to how long the stretch took.
type pacer struct {
	share float64 // of one CPU; ≤ 0 or ≥ 1: never rests
	from  time.Time
	owed  time.Duration
}

// minRest batches short rests into one: timers are coarse.
const minRest = 5 * time.Millisecond

// step marks the end of a stretch of work, resting if enough is owed.
func (p *pacer) step(ctx context.Context) error {
	if p == nil || p.share <= 0 || p.share >= 1 {
		return nil
	}
	now := time.Now()
	if !p.from.IsZero() {
		p.owed += time.Duration(float64(now.Sub(p.from)) * (1/p.share - 1))
	}
	if p.owed >= minRest {
		t := time.NewTimer(p.owed)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		p.owed = 0
		now = time.Now()
	}
	p.from = now
	return nil
}
