package web

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v2"

	"pitlane/store"
)

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		key    string
		code   string
	}{
		{"invalid field", store.Invalid("plate", "vehicles.error.plate"), http.StatusUnprocessableEntity, "errors.invalid", "invalid"},
		{"not found", store.NotFound(), http.StatusNotFound, "errors.not_found", "not_found"},
		{"conflict keeps its own message", store.Conflict("vehicles.error.exists"), http.StatusConflict, "vehicles.error.exists", "conflict"},
		{"forbidden", store.Forbidden(), http.StatusForbidden, "errors.forbidden", "forbidden"},
		{"unauthorized", &store.Error{Code: store.CodeUnauthorized, Key: "errors.unauthorized"}, http.StatusUnauthorized, "errors.unauthorized", "unauthorized"},
		{"rate limited", &store.Error{Code: store.CodeRateLimited, Key: "login.error.rate_limited"}, http.StatusTooManyRequests, "login.error.rate_limited", "rate_limited"},
		{"wrapped store error", fmt.Errorf("load job 7: %w", store.NotFound()), http.StatusNotFound, "errors.not_found", "not_found"},
		{"fiber not found", fiber.ErrNotFound, http.StatusNotFound, "errors.not_found", "not_found"},
		{"fiber method not allowed", fiber.ErrMethodNotAllowed, http.StatusMethodNotAllowed, "errors.not_found", "not_found"},
		{"fiber body too large", fiber.ErrRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "errors.too_large", "too_large"},
		{"fiber bad request", fiber.ErrBadRequest, http.StatusBadRequest, "errors.internal", "invalid"},
		{"wrapped fiber error", fmt.Errorf("route: %w", fiber.ErrNotFound), http.StatusNotFound, "errors.not_found", "not_found"},
		{"plain error", errors.New("open pitlane.db: disk on fire"), http.StatusInternalServerError, "errors.internal", "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Status(tt.err); got != tt.status {
				t.Errorf("Status = %d, want %d", got, tt.status)
			}
			if got := MessageKey(tt.err); got != tt.key {
				t.Errorf("MessageKey = %q, want %q", got, tt.key)
			}
			if got := Code(tt.err); got != tt.code {
				t.Errorf("Code = %q, want %q", got, tt.code)
			}
		})
	}
}
