/**
 * IndexedDB transactions of the outbox and the sync (web/caja_pos/services/outbox.py, web/caja_pos/services/sync.py) and of the Ventas window
 * (cancel with audit, pruning, backup import), re-exported by idb.js. JSON strings in and out, like idb.js.
 *
 * Must not hold business rules (poscore decides what may be cancelled, what a batch holds); a rejected sale is
 * never deleted here.
 */
import { DURABLE, cfdiDue, done, open, req } from "./idb_core.js";
import { SHIFT_KINDS } from "./idb_shifts.js";

/**
 * Sale records still in the outbox (pending, syncing or rejected are kept; the caller filters), in local-number
 * order: the outbox is keyed by uuid, and the ERP gives folios in the order the sales are sent.
 */
export async function outboxSales() {
  const db = await open();
  const tx = db.transaction(["outbox", "sales"]);
  const entries = await req(tx.objectStore("outbox").getAll());
  const sales = tx.objectStore("sales");
  const rows = await Promise.all(
    entries.filter((e) => e.kind === "sale").map((e) => req(sales.get(e.uuid))),
  );
  return JSON.stringify(rows.filter((r) => r).sort((a, b) => a.seq - b.seq));
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
  // Every read asked at once, not one awaited after another: each await is a round trip to the browser's
  // database process (≈5 ms here), and 100 of them in a row held this transaction, and the next "Cobrar"
  // queued behind it, for half a second.
  const records = await Promise.all(updates.map((u) => req(sales.get(u.uuid))));
  updates.forEach((u, i) => {
    const record = records[i];
    if (!record) return;
    Object.assign(record, u);
    cfdiDue(record);
    sales.put(record);
    if (u.state === "synced" || u.state === "rejected") outbox.delete(u.uuid);
  });
  await done(tx);
}

/* ---------- cancel with audit, voids, customers upload, pruning, backup import ---------- */

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
 * What the sync icon counts: outbox sales, outbox voids, shift records and offline customers the ERP does not know yet. A
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
    // Each unsynced customer's own sales, through the "customer_uuid" index: never every sale of the till (this
    // count runs after every sale and every few seconds).
    const bySale = tx.objectStore("sales").index("customer_uuid");
    const alone = [];
    for (const c of customers) {
      const sales = await req(bySale.getAll(c.uuid));
      if (!sales.some((r) => r.state !== "rejected" && r.state !== "cancelled")) alone.push(c);
    }
    customers = alone;
  }
  return JSON.stringify({
    sales: entries.filter((e) => e.kind === "sale").length,
    voids: entries.filter((e) => e.kind === "void").length,
    returns: entries.filter((e) => e.kind === "return").length,
    customers: customers.length,
    // shifts, cash movements, cortes and authorizations (idb_shifts.js): they travel like the voids
    shift_records: entries.filter((e) => SHIFT_KINDS.includes(e.kind)).length,
  });
}

/** Delete synced sales and synced returns created before `beforeIso` (and their stock records); never any other
 * state (a pending or rejected return stays, like a sale). */
export async function pruneSynced(beforeIso) {
  const db = await open();
  const tx = db.transaction(["sales", "stock", "returns"], "readwrite");
  const rows = await req(tx.objectStore("sales").index("state").getAll("synced"));
  let n = 0;
  for (const r of rows) {
    if (r.created_at && r.created_at < beforeIso) {
      tx.objectStore("sales").delete(r.uuid);
      tx.objectStore("stock").delete(r.uuid);
      n += 1;
    }
  }
  for (const r of await req(tx.objectStore("returns").index("state").getAll("synced"))) {
    if (r.created_at && r.created_at < beforeIso) {
      tx.objectStore("returns").delete(r.uuid);
      tx.objectStore("stock").delete(r.uuid);
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
 * Before a sync sends them: the `limit` outbox sales with the lowest local numbers among those still pending (or
 * left "syncing" by a tab that died mid-flight) become "syncing", ONE transaction; returns their records (state
 * already `to`), in local-number order. From then on they cannot be cancelled here (poscore.lifecycle: syncing →
 * cancelled is not allowed), so a sale is never both accepted by the ERP and cancelled on the device.
 * `onlyJson` is null or a JSON array of uuids to restrict to. The states come from Python (poscore.lifecycle):
 * `fromJson` the states a sale may be in to be sent, `to` the state it takes.
 * Why one batch and not every unsent sale: a sync runs after each sale, and while the ERP refuses (5xx) every run
 * fails; marking and unmarking only the batch it sends keeps a failing run's writes to `limit` records, not to
 * every sale the till made since the ERP went wrong (those writes queue the next "Cobrar" behind them).
 */
export async function markSyncing(onlyJson, fromJson, to, limit) {
  const only = onlyJson ? new Set(JSON.parse(onlyJson)) : null;
  const from = new Set(JSON.parse(fromJson));
  const db = await open();
  const tx = db.transaction(["outbox", "sales"], "readwrite");
  const sales = tx.objectStore("sales");
  const entries = (await req(tx.objectStore("outbox").getAll()))
    .filter((e) => e.kind === "sale" && (!only || only.has(e.uuid)));
  const records = await Promise.all(entries.map((e) => req(sales.get(e.uuid))));
  const batch = records.filter((r) => r && from.has(r.state)).sort((a, b) => a.seq - b.seq).slice(0, limit);
  for (const record of batch) {
    record.state = to;
    sales.put(record);
  }
  await done(tx);
  return JSON.stringify(batch);
}

/** After a sync: the marked sales the ERP did not answer (network error, 5xx) go from one of `fromJson`'s states
 * back to `to` (pending again; the states come from poscore.lifecycle through Python). */
export async function unmarkSyncing(uuidsJson, fromJson, to) {
  const from = new Set(JSON.parse(fromJson));
  const db = await open();
  const tx = db.transaction("sales", "readwrite");
  const sales = tx.objectStore("sales");
  // The reads at once, as in applySaleResults: one after another they held the store for ≈5 ms each.
  const records = await Promise.all(JSON.parse(uuidsJson).map((uuid) => req(sales.get(uuid))));
  for (const record of records) {
    if (record && from.has(record.state)) { record.state = to; sales.put(record); }
  }
  await done(tx);
}
