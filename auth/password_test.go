package auth

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"pitlane/store"
)

// hashWith writes a hash in HashPassword's format with any parameters, so
// tests can stand for hashes made by an older or newer Pitlane.
func hashWith(pw string, salt []byte, time, mem uint32, threads uint8, keyLen uint32) string {
	key := argon2.IDKey([]byte(pw), salt, time, mem, threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, mem, time, threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

func TestPasswordHashing(t *testing.T) {
	const pw = "correct horse battery"
	hash, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	other, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if hash == other {
		t.Errorf("two hashes of the same password are equal (%s): the salt is not random", hash)
	}
	// Cheap parameters (64 KiB, one pass, two lanes, 24-byte key), unlike the
	// current ones: a stored hash must carry everything needed to check it.
	legacy := hashWith(pw, []byte("0123456789abcdef"), 1, 64, 2, 24)

	tests := []struct {
		name    string
		encoded string
		pw      string
		want    bool
	}{
		{"right password", hash, pw, true},
		{"second hash of the same password", other, pw, true},
		{"wrong password", hash, "correct horse battery!", false},
		{"empty password", hash, "", false},
		{"hash made with other parameters", legacy, pw, true},
		{"hash made with other parameters, wrong password", legacy, "wrong horse battery", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.encoded, tt.pw)
			if err != nil {
				t.Fatalf("VerifyPassword: %v", err)
			}
			if ok != tt.want {
				t.Errorf("VerifyPassword = %v, want %v", ok, tt.want)
			}
		})
	}
}

// An unknown username costs what a wrong password does: its check runs
// against a hash of the same form and cost as the ones stored.
func TestUnknownUserIsCheckedAtFullCost(t *testing.T) {
	real, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	rp, dp := strings.Split(real, "$"), strings.Split(dummyHash, "$")
	if len(dp) != 6 || dp[1] != rp[1] || dp[2] != rp[2] || dp[3] != rp[3] || len(dp[4]) != len(rp[4]) || len(dp[5]) != len(rp[5]) {
		t.Errorf("the unknown user's hash %q differs in form or cost from a stored one, %q", dummyHash, real)
	}
	if ok, err := VerifyPassword(dummyHash, "correct horse battery"); ok || err != nil {
		t.Errorf("the unknown user's hash verifies: %t, %v", ok, err)
	}
	if VerifyUnknown("correct horse battery") {
		t.Error("an unknown user was let in")
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	const good = "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$c2VjcmV0LWtleS1ieXRlcy0xMjM0"
	tests := []struct {
		name    string
		encoded string
	}{
		{"empty", ""},
		{"plain text", "hunter2hunter2"},
		{"argon2i prefix", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"bcrypt hash", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"wrong version", strings.Replace(good, "v=19", "v=16", 1)},
		{"version not a number", strings.Replace(good, "v=19", "v=x", 1)},
		{"zero threads", strings.Replace(good, "p=1", "p=0", 1)},
		{"threads overflow", strings.Replace(good, "p=1", "p=257", 1)},
		{"zero passes", strings.Replace(good, "t=1", "t=0", 1)},
		{"parameters missing", strings.Replace(good, "m=64,t=1,p=1", "m=64", 1)},
		{"negative memory", strings.Replace(good, "m=64", "m=-64", 1)},
		{"salt not base64", strings.Replace(good, "MDEyMzQ1Njc4OWFiY2RlZg", "!!!!", 1)},
		{"key not base64", strings.Replace(good, "c2VjcmV0LWtleS1ieXRlcy0xMjM0", "@@@@", 1)},
		{"key empty", strings.TrimSuffix(good, "c2VjcmV0LWtleS1ieXRlcy0xMjM0")},
		{"key missing", good[:strings.LastIndex(good, "$")]},
		{"extra part", good + "$extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.encoded, "hunter2hunter2")
			if ok || err == nil {
				t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", tt.encoded, ok, err)
			}
		})
	}
}

const absurdCostChild = "PITLANE_TEST_ABSURD_COST_CHILD"

