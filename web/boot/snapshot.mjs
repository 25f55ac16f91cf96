/**
 * A memory snapshot of the started interpreter (Pyodide's `_makeSnapshot` / `_loadSnapshot`, undocumented), so a
 * later boot restores it instead of running Pyodide's own bootstrap: ≈0.2–0.25 s less to Python ready here, and
 * the boot's longest frozen task goes with it.
 *
 * - Made in a module Worker (this same file), never in Node (a Node-made snapshot breaks stack switching), from a
 *   loadPyodide with the byte-compiled stdlib, without stack switching like every boot (stack_switching.mjs). A few
 *   seconds after a boot that had none was ready (sellable or pairing), on the second core; the Worker stores it
 *   too, off the main thread.
 * - With the app already imported (`import pos`: poscore and web/caja_pos, from the same app zip at the same path):
 *   importing it was the largest part of an open after the runtime (≈0.5 s here, ≈1–2 s on a tablet; its
 *   dataclasses compile their methods at import). Importing touches nothing of the page (platform.py only binds
 *   `js`, which the snapshot restores as the page's globalThis); the two JS modules boot.mjs registers are stood in
 *   for by tagged empty objects, which the page's restore swaps for the real modules (`deserialize`). When that
 *   import or its snapshot fails, a bare interpreter's snapshot is made instead (as before).
 * - One per runtime + app version (vendor/manifest.json `runtime_version` and `app_version`), kept in Cache Storage
 *   "caja-snapshot" (not one of the service worker's caches); others are deleted when it is stored.
 * - boot.mjs boots without it when restoring throws, and drops it; the next boot makes a new one. It is made only
 *   with ≥300 MB of quota free, and a sale that hits the quota drops it (idb.js), so it never costs a sale.
 *
 * Must not: hold app state or sales (it is taken before the app exists: only imported modules), be used for another
 * runtime or app version, or be required: without Cache Storage or module workers the POS boots as before.
 */
import { SNAPSHOT_CACHE as CACHE } from "../idb/idb_core.js";
import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";
import { pack, readStored } from "./snapshot_file.mjs";
import { withoutStackSwitching } from "./stack_switching.mjs";

// Made only with this much quota left, so the snapshot never takes the room sales need (a sale that still hits
// the quota drops it: idb.js commitSale).
const MIN_FREE_BYTES = 300e6;
// A Cache Storage key (never fetched): one per runtime version, made and restored without stack switching (a
// snapshot from before that, made with it, is never restored: its key lacks "-nojspi"), stored sparse
// (snapshot_file.mjs; a snapshot stored whole, from before that, lacks "-sparse").
const keyOf = (version) =>
  new URL(`../vendor/snapshot-${encodeURIComponent(version)}-nojspi-sparse.bin`, import.meta.url).href;

// The JS modules boot.mjs registers for Python (platform.py imports them); in the Worker, stand-ins tagged with
// their name, which `serialize` records and `deserialize` (the page's restore) turns into the real module.
export const JS_MODULES = ["caja_idb", "caja_catalog_cols"];
const TAG = "__cajaJsModule";
const serialize = (obj) => {
  if (obj && typeof obj === "object" && typeof obj[TAG] === "string") return { jsModule: obj[TAG] };
  throw new Error("caja: the app's import kept a JS object the snapshot cannot restore");
};
/** For loadPyodide's `_snapshotDeserializer`: `modules` maps each JS_MODULES name to the page's module. */
export const deserialize = (modules) => (data) => {
  const module = data && modules[data.jsModule];
  if (!module) throw new Error(`caja: snapshot names an unknown JS module ${JSON.stringify(data)}`);
  return module;
};
// What the snapshot imports: the POS entry point (web/pos.py) and so the whole app it needs to sell.
const APP_IMPORT = "import sys\nif '/app/app.zip' not in sys.path: sys.path.insert(0, '/app/app.zip')\nimport pos";

async function appSnapshot(config, appZipURL) {
  const response = await fetch(appZipURL);
  if (!response.ok) throw new Error(`app zip: HTTP ${response.status}`);
  const zip = new Uint8Array(await response.arrayBuffer());
  const py = await withoutStackSwitching(() => loadPyodide({ ...config, _makeSnapshot: true }));
  py.FS.mkdirTree("/app");
  py.FS.writeFile("/app/app.zip", zip); // the path boot.mjs writes it to: the imported modules' zipimporter names it
  for (const name of JS_MODULES) py.registerJsModule(name, { [TAG]: name });
  py.runPython(APP_IMPORT);
  return py.makeMemorySnapshot({ serializer: serialize });
}

