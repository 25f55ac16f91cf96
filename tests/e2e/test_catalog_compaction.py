"""The stored catalog's compaction in the real IndexedDB (web/idb/idb.js chunksCompact), after a real load: delta
chunks that change a price are folded in, the chunk count goes back to the full load's, and the catalog read back
means the same products with the newest price. The policy (when to compact) is tested in tests/web/test_sync.py."""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

_COMPACT = """async () => {
  const idb = await import('/pos/idb/idb.js');
  const store = 'catalog_chunks';
  const read = async () => (await idb.chunksList(store)).flatMap((c) => JSON.parse(c));
  const before = await idb.chunksCount(store);
  const first = (await read())[0];
  for (const price of ['901.00', '902.00', '903.00']) {  // three days' deltas changing one price
    await idb.chunkAppend(store, JSON.stringify([{...first, price}]));
  }
  const piled = await idb.chunksCount(store);
  const after = await idb.chunksCompact(store, 2000);
  const items = await read();
  return {before, piled, after, counted: await idb.chunksCount(store), n: items.length,
          unique: new Set(items.map((p) => p.id)).size, price: items.find((p) => p.id === first.id).price};
}"""


def test_compaction_folds_delta_chunks_into_the_full_loads_count(browser: Browser, erp: ErpProcess) -> None:
    page = ts.pair_and_load(browser, erp)
    got = page.evaluate(_COMPACT)
    assert got["piled"] == got["before"] + 3
    assert got["after"] == got["counted"] == got["before"]
    assert got["n"] == got["unique"]  # one record per product
    assert got["price"] == "903.00"  # the last delta wins, as reading in key order did


@pytest.fixture(autouse=True)
def _no_page_errors(browser: Browser) -> Any:
    yield
    assert browser.console_errors == []
