//go:build !linux

package bench

import "time"

// sleepUntil returns at t, as closely as a Go timer allows.
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }
