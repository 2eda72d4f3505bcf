// Turns web push on or off for this phone. The browser's permission prompt
// appears only after the customer taps "Turn on notifications": browsers
// ignore or penalise prompts nobody asked for, and a prompt on arrival is
// refused more often than one the customer chose. The page works without
// this file; it only adds the switch.

const box = document.getElementById("push");

function keyBytes(base64url) {
  const s = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(s + "=".repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

// send posts the subscription (PushSubscription.toJSON()) or, with
// DELETE, asks the appliance to forget it. Same-origin JSON with the
// device cookie.
async function send(method, body) {
  const res = await fetch("/app/push", {
    method,
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error("the appliance answered " + res.status);
}

async function start() {
  const status = document.getElementById("push-status");
  const on = document.getElementById("push-on");
  const off = document.getElementById("push-off");
  // The messages, in the page's language, are data-say-* attributes.
  const say = (what) => {
    status.textContent = box.dataset["say" + what[0].toUpperCase() + what.slice(1)] || "";
  };
  const show = (subscribed) => {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    say(subscribed ? "on" : "off");
  };

  const standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  const isIOS = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    // iOS offers web push only to apps added to the home screen.
    if (isIOS && !standalone) document.getElementById("push-ios").hidden = false;
    else say("unsupported");
    return;
  }
  const reg = await navigator.serviceWorker.ready;
  const current = await reg.pushManager.getSubscription();
  if (current && Notification.permission === "granted") {
    // Sent again on each visit: the appliance may have dropped it (the push
    // service said it was gone, or the phone was paired again).
    send("POST", current.toJSON()).catch(() => {});
    show(true);
  } else {
    show(false);
    if (Notification.permission === "denied") say("denied");
  }

  on.addEventListener("click", async () => {
    on.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("denied");
        return;
      }
      const sub = await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.dataset.key),
      });
      await send("POST", sub.toJSON());
      show(true);
    } catch (err) {
      console.warn("notifications not turned on:", err);
      say("failed");
    } finally {
      on.disabled = false;
    }
  });

  off.addEventListener("click", async () => {
    off.disabled = true;
    try {
      const sub = await reg.pushManager.getSubscription();
      if (sub) {
        await send("DELETE", { endpoint: sub.endpoint });
        await sub.unsubscribe();
      }
      show(false);
    } catch (err) {
      console.warn("notifications not turned off:", err);
      say("failed");
    } finally {
      off.disabled = false;
    }
  });
}

if (box) start().catch((err) => console.warn("notifications:", err));
