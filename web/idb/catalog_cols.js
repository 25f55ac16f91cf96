/**
 * The stored catalog read and split into index columns in a module Worker, while Pyodide is still starting.
 *
 * Why: on a warm open with 100k products stored, Python spent ≈0.55 s converting the 50 chunk strings and
 * `json.loads`-ing 100k dicts before the till could sell, on the main thread. The index needs only id, barcodes,
 * sku, active and name (poscore.catalog.CatalogIndex.add_deferred); the full dicts are parsed later, one chunk at a
 * time (on first use or in the background). Here a Worker (the second core) reads the chunks from IndexedDB,
 * `JSON.parse`s each and answers, per chunk, the raw JSON and `[ids, barcodes, skus, active, names]` as JSON (arrays
 * of scalars parse ≈6x faster than dicts in Python), or null columns when a product lacks a field or has an odd
 * type (Python then parses that chunk whole and indexes it as before), all in one transferred UTF-8 buffer.
 *
 * Main thread: `start()` (boot.mjs, before loadPyodide) spawns the worker on this same file; `take()` (web/caja_pos/platform.py,
 * once) resolves with the answer (see take), or null when the worker is unavailable or failed (Python then reads the
 * chunks itself through idb.js).
 *
 * Must not write to IndexedDB nor decide anything about products: it only copies fields out.
 */
import { open } from "./idb.js";

const STORE = "catalog_chunks";

function columns(text) {
  const items = JSON.parse(text);
  const n = items.length;
  const ids = new Array(n), bars = new Array(n), skus = new Array(n), active = new Array(n), names = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = items[i];
    if (p === null || typeof p !== "object" || typeof p.id !== "number" || !Array.isArray(p.barcodes)
        || typeof p.sku !== "string" || typeof p.active !== "boolean" || typeof p.name !== "string") return null;
    ids[i] = p.id; bars[i] = p.barcodes; skus[i] = p.sku; active[i] = p.active; names[i] = p.name;
  }
  return JSON.stringify([ids, bars, skus, active, names]);
}

async function readColumns() {
  const db = await open();
  const values = await new Promise((resolve, reject) => {
    const r = db.transaction(STORE).objectStore(STORE).getAll();
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  // One UTF-8 buffer, transferred (not copied): a structured clone of the ≈33 MB of strings was one long task
  // on the main thread, and Python's json.loads reads UTF-8 bytes without a JS→Python string conversion.
  const enc = new TextEncoder();
  const parts = [], raw = [], cols = [];
  let size = 0;
  const put = (text) => {
    const bytes = enc.encode(text);
    parts.push(bytes);
    size += bytes.length;
    return [size - bytes.length, size];
  };
  for (const text of values) {
    raw.push(put(text));
    const c = columns(text);
    cols.push(c === null ? null : put(c));
  }
  const buffer = new Uint8Array(size);
  let at = 0;
  for (const bytes of parts) {
    buffer.set(bytes, at);
    at += bytes.length;
  }
  return { buffer: buffer.buffer, raw, cols };
}

const inWorker = typeof window === "undefined" && typeof self !== "undefined" && typeof self.postMessage === "function";
if (inWorker) {
  readColumns().then(
    (answer) => { self.postMessage(answer, [answer.buffer]); self.close(); },
    (error) => { self.postMessage({ error: String(error) }); self.close(); },
  );
}

let pending = null;

/** Spawn the worker (main thread); false when module workers are unavailable. */
export function start() {
  try {
    const worker = new Worker(import.meta.url, { type: "module" });
    pending = new Promise((resolve) => {
      worker.onmessage = (event) => resolve(event.data && !event.data.error ? event.data : null);
      worker.onerror = () => resolve(null);
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * The worker's answer once, then null: {buffer: ArrayBuffer of UTF-8, raw: [[start, end], …] of each chunk's JSON,
 * cols: [[start, end] | null, …] of each chunk's columns JSON}.
 */
export async function take() {
  const answer = pending ? await pending : null;
  pending = null;
  return answer;
}
