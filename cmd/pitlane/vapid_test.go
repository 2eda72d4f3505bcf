package main

import (
	"strings"
	"testing"

	"pitlane/store"
)

func TestVAPID(t *testing.T) {
	dir := t.TempDir()
	failsWith(t, 1, "no Pitlane database", "", "vapid", "--data", dir)
	s, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	first := strings.TrimSpace(ok(t, "", "vapid", "--data", dir))
	// An uncompressed P-256 point, base64url without padding.
	if len(first) != 87 || strings.ContainsAny(first, "+/=") {
		t.Fatalf("vapid printed %q", first)
	}
	if again := strings.TrimSpace(ok(t, "", "vapid", "--data", dir)); again != first {
		t.Errorf("second run printed %q, first %q: the key must be kept", again, first)
	}
	s, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if k, err := s.VAPIDKeys(); err != nil || k.Public != first {
		t.Errorf("stored key %q, %v; printed %q", k.Public, err, first)
	}
}
