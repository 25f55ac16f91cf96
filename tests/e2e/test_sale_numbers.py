"""A sale's local number is refused by IndexedDB itself once used, even after its sale was pruned (web/idb/idb.js
commitSale claims each number with a unique key and commits at once, without a read or a callback that could
abort it), and nothing of a refused sale is written.

Runs the page's own idb.js in Chromium (a fake IndexedDB would prove nothing about ConstraintError aborting a
transaction whose commit() was already called). The POS page is not booted: the module alone opens the database.
"""
from __future__ import annotations

import json

from tests.e2e.harness import Browser, ErpProcess

SCENARIO = """async () => {
  const idb = await import('/pos/idb/idb.js');
  const rec = (uuid, seq) => JSON.stringify({uuid, seq, number: `T-${seq}`, state: 'pending',
                                             created_at: '2026-12-01T10:00:00-06:00', sale: {}});
  const out = {};
  out.first = await idb.commitSale(rec('u1', 1), '{"7": "-1"}');
  out.second = await idb.commitSale(rec('u2', 2), '{}');
  out.same_number = await idb.commitSale(rec('u3', 2), '{"7": "-5"}');
  out.last_after_refusal = await idb.lastSequence();
  // The sale numbered 1 synced and pruned: its record is gone, its number stays taken.
  const db = await idb.open();
  await new Promise((resolve, reject) => {
    const tx = db.transaction(['sales', 'stock', 'outbox'], 'readwrite');
    tx.objectStore('sales').delete('u1');
    tx.objectStore('stock').delete('u1');
    tx.objectStore('outbox').delete('u1');
    tx.oncomplete = resolve; tx.onerror = () => reject(tx.error);
  });
  out.pruned_number = await idb.commitSale(rec('u4', 1), '{}');
  out.next = await idb.commitSale(rec('u5', 3), '{}');
  out.last = await idb.lastSequence();
  out.sales = JSON.parse(await idb.salesAll()).map((r) => [r.uuid, r.seq]);
  out.stock = JSON.parse(await idb.stockDeltas()).map((s) => s.sale_uuid).sort();
  out.outbox = (await idb.outboxCount());
  return JSON.stringify(out);
}"""


def test_a_used_number_is_refused_by_the_database_and_leaves_nothing(browser: Browser, erp: ErpProcess) -> None:
    page = browser.open()
    page.goto(erp.url + "/pos/vendor/manifest.json")  # same origin as the POS, without booting it
    out = json.loads(page.evaluate(SCENARIO))
    assert out["first"] == "" and out["second"] == ""
    assert out["same_number"] == "sequence_used"
    assert out["last_after_refusal"] == 2
    assert out["pruned_number"] == "sequence_used"
    assert out["next"] == ""
    assert out["last"] == 3
    assert out["sales"] == [["u2", 2], ["u5", 3]]
    assert out["stock"] == ["u2", "u5"]  # the refused sales' stock decrements were rolled back with them
    assert out["outbox"] == 2
