// The customers' app service worker. Pitlane fills in the values between
// double braces when it serves this file; any change to them is a new
// version, which the page offers to load ("A new version is ready").
"use strict";

const VERSION = {{.Version}};
const SCOPE = {{.Scope}};
const OFFLINE = {{.Offline}};
// The shell: what every page needs, with versioned URLs, so it is kept
// until the next version.
const SHELL = {{.Shell}};
const SHELL_CACHE = "pitlane-shell-" + VERSION;
// The pages last seen, for reading them offline.
const PAGES_CACHE = "pitlane-pages-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

// A new version waits until the page asks for it (the customer chose to
// reload), so a page never runs with half old, half new files.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("pitlane-") && name !== SHELL_CACHE && name !== PAGES_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE)) return;
  if (SHELL.includes(url.pathname + url.search)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request));
  }
});

// page asks the network first, so the customer sees what is true now, and
// keeps a copy; offline it shows the copy, or the offline page.
async function page(request) {
  const cache = await caches.open(PAGES_CACHE);
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    return (await cache.match(request)) || (await caches.match(OFFLINE)) || Response.error();
  }
  if (response.status === 401) {
    // This phone lost access (the dealership disconnected it): forget
    // what it saw.
    await caches.delete(PAGES_CACHE);
  } else if (response.ok && !response.redirected) {
    await cache.put(request, response.clone());
  }
  return response;
}

// Web push. The payload is {tag, title, body, url, category}; the tag is
// the notification's ID in the appliance's outbox. The appliance sends at
// least once: after a crash it may send a notification again, with the
// same tag, and a notification shown with a tag already on screen replaces
// it (silently: renotify is off) instead of adding a second one.
self.addEventListener("push", (event) => {
  let msg = {};
  try {
    msg = event.data ? event.data.json() : {};
  } catch (err) {
    msg = {};
  }
  const icon = SHELL.find((u) => u.includes("icon-192"));
  event.waitUntil(self.registration.showNotification(msg.title || "", {
    body: msg.body || "",
    tag: msg.tag || undefined,
    icon,
    badge: icon,
    data: { url: msg.url || SCOPE },
  }));
});

// A tap opens the notification's page, in the app's window if one is
// open. Only the app's own pages: a payload cannot send the customer to
// another site.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let url = new URL(SCOPE, self.location.origin);
  try {
    const wanted = new URL((event.notification.data && event.notification.data.url) || SCOPE, self.location.origin);
    if (wanted.origin === self.location.origin && wanted.pathname.startsWith(SCOPE)) url = wanted;
  } catch (err) {
    // Not a URL: the app's first page.
  }
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const w of windows) {
      if (new URL(w.url).origin !== self.location.origin) continue;
      await w.focus();
      return w.navigate(url.href);
    }
    return self.clients.openWindow(url.href);
  })());
});

// The browser renewed the subscription: hand the new one to the appliance
// (the old one is replaced, a phone has one).
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil((async () => {
    const sub = event.newSubscription ||
      await self.registration.pushManager.subscribe(event.oldSubscription.options);
    await fetch(SCOPE + "push", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(sub.toJSON()),
    });
  })());
});
