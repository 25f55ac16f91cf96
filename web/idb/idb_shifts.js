/**
 * IndexedDB transactions of cashiers and shifts (web/caja_pos/services/shift_store.py), re-exported by idb.js:
 * the cashiers the ERP sent, and the shift records (shift opened, cash movements, cortes, authorizations)
 * written together with their outbox entries. Also the PIN check's key derivation (WebCrypto PBKDF2), because
 * it is the one browser primitive the cashiers need and Python would take seconds to do it by hand.
 *
 * Must not compute the corte or decide who may do what (poscore and the services do); never delete a shift
 * record or an outbox entry the ERP has not accepted.
 */
import { DURABLE, done, open, req } from "./idb_core.js";

// Outbox kinds of shift records, in the order they are sent (a corte names its shift: the shift goes first).
export const SHIFT_KINDS = ["shift", "cash_movement", "corte", "authorization"];

/** Replace the stored cashiers with the ERP's list (a deactivated cashier disappears from it). */
export async function cashiersReplace(cashiersJson) {
  const db = await open();
  const tx = db.transaction("cashiers", "readwrite");
  const os = tx.objectStore("cashiers");
  os.clear();
  for (const c of JSON.parse(cashiersJson)) os.put(c);
  await done(tx);
}

export async function cashiersAll() {
  const db = await open();
  return JSON.stringify(await req(db.transaction("cashiers").objectStore("cashiers").getAll()));
}

/**
 * Shift records written in ONE durable transaction: ops = [{store, record, outbox: kind|null}]. Each record
 * goes to its store; with `outbox` it is also queued ({uuid, kind, created_at, record}) for the ERP. A Corte Z
 * and its shift's closing, or a shift and the meta key naming it current, land together or not at all.
 * `metaJson` (optional): {key: value} meta keys written in the same transaction. Resolves "" or an error code
 * ("storage_full", "storage_error:<name>"), like commitSale.
 */
export async function shiftWrite(opsJson, metaJson) {
  const ops = JSON.parse(opsJson);
  const meta = metaJson ? JSON.parse(metaJson) : {};
  const stores = [...new Set(ops.map((op) => op.store)), "outbox", "meta"];
  const db = await open();
  const tx = db.transaction(stores, "readwrite", DURABLE);
  const finished = done(tx);
  try {
    for (const op of ops) {
      tx.objectStore(op.store).put(op.record);
      if (op.outbox) {
        tx.objectStore("outbox").put({
          uuid: op.record.uuid, kind: op.outbox, created_at: op.at || null, record: op.wire || op.record,
        });
      }
    }
    for (const [key, value] of Object.entries(meta)) tx.objectStore("meta").put(JSON.stringify(value), key);
  } catch (error) {
    try { tx.abort(); } catch (e) { /* already finished */ }
    finished.catch(() => {});
    return errorCode(error);
  }
  try {
    await finished;
  } catch (error) {
    return errorCode(error);
  }
  return "";
}

function errorCode(error) {
  const name = (error && error.name) || "Error";
  return name === "QuotaExceededError" ? "storage_full" : `storage_error:${name}`;
}

/** Every record of a shift store, or (with `shiftUuid`) those of one shift, as a JSON array string. */
export async function shiftRecords(store, shiftUuid) {
  const db = await open();
  const os = db.transaction(store).objectStore(store);
  const rows = shiftUuid ? await req(os.index("shift_uuid").getAll(shiftUuid)) : await req(os.getAll());
  return JSON.stringify(rows);
}

/** One record of a shift store by uuid (JSON), or null. */
export async function shiftRecord(store, uuid) {
  const db = await open();
  const row = await req(db.transaction(store).objectStore(store).get(uuid));
  return row === undefined ? null : JSON.stringify(row);
}

/** PBKDF2-HMAC-SHA256 of a typed PIN with the verifier's salt and iterations, 256 bits, base64 (poscore.pin's
 * verifier and the ERP's GET /api/cashiers use this shape). Native, so 600,000 iterations take a fraction of a
 * second instead of the minute a Python loop would. */
export async function pbkdf2(pin, saltB64, iterations) {
  const salt = Uint8Array.from(atob(saltB64), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return btoa(String.fromCharCode(...new Uint8Array(bits)));
}
