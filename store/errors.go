package store

import (
	"errors"
	"fmt"
	"strings"
)

// Code is the stable, machine-readable kind of an error. The HTTP layer maps
// each code to one status in one place; clients may rely on the strings.
type Code string

const (
	CodeInvalid      Code = "invalid"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeForbidden    Code = "forbidden"
	CodeUnauthorized Code = "unauthorized"
	CodeRateLimited  Code = "rate_limited"
)

// FieldError names the input field at fault and the catalogue key of the
// message that tells the user what to fix.
type FieldError struct {
	Field string `json:"field"`
	Key   string `json:"key"`
	Args  []any  `json:"-"`
}

// Error is the typed error every store operation returns for a failure the
// user can act on. Anything else is an internal error.
type Error struct {
	Code   Code
	Key    string // catalogue key of the overall message
	Args   []any  // placeholder name/value pairs for Key
	Fields []FieldError
	// Existing is the record a conflict collided with, so the user can be
	// shown it instead of typing it in again.
	Existing uint64
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Key)
	}
	return b.String()
}

// NotFound says the record does not exist (or the caller may not know it does).
func NotFound() error { return &Error{Code: CodeNotFound, Key: "errors.not_found"} }

// Forbidden says the caller is known but may not do this.
func Forbidden() error { return &Error{Code: CodeForbidden, Key: "errors.forbidden"} }

// Conflict says the change collides with existing data; key tells how.
func Conflict(key string, args ...any) error {
	return &Error{Code: CodeConflict, Key: key, Args: args}
}

// Invalid reports one bad field.
func Invalid(field, key string, args ...any) error {
	return &Error{Code: CodeInvalid, Key: "errors.invalid", Fields: []FieldError{{Field: field, Key: key, Args: args}}}
}

// Validation collects field errors so a form can show all of them at once.
type Validation struct{ fields []FieldError }

// Add records a bad field.
func (v *Validation) Add(field, key string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Key: key, Args: args})
}

// Err returns nil when nothing was added.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Key: "errors.invalid", Fields: v.fields}
}

// AsError returns the typed error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is a typed error with the given code.
func Is(err error, code Code) bool {
	e, ok := AsError(err)
	return ok && e.Code == code
}

// ErrSchemaTooNew means the database was written by a newer Pitlane.
var ErrSchemaTooNew = errors.New("the database was created by a newer version of Pitlane; install that version or newer")

// ErrLocked means another process (usually the running service) holds the database.
var ErrLocked = errors.New("the database is in use by another Pitlane process")
