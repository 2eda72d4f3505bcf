// The staff messages pages. The reply form: shows what was picked, with
// previews; refuses a file that is too large or not a photo or video
// before anything is sent; sends with a progress bar and shows the thread
// again in place. Live updates: the pages follow /messages/events
// (Server-Sent Events) and, when a customer writes or a thread is read or
// assigned, fetch themselves again and put the new list in place, leaving
// what is being typed alone. Without this file the form posts as it is and
// the pages show what is new when reloaded.

const form = document.getElementById("compose");
if (form) compose(form);

function compose(form) {
  const d = form.dataset;
  const previews = document.getElementById("previews");
  const problem = document.getElementById("compose-error");
  const progress = document.getElementById("compose-progress");
  const send = document.getElementById("send");
  const inputs = [...form.querySelectorAll('input[type="file"]')];
  let urls = [];

  const say = (text) => {
    problem.textContent = text;
    problem.hidden = !text;
  };
  const picked = () => inputs.flatMap((input) => [...input.files]);

  // check says what is wrong with the files picked, or "". A file whose
  // type the browser does not know (HEIC on some phones) is left to the
  // appliance, which reads the content.
  const check = () => {
    let total = 0;
    for (const f of picked()) {
      total += f.size;
      const video = f.type.startsWith("video/");
      const image = f.type.startsWith("image/");
      if (f.type && !video && !image) return d.sayType.replace("{name}", f.name);
      if (video && f.size > Number(d.maxVideo)) return d.sayVideo.replace("{name}", f.name);
      if (image && f.size > Number(d.maxPhoto)) return d.sayPhoto.replace("{name}", f.name);
    }
    return total > Number(d.maxTotal) ? d.sayTotal : "";
  };

  const showPicked = () => {
    urls.forEach((u) => URL.revokeObjectURL(u));
    urls = [];
    previews.replaceChildren();
    for (const f of picked()) {
      const li = document.createElement("li");
      let el = null;
      if (/^image\/(jpeg|png|webp|gif)$/.test(f.type)) {
        el = document.createElement("img");
        el.alt = "";
      } else if (f.type.startsWith("video/")) {
        el = document.createElement("video");
        el.muted = true;
        el.preload = "metadata";
      }
      if (el) {
        const url = URL.createObjectURL(f);
        urls.push(url);
        el.src = url;
        li.append(el);
      }
      li.append(document.createTextNode(f.name));
      previews.append(li);
    }
    previews.hidden = previews.children.length === 0;
    say(check());
  };
  inputs.forEach((input) => input.addEventListener("change", showPicked));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const wrong = check();
    if (wrong) {
      say(wrong);
      return;
    }
    say("");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((100 * e.loaded) / e.total);
    });
    const done = () => {
      send.disabled = false;
      progress.hidden = true;
    };
    xhr.addEventListener("load", async () => {
      done();
      const body = xhr.response || {};
      if (xhr.status >= 200 && xhr.status < 300) {
        form.reset();
        showPicked();
        await refresh();
        return;
      }
      say(body.error || d.sayFailed);
    });
    xhr.addEventListener("error", () => {
      done();
      say(d.sayFailed);
    });
    send.disabled = true;
    progress.value = 0;
    progress.hidden = false;
    xhr.send(new FormData(form));
  });
}

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
    latest = state.version;
    catchUp();
  });
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
    const badge = doc.querySelector("[data-unread] [data-count]");
    if (badge) showUnread(Number(badge.textContent));
    const last = here.querySelector(".msg:last-child");
    if (last && atEnd) last.scrollIntoView({ block: "end" });
    return Number(fresh.dataset.version);
  } catch {
    return null;
  }
}
