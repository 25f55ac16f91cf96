/**
 * Every IndexedDB transaction of the POS, one exported async function each. Python (web/storage.py) awaits
 * them and passes/receives JSON strings only.
 *
 * Why in JS: an IndexedDB transaction auto-commits when the event loop turns and Pyodide's asyncio runs on
 * setTimeout, so an atomic write (sale + outbox + stock + sequence) cannot be held open across Python awaits.
 * Why chunks: 100k products stored one record per put take 15–19 s here; ~100 chunk values take ~0.5 s.
 *
 * The database, its schema and the shared helpers are in idb_core.js; the outbox, the sync's bookkeeping and the
 * Ventas window's writes in idb_sync.js, cashiers and shift records in idb_shifts.js, returns in idb_returns.js,
 * re-exported here so Python sees one module (`caja_idb`).
 *
 * Must not hold business rules (money, totals, validity): values arrive computed by poscore. Store names follow
 * the server tables (docs/contract.md).
 */
import { DURABLE, done, open, opened, releaseSnapshot, req } from "./idb_core.js";

export { open };
export * from "./idb_sync.js";
export * from "./idb_returns.js";
export * from "./idb_shifts.js";

/* ---------- meta: terminal, token, catalog since, sequence ---------- */

export async function metaGet(key) {
  const db = await open();
  const value = await req(db.transaction("meta").objectStore("meta").get(key));
  return value === undefined ? null : value;
}

export async function metaPut(key, jsonValue) {
  const db = await open();
  const tx = db.transaction("meta", "readwrite");
  tx.objectStore("meta").put(jsonValue, key);
  await done(tx);
}

/** Several meta keys in one transaction, e.g. token + terminal at pairing. */
export async function metaPutMany(jsonObject) {
  const entries = Object.entries(JSON.parse(jsonObject));
  const db = await open();
  const tx = db.transaction("meta", "readwrite");
  for (const [key, value] of entries) tx.objectStore("meta").put(JSON.stringify(value), key);
  await done(tx);
}

/* ---------- catalog_chunks / customer_chunks ---------- */

// Stores read early by prefetch() (below); a write to a store drops its early answer, which no longer holds.
const prefetched = new Map();

/** Drop every chunk of a feed (a full reload starts from nothing). */
export async function chunksClear(store) {
  prefetched.delete(store); // read before this write: stale
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).clear();
  await done(tx);
}

/**
 * Append one chunk (a JSON array string, or a page of catalog_cols.js fetchPage, whose `chunk` is that string: it
 * never crosses into Python; or whose chunk the feed Worker kept: `storeIn` writes it there, with this same
 * function); keys grow so later chunks override earlier ones on read. Resolves with the chunk's key.
 */
export async function chunkAppend(store, value) {
  prefetched.delete(store); // read before this write: stale
  if (typeof value !== "string" && typeof value.storeIn === "function") return await value.storeIn(store);
  const jsonArray = typeof value === "string" ? value : value.chunk;
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  const os = tx.objectStore(store);
  const cursor = await req(os.openCursor(null, "prev"));
  const next = cursor ? cursor.key + 1 : 0;
  os.put(jsonArray, next);
  await done(tx);
  return next;
}

/** How many chunks a feed has stored (a delta refresh adds one each time). */
export async function chunksCount(store) {
  const db = await open();
  return await req(db.transaction(store).objectStore(store).count());
}

/**
 * Rewrite a feed's chunks as the catalog they mean, in ONE transaction: every item once (a later chunk's item
 * replaces an earlier one with the same id, as reading them in key order does), `size` items per chunk, keys from
 * 0. Why: each delta refresh appends a chunk, and every open reads and parses all of them; without this a shop
 * changing prices daily would open slower every day. Resolves with the new number of chunks.
 */
export async function chunksCompact(store, size) {
  prefetched.delete(store); // read before this write: stale
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  const os = tx.objectStore(store);
  const values = await req(os.getAll());
  const items = new Map();
  for (const value of values) for (const item of JSON.parse(value)) items.set(item.id, item);
  const all = [...items.values()];
  os.clear();
  let n = 0;
  for (let i = 0; i < all.length; i += size) os.put(JSON.stringify(all.slice(i, i + size)), n++);
  await done(tx);
  return n;
}

/**
 * Start reading the stored feeds while Pyodide is still loading (called by boot.mjs): opening IndexedDB in a
 * freshly started browser and reading 100k products take seconds that can overlap with the runtime's start.
 * The first chunksList() of each store takes the prefetched answer; later calls read afresh.
 */
export function prefetch(stores = ["catalog_chunks", "customer_chunks"]) {
  for (const store of stores) {
    const promise = open().then((db) => req(db.transaction(store).objectStore(store).getAll()));
    promise.catch(() => {}); // an error surfaces when Python asks for it
    prefetched.set(store, promise);
  }
}

