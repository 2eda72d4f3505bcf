package bench

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRun drives every scenario against a tiny dataset: each must complete
// requests and none may fail, or `make bench` would report nonsense.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	rep, err := Run(context.Background(), Config{
		DataDir: t.TempDir(),
		Size:    Size{Customers: 200, Vehicles: 400, Jobs: 1000},
		Warmup:  100 * time.Millisecond,
		Window:  time.Second,
		// The race detector slows argon2id tenfold: keep sign-ins few.
		Concurrency: map[string]int{"login": 2, "dashboard": 4, "job": 4, "calendar-week": 4, "writes": 8, "api-writes": 8, "backup-writes": 8, "find-plate": 2, "find-prefix": 2, "find-typo": 2, "find-text": 2},
		Out:         &out,
		// A test binary cannot be started again as the push service.
		PushInProcess: true,
	})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Seed.Reused || rep.Seed.DBBytes == 0 {
		t.Errorf("seed report %+v, want a fresh seed with a database file", rep.Seed)
	}
	if len(rep.Results) != len(Scenarios()) {
		t.Fatalf("%d results, want one per scenario %v", len(rep.Results), Scenarios())
	}
	for i, r := range rep.Results {
		if r.Scenario != Scenarios()[i] {
			t.Errorf("result %d is %q, want %q", i, r.Scenario, Scenarios()[i])
		}
		if r.Requests == 0 || r.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors (first: %v); want some and none", r.Scenario, r.Requests, r.Errors, r.FirstError)
		}
		if !strings.Contains(out.String(), "\n"+r.Scenario+" ") {
			t.Errorf("report has no line for %s", r.Scenario)
		}
	}
}

func TestPlan(t *testing.T) {
	base := Config{Size: Size{Customers: 1}, Window: time.Second}
	tests := []struct {
		name    string
		change  func(*Config)
		want    string // scenario=concurrency, space-separated
		wantErr bool
	}{
		{name: "defaults", change: func(*Config) {}, want: "login=100 dashboard=100 job=100 calendar-week=100 writes=64 api-writes=64 backup-writes=64 push=32 reindex=1 find-plate=4 find-prefix=4 find-typo=4 find-text=4"},
		{name: "order and override", change: func(c *Config) {
			c.Scenarios = []string{"writes", "login"}
			c.Concurrency = map[string]int{"login": 3}
		}, want: "writes=64 login=3"},
		{name: "unknown scenario", change: func(c *Config) { c.Scenarios = []string{"logout"} }, wantErr: true},
		{name: "unknown concurrency", change: func(c *Config) { c.Concurrency = map[string]int{"x": 1} }, wantErr: true},
		{name: "zero concurrency", change: func(c *Config) { c.Concurrency = map[string]int{"login": 0} }, wantErr: true},
		{name: "no window", change: func(c *Config) { c.Window = 0 }, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.change(&cfg)
			plan, err := cfg.plan()
			if tt.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range plan {
				got = append(got, s.name+"="+strconv.Itoa(s.concurrency))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("plan %q, want %q", g, tt.want)
			}
		})
	}
}
