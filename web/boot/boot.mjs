/**
 * PyScript's "interpreter" for the POS (and the loader of the `?boot=plain` path, see shell.mjs): wraps the
 * vendored loadPyodide so the boot is fast and offline.
 *
 * - Passes `stdLibURL` (the byte-compiled stdlib zip from vendor/manifest.json): the npm stdlib holds only
 *   sources and recompiling them costs ≈2 s of frozen main thread at every boot (RUNTIME-NOTES).
 * - Fetches the app zip (poscore and every web Python module, byte-compiled) in parallel with the runtime and puts it on
 *   sys.path: cheaper than micropip (≈1 s) or one fetch per module.
 * - Registers web/idb/idb.js as the Python module `caja_idb` (the one IndexedDB boundary).
 * - Starts reading the stored feeds from IndexedDB at once, overlapping the runtime's start: the catalog in a
 *   Worker that also splits it into index columns (catalog_cols.js), the customers through idb.prefetch.
 * - Splits the runtime's start in two main-thread tasks (loadPyodide's `fsInit` hook awaits a new task between
 *   linking the wasm and starting the interpreter): one frozen task of ≈0.35–0.45 s became ≈0.13 + 0.21 s.
 * - Starts Pyodide without WebAssembly stack switching (stack_switching.mjs: with it, Chromium's heap profiler
 *   can crash the tab).
 * - Restores the interpreter, with the app already imported, from a memory snapshot when one was made for this
 *   runtime and app version (snapshot.mjs), else boots it and has one made in a Worker a few seconds after the app
 *   is up (a first catalog load done); a snapshot that fails to restore is dropped.
 * - Starts once, at the first call (shell.mjs calls it before PyScript has loaded; PyScript's call shares it).
 * - Records boot figures on globalThis.cajaBoot (read by the about panel and the benchmark): manifest,
 *   snapshot_read, python_ready,
 *   app_on_path, then pos.py's main, first_idb_read, stored_read, catalog_indexed, app_ready,
 *   customers_indexed.
 *
 * Must not load anything from another origin, nor any Python package by name (that goes to the CDN).
 */
import { loadPyodide as vendoredLoadPyodide, version as pyodideVersion } from "../vendor/pyodide/pyodide.mjs";
import * as catalogCols from "../idb/catalog_cols.js";
import * as idb from "../idb/idb.js";
import * as snapshot from "./snapshot.mjs";
import { withoutStackSwitching } from "./stack_switching.mjs";

export const version = pyodideVersion;

const t0 = performance.now();
const boot = (globalThis.cajaBoot = { start: t0, marks: {} });
const mark = (name) => { boot.marks[name] = Math.round(performance.now() - t0); };
const progress = (pct) => dispatchEvent(new CustomEvent("caja:progress", { detail: pct }));

const manifestURL = new URL("../vendor/manifest.json", import.meta.url);
// Paths in the manifest are relative to the manifest itself (web/vendor/).
const fromManifest = (path) => new URL(path, manifestURL).href;
const manifestPromise = fetch(manifestURL, { cache: "no-cache" })
  .then((r) => (r.ok ? r.json() : null))
  .catch(() => null)
  .finally(() => mark("manifest"));
// Pyodide imports its Emscripten module (≈1 MB of JS) only after the snapshot was read; imported now, its fetch and
// parse overlap the manifest and snapshot reads, and Pyodide's own import() finds it in the module map.
import(new URL("../vendor/pyodide/pyodide.asm.mjs", import.meta.url).href).catch(() => null);
// Start the app zip download at once so it overlaps with the wasm compile.
const appZipPromise = manifestPromise.then((m) =>
  m && m.app_zip ? fetch(fromManifest(m.app_zip)).then((r) => {
    if (!r.ok) throw new Error(`app zip: HTTP ${r.status}`);
    return r.arrayBuffer();
  }) : null,
);

// The snapshot holds the imported app too, so it is one per runtime *and* app version (snapshot.mjs).
const snapshotVersion = (m) => (m && m.runtime_version && m.app_version ? `${m.runtime_version}-${m.app_version}` : null);
// The interpreter's snapshot for this version, read from Cache Storage while the rest loads (snapshot.mjs).
const snapshotPromise = snapshot.load(manifestPromise.then(snapshotVersion)).finally(() => mark("snapshot_read"));
const SNAPSHOT_DELAY_MS = 2000; // make a missing snapshot this long after the boot is ready, off the main thread

// Resolves once the app is up (sellable, or the pairing screen) or failed: <html data-py-ready> / data-py-error,
// set by web/caja_pos/app.py when it has loaded and indexed the catalog.
function whenAppReady() {
  const root = document.documentElement;
  const up = () => root.dataset.pyReady === "1" || root.dataset.pyError !== undefined;
  return new Promise((resolve) => {
    if (up()) { resolve(); return; }
    const watch = new MutationObserver(() => { if (up()) { watch.disconnect(); resolve(); } });
    watch.observe(root, { attributes: true, attributeFilter: ["data-py-ready", "data-py-error"] });
  });
}