/** Store the snapshot under `key` and delete every other (one runtime version kept). */
async function store(key, snap) {
  const cache = await caches.open(CACHE);
  await cache.put(key, new Response(snap, { headers: { "Content-Type": "application/octet-stream" } }));
  for (const request of await cache.keys()) if (request.url !== key) await cache.delete(request);
}

const inWorker = typeof window === "undefined" && typeof self !== "undefined" && typeof self.postMessage === "function";
if (inWorker) {
  self.onmessage = async (event) => {
    try {
      const { key, appZipURL, ...config } = event.data;
      let snap = null;
      let kind = "app";
      if (appZipURL) {
        try {
          snap = await appSnapshot(config, appZipURL);
        } catch (error) {
          console.warn("caja: snapshot with the app imported failed; making a bare one", error);
        }
      }
      if (!snap) {
        kind = "bare";
        snap = (await withoutStackSwitching(() => loadPyodide({ ...config, _makeSnapshot: true }))).makeMemorySnapshot();
      }
      snap = pack(snap, kind);
      // Stored from here: the put of ≈20 MB was a ≈160 ms task on the page's main thread, often while the
      // cashier was already selling (or during a first catalog load on a slow device).
      if (globalThis.caches) {
        await store(key, snap);
        self.postMessage({ stored: true, kind });
      } else {
        self.postMessage({ snap, kind }, [snap.buffer]);
      }
    } catch (error) {
      self.postMessage({ error: String(error) });
    }
    self.close();
  };
}

/**
 * The stored snapshot of the version `versionPromise` resolves to, as {bytes, kind ("app" | "bare")}, or null.
 * The read (≈14 MB stored, snapshot_file.mjs) starts at once, not after the version is known: only one snapshot is
 * kept, so the one stored is read while the manifest is fetched, and kept only if its key is this version's (after
 * an update it is not, and the boot goes without).
 */
export async function load(versionPromise) {
  const stored = readStored().catch(() => null);
  const version = await versionPromise;
  const snap = await stored;
  return version && snap && snap.key === keyOf(version) ? { bytes: snap.bytes, kind: snap.kind } : null;
}

/** Forget this version's snapshot (it failed to restore). */
export async function drop(version) {
  try {
    if (globalThis.caches) await (await caches.open(CACHE)).delete(keyOf(version));
  } catch { /* nothing stored, nothing to drop */ }
}

async function roomFor() {
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return quota - usage >= MIN_FREE_BYTES;
  } catch {
    return true; // no estimate: the quota error path still frees it
  }
}

/**
 * Once `ready` resolved (the till is sellable, or shows the pairing screen) and `delayMs` later, make this version's
 * snapshot in a Worker (with the app of `appZipURL` imported, when given), which stores it; resolves to "stored", or "unavailable" / "failed: …" (the POS works the
 * same without it). Not earlier: booting an interpreter in the Worker takes a core for a second or more, which a
 * first catalog load on a slow device needs.
 */
export function makeLater(version, config, delayMs, ready = Promise.resolve(), appZipURL = null) {
  if (!globalThis.caches || !version || typeof Worker === "undefined") return Promise.resolve("unavailable");
  return ready.then(() => new Promise((resolve) => setTimeout(resolve, delayMs))).then(roomFor).then((room) => new Promise((resolve) => {
    if (!room) {
      resolve("unavailable: storage nearly full");
      return;
    }
    let worker;
    try {
      worker = new Worker(import.meta.url, { type: "module" });
    } catch (error) {
      resolve(`failed: ${error}`);
      return;
    }
    const key = keyOf(version);
    worker.onerror = (event) => resolve(`failed: ${event.message}`);
    worker.onmessage = async (event) => {
      if (!event.data || event.data.error) {
        resolve(`failed: ${event.data && event.data.error}`);
        return;
      }
      try {
        if (!event.data.stored) await store(key, event.data.snap); // a Worker without Cache Storage
        resolve("stored");
      } catch (error) {
        resolve(`failed: ${error}`);
      }
    };
    worker.postMessage({ key, indexURL: config.indexURL, stdLibURL: config.stdLibURL, appZipURL });
  }));
}
