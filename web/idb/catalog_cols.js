/**
 * The stored catalog read and split into index columns in a module Worker, while Pyodide is still starting.
 *
 * Why: on a warm open with 100k products stored, Python spent ≈0.55 s converting the 50 chunk strings and
 * `json.loads`-ing 100k dicts before the till could sell, on the main thread, and the dicts were most of the page's
 * memory. The index needs only id, barcodes, sku, active and name, and keeps each product as a span of its
 * chunk's UTF-8 JSON (poscore.catalog.CatalogIndex.add_json). Here a Worker (the second core) reads the chunks
 * from IndexedDB, `JSON.parse`s each and answers, per chunk, its ids, active flags, codes and names as bytes
 * (catalog_json.js columnsBinary: Python takes each with one C call), the chunk's UTF-8 bytes and each product's
 * byte span in them (a text per product was 100k Python strings to make at every open), or, when a product lacks a field
 * or has an odd type, the chunk's raw JSON (Python then parses that chunk whole and indexes it as before), all in
 * one transferred buffer. The stored chunks are unchanged (any JSON array of products).
 * The first load's pages get the same columns from the feed Worker (fetchPage, feed_worker.js).
 *
 * Main thread: `start()` (boot.mjs, before loadPyodide) spawns the worker on this same file; `take()` (web/caja_pos/platform.py,
 * once) resolves with the answer (see take), or null when the worker is unavailable or failed (Python then reads the
 * chunks itself through idb.js).
 *
 * Must not write to IndexedDB nor decide anything about products: it only copies fields out.
 */
import { COLUMN_PARTS, columnsOf, feedPage, nextPath, storedColumns } from "./catalog_json.js";
import { open } from "./idb.js";

const STORE = "catalog_chunks";

const enc = new TextEncoder();
const dec = new TextDecoder();

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
    const c = storedColumns(text);
    // the chunk as stored only when Python must parse it whole
    chunks.push(c === null ? { raw: put(enc.encode(text)) } : Object.fromEntries(COLUMN_PARTS.map((k) => [k, put(c[k])])));
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
    const reader = new Worker(import.meta.url, { type: "module" });
    pending = new Promise((resolve) => {
      reader.onmessage = (event) => {
        const answer = event.data && !event.data.error ? event.data : null;
        // Nothing stored: this open is a first load, whose pages the feed Worker fetches and parses. Started now,
        // its module graph loads while the runtime starts instead of after the first page (≈0.1 s of the load).
        if (answer !== null && answer.chunks.length === 0) worker();
        resolve(answer);
      };
      reader.onerror = () => resolve(null);
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * The worker's answer once, then null: {buffer: ArrayBuffer, chunks: [one per stored chunk: {ids, active, codes,
 * names, data, spans} (the [start, end) in buffer of each part of its columns, see columnsOf), or {raw} (of its
 * JSON as stored, when the columns could not be taken)]}.
 */
export async function take() {
  const answer = pending ? await pending : null;
  pending = null;
  return answer;
}

/* ---------- a feed page on the first load (main thread) ---------- */

let parser = null; // the feed Worker (feed_worker.js), false once it failed or cannot run
let parseId = 0;
const parsing = new Map(); // id -> {resolve, reject, bytes, columns}: pages this thread fetched, parsed there
let walk = 0; // the feed Worker's current walk (see fetchPage)
// Pages the feed Worker fetches for the current walk, by path: {promise, resolve, reject, options, settled, taken}.
const early = new Map();
const storing = new Map(); // ref -> {resolve, reject}: chunks the feed Worker is writing (storeIn)

/**
 * A page the feed Worker keeps the chunk of is stored there (idb.js chunkAppend calls `page.storeIn(store)`):
 * the chunk never crosses to this thread. Resolves with its key, rejects with IndexedDB's error as a DOMException.
 */
function keptThere(page) {
  if (page.ref === undefined) return page;
  const ref = page.ref;
  page.storeIn = (store) => new Promise((resolve, reject) => {
    if (!parser) {
      reject(new DOMException("feed Worker gone", "UnknownError"));
      return;
    }
    storing.set(ref, { resolve, reject });
    parser.postMessage({ op: "store", ref, store });
  });
  return page;
}

function parseHere(bytes, columns) {
  const page = feedPage(new Uint8Array(bytes), columns);
  page.status = 200;
  return page;
}

function expect(path, options) {
  let entry = early.get(path);
  if (entry === undefined) {
    entry = { options };
    // settled: the Worker answered; taken: Python asked for it. It leaves `early` once both.
    entry.promise = new Promise((resolve, reject) => {
      const settle = (fn) => (value) => {
        entry.settled = true;
        if (entry.taken && early.get(path) === entry) early.delete(path);
        fn(value);
      };
      entry.resolve = settle(resolve);
      entry.reject = settle(reject);
    });
    entry.promise.catch(() => {}); // surfaces when Python takes it
    early.set(path, entry);
  }
  return entry;
}

