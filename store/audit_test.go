package store

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestAuditLog(t *testing.T) {
	s, clk := openTestClock(t)
	anna := Actor{Kind: "user", UserID: 1, Name: "Anna", IP: "192.0.2.1"}
	luca := Actor{Kind: "user", UserID: 2, Name: "Luca"}
	// seq: 1 anna login, 2 luca login, 3 anna logout, 4 luca login, ... 9
	for i := range 9 {
		a, action := anna, "login"
		if i%2 == 1 {
			a = luca
		}
		if i%3 == 2 {
			action = "logout"
		}
		if err := s.Audit(a, action, "user", a.UserID, fmt.Sprint("entry ", i+1)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}

	tests := []struct {
		name     string
		filter   AuditFilter
		wantSeqs []uint64
		wantNext uint64
	}{
		{"all newest first", AuditFilter{}, []uint64{9, 8, 7, 6, 5, 4, 3, 2, 1}, 0},
		{"first page", AuditFilter{Limit: 4}, []uint64{9, 8, 7, 6}, 6},
		{"second page", AuditFilter{Limit: 4, Before: 6}, []uint64{5, 4, 3, 2}, 2},
		{"last page", AuditFilter{Limit: 4, Before: 2}, []uint64{1}, 0},
		{"exactly one page left", AuditFilter{Limit: 3, Before: 4}, []uint64{3, 2, 1}, 0},
		{"by action", AuditFilter{Action: "logout"}, []uint64{9, 6, 3}, 0},
		{"by user", AuditFilter{UserID: 2}, []uint64{8, 6, 4, 2}, 0},
		{"by user and action", AuditFilter{UserID: 1, Action: "login"}, []uint64{7, 5, 1}, 0},
		{"unknown action", AuditFilter{Action: "nope"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, next, err := s.AuditLog(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []uint64
			for _, e := range entries {
				seqs = append(seqs, e.Seq)
			}
			if !slices.Equal(seqs, tt.wantSeqs) || next != tt.wantNext {
				t.Errorf("AuditLog(%+v) = %v next %d, want %v next %d", tt.filter, seqs, next, tt.wantSeqs, tt.wantNext)
			}
		})
	}

	t.Run("paging visits every entry once", func(t *testing.T) {
		var seen []uint64
		f := AuditFilter{Limit: 2}
		for page := 0; page < 20; page++ {
			entries, next, err := s.AuditLog(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				seen = append(seen, e.Seq)
			}
			if next == 0 {
				break
			}
			f.Before = next
		}
		if want := []uint64{9, 8, 7, 6, 5, 4, 3, 2, 1}; !slices.Equal(seen, want) {
			t.Errorf("pages visited %v, want %v", seen, want)
		}
	})

	t.Run("entry content", func(t *testing.T) {
		entries, _, _ := s.AuditLog(AuditFilter{Before: 2, Limit: 1})
		want := AuditEntry{Seq: 1, At: t0, Actor: anna, Action: "login", Kind: "user", Record: 1, Detail: "entry 1"}
		if len(entries) != 1 || !entries[0].At.Equal(want.At) {
			t.Fatalf("entries = %+v, want %+v", entries, want)
		}
		got := entries[0]
		got.At = want.At
		if got != want {
			t.Errorf("entry = %+v, want %+v", got, want)
		}
	})
}
