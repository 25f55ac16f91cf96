/**
 * Every IndexedDB transaction of the POS, one exported async function each. Python (web/storage.py) awaits
 * them and passes/receives JSON strings only.
 *
 * Why in JS: an IndexedDB transaction auto-commits when the event loop turns and Pyodide's asyncio runs on
 * setTimeout, so an atomic write (sale + outbox + stock + sequence) cannot be held open across Python awaits.
 * Why chunks: 100k products stored one record per put take 15–19 s here; ~100 chunk values take ~0.5 s.
 *
 * Must not hold business rules (money, totals, validity): values arrive computed by poscore. Store names follow
 * the server tables (docs/contract.md). Upgrades follow the oldVersion ladder and never drop unsynced sales.
 */
const DB_NAME = "caja";
const DB_VERSION = 1;

let dbPromise = null;

// What a cashier was told is saved must survive a power cut, not only a browser crash: with the default ("relaxed"
// in Chromium) a transaction completes once the OS has the bytes, which a power cut can lose. So a sale, its
// cancellation, an offline customer and a restored backup are written with "strict" (flushed to disk before
// "complete"). Feeds, sync bookkeeping and settings stay relaxed: the ERP can send them again.
const DURABLE = { durability: "strict" };

function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException("Transaction aborted", "AbortError"));
  });
}

export function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, DB_VERSION);
      r.onupgradeneeded = (event) => {
        const db = r.result;
        const old = event.oldVersion;
        if (old < 1) {
          db.createObjectStore("meta");
          db.createObjectStore("catalog_chunks");
          db.createObjectStore("customer_chunks");
          db.createObjectStore("customers_local", { keyPath: "uuid" });
          const sales = db.createObjectStore("sales", { keyPath: "uuid" });
          sales.createIndex("seq", "seq", { unique: true });
          sales.createIndex("state", "state");
          db.createObjectStore("outbox", { keyPath: "uuid" });
          db.createObjectStore("stock", { keyPath: "sale_uuid" });
        }
        // if (old < 2) { ... } — add steps here; never delete "sales" or "outbox".
      };
      r.onsuccess = () => {
        const db = r.result;
        // Another tab upgraded the schema: close so its upgrade is not blocked; the next call reopens.
        db.onversionchange = () => { db.close(); dbPromise = null; };
        resolve(db);
      };
      r.onerror = () => { dbPromise = null; reject(r.error); };
      r.onblocked = () => console.warn("caja: IndexedDB upgrade blocked by another tab");
    });
  }
  return dbPromise;
}

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

/** Drop every chunk of a feed (a full reload starts from nothing). */
export async function chunksClear(store) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).clear();
  await done(tx);
}

/** Append one chunk (a JSON array string); keys grow so later chunks override earlier ones on read. */
export async function chunkAppend(store, jsonArray) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  const os = tx.objectStore(store);
  const cursor = await req(os.openCursor(null, "prev"));
  const next = cursor ? cursor.key + 1 : 0;
  os.put(jsonArray, next);
  await done(tx);
  return next;
}

/** All chunks in key order as one JSON string "[[...],[...]]": a single json.loads on the Python side. */
export async function chunksRead(store) {
  const db = await open();
  const values = await req(db.transaction(store).objectStore(store).getAll());
  return "[" + values.join(",") + "]";
}

const prefetched = new Map();

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

/** Replace all chunks by the given ones (compaction), with the feed's `since` in the same transaction. */
export async function chunksReplace(store, jsonArrayOfArrays, sinceKey, sinceJson) {
  const chunks = JSON.parse(jsonArrayOfArrays);
  const db = await open();
  const tx = db.transaction([store, "meta"], "readwrite");
  const os = tx.objectStore(store);
  os.clear();
  chunks.forEach((chunk, i) => os.put(JSON.stringify(chunk), i));
  if (sinceKey) tx.objectStore("meta").put(sinceJson, sinceKey);
  await done(tx);
}

/* ---------- sales: sequence + the atomic commit ---------- */