/** The next page of `path` (same request, `after` moved on) is the Worker's to fetch: expect it. */
function follow(path, page, options) {
  const next = parser && page.next_after !== null ? nextPath(path, page.next_after) : null;
  if (next === null) return;
  expect(next, options);
  const init = {};
  for (const [k, v] of Object.entries(options)) if (k !== "signal") init[k] = v;
  parser.postMessage({ op: "follow", walk, path, after: page.next_after, columns: isCatalog(path), init });
}

function fromWorker(data) {
  if (data.stored !== undefined) {
    const job = storing.get(data.stored);
    storing.delete(data.stored);
    if (data.name !== undefined) job.reject(new DOMException(data.message, data.name));
    else job.resolve(data.key);
    return;
  }
  if (data.id !== undefined) {
    const job = parsing.get(data.id);
    parsing.delete(data.id);
    if (data.error !== undefined) job.reject(new SyntaxError(data.error));
    else job.resolve(keptThere(data.page));
    return;
  }
  if (data.walk !== walk) return; // a walk Python left
  const entry = expect(data.path);
  if (data.failed !== undefined) {
    entry.reject(new TypeError(data.failed)); // as fetch() fails: Python reads it as "not reachable"
    return;
  }
  const page = data.page;
  const ok = page.status >= 200 && page.status < 300;
  if (ok && page.next_after !== null) expect(nextPath(data.path, page.next_after), entry.options);
  entry.resolve(keptThere(page));
}

function worker() {
  if (parser === null) {
    try {
      parser = new Worker(new URL("./feed_worker.js", import.meta.url), { type: "module" });
      parser.onmessage = ({ data }) => fromWorker(data);
      parser.onerror = () => { // the Worker cannot run here: what it had is done on this thread
        parser = false;
        for (const job of storing.values()) job.reject(new DOMException("feed Worker gone", "UnknownError"));
        storing.clear();
        for (const job of parsing.values()) {
          try { job.resolve(parseHere(job.bytes, job.columns)); } catch (error) { job.reject(error); }
        }
        parsing.clear();
        for (const [path, entry] of early) load(path, entry.options).then(entry.resolve, entry.reject);
        early.clear();
      };
    } catch {
      parser = false;
    }
  }
  return parser;
}

const isCatalog = (path) => path.startsWith("/api/catalog");

/** The page's text parsed in the feed Worker (a copy of its bytes goes there), or here without one. */
function parse(bytes, columns) {
  const w = worker();
  if (!w) return Promise.resolve(parseHere(bytes, columns));
  return new Promise((resolve, reject) => {
    const id = ++parseId;
    parsing.set(id, { resolve, reject, bytes, columns });
    w.postMessage({ op: "parse", id, walk, bytes, columns });
  });
}

async function load(path, options) {
  const r = await fetch(path, options);
  if (!r.ok) return { status: r.status, error: await r.text() };
  const page = await parse(await r.arrayBuffer(), isCatalog(path));
  page.status = r.status;
  return page;
}

/**
 * GET one /api/catalog or /api/customers page, parsed in the feed Worker (feed_worker.js): {status, error (the
 * body, when not ok), version, next_after, total, count, chunk (the items as the JSON stored, idb.chunkAppend;
 * absent when the feed Worker kept it: then `storeIn(store)` has it written there, and pageText reads the items),
 * columns (the catalog's index columns, pageColumns)}.
 * Why: Python's json.loads of 2,000 dicts and json.dumps back for the chunk cost more than fetching the page;
 * JS parses it once, off this thread, and Python takes only what it keeps. The first page of a walk is fetched
 * here; the Worker then fetches the next ones (the same request, `after` = the previous page's next_after) while
 * Python indexes, so the ERP is never waiting for this thread between pages. A request for a path the Worker was
 * not fetching starts a new walk (the Worker drops the old one).
 */
export async function fetchPage(path, options) {
  const entry = early.get(path);
  if (entry !== undefined && !entry.taken) {
    entry.taken = true;
    if (entry.settled) early.delete(path);
    parser.postMessage({ op: "took", walk });
    return await entry.promise;
  }
  walk++;
  for (const e of early.values()) e.reject(new Error("feed walk dropped"));
  early.clear();
  const w = worker();
  if (w) w.postMessage({ op: "stop", walk });
  const page = await load(path, options);
  if (page.status >= 200 && page.status < 300) follow(path, page, options);
  return page;
}

/** The page's items as JSON text: its chunk, or, when the feed Worker kept that, its columns' bytes (the same). */
export function pageText(page) {
  return page.chunk !== undefined ? page.chunk : dec.decode(page.columns.data);
}

/** The page's index columns with its bytes and spans (catalog_json.js columnsOf), or null. */
export function pageColumns(page) {
  return page.columns !== undefined ? page.columns : columnsOf(page.items, page.texts);
}
