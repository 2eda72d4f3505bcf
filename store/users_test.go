package store

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCreateUserValidation(t *testing.T) {
	valid := NewUser{Username: "mario", Name: "Mario Rossi", Role: RoleWorkshop, PasswordHash: "h"}
	tests := []struct {
		name   string
		edit   func(u *NewUser)
		fields []string
	}{
		{"username too short", func(u *NewUser) { u.Username = "m" }, []string{"username"}},
		{"username with space", func(u *NewUser) { u.Username = "mario rossi" }, []string{"username"}},
		{"username starting with dot", func(u *NewUser) { u.Username = ".mario" }, []string{"username"}},
		{"username with accent", func(u *NewUser) { u.Username = "nicolò" }, []string{"username"}},
		{"username too long", func(u *NewUser) { u.Username = strings.Repeat("a", 33) }, []string{"username"}},
		{"missing name", func(u *NewUser) { u.Name = "   " }, []string{"name"}},
		{"name too long", func(u *NewUser) { u.Name = strings.Repeat("n", 101) }, []string{"name"}},
		{"unknown role", func(u *NewUser) { u.Role = "admin" }, []string{"role"}},
		{"empty role", func(u *NewUser) { u.Role = "" }, []string{"role"}},
		{"unknown language", func(u *NewUser) { u.Lang = "de" }, []string{"lang"}},
		{"missing password", func(u *NewUser) { u.PasswordHash = "" }, []string{"password"}},
		{"several at once", func(u *NewUser) { u.Username, u.Name, u.Role = "?", "", "boss" }, []string{"username", "name", "role"}},
		// The form shows every problem at once, the password included.
		{"everything missing", func(u *NewUser) { *u = NewUser{} }, []string{"username", "name", "role", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			nu := valid
			tt.edit(&nu)
			before := dump(t, s)
			_, err := s.CreateUser(staff, nu)
			wantError(t, err, CodeInvalid, tt.fields)
			wantUnchanged(t, s, before)
		})
	}
}

func TestCreateUser(t *testing.T) {
	s := openTest(t)
	u, err := s.CreateUser(staff, NewUser{Username: "  Mario.Rossi ", Name: " Mario Rossi ", Role: RoleSales, Lang: "it", PasswordHash: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	want := User{ID: u.ID, Username: "mario.rossi", Name: "Mario Rossi", Role: RoleSales, Lang: "it", PasswordHash: "h1", Created: t0, Updated: t0}
	if u != want {
		t.Errorf("CreateUser = %+v, want %+v", u, want)
	}
	for _, name := range []string{"mario.rossi", "MARIO.ROSSI", " Mario.Rossi "} {
		got, err := s.UserByUsername(name)
		if err != nil || got != want {
			t.Errorf("UserByUsername(%q) = %+v, %v", name, got, err)
		}
	}
	if got, err := s.User(u.ID); err != nil || got != want {
		t.Errorf("User(%d) = %+v, %v", u.ID, got, err)
	}
	if _, err := s.UserByUsername("nobody"); !Is(err, CodeNotFound) {
		t.Errorf("UserByUsername(nobody) err = %v", err)
	}
	if _, err := s.User(999); !Is(err, CodeNotFound) {
		t.Errorf("User(999) err = %v", err)
	}
	if has, _ := s.HasUsers(); !has {
		t.Error("HasUsers = false after CreateUser")
	}
}

func TestCreateUserDuplicate(t *testing.T) {
	for _, username := range []string{"mario", "MARIO", " Mario "} {
		t.Run(username, func(t *testing.T) {
			s := openTest(t)
			mustUser(t, s, "mario", RoleSales)
			before := dump(t, s)
			_, err := s.CreateUser(staff, NewUser{Username: username, Name: "Other", Role: RoleWorkshop, PasswordHash: "h"})
			e := wantError(t, err, CodeConflict, []string{"username"})
			wantKey(t, e, "username_taken")
			wantUnchanged(t, s, before)
		})
	}
}

func TestUsersSortedByUsername(t *testing.T) {
	s := openTest(t)
	for _, n := range []string{"zeno", "anna", "marco", "bea"} {
		mustUser(t, s, n, RoleSales)
	}
	users, err := s.Users()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Username)
	}
	if fmt.Sprint(got) != "[anna bea marco zeno]" {
		t.Errorf("Users() = %v", got)
	}
}

