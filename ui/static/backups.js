// Follows a running backup on the Backups page: polls its progress once a
// second and, when it has finished, reloads the page to show the result.
// Without this file the page offers a link to refresh it.
const box = document.querySelector("[data-backup-progress]");
if (box) {
  const bar = box.querySelector("progress");
  const phase = box.querySelector("[data-phase]");
  const refresh = box.querySelector("[data-refresh]");
  if (refresh) refresh.hidden = true;
  const poll = async () => {
    try {
      const res = await fetch(box.dataset.backupProgress, {
        headers: { Accept: "application/json" },
        cache: "no-store",
        credentials: "same-origin",
      });
      if (res.ok) {
        const s = await res.json();
        if (!s.running) {
          location.replace(location.pathname + "?done=backup.finished");
          return;
        }
        bar.value = s.percent;
        bar.textContent = s.percent + " %";
        phase.textContent = s.label;
      }
    } catch {
      // A missed poll is retried at the next one.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}