/** All chunks in key order as an array of JSON strings, so Python can parse one per task (boot slices). */
export async function chunksList(store) {
  const early = prefetched.get(store);
  if (early) {
    prefetched.delete(store);
    return await early;
  }
  const db = await open();
  return await req(db.transaction(store).objectStore(store).getAll());
}

/* ---------- sales: sequence + the atomic commit ---------- */

/**
 * Last sequence number used on this device (0 when none): the highest of the number claims (commitSale), the
 * sales' own numbers (sales stored before claims existed) and meta "seq" (a restored backup moves it). The
 * highest, not meta "seq" alone: a commit that writes "seq" can never make it go down.
 */
export async function lastSequence() {
  const db = await open();
  const tx = db.transaction(["meta", "sales"]);
  const [seq, claim, sale] = await Promise.all([
    req(tx.objectStore("meta").get("seq")),
    req(tx.objectStore("meta").openKeyCursor(CLAIMS, "prev")),
    req(tx.objectStore("sales").index("seq").openKeyCursor(null, "prev")),
  ]);
  return Math.max(seq === undefined ? 0 : JSON.parse(seq), claim ? claim.key[1] : 0, sale ? sale.key : 0);
}

// meta keys ["seq", n]: one per number ever used on this device, never deleted (a synced sale may be pruned,
// its number stays taken). A few dozen bytes a sale.
const CLAIMS = IDBKeyRange.bound(["seq", -Infinity], ["seq", Infinity]);

/**
 * The sale commit, ONE transaction: the sale record, its outbox entry, its local stock decrement, the claim of
 * its number and meta "seq". Resolves with an error code, "" when stored: "sequence_used" (the number was taken,
 * by this device or another tab: the whole transaction aborted, numbers are never reused, and the caller reads
 * the last sequence again and renumbers), "storage_full" (QuotaExceededError), or
 * "storage_error:<DOMException name>". Codes, not exceptions, so Python never has to recognise an error by its
 * text. Nothing is written unless it resolves with "".
 * record = {uuid, seq, number, state, created_at, sale: SALE json}; stock = {product_id: "-qty"}; onStored: called
 * with the record's uuid once stored, before the answer resolves.
 *
 * Why no read and no callback decides anything: the commit starts at once (IDBTransaction.commit(), durability
 * "strict" kept) instead of after the browser ran every request's handler, which cost a round trip between the
 * IndexedDB process and the page per sale. A used number is refused by the database itself: `add` of its claim
 * key (and the sales' unique "seq" index) fails with a ConstraintError, and an error nobody cancels aborts the
 * transaction, rolling back every write queued with it. Readwrite transactions over "meta" run one at a time
 * across tabs, so two tabs cannot both claim a number.
 */
export function commitSale(recordJson, stockJson, onStored = null) {
  // Started before this returns when the database is open (the usual case): the caller goes on with other work
  // (Python building the "Venta guardada" dialog) while IndexedDB writes, instead of after a turn of the loop.
  const db = opened();
  return db ? commitOn(db, recordJson, stockJson, onStored)
    : open().then((d) => commitOn(d, recordJson, stockJson, onStored));
}

/**
 * When the last sale's transaction was begun and found complete (performance.now()): two numbers overwritten per
 * sale, nothing that grows. Why: "Cobrar → Venta guardada" is the Python around the transaction plus the
 * transaction itself, and the benchmark (bench/selling.py) reports the two apart.
 */
export const lastCommit = { begun: 0, stored: 0 };

async function commitOn(db, recordJson, stockJson, onStored) {
  lastCommit.begun = performance.now();
  const record = JSON.parse(recordJson);
  const tx = db.transaction(["sales", "outbox", "stock", "meta"], "readwrite", DURABLE);
  const finished = done(tx);
  let used = false;
  const taken = (event) => { if (event.target.error && event.target.error.name === "ConstraintError") used = true; };
  try {
    const meta = tx.objectStore("meta");
    meta.add(record.uuid, ["seq", record.seq]).onerror = taken;
    tx.objectStore("sales").add(record).onerror = taken;
    tx.objectStore("outbox").put({ uuid: record.uuid, kind: "sale", created_at: record.created_at });
    tx.objectStore("stock").put({ sale_uuid: record.uuid, deltas: JSON.parse(stockJson) });
    meta.put(JSON.stringify(record.seq), "seq");
    if (tx.commit) tx.commit();
  } catch (error) {
    // A synchronous failure (e.g. QuotaExceededError, DataCloneError): make sure nothing half-written commits.
    try { tx.abort(); } catch (e) { /* already finished */ }
    finished.catch(() => {});
    return storageError(error);
  }
  try {
    await finished;
  } catch (error) {
    return used ? "sequence_used" : storageError(error);
  }
  lastCommit.stored = performance.now();
  if (onStored) {
    // Stored: the caller's follow-up runs now, in the task the transaction completed in. A Python caller awaiting
    // the answer instead would resume only a turn of its event loop later. Its failure is not the sale's.
    try { onStored(record.uuid); } catch (error) { console.error("caja: after storing a sale:", error); }
  }
  return "";
}

