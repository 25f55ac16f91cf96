/**
 * The stored catalog read and split into index columns in a module Worker, while Pyodide is still starting.
 *
 * Why: on a warm open with 100k products stored, Python spent ≈0.55 s converting the 50 chunk strings and
 * `json.loads`-ing 100k dicts before the till could sell, on the main thread, and the dicts were most of the page's
 * memory. The index needs only id, barcodes, sku, active and name, and keeps each product as its JSON text
 * (poscore.catalog.CatalogIndex.add_texts). Here a Worker (the second core) reads the chunks from IndexedDB,
 * `JSON.parse`s each and answers, per chunk, `[ids, barcodes, skus, active, names, texts]` as JSON (arrays of
 * scalars parse ≈6x faster than dicts in Python), or, when a product lacks a field or has an odd type, the chunk's
 * raw JSON (Python then parses that chunk whole and indexes it as before), all in one transferred UTF-8 buffer.
 * The first load's pages get the same columns on the main thread (fetchPage, pageColumns).
 *
 * Main thread: `start()` (boot.mjs, before loadPyodide) spawns the worker on this same file; `take()` (web/caja_pos/platform.py,
 * once) resolves with the answer (see take), or null when the worker is unavailable or failed (Python then reads the
 * chunks itself through idb.js).
 *
 * Must not write to IndexedDB nor decide anything about products: it only copies fields out.
 */
import { open } from "./idb.js";

const STORE = "catalog_chunks";

/**
 * `[ids, barcodes, skus, active, names, texts]` as JSON (texts: each product's own JSON, which Python keeps
 * instead of a dict: poscore.catalog.CatalogIndex.add_texts), or null when a product lacks a field or has an
 * odd type. `texts` joined by "," inside "[…]" is exactly JSON.stringify(items): the chunk stored.
 */
function columnsOf(items, texts) {
  const n = items.length;
  const ids = new Array(n), bars = new Array(n), skus = new Array(n), active = new Array(n), names = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = items[i];
    if (p === null || typeof p !== "object" || typeof p.id !== "number" || !Array.isArray(p.barcodes)
        || typeof p.sku !== "string" || typeof p.active !== "boolean" || typeof p.name !== "string") return null;
    ids[i] = p.id; bars[i] = p.barcodes; skus[i] = p.sku; active[i] = p.active; names[i] = p.name;
  }
  return JSON.stringify([ids, bars, skus, active, names, texts]);
}

function columns(text) {
  const items = JSON.parse(text);
  return columnsOf(items, items.map((p) => JSON.stringify(p)));
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
    const c = columns(text);
    raw.push(c === null ? put(text) : null);  // the chunk itself only when Python must parse it whole
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
 * The worker's answer once, then null: {buffer: ArrayBuffer of UTF-8, raw: [[start, end] | null, …] of each chunk's
 * JSON (null when its columns are there), cols: [[start, end] | null, …] of each chunk's columns JSON}.
 */
export async function take() {
  const answer = pending ? await pending : null;
  pending = null;
  return answer;
}

/* ---------- a feed page on the first load (main thread) ---------- */

/**
 * GET one /api/catalog or /api/customers page and parse it here: {status, error (the body, when not ok), version,
 * next_after, total, count, chunk (the items as the JSON stored, idb.chunkAppend), items (parsed)}.
 * Why: Python's json.loads of 2,000 dicts and json.dumps back for the chunk cost more than fetching the page;
 * JS parses it once, and Python takes only what it keeps (pageColumns, or pageItems where dicts are needed).
 */
export async function fetchPage(path, options) {
  const r = await fetch(path, options);
  const text = await r.text();
  if (!r.ok) return { status: r.status, error: text };
  const data = JSON.parse(text);
  const items = data.items;
  const texts = items.map((p) => JSON.stringify(p));
  return { status: r.status, version: data.version, next_after: data.next_after ?? null, total: data.total,
           count: items.length, chunk: "[" + texts.join(",") + "]", items, texts };
}

/** The page's index columns (see columnsOf) as UTF-8 bytes, or null. */
export function pageColumns(page) {
  const c = columnsOf(page.items, page.texts);
  return c === null ? null : new TextEncoder().encode(c);
}
