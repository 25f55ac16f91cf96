/**
 * The POS service worker: the shell, the runtime and the app zip answered from a versioned cache so the POS
 * boots with no network (reload, browser restart).
 *
 * - Scope: the whole origin ("/"), though this file lives at /pos/sw.js (the ERP serves it with
 *   `Service-Worker-Allowed: /`). A cashier is told to open the shop's address, `/`, and bookmarks it; the ERP
 *   answers `/` (and `/pos`) with a redirect to /pos/ that the browser does not keep, so a worker scoped to
 *   /pos/ never saw `/` and a browser restarted offline at `/` showed Chromium's "no internet" page. Serving
 *   the shell at `/` as well would not do: its relative URLs (pos.css, vendor/…) would then resolve outside
 *   /pos/. So this worker answers only those doors: the network's answer when there is one, else the same
 *   redirect to /pos/, which it then serves from the cache. Everything else outside /pos/ — /erp/ (the back
 *   office), /api/* — gets no respondWith at all: the browser does its normal network fetch, never the cache.
 * - Cache name carries the app and runtime versions from vendor/manifest.json; activate deletes older caches.
 *   A new version is precached in install while the old one keeps serving; sales live in IndexedDB, which this
 *   file never touches, so an update cannot lose a stored sale. A deploy does not change this file: shell.mjs
 *   registers it as `sw.js?v=<app>-<runtime>`, so a new manifest is a new worker URL and install runs again.
 * - Nothing the page already downloaded is downloaded again. Install asks with `cache: "no-cache"`: the browser
 *   revalidates its HTTP cache copy (the page's own download on a first visit; shell.mjs registers this worker
 *   only once the runtime is in) and the ERP answers 304 with no body. And the runtime (wasm, stdlib zip,
 *   PyScript) is copied from the cache of the previous version when that one had the same runtime version, so an
 *   app update fetches only the new app zip, the manifest and the shell files that changed.
 * - Once installed, this worker answers every file of its version from its own cache, the page included, without
 *   asking the network: an online open is as fast as an offline one (asking the ERP for each shell file first,
 *   even for a 304, made the online open of a tablet ≈0.5 s slower than the offline one) and always runs one
 *   version's files together. The one request that goes to the network is shell.mjs's update check
 *   (`vendor/manifest.json?latest`, once the runtime is in): a new version there registers a new worker, which
 *   installs it in the background. So an update is applied at the next open after it was downloaded, not at the
 *   open that finds it (the usual offline-first trade; the ERP's API keeps answering the previous app version,
 *   as it must for a till that was offline anyway). A file this version's cache lacks is asked of the network,
 *   then of any cache.
 *
 * Must not cache anything outside /pos/, nor any /api answer (it holds the terminal token's data), nor answer
 * /erp/ or /api/ itself.
 */
const PREFIX = "caja-pos-";
const POS = new URL("./", self.location).pathname; // "/pos/"
// The addresses a cashier may be given for the POS that the ERP answers with a redirect to it (see above).
const DOORS = new Set(["/", POS.slice(0, -1)]);
// The shell's files (boot/, idb/, index.html, pos.css, pyscript.json…) are listed by the build in the manifest
// (`shell`), read from the tree: a file added to a folder is precached without editing this list.
const SHELL = ["./", "vendor/manifest.json"];
const RUNTIME = ["vendor/pyodide/pyodide.mjs", "vendor/pyodide/pyodide.asm.mjs", "vendor/pyodide/pyodide.asm.wasm",
  "vendor/pyodide/pyodide-lock.json", "vendor/pyscript/core.js", "vendor/pyscript/core.css"];
const NETWORK_TIMEOUT_MS = 1500;
// This worker's version, from the URL shell.mjs registered it with (`sw.js?v=<app>-<runtime>`), names the cache it
// installed; null for a bare `sw.js` (registered where no manifest could be read), which then never answers from a
// cache before the network.
const VERSION = new URL(self.location.href).searchParams.get("v");
const OWN_CACHE = VERSION ? `${PREFIX}${VERSION}` : null;
// shell.mjs's update check: the manifest the ERP serves now, never this worker's copy.
const LATEST = "latest";

async function readManifest() {
  const response = await fetch("vendor/manifest.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`manifest: HTTP ${response.status}`);
  return response.json();
}

// PyScript's core.js imports hashed chunks; list them by reading core.js (they change with its version).
async function pyscriptChunks() {
  const text = await (await fetch("vendor/pyscript/core.js", { cache: "no-cache" })).text();
  const names = new Set();
  for (const m of text.matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g)) names.add(`vendor/pyscript/${m[1]}`);
  const core = [...names].find((n) => /core-[\w-]+\.js$/.test(n));
  if (core) {
    const inner = await (await fetch(core, { cache: "no-cache" })).text();
    for (const m of inner.matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g)) names.add(`vendor/pyscript/${m[1]}`);
  }
  return [...names];
}

