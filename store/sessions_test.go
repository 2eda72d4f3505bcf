package store

import (
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestSessionUser(t *testing.T) {
	s, clk := openTestClock(t)
	mustUser(t, s, "boss", RoleManager)
	live := mustUser(t, s, "luca", RoleWorkshop)
	off := mustUser(t, s, "anna", RoleSales)
	if _, err := s.SetDisabled(staff, off.ID, true); err != nil {
		t.Fatal(err)
	}
	sessions := map[string]Session{
		"live":          {UserID: live.ID, CSRF: "c1", Created: t0, Expires: t0.Add(time.Hour), IP: "192.0.2.1"},
		"expires-now":   {UserID: live.ID, Expires: t0},
		"expired":       {UserID: live.ID, Expires: t0.Add(-time.Second)},
		"disabled-user": {UserID: off.ID, Expires: t0.Add(time.Hour)},
		"deleted-user":  {UserID: 999, Expires: t0.Add(time.Hour)},
	}
	for tok, sess := range sessions {
		if err := s.CreateSession(tok, sess); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		token string
		ok    bool
	}{
		{"live", true},
		{"expires-now", false},
		{"expired", false},
		{"disabled-user", false},
		{"deleted-user", false},
		{"unknown", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			sess, u, err := s.SessionUser(tt.token)
			if !tt.ok {
				if !Is(err, CodeNotFound) {
					t.Errorf("SessionUser(%q) err = %v, want not found", tt.token, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := sessions[tt.token]
			if u.ID != live.ID || sess.CSRF != want.CSRF || sess.IP != want.IP || !sess.Expires.Equal(want.Expires) {
				t.Errorf("SessionUser = %+v, %+v", sess, u)
			}
		})
	}

	t.Run("expires as the clock moves", func(t *testing.T) {
		clk.Set(t0.Add(time.Hour))
		defer clk.Set(t0)
		if _, _, err := s.SessionUser("live"); !Is(err, CodeNotFound) {
			t.Errorf("session alive at its expiry: %v", err)
		}
	})
}

func TestExtendAndDeleteSession(t *testing.T) {
	s, clk := openTestClock(t)
	u := mustUser(t, s, "boss", RoleManager)
	if err := s.CreateSession("tok", Session{UserID: u.ID, CSRF: "csrf", Expires: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	if _, _, err := s.SessionUser("tok"); !Is(err, CodeNotFound) {
		t.Fatalf("session alive after expiry: %v", err)
	}
	newExp := clk.Now().Add(time.Hour)
	if err := s.ExtendSession("tok", newExp); err != nil {
		t.Fatal(err)
	}
	sess, _, err := s.SessionUser("tok")
	if err != nil {
		t.Fatalf("extended session: %v", err)
	}
	if !sess.Expires.Equal(newExp) || sess.CSRF != "csrf" {
		t.Errorf("extended session = %+v", sess)
	}
	if err := s.ExtendSession("unknown", newExp); !Is(err, CodeNotFound) {
		t.Errorf("ExtendSession(unknown) = %v, want not found", err)
	}
	if err := s.DeleteSession("tok"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser("tok"); !Is(err, CodeNotFound) {
		t.Errorf("session alive after logout: %v", err)
	}
	if err := s.DeleteSession("tok"); err != nil {
		t.Errorf("second logout: %v", err)
	}
}

func TestPurgeSessions(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		expired func(i int) bool
	}{
		{"none", 5, func(i int) bool { return false }},
		{"all", 5, func(i int) bool { return true }},
		{"first only", 5, func(i int) bool { return i == 0 }},
		{"last only", 5, func(i int) bool { return i == 4 }},
		{"adjacent run in the middle", 7, func(i int) bool { return i >= 2 && i <= 4 }},
		{"alternating", 8, func(i int) bool { return i%2 == 0 }},
		{"all but one in the middle", 7, func(i int) bool { return i != 3 }},
		// Enough records to span many pages.
		{"many, six of seven expired", 2000, func(i int) bool { return i%7 != 0 }},
		{"many, all expired", 2000, func(i int) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			var wantLeft []string
			wantPurged := 0
			// One transaction: thousands of CreateSession calls would each
			// wait for a batch.
			err := s.db.Update(func(tx *bolt.Tx) error {
				for i := range tt.n {
					tok := fmt.Sprintf("%064x", i) // adjacent keys, like token hashes
					exp := t0.Add(time.Hour)
					if tt.expired(i) {
						exp = t0.Add(-time.Duration(i+1) * time.Second)
						wantPurged++
					} else {
						wantLeft = append(wantLeft, tok)
					}
					if err := putJSON(tx.Bucket(bSessions), []byte(tok), Session{UserID: 1, Expires: exp}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.PurgeSessions()
			if err != nil {
				t.Fatal(err)
			}
			if n != wantPurged {
				t.Errorf("PurgeSessions = %d, want %d", n, wantPurged)
			}
			var left []string
			if err := s.view(func(tx *bolt.Tx) error {
				return tx.Bucket(bSessions).ForEach(func(k, _ []byte) error {
					left = append(left, string(k))
					return nil
				})
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(left, wantLeft) {
				t.Errorf("%d sessions left, want %d (first left %v)", len(left), len(wantLeft), first(left))
			}
			if n, _ := s.PurgeSessions(); n != 0 {
				t.Errorf("second PurgeSessions = %d, want 0", n)
			}
		})
	}
}

func first(s []string) []string { return s[:min(3, len(s))] }
