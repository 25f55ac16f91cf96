/**
 * The first load's feed pages off the main thread: each page parsed here (its header, the chunk to store and the
 * catalog index columns: catalog_json.js feedPage), and the pages after the first fetched here too, one after
 * another, up to AHEAD pages before the main thread takes them.
 *
 * Why: JSON.parse of a 2,000-product page, its re-serialisation and the columns took ≈10 ms of main-thread time
 * per page, in the thread that also indexes the pages in Python; and the next request waited for that thread
 * between pages, so the ERP idled while Python indexed. Here the next request leaves as soon as a page is in
 * (its next_after read from the page's last bytes, checked against the parsed page), whatever the main thread does.
 * The first page of a walk is fetched by the main thread (catalog_cols.js fetchPage), which then says "follow".
 *
 * Each page's chunk is also stored from here (idb.js chunkAppend, the same function, database and format), when
 * the main thread says so: {op: "store", ref, store}. Why: the chunk string crossed to the main thread only to be
 * serialised again there by IndexedDB's put, ≈5–8 ms of that thread per 2,000-product page, the thread that
 * indexes. The main thread still decides when (services/sync.py load_feed: after the full load's clear, in page
 * order, every write done before `since` is stored); here the writes run in the order asked, on one connection.
 * A catalog page with columns is posted without its chunk (its text is columns.data's bytes, when wanted).
 *
 * Messages in: {op: "parse", id, walk, bytes, columns} → {id, page} or {id, error};
 * {op: "follow", walk, path, after, columns, init} (fetch the pages after `after` of that request) and
 * {op: "took", walk} (the main thread took one) → {walk, path, page} per page, or {walk, path, failed} (then stops);
 * {op: "stop", walk} ends every older walk; {op: "store", ref, store} → {stored: ref, key} or
 * {stored: ref, name, message} (IndexedDB's error, or "NotFoundError" when that chunk is no longer kept).
 * A page posted carries `ref`, the chunk kept here until stored; chunks of walks before the previous one are
 * dropped (a load stores its pages before the next load starts its walk).
 * Must not write to IndexedDB unasked nor touch the DOM, fetch anything but the same request with `after` moved
 * on, or decide anything about products: it parses and copies fields out.
 */
import { feedPage, nextPath } from "./catalog_json.js";
import { chunkAppend } from "./idb.js";

const AHEAD = 4; // pages fetched and not yet taken by the main thread, at most
const TIMEOUT_MS = 8000; // as net/erp.py TIMEOUT_MS, per page
const dec = new TextDecoder();

let walk = 0;
let fetched = 0;
let taken = 0;
let wake = null;
let refs = 0;
const kept = new Map(); // ref -> {walk, chunk}: chunks posted and not yet stored

function parse(bytes, columns, status, mine) {
  const page = feedPage(new Uint8Array(bytes), columns);
  page.status = status;
  page.ref = ++refs;
  kept.set(page.ref, { walk: mine, chunk: page.chunk });
  if (page.columns) delete page.chunk; // not copied to the main thread: it has the same bytes in columns.data
  return page;
}

async function store(ref, name) {
  const mine = kept.get(ref);
  kept.delete(ref);
  try {
    if (mine === undefined) throw new DOMException("feed chunk no longer kept", "NotFoundError");
    self.postMessage({ stored: ref, key: await chunkAppend(name, mine.chunk) });
  } catch (error) {
    self.postMessage({ stored: ref, name: error?.name || "Error", message: String(error?.message ?? error) });
  }
}

function send(page, extra) {
  const c = page.columns;
  // each buffer once: a transfer list naming one twice is refused
  self.postMessage({ ...extra, page }, c ? [...new Set(Object.values(c).map((a) => a.buffer))] : []);
}

/** next_after as the ERP writes it last in the page (server/api/feeds.py), or undefined: only a hint. */
function hint(bytes) {
  const m = /,"next_after":(null|\d+)\}\s*$/.exec(dec.decode(bytes.subarray(Math.max(0, bytes.length - 40))));
  return m === null ? undefined : m[1] === "null" ? null : Number(m[1]);
}

function room(mine) {
  if (walk !== mine || fetched - taken < AHEAD) return Promise.resolve();
  return new Promise((resolve) => { wake = resolve; });
}

async function get(path, init) {
  fetched++;
  try {
    const r = await fetch(path, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!r.ok) return { path, status: r.status, error: await r.text() };
    return { path, status: r.status, bytes: new Uint8Array(await r.arrayBuffer()) };
  } catch (error) {
    return { path, failed: String(error) };
  }
}

async function follow(mine, path, after, columns, init) {
  let next = null; // {path, got}: a request already made
  while (walk === mine) {
    if (next === null) {
      if (after === null) return;
      await room(mine);
      if (walk !== mine) return;
      const p = nextPath(path, after);
      if (p === null) return;
      next = { path: p, got: get(p, init) };
    }
    const got = await next.got;
    next = null;
    if (walk !== mine) return;
    if (got.bytes === undefined) {
      if (got.failed !== undefined) self.postMessage({ walk: mine, path: got.path, failed: got.failed });
      else self.postMessage({ walk: mine, path: got.path, page: { status: got.status, error: got.error } });
      return;
    }
    const guess = hint(got.bytes);
    if (guess !== undefined && guess !== null && fetched - taken < AHEAD && nextPath(got.path, guess) !== null) {
      const p = nextPath(got.path, guess);
      next = { path: p, got: get(p, init) };
    }
    let page;
    try {
      page = parse(got.bytes, columns, got.status, mine);
    } catch (error) {
      self.postMessage({ walk: mine, path: got.path, failed: String(error) });
      return;
    }
    send(page, { walk: mine, path: got.path });
    if (next !== null && page.next_after !== guess) { // the hint was wrong: that request is not the next page
      next = null;
      fetched--;
    }
    path = got.path;
    after = page.next_after;
  }
}

self.onmessage = ({ data }) => {
  if (data.op === "store") {
    store(data.ref, data.store);
  } else if (data.op === "parse") {
    let page;
    try {
      page = parse(data.bytes, data.columns, 200, data.walk);
    } catch (error) {
      self.postMessage({ id: data.id, error: String(error) });
      return;
    }
    send(page, { id: data.id });
  } else if (data.op === "took") {
    if (data.walk === walk) taken++;
    if (wake !== null && fetched - taken < AHEAD) { const w = wake; wake = null; w(); }
  } else { // "follow" or "stop": a new walk, every older one ends
    walk = data.walk;
    fetched = taken = 0;
    for (const [ref, k] of kept) if (k.walk < walk - 1) kept.delete(ref);
    if (wake !== null) { const w = wake; wake = null; w(); }
    if (data.op === "follow") follow(walk, data.path, data.after, data.columns, data.init);
  }
};
