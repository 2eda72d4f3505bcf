package ui

import (
	"testing"
	"time"

	"pitlane/auth"
	"pitlane/store"
)

// TestSessionCacheFollowsWrites: a cached session stops working as soon as
// it is ended, its account disabled or its password changed, and a changed
// role shows on the next request.
func TestSessionCacheFollowsWrites(t *testing.T) {
	u := newTestUI(t)
	hash, _ := auth.HashPassword("a-long-password-1")
	newSession := func(t *testing.T, userID uint64) string {
		t.Helper()
		h := auth.HashToken(auth.NewToken())
		if err := u.Store.CreateSession(h, store.Session{UserID: userID, CSRF: "c", Created: time.Now(), Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	// A second manager, so that the first may lose the role.
	if _, err := u.Store.CreateUser(testActor, store.NewUser{Username: "boss", Name: "Boss", Role: store.RoleManager, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	mia, err := u.Store.CreateUser(testActor, store.NewUser{Username: "mia", Name: "Mia", Role: store.RoleManager, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	live := func(t *testing.T, h string) (store.User, bool) {
		t.Helper()
		_, user, err := u.sessions.lookup(u.Store, h)
		if store.Is(err, store.CodeNotFound) {
			return user, false
		}
		if err != nil {
			t.Fatal(err)
		}
		return user, true
	}

	t.Run("logout", func(t *testing.T) {
		h := newSession(t, mia.ID)
		for range 2 {
			if _, ok := live(t, h); !ok {
				t.Fatal("a new session is not live")
			}
		}
		if err := u.Store.DeleteSession(h); err != nil {
			t.Fatal(err)
		}
		if _, ok := live(t, h); ok {
			t.Fatal("an ended session is still live")
		}
	})
	t.Run("role", func(t *testing.T) {
		h := newSession(t, mia.ID)
		if user, _ := live(t, h); user.Role != store.RoleManager {
			t.Fatalf("role %s, want manager", user.Role)
		}
		if _, err := u.Store.UpdateUser(testActor, mia.ID, store.UserChange{Name: "Mia", Role: store.RoleSales}); err != nil {
			t.Fatal(err)
		}
		if user, ok := live(t, h); !ok || user.Role != store.RoleSales {
			t.Fatalf("after the change: live %v, role %s; want sales", ok, user.Role)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		h := newSession(t, mia.ID)
		live(t, h)
		if _, err := u.Store.SetDisabled(testActor, mia.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, ok := live(t, h); ok {
			t.Fatal("a disabled account's session is still live")
		}
		if _, err := u.Store.SetDisabled(testActor, mia.ID, false); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("password", func(t *testing.T) {
		h := newSession(t, mia.ID)
		live(t, h)
		if err := u.Store.SetPassword(testActor, mia.ID, hash); err != nil {
			t.Fatal(err)
		}
		if _, ok := live(t, h); ok {
			t.Fatal("a session outlived its account's password change")
		}
	})
	t.Run("expired", func(t *testing.T) {
		h := auth.HashToken(auth.NewToken())
		if err := u.Store.CreateSession(h, store.Session{UserID: mia.ID, CSRF: "c", Expires: time.Now().Add(50 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		live(t, h)
		time.Sleep(60 * time.Millisecond)
		if _, ok := live(t, h); ok {
			t.Fatal("an expired session is still live")
		}
	})
}
