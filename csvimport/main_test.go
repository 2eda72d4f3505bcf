package csvimport

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"pitlane/store"
)

var t0 = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

var rome, _ = time.LoadLocation("Europe/Rome")

var clerk = store.Actor{Kind: "user", UserID: 3, Name: "Marta Zecchini"}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.TempDir(), store.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
