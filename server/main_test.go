package server

import (
	"os"
	"testing"
	"time"
)

// TestMain sets the server's own zone to Tokyo's, far from the demo
// dealership's (Rome), for the whole package: every test then also shows
// that what users see follows the dealership's zone, not the server's. It
// is set before any test starts, as servers' background goroutines (the
// HTTP date header's clock) read it: changing it while they run is a race.
func TestMain(m *testing.M) {
	time.Local = time.FixedZone("JST", 9*3600)
	os.Exit(m.Run())
}
