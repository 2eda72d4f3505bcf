package store

import (
	"strings"
	"testing"
	"time"
)

func TestCreateAPIKeyValidation(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		role   Role
		fields []string
	}{
		{"missing name", "  ", RoleSales, []string{"name"}},
		{"name too long", strings.Repeat("k", 101), RoleSales, []string{"name"}},
		{"unknown role", "Website", "root", []string{"role"}},
		{"both", "", "", []string{"name", "role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			before := dump(t, s)
			_, err := s.CreateAPIKey(staff, tt.key, tt.role, "pk_1", "hash")
			wantError(t, err, CodeInvalid, tt.fields)
			wantUnchanged(t, s, before)
		})
	}
}

func TestAPIKeyLifecycle(t *testing.T) {
	s, clk := openTestClock(t)
	k, err := s.CreateAPIKey(staff, " Website ", RoleSales, "pk_abc", "hash-abc")
	if err != nil {
		t.Fatal(err)
	}
	want := APIKey{ID: k.ID, Name: "Website", Role: RoleSales, Prefix: "pk_abc", Hash: "hash-abc", Created: t0, CreatedBy: staff.Name}
	if k != want {
		t.Errorf("CreateAPIKey = %+v, want %+v", k, want)
	}
	if !k.Active() {
		t.Error("new key not active")
	}
	got, err := s.APIKeyByHash("hash-abc")
	if err != nil || got != want {
		t.Errorf("APIKeyByHash = %+v, %v", got, err)
	}
	if _, err := s.APIKeyByHash("hash-other"); !Is(err, CodeNotFound) {
		t.Errorf("unknown hash: err = %v", err)
	}

	used := t0.Add(5 * time.Minute)
	if err := s.TouchAPIKey(k.ID, used); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.APIKeyByHash("hash-abc"); !got.LastUsed.Equal(used) {
		t.Errorf("LastUsed = %v, want %v", got.LastUsed, used)
	}
	if err := s.TouchAPIKey(999, used); !Is(err, CodeNotFound) {
		t.Errorf("TouchAPIKey(999) = %v", err)
	}

	clk.Advance(time.Hour)
	revokedAt := clk.Now()
	if err := s.RevokeAPIKey(staff, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APIKeyByHash("hash-abc"); !Is(err, CodeNotFound) {
		t.Errorf("revoked key still opens the API: err = %v", err)
	}

	clk.Advance(time.Hour)
	before := dump(t, s)
	if err := s.RevokeAPIKey(staff, k.ID); err != nil {
		t.Errorf("second revoke: %v", err)
	}
	wantUnchanged(t, s, before)

	revokes, _, _ := s.AuditLog(AuditFilter{Action: "apikey_revoke"})
	if len(revokes) != 1 || revokes[0].Record != k.ID || revokes[0].Actor != staff || !revokes[0].At.Equal(revokedAt) {
		t.Errorf("revoke audit entries = %+v, want one for key %d", revokes, k.ID)
	}
	keys, _ := s.APIKeys()
	if len(keys) != 1 || keys[0].Active() || !keys[0].Revoked.Equal(revokedAt) {
		t.Errorf("APIKeys after revoke = %+v, want revoked at %v", keys, revokedAt)
	}
	if err := s.RevokeAPIKey(staff, 999); !Is(err, CodeNotFound) {
		t.Errorf("RevokeAPIKey(999) = %v", err)
	}
}

func TestAPIKeysNewestFirst(t *testing.T) {
	s, clk := openTestClock(t)
	for _, name := range []string{"first", "second", "third"} {
		if _, err := s.CreateAPIKey(staff, name, RoleBackoffice, "pk_"+name, "hash-"+name); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	keys, err := s.APIKeys()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
	}
	if strings.Join(names, ",") != "third,second,first" {
		t.Errorf("APIKeys() = %v, want newest first", names)
	}
	for i := 1; i < len(keys); i++ {
		if !keys[i].Created.Before(keys[i-1].Created) {
			t.Errorf("key %s created %v, not before %s %v", keys[i].Name, keys[i].Created, keys[i-1].Name, keys[i-1].Created)
		}
	}
}
