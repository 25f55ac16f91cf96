/**
 * The stored catalog read and split into index columns in a module Worker, while Pyodide is still starting.
 *
 * Why: on a warm open with 100k products stored, Python spent ≈0.55 s converting the 50 chunk strings and
 * `json.loads`-ing 100k dicts before the till could sell, on the main thread, and the dicts were most of the page's
 * memory. The index needs only id, barcodes, sku, active and name, and keeps each product as a span of its
 * chunk's UTF-8 JSON (poscore.catalog.CatalogIndex.add_json). Here a Worker (the second core) reads the chunks
 * from IndexedDB, `JSON.parse`s each and answers, per chunk, `[ids, barcodes, skus, active, names]` as JSON
 * (arrays of scalars parse ≈6x faster than dicts in Python), the chunk's UTF-8 bytes and each product's byte span
 * in them (a text per product was 100k Python strings to make at every open), or, when a product lacks a field
 * or has an odd type, the chunk's raw JSON (Python then parses that chunk whole and indexes it as before), all in
 * one transferred buffer. The stored chunks are unchanged (any JSON array of products).
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

const enc = new TextEncoder();

/**
 * The chunk `"[" + texts.join(",") + "]"` as UTF-8 bytes, and each product's [start, end) in them (a Uint32Array,
 * two per product): Python keeps the bytes and parses a product's span only when it builds that product
 * (poscore.catalog.CatalogIndex.add_json). Encoded text by text straight into one buffer, so the spans are in
 * bytes (names have accents) without a second pass.
 */
function encodeChunk(texts) {
  let chars = 2;
  for (const t of texts) chars += t.length + 1;
  let buf = new Uint8Array(chars + (chars >> 3) + 16);
  const spans = new Uint32Array(2 * texts.length);
  let at = 0;
  buf[at++] = 91; // "["
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (buf.length - at < 3 * t.length + 2) {  // room for the worst case: 3 bytes per UTF-16 unit
      const grown = new Uint8Array(2 * buf.length + 3 * t.length + 2);
      grown.set(buf.subarray(0, at));
      buf = grown;
    }
    if (i) buf[at++] = 44; // ","
    const { written } = enc.encodeInto(t, buf.subarray(at));
    spans[2 * i] = at;
    at += written;
    spans[2 * i + 1] = at;
  }
  buf[at++] = 93; // "]"
  return { bytes: buf.subarray(0, at), spans: new Uint8Array(spans.buffer) };
}

/**
 * The index columns of a chunk's products, `[ids, barcodes, skus, active, names]` as UTF-8 JSON, with the chunk's
 * bytes and spans (encodeChunk) of `texts` (each product's own JSON), or null when a product lacks a field or has
 * an odd type (Python then parses the chunk whole).
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
  const { bytes, spans } = encodeChunk(texts);
  return { cols: enc.encode(JSON.stringify([ids, bars, skus, active, names])), data: bytes, spans };
}

function columns(text) {
  const items = JSON.parse(text);
  return Array.isArray(items) ? columnsOf(items, items.map((p) => JSON.stringify(p))) : null;
}

async function readColumns() {
  const db = await open();
  const values = await new Promise((resolve, reject) => {
    const r = db.transaction(STORE).objectStore(STORE).getAll();
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  // One buffer, transferred (not copied): a structured clone of the ≈33 MB of strings was one long task on the
  // main thread, and Python reads UTF-8 bytes without a JS→Python string conversion.
  const parts = [], chunks = [];
  let size = 0;
  const put = (bytes) => {
    parts.push(bytes);
    size += bytes.length;
    return [size - bytes.length, size];
  };
  for (const text of values) {
    const c = columns(text);
    // the chunk as stored only when Python must parse it whole
    chunks.push(c === null ? { raw: put(enc.encode(text)) } : { cols: put(c.cols), data: put(c.data), spans: put(c.spans) });
  }
  const buffer = new Uint8Array(size);
  let at = 0;
  for (const bytes of parts) {
    buffer.set(bytes, at);
    at += bytes.length;
  }
  return { buffer: buffer.buffer, chunks };
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
 * The worker's answer once, then null: {buffer: ArrayBuffer, chunks: [one per stored chunk: {cols, data, spans}
 * (the [start, end) in buffer of its columns JSON, its UTF-8 JSON and its spans, see columnsOf), or {raw} (of its
 * JSON as stored, when the columns could not be taken)]}.
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

/** The page's index columns with its bytes and spans (see columnsOf), or null. */
export function pageColumns(page) {
  return columnsOf(page.items, page.texts);
}