/** Last sequence number used on this device (0 when none). */
export async function lastSequence() {
  const value = await metaGet("seq");
  return value === null ? 0 : JSON.parse(value);
}

/**
 * The sale commit, ONE transaction: the sale record, its outbox entry, its local stock decrement and the
 * sequence. A sequence already used (by this device or another tab) aborts the whole transaction with a
 * ConstraintError: numbers are never reused, and the caller reads the last sequence again and renumbers.
 * record = {uuid, seq, number, state, created_at, sale: SALE json}; stock = {product_id: "-qty"}.
 *
 * Why no awaited read first: the check of the stored sequence is the first request of the transaction and its
 * success handler aborts the transaction, which rolls back the writes queued after it (a transaction cannot
 * commit before every request's handler ran). Waiting for the read before queueing the writes cost one more
 * IndexedDB round trip per sale. Readwrite transactions over "meta" run one at a time across tabs, so this
 * check-and-set is atomic without a Web Lock (a lock held around it added another cross-process round trip).
 */
export async function commitSale(recordJson, stockJson) {
  const record = JSON.parse(recordJson);
  const db = await open();
  const tx = db.transaction(["sales", "outbox", "stock", "meta"], "readwrite", DURABLE);
  const finished = done(tx);
  let used = false;
  try {
    const meta = tx.objectStore("meta");
    meta.get("seq").onsuccess = (event) => {
      const last = event.target.result;
      if (last !== undefined && JSON.parse(last) >= record.seq) {
        used = true;
        tx.abort();
      }
    };
    tx.objectStore("sales").add(record);
    tx.objectStore("outbox").put({ uuid: record.uuid, kind: "sale", created_at: record.created_at });
    tx.objectStore("stock").put({ sale_uuid: record.uuid, deltas: JSON.parse(stockJson) });
    meta.put(JSON.stringify(record.seq), "seq");
  } catch (error) {
    // A synchronous failure (e.g. QuotaExceededError, DataCloneError): make sure nothing half-written commits.
    try { tx.abort(); } catch (e) { /* already finished */ }
    finished.catch(() => {});
    throw error;
  }
  try {
    await finished;
  } catch (error) {
    if (used) throw new DOMException(`sequence ${record.seq} already used`, "ConstraintError");
    throw error;
  }
}

/** Every sale record on the device, oldest first, as a JSON array string. */
export async function salesAll() {
  const db = await open();
  const rows = await req(db.transaction("sales").objectStore("sales").index("seq").getAll());
  return JSON.stringify(rows);
}

/** Sale records still in the outbox (pending, syncing or rejected are kept; the caller filters). */
export async function outboxSales() {
  const db = await open();
  const tx = db.transaction(["outbox", "sales"]);
  const entries = await req(tx.objectStore("outbox").getAll());
  const sales = tx.objectStore("sales");
  const rows = await Promise.all(
    entries.filter((e) => e.kind === "sale").map((e) => req(sales.get(e.uuid))),
  );
  return JSON.stringify(rows.filter((r) => r));
}

/** Count of outbox entries (the red badge). */
export async function outboxCount() {
  const db = await open();
  return await req(db.transaction("outbox").objectStore("outbox").count());
}

/**
 * Apply the ERP's per-sale answers in one transaction: accepted → state synced + series/folio, outbox entry
 * removed; rejected → state rejected + error/message, kept in the outbox's place forever (never deleted).
 * updates = [{uuid, state, series?, folio?, error?, message?}]
 */
