"""Shared moves of the fault scenarios: sell one item through the real screens, routes that break sync calls."""
from __future__ import annotations

import json
from typing import Any

from tests.e2e import payment, selling


def sell(page: Any, product: dict) -> str:
    """Scan one item and pay it exact; returns the number shown on "Venta guardada"."""
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    return payment.pay_cash_exact(page)


def is_sales_post(request: Any) -> bool:
    return request.method == "POST" and request.url.endswith("/api/sales")


def uuids_of(request: Any) -> list[str]:
    return [s["uuid"] for s in json.loads(request.post_data)["sales"]]


def local_records(page: Any) -> list[dict]:
    """The `sales` store as the device holds it (through the page's own idb.js)."""
    return json.loads(page.evaluate("async () => (await import('/pos/idb/idb.js')).salesAll()"))


# ---------- storage full (scenario 6) ----------
# A switch over the real IndexedDB write path, scoped to the sale commit's transaction (the only one whose scope
# holds both "stock" and "meta", web/idb/idb.js commitSale). `globalThis.cajaQuota = {store, how}` turns it on:
#  how "throw":  the put/add on `store` throws a QuotaExceededError synchronously (as Chromium does when a value
#                cannot be stored), after the writes the commit issued before it;
#  how "commit": the put/add on `store` goes through and, once the commit has issued all its writes, the
#                transaction aborts with a QuotaExceededError as its error (the disk filling at commit time):
#                every write was issued, none may land.
# `cajaQuota = null` frees the space again.
STORAGE_FULL = """() => {
  if (globalThis.cajaQuotaInstalled) return;
  globalThis.cajaQuotaInstalled = true;
  globalThis.cajaQuota = null;
  globalThis.cajaQuotaHits = 0;
  for (const op of ["put", "add"]) {
    const real = IDBObjectStore.prototype[op];
    IDBObjectStore.prototype[op] = function (...args) {
      const q = globalThis.cajaQuota;
      const scope = this.transaction.objectStoreNames;
      if (!q || this.name !== q.store || !scope.contains("stock") || !scope.contains("meta")) {
        return real.apply(this, args);
      }
      // One hit per commit, however many of its writes go to that store (the number's claim and "seq" both
      // write "meta").
      if (!this.transaction.cajaQuotaHit) globalThis.cajaQuotaHits += 1;
      this.transaction.cajaQuotaHit = true;
      const full = new DOMException("The quota has been exceeded.", "QuotaExceededError");
      if (q.how === "throw") throw full;
      const request = real.apply(this, args);
      const tx = this.transaction;
      tx.cajaQuotaFull = full;
      // After the commit's synchronous writes, before the auto-commit: as a real quota failure, which the
      // browser reports asynchronously (the transaction's error, then "abort"). A commit that calls
      // IDBTransaction.commit() right after its writes gets the same abort from that call instead (below).
      queueMicrotask(() => abortFull(tx));
      return request;
    };
  }
  function abortFull(tx) {
    if (!tx.cajaQuotaFull || tx.cajaQuotaAborted) return;
    tx.cajaQuotaAborted = true;
    const full = tx.cajaQuotaFull;
    Object.defineProperty(tx, "error", { get: () => full });
    tx.abort();
  }
  const realCommit = IDBTransaction.prototype.commit;
  if (realCommit) {
    IDBTransaction.prototype.commit = function () {
      if (this.cajaQuotaFull) return abortFull(this);
      return realCommit.apply(this);
    };
  }
}"""


def storage_full(page: Any, store: str | None, how: str = "throw") -> None:
    """Turn the quota switch on for `store` (see STORAGE_FULL), or off with store=None."""
    page.evaluate(STORAGE_FULL)
    page.evaluate("q => { globalThis.cajaQuota = q; }", None if store is None else {"store": store, "how": how})


def device_state(page: Any) -> dict:
    """Everything the sale commit writes, read back from IndexedDB: sale records, outbox sale entries, stock
    decrements and the last local sequence used."""
    return json.loads(page.evaluate("""async () => {
        const idb = await import('/pos/idb/idb.js');
        return JSON.stringify({
            sales: JSON.parse(await idb.salesAll()),
            outbox: JSON.parse(await idb.outboxEntries('sale')).map((e) => e.uuid).sort(),
            stock: JSON.parse(await idb.stockDeltas()),
            seq: await idb.lastSequence(),
        });
    }"""))
