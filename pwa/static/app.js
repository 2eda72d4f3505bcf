// Registers the service worker (offline use, updates) and offers a new
// version when one is ready. Every page works without this file.

const banner = document.getElementById("update");
// updating is set when the customer chose to load the new version: only
// then does a change of worker reload the page (the first install takes
// over without one).
let updating = false;

// offer shows the "new version" banner; its button lets the waiting
// worker take over, and the page reloads when it has.
function offer(worker) {
  if (!banner) return;
  banner.hidden = false;
  document.getElementById("update-button").addEventListener("click", () => {
    updating = true;
    worker.postMessage({ type: "skip-waiting" });
  }, { once: true });
}

async function register() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!updating) return;
    updating = false;
    window.location.reload();
  });
  const reg = await navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" });
  if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
  reg.addEventListener("updatefound", () => {
    const worker = reg.installing;
    if (!worker) return;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
    });
  });
}

register().catch((err) => console.warn("service worker not registered:", err));
