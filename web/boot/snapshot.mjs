/**
 * A memory snapshot of the started interpreter (Pyodide's `_makeSnapshot` / `_loadSnapshot`, undocumented), so a
 * later boot restores it instead of running Pyodide's own bootstrap: ≈0.2–0.25 s less to Python ready here, and
 * the boot's longest frozen task goes with it.
 *
 * - Made in a module Worker (this same file), never in Node (a Node-made snapshot breaks stack switching), from a
 *   bare loadPyodide with the byte-compiled stdlib: no packages, no app zip, no registerJsModule, nothing of the
 *   page; without stack switching, like every boot (stack_switching.mjs). A few seconds after a boot that had
 *   none was ready (sellable or pairing), on the second core; the Worker stores it too, off the main thread.
 * - One per runtime version (vendor/manifest.json `runtime_version`: the wasm, the stdlib zip and PyScript), kept in
 *   Cache Storage "caja-snapshot" (not one of the service worker's caches); others are deleted when it is stored.
 * - boot.mjs boots without it when restoring throws, and drops it; the next boot makes a new one. It is made only
 *   with ≥300 MB of quota free, and a sale that hits the quota drops it (idb.js), so it never costs a sale.
 *
 * Must not: hold app state or sales (it is taken before the app exists), be used for another runtime version, or
 * be required: without Cache Storage or module workers the POS boots as before.
 */
import { SNAPSHOT_CACHE as CACHE } from "../idb/idb_core.js";
import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";
import { withoutStackSwitching } from "./stack_switching.mjs";

// Made only with this much quota left, so the snapshot never takes the room sales need (a sale that still hits
// the quota drops it: idb.js commitSale).
const MIN_FREE_BYTES = 300e6;
// A Cache Storage key (never fetched): one per runtime version, made and restored without stack switching (a
// snapshot from before that, made with it, is never restored: its key lacks "-nojspi").
const keyOf = (version) =>
  new URL(`../vendor/snapshot-${encodeURIComponent(version)}-nojspi.bin`, import.meta.url).href;

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
      const { key, ...config } = event.data;
      const py = await withoutStackSwitching(() => loadPyodide({ ...config, _makeSnapshot: true }));
      const snap = py.makeMemorySnapshot();
      // Stored from here: the put of ≈20 MB was a ≈160 ms task on the page's main thread, often while the
      // cashier was already selling (or during a first catalog load on a slow device).
      if (globalThis.caches) {
        await store(key, snap);
        self.postMessage({ stored: true });
      } else {
        self.postMessage({ snap }, [snap.buffer]);
      }
    } catch (error) {
      self.postMessage({ error: String(error) });
    }
    self.close();
  };
}

/** The stored snapshot of this runtime version, or null. */
export async function load(version) {
  try {
    if (!globalThis.caches || !version) return null;
    const response = await (await caches.open(CACHE)).match(keyOf(version));
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
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
 * snapshot in a Worker, which stores it; resolves to "stored", or "unavailable" / "failed: …" (the POS works the
 * same without it). Not earlier: booting an interpreter in the Worker takes a core for a second or more, which a
 * first catalog load on a slow device needs.
 */
export function makeLater(version, config, delayMs, ready = Promise.resolve()) {
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
    worker.postMessage({ key, indexURL: config.indexURL, stdLibURL: config.stdLibURL });
  }));
}
