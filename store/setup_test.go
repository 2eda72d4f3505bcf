package store

import (
	"sync"
	"testing"
	"time"
)

var firstManager = NewUser{Username: "Boss", Name: "Anna Bianchi", Role: RoleSales, Lang: "it", PasswordHash: "bcrypt-hash"}

func TestSetupTokenValid(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s *Store, clk *clock)
		hash  string
		want  bool
	}{
		{"no token issued", func(t *testing.T, s *Store, clk *clock) {}, "tok", false},
		{"right token", nil, "tok", true},
		{"wrong token", nil, "tok2", false},
		{"empty token", nil, "", false},
		{"a second before expiry", func(t *testing.T, s *Store, clk *clock) { clk.Set(t0.Add(time.Hour - time.Second)) }, "tok", true},
		{"at expiry", func(t *testing.T, s *Store, clk *clock) { clk.Set(t0.Add(time.Hour)) }, "tok", false},
		{"replaced token", func(t *testing.T, s *Store, clk *clock) {
			if err := s.SetSetupToken("new", t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}, "tok", false},
		{"replacement token", func(t *testing.T, s *Store, clk *clock) {
			if err := s.SetSetupToken("new", t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}, "new", true},
		{"an account exists", func(t *testing.T, s *Store, clk *clock) { mustUser(t, s, "someone", RoleSales) }, "tok", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := openTestClock(t)
			if tt.name != "no token issued" {
				if err := s.SetSetupToken("tok", t0.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.setup != nil {
				tt.setup(t, s, clk)
			}
			if got := s.SetupTokenValid(tt.hash); got != tt.want {
				t.Errorf("SetupTokenValid(%q) = %v, want %v", tt.hash, got, tt.want)
			}
		})
	}
}

func TestCompleteSetup(t *testing.T) {
	s := openTest(t)
	if err := s.SetSetupToken("tok", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	u, err := s.CompleteSetup("tok", firstManager)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != RoleManager || u.Username != "boss" || u.Name != "Anna Bianchi" || u.PasswordHash != "bcrypt-hash" || u.Lang != "it" {
		t.Errorf("CompleteSetup = %+v, want manager boss", u)
	}
	if got, err := s.UserByUsername("boss"); err != nil || got != u {
		t.Errorf("UserByUsername(boss) = %+v, %v", got, err)
	}
	if s.SetupTokenValid("tok") {
		t.Error("setup link still valid after use")
	}
	changes, _ := s.Changes(0, 10)
	if len(changes) != 1 || changes[0].Kind != "user" || changes[0].ID != u.ID {
		t.Errorf("feed = %+v, want the new user", changes)
	}
	want := Actor{Kind: "user", UserID: u.ID, Name: u.Name}
	if a := lastAudit(t, s); a.Action != "setup_complete" || a.Actor != want || a.Record != u.ID {
		t.Errorf("audit = %+v, want setup_complete by %+v", a, want)
	}

	before := dump(t, s)
	_, err = s.CompleteSetup("tok", NewUser{Username: "intruder", Name: "X", PasswordHash: "h"})
	wantKey(t, wantError(t, err, CodeNotFound, nil), "link_expired")
	wantUnchanged(t, s, before)
}

func TestCompleteSetupRefused(t *testing.T) {
	tests := []struct {
		name   string
		hash   string
		nu     NewUser
		at     time.Time
		code   Code
		fields []string
	}{
		{"wrong token", "other", firstManager, t0, CodeNotFound, nil},
		{"expired token", "tok", firstManager, t0.Add(time.Hour), CodeNotFound, nil},
		{"bad username", "tok", NewUser{Username: "b", Name: "Anna", PasswordHash: "h"}, t0, CodeInvalid, []string{"username"}},
		{"missing name", "tok", NewUser{Username: "boss", Name: " ", PasswordHash: "h"}, t0, CodeInvalid, []string{"name"}},
		// An account without a password could never sign in, and the link is spent.
		{"missing password", "tok", NewUser{Username: "boss", Name: "Anna"}, t0, CodeInvalid, []string{"password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := openTestClock(t)
			if err := s.SetSetupToken("tok", t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			clk.Set(tt.at)
			before := dump(t, s)
			_, err := s.CompleteSetup(tt.hash, tt.nu)
			wantError(t, err, tt.code, tt.fields)
			wantUnchanged(t, s, before)
			if has, _ := s.HasUsers(); has {
				t.Error("an account was created")
			}
		})
	}
}

func TestCompleteSetupOnce(t *testing.T) {
	s := openTest(t)
	if err := s.SetSetupToken("tok", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nu := firstManager
			nu.Username = string(rune('a'+i)) + "boss"
			_, errs[i] = s.CompleteSetup("tok", nu)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !Is(err, CodeNotFound):
			t.Errorf("unexpected error %v", err)
		}
	}
	users, _ := s.Users()
	if ok != 1 || len(users) != 1 {
		t.Errorf("%d setups succeeded, %d accounts exist; the link must work once", ok, len(users))
	}
}
