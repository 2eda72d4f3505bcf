// Package auth hashes staff passwords, makes and hashes secret tokens, and
// slows down password guessing.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"pitlane/store"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes). Hashes
// record their own parameters, so raising these later keeps old ones valid.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Limits on the parameters a stored hash may ask for: a corrupt or
// hand-edited record must not make a login allocate terabytes or run for
// days.
const (
	maxArgonMemory = 256 * 1024 // KiB
	maxArgonTime   = 16
	maxArgonKeyLen = 64
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// hashSlots bounds concurrent hashing so a burst of logins cannot take all
// memory (each hash needs argonMemory KiB).
var hashSlots = make(chan struct{}, 2*runtime.NumCPU())

// CheckPassword says what is wrong with a new password, in catalogue keys.
func CheckPassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return store.Invalid(field, "password.error.too_short", "min", fmt.Sprint(MinPasswordLength))
	case len(pw) > 1024:
		return store.Invalid(field, "common.error.too_long", "max", "1024")
	case strings.TrimSpace(pw) == "":
		return store.Invalid(field, "common.error.required")
	}
	return nil
}

// HashPassword returns an encoded argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read random salt: %w", err)
	}
	hashSlots <- struct{}{}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	<-hashSlots
	return encodeHash(salt, key), nil
}

// encodeHash is the PHC string of an argon2id key at the current cost.
func encodeHash(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("malformed password hash")

// VerifyPassword reports whether pw matches the encoded hash.
func VerifyPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil || threads == 0 || iter == 0 || mem > maxArgonMemory || iter > maxArgonTime {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > maxArgonKeyLen {
		return false, errBadHash
	}
	hashSlots <- struct{}{}
	got := argon2.IDKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	<-hashSlots
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when the username is unknown, so a wrong
// username takes as long as a wrong password and does not reveal accounts.
// Verifying costs the same whatever the key, so no password is hashed for
// it: hashing one when the program starts cost every process 46 ms of CPU
// and 19 MiB, the push sender and each command line's included.
var dummyHash = encodeHash(make([]byte, saltLen), make([]byte, argonKeyLen))

// VerifyUnknown spends the time of one verification and returns false.
func VerifyUnknown(pw string) bool {
	_, _ = VerifyPassword(dummyHash, pw)
	return false
}