// The code of a failed write; a full disk also frees the interpreter snapshot, room for the cashier's retry.
function storageError(error) {
  const name = (error && error.name) || "Error";
  if (name === "QuotaExceededError") {
    releaseSnapshot();
    return "storage_full";
  }
  return `storage_error:${name}`;
}

/** Every sale record on the device, oldest first, as a JSON array string (a backup, a corte: never per sale). */
export async function salesAll() {
  const db = await open();
  const rows = await req(db.transaction("sales").objectStore("sales").index("seq").getAll());
  return JSON.stringify(rows);
}

/**
 * One page of sales, newest first: the `limit` most recent records; when `statesJson` or `uuidsJson` is given,
 * only those whose state or uuid is in it (null: all).
 * Why: the Ventas window draws a page, and a till that sold all day must not read (and hand Python) every sale
 * it ever stored each time the window opens.
 * Each row is the record without its SALE body (lines, taxes, payments), plus the sale's `terminal`: the list
 * draws the record's own fields and finds a ticket code with the terminal; the detail reads the whole record
 * (saleGet). Why: the body is most of a record's bytes, and the list is redrawn after every sync run while it
 * is shown; fifty bodies parsed into Python each time were Pyodide's largest passing allocation while selling.
 */
export async function salesPage(limit, statesJson, uuidsJson) {
  const states = statesJson == null ? null : new Set(JSON.parse(statesJson));
  const uuids = uuidsJson == null ? null : new Set(JSON.parse(uuidsJson));
  const db = await open();
  const index = db.transaction("sales").objectStore("sales").index("seq");
  const rows = [];
  await new Promise((resolve, reject) => {
    const cursor = index.openCursor(null, "prev");
    cursor.onerror = () => reject(cursor.error);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c || rows.length >= limit) { resolve(); return; }
      const r = c.value;
      if ((!states && !uuids) || (states && states.has(r.state)) || (uuids && uuids.has(r.uuid))) {
        const { sale, ...row } = r;
        row.terminal = sale ? sale.terminal : null;
        rows.push(row);
      }
      if (rows.length >= limit) resolve(); else c.continue();
    };
  });
  return JSON.stringify(rows);
}

/** One sale record by uuid, as a JSON string, or null. */
export async function saleGet(uuid) {
  const db = await open();
  const row = await req(db.transaction("sales").objectStore("sales").get(uuid));
  return row === undefined ? null : JSON.stringify(row);
}

/** The uuids of the sales in one state (keys only: no record is read), as a JSON array string. */
export async function saleUuids(state) {
  const db = await open();
  return JSON.stringify(await req(db.transaction("sales").objectStore("sales").index("state").getAllKeys(state)));
}

/**
 * The uuids of synced facturas still waiting for their CFDI, most recent first, at most `limit`. The sparse
 * "cfdi_due" index holds only those (applySaleResults sets and clears the field), so the sync asks after every
 * sale without reading the synced ones.
 */
export async function salesAwaitingCfdi(limit) {
  const db = await open();
  const index = db.transaction("sales").objectStore("sales").index("cfdi_due");
  const uuids = [];
  await new Promise((resolve, reject) => {
    const cursor = index.openKeyCursor(null, "prev");
    cursor.onerror = () => reject(cursor.error);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c || uuids.length >= limit) { resolve(); return; }
      uuids.push(c.primaryKey);
      c.continue();
    };
  });
  return JSON.stringify(uuids);
}

/* ---------- stock: local decrements, one record per sale ---------- */

export async function stockDeltas() {
  const db = await open();
  return JSON.stringify(await req(db.transaction("stock").objectStore("stock").getAll()));
}

/** Forget decrements the ERP's stock already includes (sales synced before the last catalog refresh). */
export async function stockForget(saleUuidsJson) {
  const db = await open();
  const tx = db.transaction("stock", "readwrite");
  for (const uuid of JSON.parse(saleUuidsJson)) tx.objectStore("stock").delete(uuid);
  await done(tx);
}

/* ---------- customers created offline ---------- */

export async function customerAddLocal(customerJson) {
  const customer = JSON.parse(customerJson);
  const db = await open();
  // No outbox entry: a customer created offline travels inside its sale and the ERP creates it by uuid.
  const tx = db.transaction("customers_local", "readwrite", DURABLE);
  tx.objectStore("customers_local").put(customer);
  await done(tx);
}

export async function customersLocal() {
  const db = await open();
  return JSON.stringify(await req(db.transaction("customers_local").objectStore("customers_local").getAll()));
}

/* ---------- device ---------- */

/** Ask for persistent storage (evictions would lose unsynced sales); returns the browser's answer. */
export async function requestPersist() {
  if (!navigator.storage || !navigator.storage.persist) return false;
  try {
    return await navigator.storage.persist();
  } catch (e) {
    return false;
  }
}

export async function storageEstimate() {
  if (!navigator.storage || !navigator.storage.estimate) return "{}";
  const { usage, quota } = await navigator.storage.estimate();
  return JSON.stringify({ usage, quota });
}
