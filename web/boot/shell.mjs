/**
 * Shell behaviour that must work before Python starts: which boot runs, the runtime progress bar and the
 * service worker registration (scoped to the origin so `/` opens the POS offline, its URL versioned by
 * vendor/manifest.json).
 *
 * Two boots of the same app (web/pos.py), both through boot.mjs (byte-compiled stdlib + app zip):
 * - PyScript (default, the user's choice): core.js runs the page's <script type="py"> with boot.mjs as its
 *   interpreter.
 * - `?boot=plain`: boot.mjs alone, then `import pos; await pos.main()` — no PyScript, measured for comparison
 *   (PyScript also installs and compiles its own Python package at every boot).
 *
 * Must not hold app logic: once Python is up, web/pos.py owns the page.
 */
// Before anything else: a page that is not a secure context (plain http on a LAN address; localhost and
// 127.0.0.1 are secure) gets no service worker, no Web Locks and no persistent storage, so the till would sell
// but never open offline. Say so at once, blocking, before the runtime loads; "continuar" leaves a strip.
if (!window.isSecureContext) {
  const banner = document.getElementById("insecure");
  if (banner) {
    banner.hidden = false;
    document.documentElement.dataset.insecure = "1";
    document.getElementById("insecure-continue")?.addEventListener("click", () => {
      banner.dataset.collapsed = "1";
      banner.setAttribute("role", "alert"); // a strip now, no longer a modal dialog
      banner.removeAttribute("aria-modal");
    });
  }
}

const plain = new URLSearchParams(location.search).get("boot") === "plain";
document.documentElement.dataset.boot = plain ? "plain" : "pyscript";

if (plain) {
  const { loadPyodide } = await import("./boot.mjs");
  loadPyodide({}).then((py) => py.runPythonAsync("import pos\nawait pos.main()"));
} else {
  // The runtime starts now, alongside PyScript's bundle, not once PyScript has loaded and asks for it (boot.mjs
  // hands PyScript the same interpreter).
  import("./boot.mjs").then((b) => b.start({})).catch((e) => console.warn("caja: early runtime start", e));
  const { hooks } = await import("../vendor/pyscript/core.js");
  // PyScript 0.7.31 ships one built-in *worker* hook; composing worker hooks calls Function() (hooks.js
  // createFunction), which our CSP forbids (no 'unsafe-eval'). The POS runs no PyScript worker, so drop it.
  for (const set of Object.values(hooks.worker)) set.clear();
}

const bar = document.getElementById("boot-bar");
const text = document.getElementById("boot-text");

// PyScript reports its steps; we map them onto the bar so the cashier sees the runtime coming up.
const STEPS = ["Loading Pyodide", "Loading Storage", "Loaded Storage", "Loading interpreter",
  "Loaded interpreter", "Loaded Pyodide"];
addEventListener("caja:progress", (event) => {
  if (bar && !document.documentElement.dataset.pyReady) bar.style.width = `${event.detail}%`;
});
addEventListener("py:progress", (event) => {
  const i = STEPS.indexOf(event.detail);
  if (i >= 0 && bar && !document.documentElement.dataset.pyReady) {
    bar.style.width = `${Math.round(((i + 1) / (STEPS.length + 1)) * 100)}%`;
    if (text && event.detail === "Loading interpreter") text.textContent = "Cargando Python…";
  }
});

addEventListener("error", (event) => {
  if (text && !document.documentElement.dataset.pyReady) {
    text.textContent = `Error al iniciar: ${event.message || event.error}`;
  }
});

// The worker's URL carries the deployed versions (vendor/manifest.json). A deploy changes the manifest and the app
// zip but not sw.js, and the browser only installs a new worker when its script changes: registered as a bare
// "sw.js", a till kept its old cache for ever and booted the old version whenever it was offline
// (tests/faults/test_04_reloads.py).
// A new version is a new URL, so the new worker installs, precaches it and drops the old cache. This is also the
// update check: the page itself came from the worker's cache (sw.js), so this fetch (`?latest`, which the worker
// passes to the network) is what finds a new version; it runs after the runtime is in, off the open's path, and
// the version it finds is the one the next open runs. Offline, the manifest comes from the cache: same URL,
// nothing happens.
async function registerServiceWorker() {
  let url = "sw.js";
  try {
    const response = await fetch("vendor/manifest.json?latest", { cache: "no-cache" });
    const manifest = response.ok ? await response.json() : null;
    if (manifest && manifest.app_version && manifest.runtime_version) {
      url = `sw.js?v=${encodeURIComponent(`${manifest.app_version}-${manifest.runtime_version}`)}`;
    }
  } catch {
    // no manifest reachable nor cached (first visit offline): register the bare worker, it reads the manifest itself
  }
  // Scope "/": the worker also opens the POS offline from the shop's address `/` (sw.js says why and what it leaves
  // alone). Tills set up before registered it with scope /pos/; once the root one is active that one goes, so
  // one worker and one cache serve the POS.
  const registration = await navigator.serviceWorker.register(url, { scope: "/" });
  await activated(registration);
  for (const other of await navigator.serviceWorker.getRegistrations()) {
    if (other.scope !== registration.scope) await other.unregister();
  }
}

function activated(registration) {
  if (registration.active) return Promise.resolve();
  const worker = registration.installing || registration.waiting;
  return new Promise((resolve) => {
    worker.addEventListener("statechange", () => { if (worker.state === "activated") resolve(); });
  });
}

// Registered once the runtime and the app zip are in (boot.mjs's "caja:runtime-fetched") and the app is up
// (<html data-py-ready>: the pairing screen, or selling once a first catalog load is done; or data-py-error). The
// worker's install then revalidates what the page just downloaded (304s) instead of downloading the wasm and the
// zips a second time alongside the page on a first visit over the shop's wi-fi; and its writes of the runtime into
// Cache Storage (≈12 MB) no longer share the device's cores with a first catalog load (they did, on a till paired
// before it opened the POS: measured ≈0.4 s of CPU inside the load on two cores), when an interrupted first load
// could not sell offline anyway. A boot that never gets there (an error, a load that never ends) still registers
// it after RUNTIME_WAIT_MS.
const RUNTIME_WAIT_MS = 60000;
function runtimeFetched() {
  if (globalThis.cajaBoot?.marks?.app_on_path !== undefined) return Promise.resolve();
  return new Promise((resolve) => {
    addEventListener("caja:runtime-fetched", resolve, { once: true });
    setTimeout(resolve, RUNTIME_WAIT_MS);
  });
}
function appUp() {
  const root = document.documentElement;
  const up = () => root.dataset.pyReady === "1" || root.dataset.pyError !== undefined;
  if (up()) return Promise.resolve();
  return new Promise((resolve) => {
    const watch = new MutationObserver(() => { if (up()) { watch.disconnect(); resolve(); } });
    watch.observe(root, { attributes: true, attributeFilter: ["data-py-ready", "data-py-error"] });
    setTimeout(() => { watch.disconnect(); resolve(); }, RUNTIME_WAIT_MS);
  });
}

if ("serviceWorker" in navigator) {
  runtimeFetched().then(appUp).then(registerServiceWorker).catch((e) => console.warn("caja: service worker", e));
}
