// Enhances the message form: shows what was picked, with previews; refuses
// a file that is too large or not a photo or video before anything is
// sent; sends with a progress bar and shows the thread again in place.
// Without this file the form posts as it is and the page answers; the
// appliance checks everything again either way.

import { compose } from "./compose.js";

const form = document.getElementById("compose");
if (form) compose(form, () => refresh(location.pathname));

// refresh reads the page again and puts its thread in place of this
// one's, then shows the newest message.
async function refresh(url) {
  const res = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  const fresh = doc.querySelector(".thread");
  const here = document.querySelector(".thread");
  if (!fresh || !here) return;
  here.replaceChildren(...fresh.childNodes);
  const last = here.querySelector(".msg:last-child");
  if (last) last.scrollIntoView({ block: "end" });
}
