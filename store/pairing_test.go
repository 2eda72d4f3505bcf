package store

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// hashOf is auth.HashToken, which this package cannot import.
func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

var phone = Actor{Kind: "customer", IP: "198.51.100.7"}

func mustPairLink(t *testing.T, s *Store, customerID uint64, ttl time.Duration) string {
	t.Helper()
	token, _, err := s.CreatePairLink(staff, customerID, ttl)
	if err != nil {
		t.Fatalf("CreatePairLink(%d): %v", customerID, err)
	}
	return token
}

func mustPair(t *testing.T, s *Store, token, name, credential string) Device {
	t.Helper()
	d, err := s.Pair(phone, hashOf(token), name, hashOf(credential))
	if err != nil {
		t.Fatalf("Pair(%s): %v", name, err)
	}
	return d
}

func TestCreatePairLink(t *testing.T) {
	s, clk := openTestClock(t)
	c := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	token, link, err := s.CreatePairLink(staff, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	// 32 random bytes, base64url: at least 128 bits, and safe in a URL.
	if len(token) != 43 || strings.ContainsAny(token, "+/=") {
		t.Errorf("token %q is not 43 URL-safe characters", token)
	}
	if link.CustomerID != c.ID || !link.Expires.Equal(t0.Add(DefaultPairTTL)) || link.CreatedBy != staff.Name {
		t.Errorf("link = %+v", link)
	}
	if got, err := s.PairLinkByHash(hashOf(token)); err != nil || got.CustomerID != c.ID {
		t.Errorf("PairLinkByHash = %+v, %v", got, err)
	}
	if _, err := s.PairLinkByHash(token); !Is(err, CodeNotFound) {
		t.Errorf("the raw token is stored: PairLinkByHash(token) = %v", err)
	}
	if e := lastAudit(t, s); e.Action != "pair_link_create" || e.Record != c.ID || e.Actor.Name != staff.Name {
		t.Errorf("audit = %+v", e)
	}
	other := mustPairLink(t, s, c.ID, 0)
	if other == token {
		t.Error("two links share a token")
	}

	before := dump(t, s)
	for _, tt := range []struct {
		name     string
		customer uint64
		ttl      time.Duration
		code     Code
	}{
		{"unknown customer", 999, 0, CodeNotFound},
		{"ttl too short", c.ID, time.Second, CodeInvalid},
		{"ttl beyond the maximum", c.ID, MaxPairTTL + time.Hour, CodeInvalid},
		{"negative ttl", c.ID, -time.Hour, CodeInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.CreatePairLink(staff, tt.customer, tt.ttl)
			wantError(t, err, tt.code, nil)
		})
	}
	wantUnchanged(t, s, before)

	clk.Advance(DefaultPairTTL)
	if _, err := s.PairLinkByHash(hashOf(token)); !Is(err, CodeNotFound) {
		t.Errorf("expired link still printable: %v", err)
	}
}

func TestPairIsSingleUse(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	token := mustPairLink(t, s, c.ID, 0)

	d := mustPair(t, s, token, "Chrome on Android", "cred-1")
	if d.CustomerID != c.ID || d.Name != "Chrome on Android" || !d.Created.Equal(t0) || !d.LastSeen.Equal(t0) || !d.Active() {
		t.Errorf("device = %+v", d)
	}
	gotD, gotC, err := s.DeviceByCredential(hashOf("cred-1"))
	if err != nil || gotD.ID != d.ID || gotC.ID != c.ID || gotC.Name != "Ana Pop" {
		t.Fatalf("DeviceByCredential = %+v, %+v, %v", gotD, gotC, err)
	}
	if e := lastAudit(t, s); e.Action != "device_pair" || e.Actor.Kind != "customer" || e.Actor.Name != "Ana Pop" ||
		e.Actor.IP != phone.IP || e.Record != c.ID {
		t.Errorf("audit = %+v", e)
	}
	events, _ := s.Timeline(c.ID, 1)
	if len(events) != 1 || events[0].Key != "timeline.device_paired" || !slices.Equal(events[0].Args, []string{"name", "Chrome on Android"}) {
		t.Errorf("timeline = %+v", events)
	}

	before := dump(t, s)
	_, err = s.Pair(phone, hashOf(token), "Safari on iPhone", hashOf("cred-2"))
	wantKey(t, wantError(t, err, CodeNotFound, nil), "used")
	_, err = s.Pair(phone, hashOf("never-issued"), "Safari on iPhone", hashOf("cred-2"))
	wantKey(t, wantError(t, err, CodeNotFound, nil), "unknown")
	wantUnchanged(t, s, before)
	if _, _, err := s.DeviceByCredential(hashOf("cred-2")); !Is(err, CodeNotFound) {
		t.Errorf("a refused pairing left a working credential: %v", err)
	}
}

