/**
 * The POS service worker: the shell, the runtime and the app zip answered from a versioned cache so the POS
 * boots with no network (reload, browser restart).
 *
 * - Scope: /pos/ only (this file is served from /pos/sw.js). Fetches to /api/* are network-only and /erp is
 *   never cached: we do not call respondWith for them, so the browser does its normal network fetch.
 * - Cache name carries the app and runtime versions from vendor/manifest.json; activate deletes older caches.
 *   A new version is precached in install while the old one keeps serving; sales live in IndexedDB, which this
 *   file never touches, so an update cannot lose a stored sale. A deploy does not change this file: shell.mjs
 *   registers it as `sw.js?v=<app>-<runtime>`, so a new manifest is a new worker URL and install runs again.
 * - Shell files (index.html, *.mjs, *.js, *.css, pyscript.json, manifest.json) are network-first with a
 *   short timeout, falling back to the cache; the big versioned runtime files are cache-first.
 *
 * Must not cache anything outside /pos/, nor any /api answer (it holds the terminal token's data).
 */
const PREFIX = "caja-pos-";
const SCOPE = new URL("./", self.location).pathname; // "/pos/"
const SHELL = ["./", "index.html", "pos.css", "shell.mjs", "boot.mjs", "snapshot.mjs", "stack_switching.mjs",
  "idb.js", "idb_core.js", "idb_sync.js", "catalog_cols.js", "pyscript.json", "vendor/manifest.json"];
const RUNTIME = ["vendor/pyodide/pyodide.mjs", "vendor/pyodide/pyodide.asm.mjs", "vendor/pyodide/pyodide.asm.wasm",
  "vendor/pyodide/pyodide-lock.json", "vendor/pyscript/core.js", "vendor/pyscript/core.css"];
const NETWORK_TIMEOUT_MS = 1500;

async function readManifest() {
  const response = await fetch("vendor/manifest.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`manifest: HTTP ${response.status}`);
  return response.json();
}

// PyScript's core.js imports hashed chunks; list them by reading core.js (they change with its version).
async function pyscriptChunks() {
  const text = await (await fetch("vendor/pyscript/core.js", { cache: "no-store" })).text();
  const names = new Set();
  for (const m of text.matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g)) names.add(`vendor/pyscript/${m[1]}`);
  const core = [...names].find((n) => /core-[\w-]+\.js$/.test(n));
  if (core) {
    const inner = await (await fetch(core, { cache: "no-store" })).text();
    for (const m of inner.matchAll(/["'`]\.\/([\w.-]+\.js)["'`]/g)) names.add(`vendor/pyscript/${m[1]}`);
  }
  return [...names];
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const manifest = await readManifest();
    const cache = await caches.open(`${PREFIX}${manifest.app_version}-${manifest.runtime_version}`);
    const files = [...SHELL, ...RUNTIME, `vendor/${manifest.stdlib_zip}`, `vendor/${manifest.app_zip}`,
      ...(await pyscriptChunks())];
    await cache.addAll(files.map((f) => new Request(f, { cache: "no-store" })));
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

async function cacheFirst(request) {
  const hit = await caches.match(request, { ignoreSearch: true });
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith(SCOPE)) return; // /api/* and /erp/*: network only, never cached
  event.respondWith(isShell(url.pathname) ? networkFirst(event.request) : cacheFirst(event.request));
});
