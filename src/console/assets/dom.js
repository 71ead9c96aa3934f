// Small DOM helpers: the console builds its pages with h() rather than a framework, which keeps
// its files plain ES modules the server sends as they are.

/**
 * Builds an element. `attrs` keys starting with "on" add listeners; `class`, `for` and aria-* /
 * data-* are set as attributes; boolean false or undefined leaves an attribute out.
 * @example h("button", { type: "button", onclick: save }, "Save")
 */
export function h(tag, attrs = {}, ...children) {
  const svg = svgTags.has(tag);
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "value" && !svg) el.value = value;
    else if (name === "checked" && !svg) el.checked = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

const svgTags = new Set(["svg", "g", "rect", "line", "path", "text", "title", "desc", "polyline"]);

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form field: <label> with the text and the control (label wraps, so no id is needed). */
export function field(label, control, hint) {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, label), control, hint && h("small", { class: "hint" }, hint));
}

/** A section with a heading. */
export function section(title, ...children) {
  return h("section", { class: "card", "aria-label": title }, h("h2", {}, title), ...children);
}

/** A table from column headers and rows of cells; `caption` names it for screen readers. */
export function table(caption, headers, rows, empty = "None") {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell)))))));
}

/** Definition list of label → value pairs. */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, value]) => value !== undefined).map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
}

/** An error as a visible alert (screen readers announce role=alert). */
export function errorBox(error) {
  const text = error && error.type ? `${error.type}: ${error.message}` : String(error && error.message ? error.message : error);
  return h("p", { class: "error", role: "alert" }, text);
}

/** Shows a short status message in the live region at the bottom of the page. */
export function toast(message, kind = "info") {
  const region = document.getElementById("toast");
  if (!region) return;
  region.className = `toast ${kind}`;
  region.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { region.textContent = ""; region.className = "toast"; }, 6000);
}

/** Runs `work`, showing its error in `where` (or a toast) instead of throwing; a button is disabled meanwhile. */
export async function attempt(work, { button, where, done } = {}) {
  if (button) button.disabled = true;
  if (where) where.replaceChildren();
  try {
    const result = await work();
    if (done) toast(done, "ok");
    return result;
  } catch (error) {
    if (where) replace(where, errorBox(error));
    else toast(error.type ? `${error.type}: ${error.message}` : String(error.message ?? error), "bad");
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** Asks for a confirmation in a modal <dialog>; resolves true for the confirm button. */
export function confirmDialog(message, confirmLabel = "Delete") {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-label": "Confirm" },
      h("form", { method: "dialog" },
        h("p", {}, message),
        h("div", { class: "actions" },
          h("button", { value: "cancel", class: "secondary" }, "Cancel"),
          h("button", { value: "confirm", class: "danger" }, confirmLabel))));
    dialog.addEventListener("close", () => { dialog.remove(); resolve(dialog.returnValue === "confirm"); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function formatBytes(bytes) {
  if (bytes === undefined || bytes === null || Number.isNaN(bytes)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatNumber(value, digits = 2) {
  if (value === undefined || value === null || Number.isNaN(value)) return "–";
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** An epoch-seconds or epoch-milliseconds time (the APIs send seconds) as local ISO-like text. */
export function formatTime(value) {
  if (value === undefined || value === null) return "–";
  const ms = typeof value === "number" ? (value < 1e11 ? value * 1000 : value) : Date.parse(value);
  if (Number.isNaN(ms)) return String(value);
  const date = new Date(ms);
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function formatDuration(ms) {
  if (ms === undefined || ms === null) return "–";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** A status word as a badge (ACTIVE, CREATING, …). */
export function badge(status) {
  const kind = /ACTIVE|RUNNING|READY|SUCCESS|Successful/i.test(status) ? "ok" : /FAIL|ERROR|DELET/i.test(status) ? "bad" : "busy";
  return h("span", { class: `badge ${kind}` }, status ?? "–");
}

/** Tabs as links (keyboard and history work as links do); the current one is marked aria-current. */
export function tabs(label, items, current) {
  return h("nav", { class: "tabs", "aria-label": label }, items.map(([key, text, href]) =>
    h("a", { href, "aria-current": key === current ? "page" : undefined }, text)));
}
