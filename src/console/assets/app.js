// The console's entry: the layout, the theme toggle, sign-in under --auth sigv4, and a hash
// router (#/streams/orders/data) whose pages each render into <main> and return a stop function
// that ends their timers when the user leaves.
import { loadSettings, settings, signedIn, signIn, signOut, accessKeyId } from "./api.js";
import { h, replace, errorBox, field } from "./dom.js";
import { streamsPage, streamPage } from "./streams.js";
import { tablesPage, tablePage } from "./tables.js";
import { deliveryStreamsPage, deliveryStreamPage } from "./firehose.js";
import { functionsPage, functionPage } from "./functions.js";
import { applicationsPage, applicationPage } from "./analytics.js";

const routes = [
  [/^#\/streams\/([^/]+)(?:\/([a-z]+))?$/, (name, tab) => streamPage(decodeURIComponent(name), tab ?? "overview")],
  [/^#\/tables\/([^/]+)$/, (name) => tablePage(decodeURIComponent(name))],
  [/^#\/tables$/, () => tablesPage()],
  [/^#\/delivery-streams\/([^/]+)$/, (name) => deliveryStreamPage(decodeURIComponent(name))],
  [/^#\/delivery-streams$/, () => deliveryStreamsPage()],
  [/^#\/functions\/([^/]+)$/, (name) => functionPage(decodeURIComponent(name))],
  [/^#\/functions$/, () => functionsPage()],
  [/^#\/applications\/([^/]+)$/, (name) => applicationPage(decodeURIComponent(name))],
  [/^#\/applications$/, () => applicationsPage()],
  [/^#\/streams$|^#?\/?$/, () => streamsPage()],
];

const navItems = [
  ["#/streams", "Data streams"],
  ["#/tables", "KCL applications"],
  ["#/delivery-streams", "Delivery streams"],
  ["#/functions", "Functions"],
  ["#/applications", "SQL applications"],
];

const main = () => document.getElementById("main");
let stopPage = () => {};

function render() {
  stopPage();
  stopPage = () => {};
  const hash = location.hash || "#/streams";
  for (const link of document.querySelectorAll(".nav a")) {
    if (hash.startsWith(link.getAttribute("href"))) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  updateWho();
  if (!signedIn()) {
    replace(main(), signInForm());
    return;
  }
  for (const [pattern, page] of routes) {
    const match = pattern.exec(hash);
    if (!match) continue;
    const view = page(...match.slice(1));
    replace(main(), view.element);
    stopPage = view.stop ?? (() => {});
    const heading = main().querySelector("h1");
    if (heading) document.title = `${heading.textContent} · Tributary`;
    return;
  }
  replace(main(), h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/streams" }, "Back to data streams")));
}

function signInForm() {
  const keyId = h("input", { name: "accessKeyId", autocomplete: "username", required: true, spellcheck: "false" });
  const secret = h("input", { name: "secretAccessKey", type: "password", autocomplete: "current-password", required: true });
  const token = h("input", { name: "sessionToken", autocomplete: "off", spellcheck: "false" });
  const problem = h("div");
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h("form", { class: "card narrow", "aria-label": "Sign in", onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await signIn({ accessKeyId: keyId.value.trim(), secretAccessKey: secret.value, sessionToken: token.value.trim() || undefined });
      render();
    } catch (error) {
      replace(problem, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  } },
  h("h1", {}, "Sign in"),
  h("p", {}, `This server checks AWS Signature Version 4 (--auth sigv4). Sign in with an access key from its credentials file; the console signs every request in this tab with it (${settings.region}). The key is kept in this tab's session storage only.`),
  field("Access key ID", keyId),
  field("Secret access key", secret),
  field("Session token (temporary credentials only)", token),
  problem,
  h("div", { class: "actions" }, submit));
  return form;
}

function updateWho() {
  const who = document.getElementById("who");
  const out = document.getElementById("sign-out");
  if (!who || !out) return;
  const key = settings.signed ? accessKeyId() : undefined;
  who.textContent = settings.signed ? (key ? `${key} · ${settings.region}` : "Not signed in") : `Account ${settings.accountId} · ${settings.region}`;
  out.hidden = !key;
}

function setupTheme() {
  const toggle = document.getElementById("theme-toggle");
  const apply = (theme) => {
    if (theme) document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
    const dark = (theme ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light")) === "dark";
    // One label and a pressed state, as a toggle button should have (its name does not flip).
    toggle.setAttribute("aria-pressed", String(dark));
  };
  apply(localStorage.getItem("tributary.console.theme") ?? undefined);
  toggle.addEventListener("click", () => {
    const dark = toggle.getAttribute("aria-pressed") === "true";
    const next = dark ? "light" : "dark";
    localStorage.setItem("tributary.console.theme", next);
    apply(next);
    render(); // charts read the theme's colours when built
  });
}

async function start() {
  const nav = document.querySelector(".nav");
  replace(nav, navItems.map(([href, text]) => h("a", { href }, text)));
  setupTheme();
  // The skip link would change the hash (the router's); it moves the focus instead.
  document.querySelector(".skip-link").addEventListener("click", (event) => { event.preventDefault(); main().focus(); });
  document.getElementById("sign-out").addEventListener("click", () => { signOut(); render(); });
  window.addEventListener("tributary:unauthorized", () => { signOut(); render(); });
  window.addEventListener("hashchange", () => { render(); main().focus({ preventScroll: true }); });
  try {
    await loadSettings();
  } catch (error) {
    replace(main(), errorBox(error));
    return;
  }
  render();
}

start();
