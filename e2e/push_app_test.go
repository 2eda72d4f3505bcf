package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"pitlane/notify"
	"pitlane/notify/pushtest"
	"pitlane/store"
)

// pushStub replaces the browser's push subscription with one on the local
// push service: Chromium's own push service (Google's) is out of reach
// from a test, so a real pushManager.subscribe cannot succeed here. It also
// counts permission prompts and keeps what the page passed to subscribe.
const pushStub = `(() => {
  if (!window.PushManager || !window.Notification) return;
  const SUB = %s;
  window.__prompts = 0;
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { window.__prompts++; return ask(...args); };
  let current = null;
  PushManager.prototype.subscribe = async function (opts) {
    const key = new Uint8Array(opts.applicationServerKey);
    window.__appKey = btoa(String.fromCharCode(...key)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    window.__userVisibleOnly = opts.userVisibleOnly;
    current = { endpoint: SUB.endpoint, toJSON: () => SUB, unsubscribe: async () => { current = null; return true; } };
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();`

type shown struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Tag   string `json:"tag"`
	URL   string `json:"url"`
}

const shownNotifications = `(async () => {
  const reg = await navigator.serviceWorker.ready;
  return (await reg.getNotifications()).map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url}));
})()`

// TestPushInTheApp follows a paired customer turning notifications on in
// the app in Chromium, then a workshop notification from the appliance to
// the local push service and into the app's real service worker.
//
// What it proves: the permission prompt comes only after the tap; the page
// subscribes with the appliance's VAPID key and userVisibleOnly, and the
// appliance stores the PushSubscription JSON the page sends; the message
// the notifier sends (verified and decrypted by the push service) is shown
// by the service worker with the notification's ID as its tag, and the
// same message delivered twice is shown once. What it cannot: Chromium's
// real subscribe (it needs Google's push service), and a tap on the shown
// notification (headless Chromium has no way to click one; the click
// handler's same-origin rule is in sw.js).
func TestPushInTheApp(t *testing.T) {
	dir := t.TempDir()
	push := pushtest.Start()
	defer push.Close()
	certFile := filepath.Join(t.TempDir(), "push-ca.pem")
	if err := os.WriteFile(certFile, push.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	settings := store.DefaultSettings()
	settings.Email = dealerEmail
	if _, err := st.SaveSettings(staffActor, settings); err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCustomer(staffActor, store.Customer{Name: "Giulia Verdi", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.CreateVehicle(staffActor, store.Vehicle{CustomerID: c.ID, Plate: "GV123AB", Make: "Fiat", Model: "500"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := st.CreatePairLink(staffActor, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := st.VAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := push.Subscribe(keys.Public)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	subJSON, _ := json.Marshal(sub)

	app, base := serveData(t, dir, "SSL_CERT_FILE="+certFile)
	ctx := browser(t, 412, 915)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: fmt.Sprintf(pushStub, subJSON)}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "pair the phone", chromedp.Navigate(base+"/pair/"+token), chromedp.WaitVisible(chromedp.CSS("#notifications")))
	run(t, ctx, "open the notifications page", chromedp.WaitVisible(chromedp.CSS(`a[href="/app/notifications"]`)),
		chromedp.Navigate(base+"/app/notifications"), chromedp.WaitVisible(chromedp.CSS("#push-on")))
	await[bool](t, ctx, `navigator.serviceWorker.ready.then(() => true)`)
	if n := eval[int](t, ctx, `window.__prompts`); n != 0 {
		t.Fatalf("%d permission prompts before any tap", n)
	}
	if p := eval[string](t, ctx, `Notification.permission`); p != "default" {
		t.Fatalf("permission %q before the tap", p)
	}

	// What the customer answers to the prompt.
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: base,
	}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "tap Turn on notifications", chromedp.Click(chromedp.CSS("#push-on")),
		chromedp.WaitVisible(chromedp.CSS("#push-off")))
	if got := text(t, ctx, "#push-status"); got != "Notifications are on for this phone." {
		t.Errorf("status after the tap: %q", got)
	}
	if n := eval[int](t, ctx, `window.__prompts`); n != 1 {
		t.Errorf("%d permission prompts after one tap", n)
	}
	if k := eval[string](t, ctx, `window.__appKey`); k != keys.Public {
		t.Errorf("subscribed with key %q, want the appliance's %q", k, keys.Public)
	}
	if !eval[bool](t, ctx, `window.__userVisibleOnly === true`) {
		t.Error("subscribed without userVisibleOnly")
	}

	// The appliance kept the subscription: stop it to read the store, and
	// queue a workshop notification as staff moving the job would.
	app.stop(t)
	st, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	subs, _ := st.PushSubscriptions(c.ID)
	devices, _ := st.CustomerDevices(c.ID)
	if len(subs) != 1 || subs[0].Endpoint != sub.Endpoint || subs[0].P256dh != sub.Keys.P256dh ||
		subs[0].Auth != sub.Keys.Auth || len(devices) != 1 || subs[0].DeviceID != devices[0].ID {
		t.Fatalf("stored subscriptions %+v, devices %+v; the page sent %s", subs, devices, subJSON)
	}
	j, err := st.CreateJob(staffActor, store.Job{VehicleID: v.ID, Description: "tagliando"})
	if err == nil {
		j, err = st.SetJobStage(staffActor, j.ID, store.StageReady)
	}
	if err != nil {
		t.Fatal(err)
	}
	due, _ := st.DueNotifications(10)
	st.Close()
	if len(due) != 1 {
		t.Fatalf("%d notifications queued", len(due))
	}
	serveData(t, dir, "SSL_CERT_FILE="+certFile)
	wctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := push.Wait(wctx, 1); err != nil {
		t.Fatal(err)
	}
	if r := push.Rejections(); len(r) > 0 {
		t.Fatalf("the push service refused: %+v", r)
	}
	msg := push.Messages()[0]
	var p notify.Payload
	if err := json.Unmarshal(msg.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Tag != fmt.Sprint(due[0].ID) || p.URL != fmt.Sprintf("/app/jobs/%d", j.ID) || !strings.Contains(p.Title, j.Number) {
		t.Fatalf("payload %+v", p)
	}

	// The message reaches the app's service worker as the phone would
	// receive it, twice: the second is the copy a crash can cause.
	regs := chromedp.Events(ctx, serviceworker.WorkerRegistrationUpdated)
	if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	var regID serviceworker.RegistrationID
	for ev, err := range regs {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ev.Registrations {
			if r.ScopeURL == base+"/app/" && !r.IsDeleted {
				regID = r.RegistrationID
			}
		}
		if regID != "" {
			break
		}
	}
	for i := range 2 {
		if _, err := chromedp.Call(ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: base, RegistrationID: regID, Data: string(msg.Payload)}); err != nil {
			t.Fatalf("deliver the push message (copy %d): %v", i+1, err)
		}
		var got []shown
		deadline := time.Now().Add(10 * time.Second)
		for {
			got = await[[]shown](t, ctx, shownNotifications)
			if len(got) > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		want := shown{Title: p.Title, Body: "Ready for collection", Tag: p.Tag, URL: p.URL}
		if len(got) != 1 || got[0] != want {
			t.Fatalf("after copy %d the phone shows %+v, want only %+v", i+1, got, want)
		}
	}
}

// await evaluates a promise in the page and returns what it resolves to.
func await[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
