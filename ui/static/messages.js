// The staff messages pages. The reply form: shows what was picked, with
// previews; refuses a file that is too large or not a photo or video
// before anything is sent; sends with a progress bar and shows the thread
// again in place. Live updates: the pages follow /messages/events
// (Server-Sent Events) and, when a customer writes or a thread is read or
// assigned, fetch themselves again and put the new list in place, leaving
// what is being typed alone. A thread page that shows older messages (opened
// at a search result, or paged back) stays as it is while staff read it: only
// the unread count follows, and a reply leads to the newest messages. Without
// this file the form posts as it is and the pages show what is new when
// reloaded.

import { compose } from "./compose.js";

const form = document.getElementById("compose");
if (form) compose(form, sent);

const live = document.getElementById("live");
if (live && window.EventSource) follow(live);

// showUnread puts the count of unread customer messages on every badge.
function showUnread(n) {
  for (const badge of document.querySelectorAll("[data-unread]")) {
    badge.hidden = n === 0;
    const count = badge.querySelector("[data-count]");
    if (count) count.textContent = String(n);
  }
}

function follow(live) {
  let shown = Number(live.dataset.version);
  let latest = shown;
  let busy = false;
  const catchUp = async () => {
    if (busy) return;
    busy = true;
    try {
      while (latest !== shown) {
        const want = latest;
        const version = await refresh();
        shown = version === null ? want : Math.max(version, want);
      }
    } finally {
      busy = false;
    }
  };
  const events = new EventSource("/messages/events");
  events.addEventListener("messages", (e) => {
    const state = JSON.parse(e.data);
    showUnread(state.unread);
    if (showsOlder()) return;
    latest = state.version;
    catchUp();
  });
}

// showsOlder reports whether the thread page shows older messages, with
// newer ones after them.
function showsOlder() {
  return document.getElementById("live")?.hasAttribute("data-newer") ?? false;
}

// sent shows the thread after a reply: in place when the page shows the
// newest messages, else (or when the reply took the page past them) at the
// reply, where the answer says.
async function sent(answer) {
  if (!showsOlder()) await refresh();
  if (showsOlder() && answer.url) location.assign(answer.url);
}

// refresh reads the page again and puts its live part in place of this
// one's, returning the version the new part shows (null if it failed).
async function refresh() {
  try {
    const res = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
    if (!res.ok) return null;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("live");
    const here = document.getElementById("live");
    if (!fresh || !here) return null;
    const thread = here.querySelector(".msgs");
    const atEnd = !thread || window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    here.replaceChildren(...fresh.childNodes);
    here.dataset.version = fresh.dataset.version;
    here.toggleAttribute("data-newer", fresh.hasAttribute("data-newer"));
    const badge = doc.querySelector("[data-unread] [data-count]");
    if (badge) showUnread(Number(badge.textContent));
    const last = here.querySelector(".msg:last-child");
    if (last && atEnd) last.scrollIntoView({ block: "end" });
    return Number(fresh.dataset.version);
  } catch {
    return null;
  }
}
