// Small progressive enhancements; every page works without this file.

// Close the menu with Escape and when clicking elsewhere.
const menu = document.querySelector("details.menu");
if (menu) {
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", (e) => {
    if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
}

// Ask before destructive actions (disable a user, revoke a key).
for (const b of document.querySelectorAll("button.danger")) {
  b.addEventListener("click", (e) => {
    if (!window.confirm(b.textContent.trim() + "?")) e.preventDefault();
  });
}
