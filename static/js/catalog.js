// The catalog's enhancements; every page works without this file.
//
// 1. Search boxes with data-suggest are comboboxes (WAI-ARIA 1.2, list autocomplete): as you type, the
//    models, developers and categories the server suggests (catalog:model_suggest, an HTML fragment of
//    role=option items) show in the listbox named by aria-controls. Up/Down move through them, Enter
//    opens the highlighted one (else the form is sent as typed), Escape closes the list.
// 2. Forms with data-omit-empty leave empty fields out of the URL, whether htmx or the browser sends them.
// 3. The catalog's filters are a <details> drawer on a phone, always open on a wide screen.

const SUGGEST_DELAY_MS = 150;
const SUGGEST_MIN_CHARS = 2; // as catalog.views.public.SUGGEST_MIN_CHARS

function setupCombobox(input) {
  const list = document.getElementById(input.getAttribute("aria-controls"));
  if (!list) return;
  let timer = null;
  let controller = null;
  let active = -1;

  const options = () => Array.from(list.querySelectorAll("[role=option]"));

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const items = options();
    items.forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0 && items[index]) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(html) {
    list.innerHTML = html;
    // Option ids are unique per list, since a page may have several search boxes.
    options().forEach((item) => { item.id = `${list.id}-${item.id}`; });
    active = -1;
    if (options().length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
  }

  function fetchSuggestions() {
    const text = input.value.trim();
    if (text.length < SUGGEST_MIN_CHARS) { close(); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    const url = `${input.dataset.suggest}?${new URLSearchParams({ q: text })}`;
    fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => { if (input.value.trim() === text) show(html); })
      .catch(() => {});
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, SUGGEST_DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    const items = options();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) {
        if (items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        else return;
      }
      event.preventDefault();
      // From the box (-1) down through the options and back to the box, and the other way up.
      let next = active + (event.key === "ArrowDown" ? 1 : -1);
      if (next >= items.length) next = -1;
      if (next < -1) next = items.length - 1;
      highlight(next);
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0 && items[active]) {
        event.preventDefault();
        window.location.assign(items[active].dataset.href);
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); close(); }
    }
  });

  // mousedown, not click: it comes before the input's blur, which closes the list.
  list.addEventListener("mousedown", (event) => {
    const item = event.target.closest("[role=option]");
    if (!item) return;
    event.preventDefault();
    window.location.assign(item.dataset.href);
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

// Every value of a form but the empty ones: an empty "tag" box beside chosen tags drops only itself.
function withoutEmpty(formData) {
  const kept = Array.from(formData.entries()).filter(([, value]) => String(value).trim() !== "");
  Array.from(new Set(Array.from(formData.keys()))).forEach((name) => formData.delete(name));
  kept.forEach(([name, value]) => formData.append(name, value));
}

document.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.elt.closest ? event.detail.elt.closest("form[data-omit-empty]") : null;
  if (!form || !event.detail.formData) return;
  withoutEmpty(event.detail.formData);
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-omit-empty]") || form.method.toLowerCase() !== "get") return;
  form.querySelectorAll("input, select, textarea").forEach((field) => {
    if (field.name && String(field.value).trim() === "") field.disabled = true;
  });
});

// Coming back to the page from the browser's cache, the fields disabled on submit work again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-omit-empty] [disabled]").forEach((field) => { field.disabled = false; });
});

const WIDE = window.matchMedia("(min-width: 761px)");
function fitDrawer() {
  const drawer = document.getElementById("filters-drawer");
  if (drawer) drawer.open = WIDE.matches;
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-suggest]").forEach(setupCombobox);
  fitDrawer();
});
WIDE.addEventListener("change", fitDrawer);
