// Live updates for the job page: when the job changes elsewhere (the
// customer approves or declines a line in the app), reload to show it.
// The page works without this; it only saves a manual reload.
const live = document.getElementById('job-live');
if (live) {
  const url = `/jobs/${live.dataset.job}/version`;
  let seen = live.dataset.updated;
  const editing = () => {
    const el = document.activeElement;
    return el && ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) && el.value !== el.defaultValue;
  };
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) return;
      const { updated } = await r.json();
      if (String(updated) !== seen && !editing()) {
        seen = String(updated);
        location.reload();
      }
    } catch {
      // offline for a moment: try again at the next tick
    }
  }, 3000);
}
