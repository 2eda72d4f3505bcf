package control

import (
	"errors"
	"fmt"
	"strings"

	"pitlane/i18n"
	"pitlane/store"
)

// wireError is an error as it crosses the socket. A typed store error keeps
// its code, message key, arguments and fields, so the caller can explain it
// as if it had called the store itself; any other error travels as text.
type wireError struct {
	Code    store.Code  `json:"code,omitempty"`
	Key     string      `json:"key,omitempty"`
	Args    []any       `json:"args,omitempty"`
	Fields  []wireField `json:"fields,omitempty"`
	Message string      `json:"message"`
}

type wireField struct {
	Field string `json:"field"`
	Key   string `json:"key"`
	Args  []any  `json:"args,omitempty"`
}

func toWire(err error) *wireError {
	e, ok := store.AsError(err)
	if !ok {
		return &wireError{Message: err.Error()}
	}
	w := &wireError{Code: e.Code, Key: e.Key, Args: e.Args, Message: e.Error()}
	for _, f := range e.Fields {
		w.Fields = append(w.Fields, wireField{Field: f.Field, Key: f.Key, Args: f.Args})
	}
	return w
}

func (w *wireError) err() error {
	if w.Code == "" {
		return errors.New(w.Message)
	}
	e := &store.Error{Code: w.Code, Key: w.Key, Args: w.Args}
	for _, f := range w.Fields {
		e.Fields = append(e.Fields, store.FieldError{Field: f.Field, Key: f.Key, Args: f.Args})
	}
	return e
}

// Message explains err in one line of English for the command line: a
// store error through the message catalogue, naming each field at fault.
func Message(err error) string {
	e, ok := store.AsError(err)
	if !ok {
		return err.Error()
	}
	if len(e.Fields) == 0 {
		return english(e.Key, e.Args)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + english(f.Key, f.Args)
	}
	return strings.Join(parts, "; ")
}

// english looks key up in the English catalogue; a key the catalogue lacks
// is shown as it is, with its arguments, rather than as "[[key]]".
func english(key string, args []any) string {
	if i18n.Has(key) {
		return i18n.T(i18n.English, key, args...)
	}
	if len(args) == 0 {
		return key
	}
	return fmt.Sprintf("%s %v", key, args)
}
