/**
 * The raw-JS floor of the POS catalog load: fetch the same /api/catalog and /api/customers pages the POS fetches
 * (same page size, one after another, same headers) and store the same bytes in IndexedDB in chunks (one
 * JSON-array string per page, one transaction per page, as web/idb/idb.js chunkAppend does), with plain JS.
 *
 * Must NOT do anything the POS could skip (no index, no DOM updates), nor anything the POS must do that plain JS
 * avoids cheating on: every page is parsed (to get next_after and the items) and re-serialised, like the POS.
 */
const DB = "bench-floor";

function req(r) {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}
function done(tx) {
  return new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = tx.onabort = () => reject(tx.error); });
}

async function openFresh() {
  await req(indexedDB.deleteDatabase(DB));
  const r = indexedDB.open(DB, 1);
  r.onupgradeneeded = () => { r.result.createObjectStore("catalog_chunks"); r.result.createObjectStore("customer_chunks"); };
  return req(r);
}

async function feed(db, kind, store, token, pageSize) {
  let after = 0, key = 0, count = 0;
  for (;;) {
    const r = await fetch(`/api/${kind}?since=0&after=${after}&limit=${pageSize}`,
      { headers: { Accept: "application/json", Authorization: `Bearer ${token}` }, cache: "no-store" });
    const data = JSON.parse(await r.text());
    if (data.items.length) {
      const tx = db.transaction(store, "readwrite");
      tx.objectStore(store).put(JSON.stringify(data.items), key++);
      await done(tx);
    }
    count += data.items.length;
    if (data.next_after === null) return count;
    after = data.next_after;
  }
}

globalThis.benchFloor = async (token, pageSize) => {
  const db = await openFresh();
  const t0 = performance.now();
  const products = await feed(db, "catalog", "catalog_chunks", token, pageSize);
  const t1 = performance.now();
  const customers = await feed(db, "customers", "customer_chunks", token, pageSize);
  const t2 = performance.now();
  db.close();
  return { products, customers, catalog_ms: t1 - t0, customers_ms: t2 - t1, total_ms: t2 - t0 };
};
document.documentElement.dataset.ready = "1";
