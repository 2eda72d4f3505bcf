// The message form of the staff thread and of the customers' app (and
// the app's appointment request): shows what was picked, with previews;
// refuses a file that is too large or not a photo or video before anything
// is sent; sends with a progress bar, then calls refresh with the answer
// (its url) to show the thread again in place, or go where it says. Without it the form
// posts as it is and the page answers; the appliance checks everything
// again either way.
export function compose(form, refresh) {
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
        await refresh(body);
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
