// Results as you type under the search box in the header: a combobox with
// a listbox (WAI-ARIA 1.2). Arrow keys move through the results, Enter opens
// the one chosen (with none, the form goes to the results page), Escape
// closes the list. Without this file the box is a plain form.

const form = document.querySelector("form.search");
const input = form && form.querySelector("input[name=q]");
const list = document.getElementById("search-list");
const status = document.getElementById("search-status");

if (input && list) {
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  const delay = 150; // ms after the last key before asking
  let timer = 0;
  let controller = null;
  let asked = "";
  let options = [];
  let active = -1;

  const open = () => {
    if (options.length === 0) return;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    select(-1);
  };
  const select = (i) => {
    active = i;
    options.forEach((o, k) => o.setAttribute("aria-selected", String(k === i)));
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const go = (option) => window.location.assign(option.dataset.url);

  // Segments are written as text; a match goes in <mark>.
  const marked = (parent, segments) => {
    for (const s of segments || []) {
      if (s.match) {
        const m = document.createElement("mark");
        m.textContent = s.text;
        parent.append(m);
      } else {
        parent.append(s.text);
      }
    }
  };

  const option = (url, id) => {
    const o = document.createElement("div");
    o.id = id;
    o.className = "search-option";
    o.setAttribute("role", "option");
    o.setAttribute("aria-selected", "false");
    o.dataset.url = url;
    // Keep the focus in the box: the click then opens the result.
    o.addEventListener("mousedown", (e) => e.preventDefault());
    o.addEventListener("click", () => go(o));
    return o;
  };

  const render = (data) => {
    list.replaceChildren();
    options = [];
    data.groups.forEach((g, gi) => {
      const group = document.createElement("div");
      group.setAttribute("role", "group");
      const label = document.createElement("div");
      label.className = "search-group";
      label.id = `search-group-${gi}`;
      label.textContent = g.label;
      group.setAttribute("aria-labelledby", label.id);
      group.append(label);
      for (const h of g.hits) {
        const o = option(h.url, `search-option-${options.length}`);
        const title = document.createElement("span");
        title.className = "hit-title";
        marked(title, h.title);
        o.append(title);
        if (h.details && h.details.length) {
          const details = document.createElement("span");
          details.className = "hit-details";
          h.details.forEach((d, i) => {
            if (i) details.append(" · ");
            marked(details, d);
          });
          o.append(details);
        }
        group.append(o);
        options.push(o);
      }
      list.append(group);
    });
    if (data.all) {
      const o = option(data.all_url, `search-option-${options.length}`);
      o.classList.add("search-all");
      o.textContent = data.all;
      list.append(o);
      options.push(o);
    }
    if (status) status.textContent = data.status || "";
    select(-1);
    if (options.length) open();
    else close();
  };

  const ask = async () => {
    const q = input.value.trim();
    if (q === asked) return;
    asked = q;
    if (controller) controller.abort();
    if (q === "") {
      options = [];
      close();
      return;
    }
    controller = new AbortController();
    try {
      const res = await fetch(`/search?format=json&q=${encodeURIComponent(q)}`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (res.ok) render(await res.json());
    } catch (err) {
      if (err.name !== "AbortError") console.warn("search:", err);
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, delay);
  });
  input.addEventListener("focus", open);
  input.addEventListener("keydown", (e) => {
    const n = options.length;
    switch (e.key) {
      case "ArrowDown":
        if (!n) return;
        e.preventDefault();
        open();
        select((active + 1) % n);
        break;
      case "ArrowUp":
        if (!n) return;
        e.preventDefault();
        open();
        select(active <= 0 ? n - 1 : active - 1);
        break;
      case "Escape":
        if (!list.hidden) {
          e.preventDefault();
          close();
        } else if (input.value) {
          e.preventDefault();
          input.value = "";
          asked = "";
        }
        break;
    }
  });
  // Enter submits the form: with a result chosen it opens that result,
  // otherwise the results page.
  form.addEventListener("submit", (e) => {
    if (!list.hidden && active >= 0) {
      e.preventDefault();
      go(options[active]);
    }
  });
    document.addEventListener("click", (e) => {
    if (!form.contains(e.target)) close();
  });
}