// Copy into `cache` the runtime files an older cache of the same runtime version holds; the ones still missing.
async function reuseRuntime(cache, name, runtimeVersion, files) {
  const older = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== name && n.endsWith(`-${runtimeVersion}`));
  const missing = [];
  for (const file of files) {
    let hit = null;
    for (const other of older) {
      hit = await (await caches.open(other)).match(file);
      if (hit) break;
    }
    if (hit) await cache.put(file, hit);
    else missing.push(file);
  }
  return missing;
}

// The ERP's API and back office never reach this worker (ServiceWorker static routing, where the browser has it):
// without the rule every /api request — a first catalog load is ≈75 page requests from the feed Worker — woke this
// worker only to be handed back to the network, ≈2 ms of this thread and a hop of latency each on a busy device.
const NETWORK_ONLY = ["/api/*", "/erp/*"];

self.addEventListener("install", (event) => {
  try { // a browser without the rules, or refusing them, keeps the fetch handler's own "no respondWith" for them
    if (typeof event.addRoutes === "function") {
      event.waitUntil(event.addRoutes(NETWORK_ONLY.map((pathname) => ({
        condition: { urlPattern: new URLPattern({ pathname }) }, source: "network",
      }))).catch(() => {}));
    }
  } catch {
    // as above
  }
  event.waitUntil((async () => {
    const manifest = await readManifest();
    const name = `${PREFIX}${manifest.app_version}-${manifest.runtime_version}`;
    const cache = await caches.open(name);
    const runtime = [...RUNTIME, `vendor/${manifest.stdlib_zip}`, ...(await pyscriptChunks())]
      .map((f) => new URL(f, self.location).href);
    const missing = await reuseRuntime(cache, name, manifest.runtime_version, runtime);
    const files = [...SHELL, ...(manifest.shell || []), `vendor/${manifest.app_zip}`, ...missing];
    await cache.addAll(files.map((f) => new Request(f, { cache: "no-cache" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const manifest = await readManifest().catch(() => null);
    const keep = manifest ? `${PREFIX}${manifest.app_version}-${manifest.runtime_version}` : null;
    const names = await caches.keys();
    // Only delete older caches once the new one is complete (install succeeded), never the current one.
    if (keep && names.includes(keep)) {
      await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== keep).map((n) => caches.delete(n)));
    }
    await self.clients.claim();
  })());
});

function isShell(path) {
  return !path.includes("/vendor/pyodide/") && !/\/vendor\/app-[\w]+\.zip$/.test(path);
}

// This version's cache, opened once per start of the worker (null without one: `caches.open` would create it).
let ownCache = null;
// This version's copy of the request (the query string ignored: `/pos/?boot=plain` is the page), else null.
async function own(request) {
  if (!OWN_CACHE) return null;
  ownCache ??= caches.has(OWN_CACHE).then((has) => (has ? caches.open(OWN_CACHE) : null));
  const cache = await ownCache;
  return cache ? (await cache.match(request, { ignoreSearch: true })) || null : null;
}

async function answer(request, path) {
  const hit = await own(request);
  if (hit) return hit;
  return isShell(path) ? networkFirst(request) : cacheFirst(request);
}

async function networkFirst(request) {
  const cached = caches.match(request, { ignoreSearch: true });
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), NETWORK_TIMEOUT_MS)),
    ]);
    if (response.ok) return response;
    return (await cached) || response;
  } catch (e) {
    const hit = await cached;
    if (hit) return hit;
    throw e;
  }
}

// A door (`/`): what the ERP answers (its redirect, passed on as is), or offline the same redirect to the POS.
async function door(request) {
  try {
    return await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), NETWORK_TIMEOUT_MS)),
    ]);
  } catch {
    return Response.redirect(new URL(POS, self.location.origin).href, 302);
  }
}

async function cacheFirst(request) {
  const hit = await caches.match(request, { ignoreSearch: true });
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (event.request.mode === "navigate" && DOORS.has(url.pathname)) {
    event.respondWith(door(event.request));
    return;
  }
  if (!url.pathname.startsWith(POS)) return; // /api/*, /erp/* and the rest: network only, never cached
  if (url.searchParams.has(LATEST)) {
    event.respondWith(networkFirst(event.request)); // the update check
    return;
  }
  event.respondWith(answer(event.request, url.pathname));
});
