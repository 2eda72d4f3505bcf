package server_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"pitlane/store"
)

// send makes a request with a body from the phone, as the app's script or
// form does.
func (p phone) call(method, path, contentType, body string, headers ...string) (*http.Response, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("User-Agent", androidUA)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return p.browser.send(req)
}

func subscriptionJSON(t *testing.T, endpoint string) string {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return fmt.Sprintf(`{"endpoint":%q,"expirationTime":null,"keys":{"p256dh":%q,"auth":%q}}`, endpoint,
		base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(auth))
}

func TestAppNotifications(t *testing.T) {
	e := newEnv(t)
	f := newCustomerWithCar(t, e, "Ana Pop", "AA 111 AA")
	other := newCustomerWithCar(t, e, "Radu Ionescu", "BB 222 BB")
	keys, err := e.st.VAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}

	_, home := f.phone.get("/app/")
	if !strings.Contains(home, `href="/app/notifications"`) {
		t.Error("the app's first page does not lead to the notifications")
	}
	resp, page := f.phone.get("/app/notifications")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("notifications page: %d: %.300s", resp.StatusCode, page)
	}
	for _, want := range []string{`data-key="` + keys.Public + `"`, `id="push-on"`, "Turn on notifications",
		`value="workshop" checked`, `value="marketing">`, "you agree to receive offers", "push.js"} {
		if !strings.Contains(page, want) {
			t.Errorf("notifications page lacks %q", want)
		}
	}

	endpoint := "https://fcm.googleapis.com/fcm/send/abc:123"
	body := subscriptionJSON(t, endpoint)
	for name, c := range map[string]struct {
		contentType string
		body        string
		headers     []string
		status      int
	}{
		"another site's page":    {"application/json", body, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, http.StatusForbidden},
		"a sibling site":         {"application/json", body, []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		"a foreign Origin":       {"application/json", body, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		"a form, not JSON":       {"text/plain", body, nil, http.StatusUnsupportedMediaType},
		"not a subscription":     {"application/json", `{"endpoint":`, nil, http.StatusUnprocessableEntity},
		"a plain-HTTP endpoint":  {"application/json", subscriptionJSON(t, "http://fcm.googleapis.com/x"), nil, http.StatusUnprocessableEntity},
		"keys that are not keys": {"application/json", `{"endpoint":"https://push.example.net/1","keys":{"p256dh":"AAAA","auth":"AAAA"}}`, nil, http.StatusUnprocessableEntity},
	} {
		resp, _ := f.phone.call(http.MethodPost, "/app/push", c.contentType, c.body, c.headers...)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, c.status)
		}
	}
	if subs, _ := e.st.PushSubscriptions(f.customer.ID); len(subs) != 0 {
		t.Fatalf("refused requests stored %+v", subs)
	}

	resp, _ = f.phone.call(http.MethodPost, "/app/push", "application/json", body,
		"Sec-Fetch-Site", "same-origin", "Origin", "http://example.com")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	devices, _ := e.st.CustomerDevices(f.customer.ID)
	subs, _ := e.st.PushSubscriptions(f.customer.ID)
	if len(subs) != 1 || subs[0].Endpoint != endpoint || subs[0].DeviceID != devices[0].ID {
		t.Fatalf("stored subscriptions %+v for device %d", subs, devices[0].ID)
	}
	// Another customer's phone cannot remove it.
	other.phone.call(http.MethodDelete, "/app/push", "application/json", `{"endpoint":"`+endpoint+`"}`)
	if subs, _ := e.st.PushSubscriptions(f.customer.ID); len(subs) != 1 {
		t.Error("another customer's phone removed the subscription")
	}
	resp, _ = f.phone.call(http.MethodDelete, "/app/push", "application/json", `{"endpoint":"`+endpoint+`"}`)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("unsubscribe: %d", resp.StatusCode)
	}
	if subs, _ := e.st.PushSubscriptions(f.customer.ID); len(subs) != 0 {
		t.Errorf("after turning off: %+v", subs)
	}

	// Categories: the boxes ticked are on, the rest off; ticking marketing
	// is the customer's consent.
	resp, _ = f.phone.call(http.MethodPost, "/app/notifications", "application/x-www-form-urlencoded",
		"on=workshop&on=marketing", "Origin", "https://evil.example")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("categories from another site: %d", resp.StatusCode)
	}
	resp, _ = f.phone.call(http.MethodPost, "/app/notifications", "application/x-www-form-urlencoded", "on=workshop&on=marketing")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/notifications?saved=1" {
		t.Fatalf("save categories: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	prefs, _ := e.st.PushPreferences(f.customer.ID)
	want := store.PushPreferences{store.CategoryWorkshop: true, store.CategorySales: false, store.CategoryDocuments: false, store.CategoryMarketing: true}
	if fmt.Sprint(prefs) != fmt.Sprint(want) {
		t.Errorf("preferences %v, want %v", prefs, want)
	}
	if c, _ := e.st.Customer(f.customer.ID); !c.Marketing || c.MarketingSource != "pwa" {
		t.Errorf("marketing consent not recorded: %+v", c)
	}
	_, page = f.phone.get("/app/notifications?saved=1")
	for _, want := range []string{"Your choices are saved.", `value="marketing" checked`, `value="sales">`} {
		if !strings.Contains(page, want) {
			t.Errorf("after saving, the page lacks %q", want)
		}
	}
	if strings.Contains(page, "you agree to receive offers") {
		t.Error("the consent note still shows after consent was given")
	}
	if p, _ := e.st.PushPreferences(other.customer.ID); !p[store.CategorySales] {
		t.Error("one customer's choice changed another's")
	}
}