func TestPairRace(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Ana Pop", "", "")
	token := mustPairLink(t, s, c.ID, 0)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Pair(phone, hashOf(token), "Phone", hashOf("cred-"+string(rune('a'+i))))
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !Is(err, CodeNotFound) {
			t.Errorf("unexpected error %v", err)
		}
	}
	if devs, _ := s.CustomerDevices(c.ID); ok != 1 || len(devs) != 1 {
		t.Fatalf("%d of %d concurrent pairings succeeded, %d devices; want exactly one", ok, n, len(devs))
	}
}

func TestPairLinkExpires(t *testing.T) {
	s, clk := openTestClock(t)
	c := mustCustomer(t, s, "Ana Pop", "", "")
	token := mustPairLink(t, s, c.ID, time.Hour)
	clk.Advance(time.Hour - time.Second)
	early := mustPairLink(t, s, c.ID, time.Hour)
	clk.Advance(time.Second) // the first link's expiry, to the second

	_, err := s.Pair(phone, hashOf(token), "Phone", hashOf("cred-1"))
	wantKey(t, wantError(t, err, CodeNotFound, nil), "expired")
	mustPair(t, s, early, "Phone", "cred-2")

	// Long after, the spent and expired links are forgotten when another
	// link is made, and opening them says "unknown".
	clk.Advance(pairLinkKeep + 2*time.Hour)
	mustPairLink(t, s, c.ID, 0)
	if n := bucketLen(t, s, bPairLinks); n != 1 {
		t.Errorf("%d links kept, want only the new one", n)
	}
	_, err = s.Pair(phone, hashOf(token), "Phone", hashOf("cred-3"))
	wantKey(t, wantError(t, err, CodeNotFound, nil), "unknown")
}