func TestUpdateUser(t *testing.T) {
	s, clk := openTestClock(t)
	mustUser(t, s, "boss", RoleManager)
	u := mustUser(t, s, "luca", RoleWorkshop)
	clk.Advance(time.Hour)
	got, err := s.UpdateUser(staff, u.ID, UserChange{Name: " Luca Bruni ", Role: RoleBackoffice, Lang: "ro"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Luca Bruni" || got.Role != RoleBackoffice || got.Lang != "ro" || got.Username != "luca" ||
		!got.Updated.Equal(t0.Add(time.Hour)) || !got.Created.Equal(t0) || got.PasswordHash != u.PasswordHash {
		t.Errorf("UpdateUser = %+v", got)
	}
	if stored, _ := s.User(u.ID); stored != got {
		t.Errorf("stored %+v, returned %+v", stored, got)
	}
	if a := lastAudit(t, s); a.Detail != "luca: workshop → backoffice" {
		t.Errorf("audit detail = %q", a.Detail)
	}
	_, err = s.UpdateUser(staff, u.ID, UserChange{Name: "Luca", Role: "chief", Lang: "xx"})
	wantError(t, err, CodeInvalid, []string{"role", "lang"})
}

func TestLastManager(t *testing.T) {
	demote := func(s *Store, id uint64) error {
		_, err := s.UpdateUser(staff, id, UserChange{Name: "Boss", Role: RoleWorkshop})
		return err
	}
	disable := func(s *Store, id uint64) error {
		_, err := s.SetDisabled(staff, id, true)
		return err
	}
	tests := []struct {
		name    string
		others  func(t *testing.T, s *Store) // other accounts
		op      func(s *Store, id uint64) error
		allowed bool
	}{
		{"demote only manager", func(t *testing.T, s *Store) { mustUser(t, s, "worker", RoleWorkshop) }, demote, false},
		{"disable only manager", func(t *testing.T, s *Store) { mustUser(t, s, "worker", RoleWorkshop) }, disable, false},
		{"demote with a disabled second manager", func(t *testing.T, s *Store) {
			m := mustUser(t, s, "m2", RoleManager)
			if _, err := s.SetDisabled(staff, m.ID, true); err != nil {
				t.Fatal(err)
			}
		}, demote, false},
		{"disable with a disabled second manager", func(t *testing.T, s *Store) {
			m := mustUser(t, s, "m2", RoleManager)
			if _, err := s.SetDisabled(staff, m.ID, true); err != nil {
				t.Fatal(err)
			}
		}, disable, false},
		{"demote with a second manager", func(t *testing.T, s *Store) { mustUser(t, s, "m2", RoleManager) }, demote, true},
		{"disable with a second manager", func(t *testing.T, s *Store) { mustUser(t, s, "m2", RoleManager) }, disable, true},
		{"rename only manager keeping the role", func(t *testing.T, s *Store) {}, func(s *Store, id uint64) error {
			_, err := s.UpdateUser(staff, id, UserChange{Name: "Big Boss", Role: RoleManager})
			return err
		}, true},
		{"re-enable", func(t *testing.T, s *Store) {}, func(s *Store, id uint64) error {
			_, err := s.SetDisabled(staff, id, false)
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			boss := mustUser(t, s, "boss", RoleManager)
			tt.others(t, s)
			before := dump(t, s)
			err := tt.op(s, boss.ID)
			if tt.allowed {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := wantError(t, err, CodeConflict, nil)
			wantKey(t, e, "last_manager")
			wantUnchanged(t, s, before)
			if u, _ := s.User(boss.ID); u.Role != RoleManager || u.Disabled {
				t.Errorf("last manager now %+v", u)
			}
		})
	}
}

func TestUserChangesEndSessions(t *testing.T) {
	tests := []struct {
		name string
		op   func(s *Store, id uint64) error
	}{
		{"SetPassword", func(s *Store, id uint64) error { return s.SetPassword(staff, id, "new-hash") }},
		{"SetDisabled", func(s *Store, id uint64) error { _, err := s.SetDisabled(staff, id, true); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			mustUser(t, s, "boss", RoleManager)
			luca := mustUser(t, s, "luca", RoleWorkshop)
			anna := mustUser(t, s, "anna", RoleSales)
			exp := t0.Add(time.Hour)
			for _, sess := range []struct {
				token string
				user  uint64
			}{{"luca-phone", luca.ID}, {"anna-1", anna.ID}, {"luca-pc", luca.ID}, {"anna-2", anna.ID}} {
				if err := s.CreateSession(sess.token, Session{UserID: sess.user, Expires: exp}); err != nil {
					t.Fatal(err)
				}
			}

			if err := tt.op(s, luca.ID); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{"luca-phone", "luca-pc"} {
				if _, _, err := s.SessionUser(tok); !Is(err, CodeNotFound) {
					t.Errorf("session %s still signed in: %v", tok, err)
				}
			}
			for _, tok := range []string{"anna-1", "anna-2"} {
				if _, u, err := s.SessionUser(tok); err != nil || u.ID != anna.ID {
					t.Errorf("other user's session %s ended: %v", tok, err)
				}
			}
			if n := bucketLen(t, s, bSessions); n != 2 {
				t.Errorf("%d sessions stored, want 2", n)
			}
		})
	}
}

func TestSetPasswordAndReenable(t *testing.T) {
	s := openTest(t)
	mustUser(t, s, "boss", RoleManager)
	u := mustUser(t, s, "luca", RoleWorkshop)
	if err := s.SetPassword(staff, u.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(u.ID); got.PasswordHash != "new-hash" {
		t.Errorf("PasswordHash = %q, want new-hash", got.PasswordHash)
	}
	if got, err := s.SetDisabled(staff, u.ID, true); err != nil || !got.Disabled {
		t.Fatalf("SetDisabled(true) = %+v, %v", got, err)
	}
	if a := lastAudit(t, s); a.Action != "user_disable" {
		t.Errorf("audit = %s, want user_disable", a.Action)
	}
	if got, err := s.SetDisabled(staff, u.ID, false); err != nil || got.Disabled {
		t.Fatalf("SetDisabled(false) = %+v, %v", got, err)
	}
	if a := lastAudit(t, s); a.Action != "user_enable" {
		t.Errorf("audit = %s, want user_enable", a.Action)
	}
	if err := s.CreateSession("tok", Session{UserID: u.ID, Expires: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, got, err := s.SessionUser("tok"); err != nil || got.ID != u.ID {
		t.Errorf("re-enabled user cannot sign in: %v", err)
	}
}
