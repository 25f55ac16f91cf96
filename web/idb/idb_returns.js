/**
 * IndexedDB transactions of returns (devoluciones) of synced sales, re-exported by idb.js: the durable commit of a
 * return (record + outbox entry + stock put back), the reads, the ERP's answers, and a backup's returns and shift
 * records imported from another device. JSON strings in and out.
 *
 * Must not hold business rules: the amounts and what may be returned are poscore's (computed in Python before the
 * commit); a rejected return is never deleted here.
 */
import { DURABLE, done, open, req } from "./idb_core.js";

/**
 * Store a return, ONE "strict" transaction: the record (state "pending"), its outbox entry (kind "return") and its
 * stock record (the units go back into this device's stock at once, as when a sale is cancelled).
 * `expectedJson` is the uuids of the sale's returns (not rejected) Python computed this return against: when
 * another tab stored a return of the same sale meanwhile the set differs, nothing is written and the answer is
 * "returns_changed" (read them again and recompute). Answers "" when stored, "sale_missing" when the sale is not
 * on the device, "storage_full" or "storage_error:<name>".
 * record = {uuid, sale_uuid, number, state, created_at, total, refund_method, return: RETURN json};
 * stock = {product_id: "+qty"}.
 */
export async function commitReturn(recordJson, stockJson, expectedJson) {
  const record = JSON.parse(recordJson);
  const expected = JSON.parse(expectedJson).slice().sort().join(",");
  const db = await open();
  let tx;
  let code = "";
  try {
    tx = db.transaction(["sales", "returns", "outbox", "stock"], "readwrite", DURABLE);
  } catch (error) {
    return storageCode(error);
  }
  const finished = done(tx);
  try {
    tx.objectStore("sales").get(record.sale_uuid).onsuccess = (event) => {
      if (!event.target.result && !code) { code = "sale_missing"; tx.abort(); }
    };
    tx.objectStore("returns").index("sale_uuid").getAll(record.sale_uuid).onsuccess = (event) => {
      const seen = event.target.result.filter((r) => r.state !== "rejected").map((r) => r.uuid).sort().join(",");
      if (seen !== expected && !code) { code = "returns_changed"; tx.abort(); }
    };
    // Queued after the checks: an abort from their handlers rolls these writes back.
    tx.objectStore("returns").add(record);
    // `queued` (ms) orders returns made within the same second (created_at has whole seconds; the outbox is
    // keyed by uuid): the ERP gives folios in the order a batch lists them.
    tx.objectStore("outbox").put({ uuid: record.uuid, kind: "return", created_at: record.created_at,
                                   queued: Date.now() });
    tx.objectStore("stock").put({ sale_uuid: record.uuid, deltas: JSON.parse(stockJson) });
  } catch (error) {
    try { tx.abort(); } catch (e) { /* already finished */ }
    finished.catch(() => {});
    return storageCode(error);
  }
  try {
    await finished;
  } catch (error) {
    return code || storageCode(error);
  }
  return "";
}

function storageCode(error) {
  const name = (error && error.name) || "Error";
  return name === "QuotaExceededError" ? "storage_full" : `storage_error:${name}`;
}

/** Every return record on the device, oldest first, as a JSON array string. */
export async function returnsAll() {
  const db = await open();
  const rows = await req(db.transaction("returns").objectStore("returns").getAll());
  rows.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
  return JSON.stringify(rows);
}

/** Return records still in the outbox and not yet answered ("pending"), oldest first. */
export async function outboxReturns() {
  const db = await open();
  const tx = db.transaction(["outbox", "returns"]);
  const entries = (await req(tx.objectStore("outbox").getAll())).filter((e) => e.kind === "return");
  const returns = tx.objectStore("returns");
  const rows = await Promise.all(entries.map((e) => req(returns.get(e.uuid))));
  const queued = new Map(entries.map((e) => [e.uuid, e.queued ?? 0]));  // entries from before `queued`: 0
  const out = rows.filter((r) => r && r.state === "pending");
  out.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1
    : queued.get(a.uuid) - queued.get(b.uuid)));
  return JSON.stringify(out);
}

/**
 * The ERP's per-return answers, ONE transaction: accepted → "synced" with series/folio, rejected → "rejected" with
 * error/message and its stock record dropped (the units did not come back in the ERP either); both leave the
 * outbox. A rejected return stays on the device for good. updates = [{uuid, state, series?, folio?, error?,
 * message?}]
 */
export async function applyReturnResults(updatesJson) {
  const updates = JSON.parse(updatesJson);
  const db = await open();
  const tx = db.transaction(["returns", "outbox", "stock"], "readwrite", DURABLE);
  const returns = tx.objectStore("returns");
  for (const u of updates) {
    const record = await req(returns.get(u.uuid));
    if (!record) continue;
    Object.assign(record, u);
    returns.put(record);
    tx.objectStore("outbox").delete(u.uuid);
    if (u.state === "rejected") tx.objectStore("stock").delete(u.uuid);
  }
  await done(tx);
}

/**
 * Import a backup's returns and queued shift records (from another device), ONE durable transaction, idempotent by
 * uuid: a return already in `returns`, or a shift record already queued or in its store (`storesJson`: kind →
 * store), is skipped. A pending return gets its outbox entry (a rejected one is kept as it was, never re-sent);
 * a shift record goes to the outbox only, as it is sent: it was another device's shift, not this one's. No stock
 * record: like imported sales, the other device's stock is not this one's. Returns {"added", "skipped"}.
 */
export async function importOthers(returnsJson, entriesJson, storesJson) {
  const stores = JSON.parse(storesJson);
  const db = await open();
  const tx = db.transaction(["returns", "outbox", ...new Set(Object.values(stores))], "readwrite", DURABLE);
  const returns = tx.objectStore("returns");
  const outbox = tx.objectStore("outbox");
  const out = { added: 0, skipped: 0 };
  for (const r of JSON.parse(returnsJson)) {
    if (await req(returns.get(r.uuid))) { out.skipped += 1; continue; }
    returns.add(r);
    if (r.state === "pending") outbox.put({ uuid: r.uuid, kind: "return", created_at: r.created_at });
    out.added += 1;
  }
  for (const e of JSON.parse(entriesJson)) {
    const store = stores[e.kind];
    if (!store || (await req(outbox.get(e.uuid))) || (await req(tx.objectStore(store).get(e.uuid)))) {
      out.skipped += 1;
      continue;
    }
    outbox.put({ uuid: e.uuid, kind: e.kind, created_at: e.created_at || null, record: e.record });
    out.added += 1;
  }
  await done(tx);
  return JSON.stringify(out);
}
