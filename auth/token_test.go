package auth

import (
	"encoding/base64"
	"regexp"
	"testing"
)

func TestNewToken(t *testing.T) {
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 1000 {
		tok := NewToken()
		if !urlSafe.MatchString(tok) {
			t.Fatalf("token %q is not 43 URL-safe characters", tok)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q does not decode to 32 bytes: %d, %v", tok, len(raw), err)
		}
		if seen[tok] {
			t.Fatalf("token %q returned twice", tok)
		}
		seen[tok] = true
	}
}

func TestHashToken(t *testing.T) {
	tests := []struct {
		name, token, want string
	}{
		// FIPS 180-2 test vectors: the stored form must be plain SHA-256 hex,
		// or every session and API key in a database breaks.
		{"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HashToken(tt.token); got != tt.want {
				t.Errorf("HashToken(%q) = %s, want %s", tt.token, got, tt.want)
			}
		})
	}
	t.Run("same token same hash, other token other hash", func(t *testing.T) {
		tok := NewToken()
		if HashToken(tok) != HashToken(tok) {
			t.Error("hash of a token changes between calls")
		}
		if HashToken(tok) == HashToken(NewToken()) {
			t.Error("two tokens share a hash")
		}
	})
}
