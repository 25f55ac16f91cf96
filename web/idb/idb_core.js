/**
 * The POS's IndexedDB database itself: its name, its schema (the upgrade ladder) and the few helpers every
 * transaction module uses (web/idb/idb.js, web/idb/idb_sync.js).
 *
 * Upgrades follow the oldVersion ladder and never drop unsynced sales.
 *
 * Must not hold transactions of the app: those live in idb.js, idb_sync.js and idb_returns.js, one exported
 * function each.
 */
const DB_NAME = "caja";
const DB_VERSION = 5;

let dbPromise = null;
let connection = null; // the open database once dbPromise resolved, for a transaction that must start within a click

// What a cashier was told is saved must survive a power cut, not only a browser crash: with the default ("relaxed"
// in Chromium) a transaction completes once the OS has the bytes, which a power cut can lose. So a sale, its
// cancellation, an offline customer and a restored backup are written with "strict" (flushed to disk before
// "complete"). Feeds, sync bookkeeping and settings stay relaxed: the ERP can send them again.
export const DURABLE = { durability: "strict" };

// The interpreter snapshot's Cache Storage (web/boot/snapshot.mjs). Named here so a sale that hits the quota can free
// its ≈31 MB at once (idb.js commitSale): a faster boot is never worth a sale the till cannot store.
export const SNAPSHOT_CACHE = "caja-snapshot";

export function releaseSnapshot() {
  if (globalThis.caches) caches.delete(SNAPSHOT_CACHE).catch(() => {});
}

/**
 * Keep a sale record's "cfdi_due" field (the sparse index of synced facturas without their CFDI) true to its
 * state; true when the record changed.
 */
export function cfdiDue(record) {
  const due = record.type === "factura" && record.state === "synced" && !record.cfdi;
  if (due && record.cfdi_due !== record.seq) { record.cfdi_due = record.seq; return true; }
  if (!due && "cfdi_due" in record) { delete record.cfdi_due; return true; }
  return false;
}

export function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException("Transaction aborted", "AbortError"));
  });
}

/** The open database, or null before open() resolved (or after another tab's upgrade closed it). */
export function opened() {
  return connection;
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
        if (old < 2) {
          // Cashiers (the ERP's GET /api/cashiers: names, roles, PIN verifiers) and the shift records the till
          // makes. Each record keeps its own store for the corte's arithmetic and reprints; what still has to
          // reach the ERP is an outbox entry that carries the record, like a void.
          db.createObjectStore("cashiers", { keyPath: "id" });
          db.createObjectStore("shifts", { keyPath: "uuid" });
          db.createObjectStore("cash_movements", { keyPath: "uuid" }).createIndex("shift_uuid", "shift_uuid");
          db.createObjectStore("cortes", { keyPath: "uuid" }).createIndex("shift_uuid", "shift_uuid");
          db.createObjectStore("authorizations", { keyPath: "uuid" });
        }
        if (old < 3) {
          // Returns of synced sales (devoluciones), one record each, key uuid, looked up by the sale they return.
          // They reach the ERP through the same "outbox" (kind "return") and put stock back through "stock".
          const returns = db.createObjectStore("returns", { keyPath: "uuid" });
          returns.createIndex("sale_uuid", "sale_uuid");
          returns.createIndex("state", "state");
        }
        if (old < 4) {
          // Synced facturas still waiting for their CFDI, and only those (an index skips a record without the
          // field): the sync asks the ERP for them after every sale without reading every synced sale.
          const sales = r.transaction.objectStore("sales");
          sales.createIndex("cfdi_due", "cfdi_due");
          sales.index("state").openCursor(IDBKeyRange.only("synced")).onsuccess = (e) => {
            const c = e.target.result;
            if (!c) return;
            if (cfdiDue(c.value)) c.update(c.value);
            c.continue();
          };
        }
        if (old < 5) {
          // The sales that carry a customer, by that customer's uuid (a sale without one is not in the index): the
          // sync icon asks whether an offline customer travels inside a sale without reading every sale.
          r.transaction.objectStore("sales").createIndex("customer_uuid", "sale.customer.uuid");
        }
        // if (old < 6) { ... } — add steps here; never delete "sales", "returns" or "outbox".
      };
      r.onsuccess = () => {
        const db = r.result;
        // Another tab upgraded the schema: close so its upgrade is not blocked; the next call reopens.
        db.onversionchange = () => { db.close(); dbPromise = null; connection = null; };
        connection = db;
        resolve(db);
      };
      r.onerror = () => { dbPromise = null; reject(r.error); };
      r.onblocked = () => console.warn("caja: IndexedDB upgrade blocked by another tab");
    });
  }
  return dbPromise;
}
