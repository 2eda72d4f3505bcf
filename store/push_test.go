package store

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// pushKeys returns a browser's subscription keys: a P-256 public key and a
// 16-byte authentication secret, base64url.
func pushKeys(t *testing.T) (p256dh, auth string) {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(secret)
}

// pairedDevice pairs a new device to the customer.
func pairedDevice(t *testing.T, s *Store, customerID uint64, name string) Device {
	t.Helper()
	return mustPair(t, s, mustPairLink(t, s, customerID, 0), name, "cred-"+name)
}

func mustSubscribe(t *testing.T, s *Store, d Device, endpoint string) PushSubscription {
	t.Helper()
	p256dh, auth := pushKeys(t)
	p, err := s.SavePushSubscription(phone, PushSubscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth,
		DeviceID: d.ID, CustomerID: d.CustomerID})
	if err != nil {
		t.Fatalf("SavePushSubscription(%s): %v", endpoint, err)
	}
	return p
}

func endpoints(subs []PushSubscription) []string {
	var out []string
	for _, p := range subs {
		out = append(out, p.Endpoint)
	}
	slices.Sort(out)
	return out
}

func TestVAPIDKeysMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, Options{})
	var wg sync.WaitGroup
	got := make([]VAPIDKeys, 8)
	for i := range got {
		wg.Go(func() {
			k, err := s.VAPIDKeys()
			if err != nil {
				t.Error(err)
			}
			got[i] = k
		})
	}
	wg.Wait()
	for _, k := range got[1:] {
		if k != got[0] {
			t.Fatalf("concurrent first calls returned different pairs: %+v and %+v", got[0], k)
		}
	}
	pub, err := base64.RawURLEncoding.DecodeString(got[0].Public)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		t.Errorf("public key is not an uncompressed P-256 point: %v", err)
	}
	if priv, err := base64.RawURLEncoding.DecodeString(got[0].Private); err != nil || len(priv) != 32 {
		t.Errorf("private key %q: %v", got[0].Private, err)
	}
	s.Close()
	s = openDir(t, dir, Options{})
	if k, err := s.VAPIDKeys(); err != nil || k != got[0] {
		t.Errorf("after reopening: %+v, %v; want %+v", k, err, got[0])
	}
}