export async function applySaleResults(updatesJson) {
  const updates = JSON.parse(updatesJson);
  const db = await open();
  const tx = db.transaction(["sales", "outbox"], "readwrite");
  const sales = tx.objectStore("sales");
  const outbox = tx.objectStore("outbox");
  for (const u of updates) {
    const record = await req(sales.get(u.uuid));
    if (!record) continue;
    Object.assign(record, u);
    sales.put(record);
    if (u.state === "synced" || u.state === "rejected") outbox.delete(u.uuid);
  }
  await done(tx);
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

/* ---------- issue 5: cancel with audit, voids, customers upload, pruning, backup import ---------- */

/**
 * Cancel a sale not yet accepted by the ERP, ONE transaction: the sale record becomes "cancelled", its outbox
 * entry goes, its local stock decrement is dropped (stock restored) and a void audit is queued in the outbox
 * (kind "void") for POST /api/voids. Returns "ok", or the sale's state when it may not be cancelled (the rule,
 * poscore.lifecycle, is checked in Python first; this re-check closes the race with a sync in another tab).
 */
export async function cancelSale(saleUuid, voidJson, cancellableJson) {
  const cancellable = JSON.parse(cancellableJson);
  const db = await open();
  const tx = db.transaction(["sales", "outbox", "stock"], "readwrite", DURABLE);
  const sales = tx.objectStore("sales");
  const record = await req(sales.get(saleUuid));
  if (!record) { tx.abort(); return "missing"; }
  if (!cancellable.includes(record.state)) { tx.abort(); return record.state; }
  const audit = JSON.parse(voidJson);
  record.state = "cancelled";
  record.cancelled_at = audit.cancelled_at;
  record.void_uuid = audit.uuid;
  sales.put(record);
  tx.objectStore("outbox").delete(saleUuid);
  tx.objectStore("stock").delete(saleUuid);
  tx.objectStore("outbox").put({ uuid: audit.uuid, kind: "void", created_at: audit.cancelled_at, void: audit });
  await done(tx);
  return "ok";
}

/** Outbox entries of one kind ("void"), as a JSON array string. */
export async function outboxEntries(kind) {
  const db = await open();
  const rows = await req(db.transaction("outbox").objectStore("outbox").getAll());
  return JSON.stringify(rows.filter((e) => e.kind === kind));
}

/** Drop outbox entries the ERP accepted (voids), one transaction; keep the others with their error. */
export async function outboxSettle(doneUuidsJson, failedJson) {
  const db = await open();
  const tx = db.transaction("outbox", "readwrite");
  const os = tx.objectStore("outbox");
  for (const uuid of JSON.parse(doneUuidsJson)) os.delete(uuid);
  for (const f of JSON.parse(failedJson)) {
    const entry = await req(os.get(f.uuid));
    if (entry) { entry.error = f.error; entry.message = f.message; os.put(entry); }
  }
  await done(tx);
}

/** Mark customers created offline as known to the ERP (its id), so they stop counting as pending. */
export async function customersMarkSynced(resultsJson) {
  const db = await open();
  const tx = db.transaction("customers_local", "readwrite");
  const os = tx.objectStore("customers_local");
  for (const r of JSON.parse(resultsJson)) {
    const c = await req(os.get(r.uuid));
    if (c) { c.id = r.id; c.synced = true; os.put(c); }
  }
  await done(tx);
}

/**
 * What the sync icon counts: outbox sales, outbox voids and offline customers the ERP does not know yet. A
 * customer that travels inside a pending or synced sale is not counted on its own (the sale carries it and the
 * ERP creates it by uuid).
 */
export async function pendingCounts() {
  const db = await open();
  const tx = db.transaction(["outbox", "customers_local", "sales"]);
  const entries = await req(tx.objectStore("outbox").getAll());
  let customers = (await req(tx.objectStore("customers_local").getAll()))
    .filter((c) => !c.synced && (c.id === null || c.id === undefined));
  if (customers.length) {
    const carried = new Set();
    for (const r of await req(tx.objectStore("sales").getAll())) {
      const uuid = r.sale && r.sale.customer && r.sale.customer.uuid;
      if (uuid && r.state !== "rejected" && r.state !== "cancelled") carried.add(uuid);
    }
    customers = customers.filter((c) => !carried.has(c.uuid));
  }
  return JSON.stringify({
    sales: entries.filter((e) => e.kind === "sale").length,
    voids: entries.filter((e) => e.kind === "void").length,
    customers: customers.length,
  });
}

/** Delete synced sales created before `beforeIso` (and their stock records); never any other state. */
export async function pruneSynced(beforeIso) {
  const db = await open();
  const tx = db.transaction(["sales", "stock"], "readwrite");
  const rows = await req(tx.objectStore("sales").index("state").getAll("synced"));
  let n = 0;
  for (const r of rows) {
    if (r.created_at && r.created_at < beforeIso) {
      tx.objectStore("sales").delete(r.uuid);
      tx.objectStore("stock").delete(r.uuid);
      n += 1;
    }
  }
  await done(tx);
  return n;
}

/**
 * Import sale records exported from another device (backup), ONE transaction, idempotent by uuid: a uuid
 * already here is skipped; a record whose local sequence is taken by another sale is skipped as a conflict.
 * Imported pending sales get their outbox entry; the sequence moves past the highest imported one so numbers
 * are never reused. Returns {"added", "skipped", "conflicts"}.
 */
export async function importSales(recordsJson) {
  const records = JSON.parse(recordsJson);
  const db = await open();
  const tx = db.transaction(["sales", "outbox", "meta"], "readwrite", DURABLE);
  const sales = tx.objectStore("sales");
  const meta = tx.objectStore("meta");
  const out = { added: 0, skipped: 0, conflicts: [] };
  let maxSeq = 0;
  for (const r of records) {
    if (await req(sales.get(r.uuid))) { out.skipped += 1; continue; }
    if (await req(sales.index("seq").getKey(r.seq))) { out.conflicts.push(r.number); continue; }
    sales.add(r);
    if (r.state === "pending" || r.state === "syncing") {
      tx.objectStore("outbox").put({ uuid: r.uuid, kind: "sale", created_at: r.created_at });
    }
    maxSeq = Math.max(maxSeq, r.seq);
    out.added += 1;
  }
  const last = await req(meta.get("seq"));
  if (maxSeq > (last === undefined ? 0 : JSON.parse(last))) meta.put(JSON.stringify(maxSeq), "seq");
  await done(tx);
  return JSON.stringify(out);
}

/** Hand a text file to the device (Blob download): the saved ticket, the backup. */
export function downloadText(filename, mime, text) {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Hold the cross-tab sync lock (Web Locks) and resolve with a function that releases it, like the sequence lock:
 * only one tab talks to the ERP at a time; a tab that finds it taken waits, then re-reads the outbox, so nothing
 * is sent twice (and the ERP's uuid idempotency covers the rest).
 */
export function acquireSyncLock() {
  if (!navigator.locks) return Promise.resolve(() => {});
  return new Promise((granted) => {
    navigator.locks.request("caja-sync", () => new Promise((release) => granted(release)));
  });
}

/**
 * Before a sync sends them: outbox sales still pending (or left "syncing" by a tab that died mid-flight) become
 * "syncing", ONE transaction; returns their uuids. From then on they cannot be cancelled here (poscore.lifecycle:
 * syncing → cancelled is not allowed), so a sale is never both accepted by the ERP and cancelled on the device.
 * `onlyJson` is null or a JSON array of uuids to restrict to.
 */
export async function markSyncing(onlyJson) {
  const only = onlyJson ? new Set(JSON.parse(onlyJson)) : null;
  const db = await open();
  const tx = db.transaction(["outbox", "sales"], "readwrite");
  const sales = tx.objectStore("sales");
  const marked = [];
  for (const e of await req(tx.objectStore("outbox").getAll())) {
    if (e.kind !== "sale" || (only && !only.has(e.uuid))) continue;
    const record = await req(sales.get(e.uuid));
    if (!record || (record.state !== "pending" && record.state !== "syncing")) continue;
    record.state = "syncing";
    sales.put(record);
    marked.push(e.uuid);
  }
  await done(tx);
  return JSON.stringify(marked);
}

/** After a sync: the marked sales the ERP did not answer (network error, 5xx) are pending again. */
export async function unmarkSyncing(uuidsJson) {
  const db = await open();
  const tx = db.transaction("sales", "readwrite");
  const sales = tx.objectStore("sales");
  for (const uuid of JSON.parse(uuidsJson)) {
    const record = await req(sales.get(uuid));
    if (record && record.state === "syncing") { record.state = "pending"; sales.put(record); }
  }
  await done(tx);
}
