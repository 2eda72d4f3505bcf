// Offers to install the app: the browser's own prompt where it has one
// (Chrome, Edge, Samsung Internet), and on iPhone and iPad, which have
// none, how to add it to the home screen, which iOS needs to deliver
// notifications (iOS 16.4 and later).

const box = document.getElementById("install");
const button = document.getElementById("install-button");
const ios = document.getElementById("install-ios");
const later = document.getElementById("install-later");
const DISMISSED = "pitlane.install.dismissed";

const standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
const isIOS = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
  (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);

function dismissed() {
  try {
    return window.localStorage.getItem(DISMISSED) === "1";
  } catch {
    return false;
  }
}

if (box && !standalone && !dismissed()) {
  let deferred = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
    button.hidden = false;
    box.hidden = false;
  });
  button.addEventListener("click", async () => {
    if (!deferred) return;
    deferred.prompt();
    await deferred.userChoice;
    deferred = null;
    box.hidden = true;
  });
  window.addEventListener("appinstalled", () => {
    box.hidden = true;
  });
  if (isIOS) {
    ios.hidden = false;
    box.hidden = false;
  }
  later.addEventListener("click", () => {
    box.hidden = true;
    try {
      window.localStorage.setItem(DISMISSED, "1");
    } catch {
      // Private browsing: the offer comes back next time, which is fine.
    }
  });
}