func TestSavePushSubscription(t *testing.T) {
	s := openTest(t)
	ana := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	bob := mustCustomer(t, s, "Bob Rossi", "bob@example.it", "")
	phoneA := pairedDevice(t, s, ana.ID, "Chrome on Android")
	tablet := pairedDevice(t, s, ana.ID, "Safari on iPad")
	bobs := pairedDevice(t, s, bob.ID, "Firefox")
	p256dh, auth := pushKeys(t)

	t.Run("invalid", func(t *testing.T) {
		raw, _ := base64.RawURLEncoding.DecodeString(p256dh)
		for name, c := range map[string]struct {
			p     PushSubscription
			field string
		}{
			"plain http":      {PushSubscription{Endpoint: "http://push.example.net/x", P256dh: p256dh, Auth: auth}, "endpoint"},
			"no host":         {PushSubscription{Endpoint: "https:///x", P256dh: p256dh, Auth: auth}, "endpoint"},
			"user info":       {PushSubscription{Endpoint: "https://u:p@push.example.net/x", P256dh: p256dh, Auth: auth}, "endpoint"},
			"not a point":     {PushSubscription{Endpoint: "https://push.example.net/x", P256dh: base64.RawURLEncoding.EncodeToString(raw[:33]), Auth: auth}, "p256dh"},
			"short auth":      {PushSubscription{Endpoint: "https://push.example.net/x", P256dh: p256dh, Auth: "AAAA"}, "auth"},
			"not base64 keys": {PushSubscription{Endpoint: "https://push.example.net/x", P256dh: "!!", Auth: auth}, "p256dh"},
		} {
			c.p.DeviceID, c.p.CustomerID = phoneA.ID, ana.ID
			_, err := s.SavePushSubscription(phone, c.p)
			e, ok := AsError(err)
			if !ok || e.Code != CodeInvalid || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Errorf("%s: %v, want invalid %s", name, err, c.field)
			}
		}
	})

	t.Run("keys in standard base64 are kept as base64url", func(t *testing.T) {
		rawKey, _ := base64.RawURLEncoding.DecodeString(p256dh)
		rawAuth, _ := base64.RawURLEncoding.DecodeString(auth)
		p, err := s.SavePushSubscription(phone, PushSubscription{Endpoint: "https://push.example.net/a1",
			P256dh: base64.StdEncoding.EncodeToString(rawKey), Auth: base64.StdEncoding.EncodeToString(rawAuth),
			DeviceID: phoneA.ID, CustomerID: ana.ID})
		if err != nil {
			t.Fatal(err)
		}
		if p.P256dh != p256dh || p.Auth != auth {
			t.Errorf("stored keys %q %q, want %q %q", p.P256dh, p.Auth, p256dh, auth)
		}
	})

	t.Run("only an active device of the customer", func(t *testing.T) {
		for name, d := range map[string]Device{"another customer's device": bobs, "unknown device": {ID: 999, CustomerID: ana.ID}} {
			_, err := s.SavePushSubscription(phone, PushSubscription{Endpoint: "https://push.example.net/z",
				P256dh: p256dh, Auth: auth, DeviceID: d.ID, CustomerID: ana.ID})
			if !Is(err, CodeForbidden) {
				t.Errorf("%s: %v, want forbidden", name, err)
			}
		}
	})

	t.Run("one subscription per device", func(t *testing.T) {
		mustSubscribe(t, s, phoneA, "https://push.example.net/a2")
		mustSubscribe(t, s, tablet, "https://web.push.example.com/t1")
		subs, err := s.PushSubscriptions(ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := endpoints(subs); !slices.Equal(got, []string{"https://push.example.net/a2", "https://web.push.example.com/t1"}) {
			t.Errorf("subscriptions %v", got)
		}
		p, err := s.DevicePushSubscription(phoneA.ID)
		if err != nil || p.Endpoint != "https://push.example.net/a2" || p.CustomerID != ana.ID || p.Created.IsZero() {
			t.Errorf("device subscription %+v, %v", p, err)
		}
	})

	t.Run("an endpoint moves to the device that gives it", func(t *testing.T) {
		mustSubscribe(t, s, tablet, "https://push.example.net/a2")
		subs, _ := s.PushSubscriptions(ana.ID)
		if len(subs) != 1 || subs[0].DeviceID != tablet.ID {
			t.Errorf("subscriptions %+v, want the endpoint on the tablet only", subs)
		}
		if _, err := s.DevicePushSubscription(phoneA.ID); !Is(err, CodeNotFound) {
			t.Errorf("phone's subscription: %v, want not found", err)
		}
	})

	t.Run("a device deletes only its own", func(t *testing.T) {
		if err := s.DeletePushSubscription(phone, phoneA.ID, "https://push.example.net/a2"); err != nil {
			t.Fatal(err)
		}
		if subs, _ := s.PushSubscriptions(ana.ID); len(subs) != 1 {
			t.Errorf("another device's deletion removed the tablet's subscription: %+v", subs)
		}
		if err := s.DeletePushSubscription(phone, tablet.ID, "https://push.example.net/a2"); err != nil {
			t.Fatal(err)
		}
		if subs, _ := s.PushSubscriptions(ana.ID); len(subs) != 0 {
			t.Errorf("subscriptions left: %+v", subs)
		}
		if n := bucketLen(t, s, bPushSubsByDev) + bucketLen(t, s, bPushSubsByCust) + bucketLen(t, s, bPushSubs); n != 0 {
			t.Errorf("%d index entries left", n)
		}
	})
}