func TestRevokeDevice(t *testing.T) {
	s, clk := openTestClock(t)
	a := mustCustomer(t, s, "Ana Pop", "", "")
	b := mustCustomer(t, s, "Radu Ionescu", "", "")
	d1 := mustPair(t, s, mustPairLink(t, s, a.ID, 0), "Chrome on Android", "cred-1")
	clk.Advance(time.Hour)
	d2 := mustPair(t, s, mustPairLink(t, s, a.ID, 0), "Safari on iPhone", "cred-2")

	before := dump(t, s)
	if _, err := s.RevokeDevice(staff, b.ID, d1.ID); !Is(err, CodeNotFound) {
		t.Fatalf("revoking another customer's device: %v", err)
	}
	if _, err := s.RevokeDevice(staff, a.ID, 999); !Is(err, CodeNotFound) {
		t.Fatalf("revoking an unknown device: %v", err)
	}
	wantUnchanged(t, s, before)

	clk.Advance(time.Minute)
	got, err := s.RevokeDevice(staff, a.ID, d1.ID)
	if err != nil || got.Active() || !got.Revoked.Equal(clk.Now()) || got.RevokedBy != staff.Name {
		t.Fatalf("RevokeDevice = %+v, %v", got, err)
	}
	if _, _, err := s.DeviceByCredential(hashOf("cred-1")); !Is(err, CodeNotFound) {
		t.Fatalf("the revoked device still gets in: %v", err)
	}
	if d, _, err := s.DeviceByCredential(hashOf("cred-2")); err != nil || d.ID != d2.ID {
		t.Fatalf("the other device lost access: %+v, %v", d, err)
	}
	if e := lastAudit(t, s); e.Action != "device_revoke" || e.Record != a.ID || e.Detail != "Chrome on Android" {
		t.Errorf("audit = %+v", e)
	}
	if events, _ := s.Timeline(a.ID, 1); len(events) != 1 || events[0].Key != "timeline.device_revoked" {
		t.Errorf("timeline = %+v", events)
	}
	seq, _ := s.LastSeq()
	if _, err := s.RevokeDevice(staff, a.ID, d1.ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	if again, _ := s.LastSeq(); again != seq {
		t.Error("revoking a revoked device wrote again")
	}

	devs, err := s.CustomerDevices(a.ID)
	if err != nil || len(devs) != 2 || devs[0].ID != d2.ID || devs[1].ID != d1.ID {
		t.Fatalf("CustomerDevices = %+v, %v; want the active one first", devs, err)
	}
	if devs, _ := s.CustomerDevices(b.ID); len(devs) != 0 {
		t.Errorf("b has devices: %+v", devs)
	}
}

func TestTouchDevice(t *testing.T) {
	s, clk := openTestClock(t)
	c := mustCustomer(t, s, "Ana Pop", "", "")
	d := mustPair(t, s, mustPairLink(t, s, c.ID, 0), "Phone", "cred-1")

	clk.Advance(TouchEvery - time.Second)
	before := dump(t, s)
	if err := s.TouchDevice(d.ID); err != nil {
		t.Fatal(err)
	}
	wantUnchanged(t, s, before)

	clk.Advance(time.Second)
	if err := s.TouchDevice(d.ID); err != nil {
		t.Fatal(err)
	}
	got, _, _ := s.DeviceByCredential(hashOf("cred-1"))
	if !got.LastSeen.Equal(clk.Now()) {
		t.Errorf("LastSeen = %v, want %v", got.LastSeen, clk.Now())
	}
	if err := s.TouchDevice(999); !Is(err, CodeNotFound) {
		t.Errorf("TouchDevice(unknown) = %v", err)
	}
}

func TestDeviceNameBounded(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Ana Pop", "", "")
	long := strings.Repeat("ș", 100) // two bytes each: cut on a rune boundary
	d := mustPair(t, s, mustPairLink(t, s, c.ID, 0), long, "cred-1")
	if len(d.Name) > maxDeviceName || !strings.HasPrefix(long, d.Name) {
		t.Errorf("name %q (%d bytes)", d.Name, len(d.Name))
	}
	blank := mustPair(t, s, mustPairLink(t, s, c.ID, 0), "  ", "cred-2")
	if blank.Name == "" {
		t.Error("blank device name stored")
	}
}

func TestMergeMovesDevicesAndLinks(t *testing.T) {
	s := openTest(t)
	keep := mustCustomer(t, s, "Mario Rossi", "", "+39 333 1111111")
	gone := mustCustomer(t, s, "ROSSI Mario", "mario@example.it", "")
	d := mustPair(t, s, mustPairLink(t, s, gone.ID, 0), "Chrome on Android", "cred-1")
	pending := mustPairLink(t, s, gone.ID, 0)

	if _, err := s.MergeCustomers(staff, keep.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	got, cu, err := s.DeviceByCredential(hashOf("cred-1"))
	if err != nil || got.ID != d.ID || got.CustomerID != keep.ID || cu.ID != keep.ID {
		t.Fatalf("after the merge the phone sees %+v / customer %d (%v), want customer %d", got, cu.ID, err, keep.ID)
	}
	if devs, _ := s.CustomerDevices(keep.ID); len(devs) != 1 || devs[0].ID != d.ID {
		t.Errorf("kept customer's devices = %+v", devs)
	}
	if devs, _ := s.CustomerDevices(gone.ID); len(devs) != 0 {
		t.Errorf("merged-away customer still has devices: %+v", devs)
	}
	if _, err := s.RevokeDevice(staff, gone.ID, d.ID); !Is(err, CodeNotFound) {
		t.Errorf("the device is still revocable through the merged-away customer: %v", err)
	}
	if d2 := mustPair(t, s, pending, "Safari on iPhone", "cred-2"); d2.CustomerID != keep.ID {
		t.Errorf("a link printed for the merged-away customer paired customer %d", d2.CustomerID)
	}
}

// A database from before pairing gains its buckets on upgrade.
func TestUpgradeAddsDeviceBuckets(t *testing.T) {
	dir := t.TempDir()
	old := openDir(t, dir, Options{Now: newClock(t0).Now})
	err := old.db.Update(func(tx *bolt.Tx) error {
		for _, name := range deviceBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(keySchema, itob(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()

	s := openDir(t, dir, Options{Now: newClock(t0).Now})
	for _, name := range deviceBuckets {
		if !hasBucket(t, s, name) {
			t.Fatalf("bucket %s missing after the upgrade", name)
		}
	}
	c := mustCustomer(t, s, "Ana Pop", "", "")
	mustPair(t, s, mustPairLink(t, s, c.ID, 0), "Phone", "cred-1")
}

func TestThemeColor(t *testing.T) {
	s := openTest(t)
	if st, _ := s.Settings(); st.Theme() != DefaultThemeColor {
		t.Errorf("default theme colour %q", st.Theme())
	}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"#A01020", "#a01020", true},
		{" #0b5cad ", "#0b5cad", true},
		{"", "", true},
		{"#abc", "", false},
		{"red", "", false},
		{"#12345g", "", false},
		{"0b5cad", "", false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			st := DefaultSettings()
			st.ThemeColor = tt.in
			got, err := s.SaveSettings(staff, st)
			if !tt.ok {
				wantError(t, err, CodeInvalid, []string{"theme_color"})
				return
			}
			if err != nil || got.ThemeColor != tt.want || (tt.want == "" && got.Theme() != DefaultThemeColor) {
				t.Fatalf("SaveSettings(%q) = %q, %v", tt.in, got.ThemeColor, err)
			}
			if read, _ := s.Settings(); read.ThemeColor != tt.want {
				t.Errorf("read back %q", read.ThemeColor)
			}
		})
	}
}
