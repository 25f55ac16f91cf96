"""What the till reads of its sales after every sale and at each Ventas opening is a page or an index, never every
sale (web/idb/idb.js salesPage, saleGet, saleUuids, salesAwaitingCfdi), in Chromium's real IndexedDB: the newest
page first with the state filter; the synced facturas still waiting for their CFDI from the sparse "cfdi_due" index
that applySaleResults keeps, and that the schema's step 4 builds for a database made by the previous version.

The POS page is not booted: the module alone opens the database.
"""
from __future__ import annotations

import json

from tests.e2e.harness import Browser, ErpProcess

# A database as schema version 3 left it, with a synced factura that has no CFDI yet, then opened by idb.js.
OLD_DATABASE = """async () => {
  await new Promise((resolve, reject) => {
    const r = indexedDB.open('caja', 3);
    r.onupgradeneeded = () => {
      const db = r.result;
      for (const name of ['meta', 'catalog_chunks', 'customer_chunks']) db.createObjectStore(name);
      db.createObjectStore('customers_local', { keyPath: 'uuid' });
      const sales = db.createObjectStore('sales', { keyPath: 'uuid' });
      sales.createIndex('seq', 'seq', { unique: true });
      sales.createIndex('state', 'state');
      db.createObjectStore('outbox', { keyPath: 'uuid' });
      db.createObjectStore('stock', { keyPath: 'sale_uuid' });
      for (const name of ['cashiers']) db.createObjectStore(name, { keyPath: 'id' });
      for (const name of ['shifts', 'authorizations']) db.createObjectStore(name, { keyPath: 'uuid' });
      for (const name of ['cash_movements', 'cortes']) {
        db.createObjectStore(name, { keyPath: 'uuid' }).createIndex('shift_uuid', 'shift_uuid');
      }
      const returns = db.createObjectStore('returns', { keyPath: 'uuid' });
      returns.createIndex('sale_uuid', 'sale_uuid');
      returns.createIndex('state', 'state');
      sales.put({ uuid: 'old-f', seq: 1, number: 'T-1', type: 'factura', state: 'synced', sale: {} });
      sales.put({ uuid: 'old-r', seq: 2, number: 'T-2', type: 'remision', state: 'synced', sale: {} });
    };
    r.onsuccess = () => { r.result.close(); resolve(); };
    r.onerror = () => reject(r.error);
  });
  const idb = await import('/pos/idb/idb.js');
  return JSON.parse(await idb.salesAwaitingCfdi(10));
}"""

SCENARIO = """async () => {
  const idb = await import('/pos/idb/idb.js');
  const rec = (seq, type) => JSON.stringify({uuid: `u${seq}`, seq, number: `T-${seq}`, state: 'pending', type,
                                             created_at: '2026-12-01T10:00:00-06:00', sale: {}});
  for (let seq = 1; seq <= 9; seq++) await idb.commitSale(rec(seq, seq % 3 ? 'remision' : 'factura'), '{}');
  const uuids = (json) => JSON.parse(json).map((r) => r.uuid);
  const out = {};
  await idb.applySaleResults(JSON.stringify(['u2', 'u3', 'u6', 'u9'].map((uuid) => ({uuid, state: 'synced'}))));
  out.page = uuids(await idb.salesPage(4, null, null));
  out.pending = uuids(await idb.salesPage(3, JSON.stringify(['pending']), null));
  out.pending_or_marked = uuids(await idb.salesPage(9, JSON.stringify(['pending']), JSON.stringify(['u2'])));
  out.one = JSON.parse(await idb.saleGet('u5')).number;
  out.missing = await idb.saleGet('nope');
  out.synced = JSON.parse(await idb.saleUuids('synced')).sort();
  out.awaiting = JSON.parse(await idb.salesAwaitingCfdi(10));
  await idb.applySaleResults(JSON.stringify([{uuid: 'u6', state: 'synced', cfdi: {uuid: 'X', qr: 'q'}}]));
  out.after_cfdi = JSON.parse(await idb.salesAwaitingCfdi(10));
  out.at_most = JSON.parse(await idb.salesAwaitingCfdi(1));
  return JSON.stringify(out);
}"""


def test_pages_single_sales_and_the_cfdi_index_read_only_what_they_name(browser: Browser, erp: ErpProcess) -> None:
    page = browser.open()
    page.goto(erp.url + "/pos/vendor/manifest.json")  # same origin as the POS, without booting it
    out = json.loads(page.evaluate(SCENARIO))
    assert out["page"] == ["u9", "u8", "u7", "u6"]  # the newest first, no more than asked
    assert out["pending"] == ["u8", "u7", "u5"]
    assert out["pending_or_marked"] == ["u8", "u7", "u5", "u4", "u2", "u1"]
    assert out["one"] == "T-5" and out["missing"] is None
    assert out["synced"] == ["u2", "u3", "u6", "u9"]
    assert out["awaiting"] == ["u9", "u6", "u3"]  # synced facturas only (u2 is a remisión), the newest first
    assert out["after_cfdi"] == ["u9", "u3"]
    assert out["at_most"] == ["u9"]


def test_the_schema_upgrade_indexes_the_facturas_an_older_version_left_waiting(browser: Browser,
                                                                                erp: ErpProcess) -> None:
    page = browser.open()
    page.goto(erp.url + "/pos/vendor/manifest.json")
    assert page.evaluate(OLD_DATABASE) == ["old-f"]


# The sync icon's count of offline customers: one the ERP does not know yet counts unless a sale that will reach
# the ERP carries it (pending or synced, not cancelled nor rejected), found through the "customer_uuid" index.
CUSTOMERS = """async () => {
  const idb = await import('/pos/idb/idb.js');
  const customer = (uuid) => JSON.stringify({uuid, name: uuid, id: null, synced: false});
  const sale = (seq, state, customerUuid) => JSON.stringify({uuid: `c-sale-${seq}`, seq: 100 + seq,
    number: `T-${100 + seq}`, state, type: 'remision', created_at: '2026-12-01T10:00:00-06:00',
    sale: {terminal: 'T01', customer: customerUuid ? {uuid: customerUuid, name: customerUuid} : null}});
  for (const c of ['carried', 'alone', 'only-cancelled']) await idb.customerAddLocal(customer(c));
  await idb.commitSale(sale(1, 'pending', 'carried'), '{}');
  await idb.commitSale(sale(2, 'cancelled', 'only-cancelled'), '{}');
  await idb.commitSale(sale(3, 'pending', null), '{}');
  const row = JSON.parse(await idb.salesPage(1, null, null))[0];
  return {customers: JSON.parse(await idb.pendingCounts()).customers, row_has_body: 'sale' in row,
          row_terminal: row.terminal};
}"""


def test_the_sync_count_finds_the_customers_sales_by_index_and_the_list_reads_no_bodies(browser: Browser,
                                                                                      erp: ErpProcess) -> None:
    page = browser.open()
    page.goto(erp.url + "/pos/vendor/manifest.json")
    assert page.evaluate(CUSTOMERS) == {"customers": 2, "row_has_body": False, "row_terminal": "T01"}


def test_the_schema_upgrade_indexes_the_sales_by_customer(browser: Browser, erp: ErpProcess) -> None:
    """A database made by version 3 gains the "customer_uuid" index: its sales without a customer are not in it, and
    a sale made after the upgrade carries its customer."""
    page = browser.open()
    page.goto(erp.url + "/pos/vendor/manifest.json")
    page.evaluate(OLD_DATABASE)
    assert page.evaluate(CUSTOMERS)["customers"] == 2