func TestRevokedDeviceLosesItsSubscription(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	d := pairedDevice(t, s, c.ID, "Chrome on Android")
	other := pairedDevice(t, s, c.ID, "Safari on iPad")
	mustSubscribe(t, s, d, "https://push.example.net/1")
	mustSubscribe(t, s, other, "https://push.example.net/2")
	if _, err := s.RevokeDevice(staff, c.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	subs, err := s.PushSubscriptions(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := endpoints(subs); !slices.Equal(got, []string{"https://push.example.net/2"}) {
		t.Errorf("after revoking the phone, subscriptions %v", got)
	}
	p256dh, auth := pushKeys(t)
	_, err = s.SavePushSubscription(phone, PushSubscription{Endpoint: "https://push.example.net/3", P256dh: p256dh,
		Auth: auth, DeviceID: d.ID, CustomerID: c.ID})
	if !Is(err, CodeForbidden) {
		t.Errorf("revoked device subscribing: %v, want forbidden", err)
	}
}

func TestPushPreferences(t *testing.T) {
	s := openTest(t)
	c := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	consented, err := s.CreateCustomer(staff, Customer{Name: "Bob", Email: "bob@example.it", Marketing: true, MarketingSource: "paper"})
	if err != nil {
		t.Fatal(err)
	}
	all := PushPreferences{CategoryWorkshop: true, CategorySales: true, CategoryDocuments: true, CategoryMarketing: true}
	noMarketing := PushPreferences{CategoryWorkshop: true, CategorySales: true, CategoryDocuments: true, CategoryMarketing: false}

	if p, err := s.PushPreferences(c.ID); err != nil || fmt.Sprint(p) != fmt.Sprint(noMarketing) {
		t.Errorf("defaults without consent = %v, %v; want all but marketing", p, err)
	}
	if p, err := s.PushPreferences(consented.ID); err != nil || fmt.Sprint(p) != fmt.Sprint(all) {
		t.Errorf("defaults with consent = %v, %v; want all", p, err)
	}

	p, err := s.SetPushPreferences(phone, c.ID, PushPreferences{CategoryWorkshop: false})
	if err != nil || p[CategoryWorkshop] || !p[CategorySales] || p[CategoryMarketing] {
		t.Errorf("workshop off = %v, %v", p, err)
	}
	if cu, _ := s.Customer(c.ID); cu.Marketing {
		t.Error("switching workshop off gave marketing consent")
	}

	p, err = s.SetPushPreferences(phone, c.ID, PushPreferences{CategoryMarketing: true})
	if err != nil || !p[CategoryMarketing] || p[CategoryWorkshop] {
		t.Errorf("marketing on = %v, %v", p, err)
	}
	cu, _ := s.Customer(c.ID)
	if !cu.Marketing || cu.MarketingSource != "pwa" || cu.MarketingDate.IsZero() {
		t.Errorf("switching marketing on in the app did not record consent: %+v", cu)
	}
	entries, _, _ := s.AuditLog(AuditFilter{Action: "marketing_consent"})
	if len(entries) != 1 || entries[0].Record != c.ID {
		t.Errorf("consent audit entries %+v", entries)
	}

	p, err = s.SetPushPreferences(phone, c.ID, PushPreferences{CategoryMarketing: false})
	if err != nil || p[CategoryMarketing] {
		t.Errorf("marketing off = %v, %v", p, err)
	}
	if cu, _ := s.Customer(c.ID); !cu.Marketing {
		t.Error("switching the notifications off withdrew a consent other channels may rely on")
	}

	if _, err := s.SetPushPreferences(phone, c.ID, PushPreferences{"spam": true}); !Is(err, CodeInvalid) {
		t.Errorf("unknown category: %v, want invalid", err)
	}
	if _, err := s.SetPushPreferences(phone, 999, PushPreferences{CategorySales: true}); !Is(err, CodeNotFound) {
		t.Errorf("unknown customer: %v, want not found", err)
	}
}

func TestPushTarget(t *testing.T) {
	s := openTest(t)
	st := DefaultSettings()
	st.Lang = "it"
	if _, err := s.SaveSettings(staff, st); err != nil {
		t.Fatal(err)
	}
	c := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	d := pairedDevice(t, s, c.ID, "phone")
	mustSubscribe(t, s, d, "https://push.example.net/1")
	tgt, err := s.PushTarget(Notification{ID: 1, CustomerID: c.ID, Category: CategoryWorkshop})
	if err != nil || tgt.Lang != "it" || !tgt.Allowed || len(tgt.Subscriptions) != 1 || tgt.Accepted {
		t.Errorf("target = %+v, %v", tgt, err)
	}
	c.Lang = "ro"
	if _, err := s.UpdateCustomer(staff, c); err != nil {
		t.Fatal(err)
	}
	for cat, allowed := range map[string]bool{CategoryWorkshop: true, CategoryMarketing: false, "account": true} {
		tgt, err := s.PushTarget(Notification{ID: 1, CustomerID: c.ID, Category: cat})
		if err != nil || tgt.Lang != "ro" || tgt.Allowed != allowed {
			t.Errorf("%s: target = %+v, %v; want ro, allowed %t", cat, tgt, err, allowed)
		}
	}
	// With the customer's consent, marketing goes out too.
	c.Marketing, c.MarketingSource = true, "paper"
	if _, err := s.UpdateCustomer(staff, c); err != nil {
		t.Fatal(err)
	}
	if tgt, err := s.PushTarget(Notification{ID: 1, CustomerID: c.ID, Category: CategoryMarketing}); err != nil || !tgt.Allowed || tgt.Lang != "ro" {
		t.Errorf("marketing with consent: target = %+v, %v", tgt, err)
	}
	if _, err := s.PushTarget(Notification{ID: 1, CustomerID: 999}); !Is(err, CodeNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
}

// queue adds a pending notification for the customer through a real
// producer, and returns it.
func queue(t *testing.T, s *Store, customerID uint64) Notification {
	t.Helper()
	v := mustVehicle(t, s, customerID, fmt.Sprintf("PL%06d", time.Now().UnixNano()%1000000))
	j := mustJob(t, s, v.ID, "")
	if _, err := s.SetJobStage(staff, j.ID, StageReady); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueNotifications(1000)
	if err != nil || len(due) == 0 {
		t.Fatalf("due %v, %v", due, err)
	}
	return due[len(due)-1]
}

func TestRecordPush(t *testing.T) {
	s, clk := openTestClock(t)
	c := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	a := mustSubscribe(t, s, pairedDevice(t, s, c.ID, "phone"), "https://push.example.net/a")
	b := mustSubscribe(t, s, pairedDevice(t, s, c.ID, "tablet"), "https://push.example.net/b")
	gone := mustSubscribe(t, s, pairedDevice(t, s, c.ID, "old"), "https://push.example.net/gone")
	n := queue(t, s, c.ID)

	// First attempt: a took it, the old phone's subscription is gone, b's
	// push service was down.
	next := t0.Add(time.Minute)
	if err := s.RecordPushes([]PushRecord{{ID: n.ID, Result: PushResult{Status: NotifyPending, Next: next, Error: "b: 503",
		Accepted: []string{a.Endpoint}, Gone: []string{gone.Endpoint}}}}); err != nil {
		t.Fatal(err)
	}
	if subs, _ := s.PushSubscriptions(c.ID); !slices.Equal(endpoints(subs), endpoints([]PushSubscription{a, b})) {
		t.Errorf("gone subscription kept: %v", endpoints(subs))
	}
	got, _ := s.Notification(n.ID)
	if got.Status != NotifyPending || got.Attempts != 1 || !got.NextTry.Equal(next) || got.LastError != "b: 503" {
		t.Errorf("after a partial attempt: %+v", got)
	}
	if due := dueIDs(t, s, 10); len(due) != 0 {
		t.Errorf("due before its retry time: %v", due)
	}
	if _, _, due, err := s.DueTarget(n.ID); due || err != nil {
		t.Errorf("DueTarget before its retry time: due %t, %v", due, err)
	}
	if at, ok, err := s.NextNotificationTry(); err != nil || !ok || !at.Equal(next) {
		t.Errorf("next try = %v, %t, %v; want %v", at, ok, err, next)
	}
	tgt, err := s.PushTarget(got)
	if err != nil || !tgt.Accepted || len(tgt.Subscriptions) != 1 || tgt.Subscriptions[0].Endpoint != b.Endpoint {
		t.Errorf("retry target %+v, %v; want only b, with an earlier acceptance", tgt, err)
	}

	clk.Set(next)
	if due := dueIDs(t, s, 10); !slices.Equal(due, []uint64{n.ID}) {
		t.Errorf("due at its retry time: %v", due)
	}
	if fresh, tgt, due, err := s.DueTarget(n.ID); !due || err != nil || fresh.Attempts != 1 ||
		len(tgt.Subscriptions) != 1 || tgt.Subscriptions[0].Endpoint != b.Endpoint {
		t.Errorf("DueTarget at its retry time: %+v, %+v, due %t, %v", fresh, tgt, due, err)
	}
	if err := s.RecordPushes([]PushRecord{{ID: n.ID, Result: PushResult{Status: NotifyDelivered, Accepted: []string{b.Endpoint}}}}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Notification(n.ID)
	if got.Status != NotifyDelivered || got.Attempts != 2 || !got.Done.Equal(next) {
		t.Errorf("delivered: %+v", got)
	}
	if _, ok, _ := s.NextNotificationTry(); ok {
		t.Error("a next try with nothing pending")
	}
	if _, _, due, err := s.DueTarget(n.ID); due || err != nil {
		t.Errorf("DueTarget once delivered: due %t, %v", due, err)
	}
	if n := bucketLen(t, s, bPushProgress); n != 0 {
		t.Errorf("%d progress entries left after the notification finished", n)
	}
	// A second record of a finished notification changes nothing.
	if err := s.RecordPushes([]PushRecord{{ID: n.ID, Result: PushResult{Status: NotifyFailed, Error: "late"}}}); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Notification(n.ID); again.Status != NotifyDelivered || again.Attempts != 2 {
		t.Errorf("recorded twice: %+v", again)
	}
	// One deleted meanwhile is passed over; the others are recorded.
	other := queue(t, s, c.ID)
	if err := s.RecordPushes([]PushRecord{{ID: 12345, Result: PushResult{Status: NotifyDelivered}},
		{ID: other.ID, Result: PushResult{Status: NotifyFailed, Error: "refused"}}}); err != nil {
		t.Errorf("with an unknown notification: %v", err)
	}
	if got, _ := s.Notification(other.ID); got.Status != NotifyFailed || got.LastError != "refused" {
		t.Errorf("recorded beside an unknown one: %+v", got)
	}
}

func TestMergeMovesPush(t *testing.T) {
	s := openTest(t)
	keep := mustCustomer(t, s, "Ana Pop", "ana@example.ro", "")
	gone := mustCustomer(t, s, "Ana Pop (2)", "ana.pop@example.ro", "")
	d := pairedDevice(t, s, gone.ID, "phone")
	p := mustSubscribe(t, s, d, "https://push.example.net/1")
	if _, err := s.SetPushPreferences(phone, gone.ID, PushPreferences{CategorySales: false}); err != nil {
		t.Fatal(err)
	}
	n := queue(t, s, gone.ID)
	if _, err := s.MergeCustomers(staff, keep.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	subs, err := s.PushSubscriptions(keep.ID)
	if err != nil || len(subs) != 1 || subs[0].Endpoint != p.Endpoint || subs[0].CustomerID != keep.ID || subs[0].DeviceID != d.ID {
		t.Errorf("kept customer's subscriptions %+v, %v", subs, err)
	}
	if left, _ := s.PushSubscriptions(gone.ID); len(left) != 0 {
		t.Errorf("merged-away customer still has %+v", left)
	}
	if prefs, _ := s.PushPreferences(keep.ID); prefs[CategorySales] {
		t.Error("the merged-away customer's choice (sales off) was lost")
	}
	if got, _ := s.Notification(n.ID); got.CustomerID != keep.ID {
		t.Errorf("pending notification still for customer %d", got.CustomerID)
	}
	tgt, err := s.PushTarget(Notification{ID: n.ID, CustomerID: keep.ID, Category: CategoryWorkshop})
	if err != nil || len(tgt.Subscriptions) != 1 {
		t.Errorf("target after merge %+v, %v", tgt, err)
	}
	// The notifier, holding the notification as it was before the merge,
	// reads it again with its target: the kept customer's.
	fresh, tgt, due, err := s.DueTarget(n.ID)
	if err != nil || !due || fresh.CustomerID != keep.ID || len(tgt.Subscriptions) != 1 || tgt.Subscriptions[0].Endpoint != p.Endpoint {
		t.Errorf("DueTarget after merge: %+v, %+v, due %t, %v", fresh, tgt, due, err)
	}
}
