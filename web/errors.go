package web

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

// Status maps an error to its HTTP status: the one place this is decided.
func Status(err error) int {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	e, ok := store.AsError(err)
	if !ok {
		return http.StatusInternalServerError
	}
	switch e.Code {
	case store.CodeInvalid:
		return http.StatusUnprocessableEntity
	case store.CodeNotFound:
		return http.StatusNotFound
	case store.CodeConflict:
		return http.StatusConflict
	case store.CodeForbidden:
		return http.StatusForbidden
	case store.CodeUnauthorized:
		return http.StatusUnauthorized
	case store.CodeRateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// MessageKey is the catalogue key that explains err to a user.
func MessageKey(err error) string {
	if e, ok := store.AsError(err); ok && e.Key != "" {
		return e.Key
	}
	switch Status(err) {
	case http.StatusNotFound:
		return "errors.not_found"
	case http.StatusForbidden:
		return "errors.forbidden"
	case http.StatusMethodNotAllowed:
		return "errors.not_found"
	case http.StatusRequestEntityTooLarge:
		return "errors.too_large"
	}
	return "errors.internal"
}

// Code is the stable code an API client sees for err.
func Code(err error) string {
	if e, ok := store.AsError(err); ok {
		return string(e.Code)
	}
	switch Status(err) {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return string(store.CodeNotFound)
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusBadRequest:
		return string(store.CodeInvalid)
	}
	return "internal"
}
