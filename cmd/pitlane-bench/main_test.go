package main

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"testing"
	"time"

	"pitlane/bench"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(t *testing.T, c bench.Config)
		wantErr bool
	}{
		{name: "defaults", args: nil, check: func(t *testing.T, c bench.Config) {
			if c.Size != (bench.Size{Customers: 10_000, Vehicles: 20_000, Jobs: 50_000}) {
				t.Errorf("size %v", c.Size)
			}
			if c.Window != 10*time.Second || c.Warmup != time.Second || c.DataDir != "" {
				t.Errorf("window %v, warm-up %v, data %q", c.Window, c.Warmup, c.DataDir)
			}
			if !reflect.DeepEqual(c.Scenarios, bench.Scenarios()) || c.Concurrency != nil {
				t.Errorf("scenarios %v, concurrency %v", c.Scenarios, c.Concurrency)
			}
		}},
		{name: "cars and jobs follow customers", args: []string{"-customers", "100000"}, check: func(t *testing.T, c bench.Config) {
			if c.Size != (bench.Size{Customers: 100_000, Vehicles: 200_000, Jobs: 500_000}) {
				t.Errorf("size %v", c.Size)
			}
		}},
		{name: "explicit sizes win", args: []string{"-customers", "10", "-vehicles", "0", "-jobs", "0"}, check: func(t *testing.T, c bench.Config) {
			if c.Size != (bench.Size{Customers: 10}) {
				t.Errorf("size %v", c.Size)
			}
		}},
		{name: "one concurrency for all", args: []string{"-concurrency", "7", "-scenarios", "writes, login"}, check: func(t *testing.T, c bench.Config) {
			if c.Concurrency["api-writes"] != 7 || !reflect.DeepEqual(c.Scenarios, []string{"writes", "login"}) {
				t.Errorf("concurrency %v, scenarios %v", c.Concurrency, c.Scenarios)
			}
		}},
		{name: "per-scenario concurrency", args: []string{"-concurrency", "login=3,dashboard=200"}, check: func(t *testing.T, c bench.Config) {
			if !reflect.DeepEqual(c.Concurrency, map[string]int{"login": 3, "dashboard": 200}) {
				t.Errorf("concurrency %v", c.Concurrency)
			}
		}},
		{name: "bad concurrency", args: []string{"-concurrency", "login:3"}, wantErr: true},
		{name: "stray argument", args: []string{"login"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(tt.args, io.Discard)
			if tt.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestHelp(t *testing.T) {
	if _, err := parse([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h gave %v", err)
	}
	if code := run([]string{"-h"}, io.Discard, io.Discard); code != 0 {
		t.Errorf("-h exits %d", code)
	}
}