// Overlap IndexedDB's start (slow in a freshly started browser) and the stored catalog read with the runtime.
idb.prefetch(catalogCols.start() ? ["customer_chunks"] : ["catalog_chunks", "customer_chunks"]);

// A new main-thread task (a message to ourselves: not throttled like setTimeout in a background tab).
function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(0);
  });
}

let started = null;

/**
 * PyScript's interpreter hook, and `start()`: one boot per page, whoever asks first. shell.mjs starts it as soon
 * as the page runs, so the runtime comes up while PyScript's own bundle loads (at a tablet's speed that bundle is
 * ≈0.3–0.5 s before it asks); PyScript's later call gets the same interpreter. Its stdout/stderr options are not
 * used: Python's output goes to the console, as Pyodide's default does.
 */
export function loadPyodide(options = {}) {
  if (!started) started = startRuntime(options);
  return started;
}

export const start = loadPyodide;

async function startRuntime(options) {
  const manifest = await manifestPromise;
  boot.manifest = manifest;
  const config = {
    ...options,
    indexURL: new URL("../vendor/pyodide/", import.meta.url).href,
  };
  delete config.stdout; // see loadPyodide: an early start has none, a late caller gets the same interpreter
  delete config.stderr;
  if (manifest && manifest.stdlib_zip) config.stdLibURL = fromManifest(manifest.stdlib_zip);
  // loadPyodide awaits this hook after the wasm is instantiated and linked and before the interpreter starts: a
  // task boundary there lets the page breathe between the two halves of what was one ~0.4 s frozen task.
  config.fsInit = () => { mark("runtime_linked"); return nextTask(); };
  progress(30);
  const version = snapshotVersion(manifest);
  const snap = await snapshotPromise;
  let pyodide = null;
  if (snap) {
    try {
      const jsModules = { caja_idb: idb, caja_catalog_cols: catalogCols }; // snapshot.JS_MODULES, made in the Worker
      pyodide = await withoutStackSwitching(() => vendoredLoadPyodide({
        ...config, _loadSnapshot: snap.bytes, _snapshotDeserializer: snapshot.deserialize(jsModules),
      }));
      if (pyodide.runPython("1 + 1") !== 2) throw new Error("restored interpreter does not compute");
      // The snapshot froze the random module's seed: every boot would draw the same "random" numbers.
      pyodide.runPython("import random; random.seed()");
      boot.snapshot = "used";
      // "app" (the app already imported) or "bare" (only the interpreter: the app's import failed where it was
      // made, so this boot imports it; correct, slower); the benchmark and tests/e2e/test_boot_snapshot.py read it.
      boot.snapshotKind = snap.kind;
    } catch (error) {
      console.warn("caja: the interpreter snapshot did not restore; booting without it", error);
      pyodide = null;
      boot.snapshot = "failed";
      await snapshot.drop(version);
    }
  }
  if (!pyodide) {
    pyodide = await withoutStackSwitching(() => vendoredLoadPyodide(config));
    boot.snapshot = "making";
    const appZipURL = manifest && manifest.app_zip ? fromManifest(manifest.app_zip) : null;
    snapshot.makeLater(version, config, SNAPSHOT_DELAY_MS, whenAppReady(), appZipURL)
      .then((state) => { boot.snapshot = state; });
  }
  boot.stack_switching = pyodide._module && pyodide._module.jspiSupported ? "on" : "off";
  mark("python_ready");
  progress(85);
  const zip = await appZipPromise;
  if (zip) {
    pyodide.FS.mkdirTree("/app");
    pyodide.FS.writeFile("/app/app.zip", new Uint8Array(zip));
    // A snapshot already has it on sys.path (and the app imported from it: the same bytes, its version is in the key),
    // but a restore puts the working directory ("") before it. First, always: PyScript writes its `pyscript` package
    // there as source, and the zip holds it byte-compiled (build_runtime.mjs stagePyscriptLib), so the import that
    // precedes the page's script loads bytecode instead of compiling ≈130 kB of Python at every open.
    pyodide.runPython("import sys\nif sys.path[:1] != ['/app/app.zip']:\n" +
      "    if '/app/app.zip' in sys.path: sys.path.remove('/app/app.zip')\n    sys.path.insert(0, '/app/app.zip')");
  }
  pyodide.registerJsModule("caja_idb", idb);
  pyodide.registerJsModule("caja_catalog_cols", catalogCols);
  mark("app_on_path");
  dispatchEvent(new CustomEvent("caja:runtime-fetched")); // shell.mjs registers the service worker now
  return pyodide;
}

export { mark };