// A corrupt or hand-edited hash must fail the login, not take the service
// down: argon2 would allocate m KiB (here 4 TiB, a fatal out-of-memory that
// recover cannot catch) or run t passes (here for days). The check runs in a
// child process with a capped address space so a failure stays contained.
func TestVerifyPasswordRefusesAbsurdCost(t *testing.T) {
	absurd := []struct {
		name    string
		encoded string
	}{
		{"4 TiB of memory", "$argon2id$v=19$m=4294967295,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$c2VjcmV0LWtleS1ieXRlcy0xMjM0"},
		{"4 billion passes", "$argon2id$v=19$m=8,t=4294967295,p=1$MDEyMzQ1Njc4OWFiY2RlZg$c2VjcmV0LWtleS1ieXRlcy0xMjM0"},
	}
	if os.Getenv(absurdCostChild) != "" {
		if err := limitAddressSpace(1 << 30); err != nil {
			t.Fatalf("cap address space: %v", err)
		}
		for _, tt := range absurd {
			t.Run(tt.name, func(t *testing.T) {
				if ok, err := VerifyPassword(tt.encoded, "hunter2hunter2"); ok || err == nil {
					t.Errorf("VerifyPassword = %v, %v; want false and an error", ok, err)
				}
			})
		}
		return
	}
	if err := canLimitAddressSpace(); err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestVerifyPasswordRefusesAbsurdCost$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), absurdCostChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		lines := strings.SplitN(string(out), "\n", 15)
		t.Fatalf("verifying hashes that ask for absurd cost did not fail cleanly (%v):\n%s",
			err, strings.Join(lines[:min(len(lines), 14)], "\n"))
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name     string
		pw       string
		wantKey  string // field message key; empty means accepted
		wantArgs []any
	}{
		{"nine characters", "abcdefghi", "password.error.too_short", []any{"min", "10"}},
		{"ten characters", "abcdefghij", "", nil},
		{"empty", "", "password.error.too_short", []any{"min", "10"}},
		{"nine accented letters, eighteen bytes", "àèìòùàèìò", "password.error.too_short", []any{"min", "10"}},
		{"ten accented letters", "àèìòùàèìòù", "", nil},
		{"ten emoji", strings.Repeat("🔧", 10), "", nil},
		{"whitespace only", "  \t  \n    ", "common.error.required", nil},
		{"spaces inside count", "pass word!", "", nil},
		{"1024 bytes", strings.Repeat("a", 1024), "", nil},
		{"1025 bytes", strings.Repeat("a", 1025), "common.error.too_long", []any{"max", "1024"}},
		{"300 emoji, 1200 bytes", strings.Repeat("🔧", 300), "common.error.too_long", []any{"max", "1024"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword("new_password", tt.pw)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("CheckPassword refused an acceptable password: %v", err)
				}
				return
			}
			e, ok := store.AsError(err)
			if !ok || e.Code != store.CodeInvalid || len(e.Fields) != 1 {
				t.Fatalf("CheckPassword = %v, want one invalid field", err)
			}
			f := e.Fields[0]
			if f.Field != "new_password" || f.Key != tt.wantKey {
				t.Errorf("field error = %s: %s, want new_password: %s", f.Field, f.Key, tt.wantKey)
			}
			if fmt.Sprint(f.Args) != fmt.Sprint(tt.wantArgs) {
				t.Errorf("message args = %v, want %v", f.Args, tt.wantArgs)
			}
		})
	}
}

// Fuzzing is for the parser; parameters that would make a single call slow
// are skipped here (TestVerifyPasswordRefusesAbsurdCost covers them).
func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$c2VjcmV0LWtleS1ieXRlcy0xMjM0", "hunter2hunter2")
	f.Add(hashWith("pw", []byte("saltsalt"), 1, 8, 1, 16), "pw")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", "")
	f.Add("$argon2id$v=19$m=8,t=1,p=0$$", "x")
	f.Add("$$$$$", "x")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		parts := strings.Split(encoded, "$")
		if len(parts) == 6 {
			var mem, iter uint32
			var threads uint8
			if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err == nil && (mem > 1024 || iter > 2) {
				t.Skip("costly parameters")
			}
		}
		ok, err := VerifyPassword(encoded, pw)
		if ok && err != nil {
			t.Errorf("VerifyPassword = true with error %v", err)
		}
		if (len(parts) != 6 || parts[1] != "argon2id") && (ok || err == nil) {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error for a non-argon2id hash", encoded, ok, err)
		}
	})
}
