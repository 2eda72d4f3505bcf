package installer

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/zap"
)

func TestZapToSlog(t *testing.T) {
	var buf bytes.Buffer
	logger := zapToSlog(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	named := logger.Named("obtain").With(zap.String("identifier", "garage.example"))

	named.Debug("not shown")
	named.Info("certificate obtained", zap.Int("attempt", 2), zap.Error(errors.New("boom")))
	named.Warn("renewal window")
	logger.Error("storage failed")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3 (debug filtered by the slog level):\n%s", len(lines), buf.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"level": "INFO", "msg": "certificate obtained", "logger": "obtain",
		"identifier": "garage.example", "attempt": float64(2), "error": "boom",
	}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, first[k], v, lines[0])
		}
	}
	for i, level := range []string{"WARN", "ERROR"} {
		if !strings.Contains(lines[i+1], `"level":"`+level+`"`) {
			t.Errorf("line %d = %s, want level %s", i+2, lines[i+1], level)
		}
	}
}
