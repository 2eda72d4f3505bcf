// Rescheduling by drag on the staff calendar, with a mouse or a pen: a
// confirmed appointment dropped on another slot is moved by the request
// the appointment page's form sends, and the calendar is shown again; a
// refusal (the bay is taken, say) is said above the calendar and the
// appointment stays where it was. Touch keeps scrolling the page; phones
// and keyboards move appointments with the form on the appointment's page.
const root = document.getElementById("calendar");
if (root) {
  const status = document.getElementById("calendar-status");
  const say = (text) => {
    status.textContent = text;
    status.hidden = !text;
  };
  let drag = null;

  const cellAt = (x, y) => document.elementFromPoint(x, y)?.closest("[data-drop]") ?? null;
  const hover = (cell) => {
    if (drag.over === cell) return;
    drag.over?.classList.remove("drop-over");
    drag.over = cell;
    cell?.classList.add("drop-over");
  };
  const release = (d) => {
    d.over?.classList.remove("drop-over");
    d.block.classList.remove("dragging");
    d.block.style.transform = "";
  };

  // Links would otherwise start the browser's own drag of their address.
  root.addEventListener("dragstart", (e) => {
    if (e.target.closest?.(".movable")) e.preventDefault();
  });

  root.addEventListener("pointerdown", (e) => {
    const block = e.target.closest(".movable");
    if (!block || e.button !== 0 || e.pointerType === "touch") return;
    drag = { block, x: e.clientX, y: e.clientY, moving: false, over: null, from: block.closest("[data-drop]") };
  });

  document.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moving) {
      if (Math.hypot(dx, dy) < 6) return; // a click, not yet a drag
      drag.moving = true;
      drag.block.classList.add("dragging");
      say("");
    }
    drag.block.style.transform = `translate(${dx}px, ${dy}px)`;
    hover(cellAt(e.clientX, e.clientY));
  });

  document.addEventListener("pointercancel", () => {
    if (drag) release(drag);
    drag = null;
  });

  document.addEventListener("pointerup", async (e) => {
    const d = drag;
    drag = null;
    if (!d || !d.moving) return; // a click: the link opens the appointment
    // The click that may follow the drag must not open the appointment.
    const swallow = (ev) => {
      ev.preventDefault();
      ev.stopPropagation();
    };
    window.addEventListener("click", swallow, { capture: true, once: true });
    setTimeout(() => window.removeEventListener("click", swallow, { capture: true }), 0);

    const cell = cellAt(e.clientX, e.clientY) ?? d.over;
    release(d);
    if (!cell || cell === d.from) return;
    const b = d.block.dataset;
    const body = new URLSearchParams({
      date: cell.dataset.date,
      time: cell.dataset.time,
      minutes: String(Math.round((Number(b.end) - Number(b.start)) / 60)),
      bay: cell.dataset.bay ?? b.bay,
      technician: cell.dataset.tech ?? b.tech,
    });
    d.block.classList.add("moving");
    try {
      const r = await fetch(`/appointments/${b.appt}/reschedule`, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": root.dataset.csrf },
        body,
      });
      const answer = await r.json().catch(() => ({}));
      if (r.ok) {
        const next = new URL(location.href);
        next.searchParams.set("done", "calendar.rescheduled");
        location.assign(next);
        return;
      }
      say(answer.error || root.dataset.sayFailed);
    } catch {
      say(root.dataset.sayFailed);
    }
    d.block.classList.remove("moving");
  });
}
