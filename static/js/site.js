// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const target = document.getElementById(button.dataset.copy);
  if (!target || !navigator.clipboard) return;
  navigator.clipboard.writeText(target.innerText.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// Copy buttons that work only with this file start hidden (the playground's answers): shown where the
// clipboard can be written, on load and in content htmx swaps in.
function showCopyButtons(root) {
  if (!navigator.clipboard || !root.querySelectorAll) return;
  root.querySelectorAll("button[data-copy][hidden]").forEach((button) => { button.hidden = false; });
}
document.addEventListener("DOMContentLoaded", () => showCopyButtons(document));
document.addEventListener("htmx:load", (event) => showCopyButtons(event.target));

// On a narrow screen a chart scrolls sideways inside its card: start at the most recent days, and make the
// scrolling box reachable from the keyboard (only when it does scroll, so wide screens get no extra stop).
function fitCharts() {
  document.querySelectorAll(".chart-frame").forEach((frame) => {
    const scrolls = frame.scrollWidth > frame.clientWidth + 1;
    if (scrolls) {
      if (!frame.dataset.scrolled) {
        frame.scrollLeft = frame.scrollWidth;
        frame.dataset.scrolled = "1";
      }
      frame.setAttribute("tabindex", "0");
      frame.setAttribute("role", "group");
      const caption = frame.closest("figure")?.querySelector("figcaption");
      if (caption) frame.setAttribute("aria-label", `${caption.textContent.trim()} (scrolls sideways)`);
    } else {
      frame.removeAttribute("tabindex");
      frame.removeAttribute("role");
      frame.removeAttribute("aria-label");
    }
  });
}
document.addEventListener("DOMContentLoaded", fitCharts);
document.addEventListener("htmx:afterSettle", fitCharts);
window.addEventListener("resize", fitCharts);

// The colour theme switch (core/theme.py): without this file it posts and comes back; with it the page
// switches at once and the choice is posted in the background, so the server draws the next page with it.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("[data-theme-switch]");
  if (!form || !window.fetch) return;
  const button = event.submitter;
  if (!button || button.name !== "theme") return;
  event.preventDefault();
  const theme = button.value;
  document.documentElement.dataset.theme = theme;
  form.querySelectorAll("button[name=theme]").forEach((option) => {
    option.setAttribute("aria-pressed", option === button ? "true" : "false");
  });
  const body = new FormData();
  body.append("theme", theme);
  fetch(form.action, {
    method: "POST", body, credentials: "same-origin", headers: {"X-Requested-With": "fetch"},
  }).catch(() => {});
});
