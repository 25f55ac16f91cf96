"""Tour helper: which IndexedDB readwrite transactions a page makes, and the durability the browser gives each."""
from __future__ import annotations

from typing import Any

_RECORD_WRITES = """() => {
  if (window.__writes) return;
  window.__writes = [];
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = transaction.call(this, stores, mode, options);
    if (mode === "readwrite") window.__writes.push([[].concat(stores).sort().join("+"), tx.durability]);
    return tx;
  };
}"""


def record(page: Any) -> None:
    """From now on, remember each readwrite IndexedDB transaction of this page: its stores and the durability the
    browser reports for it (`written(page)`)."""
    page.evaluate(_RECORD_WRITES)


def written(page: Any) -> list[tuple[str, str]]:
    return [(stores, durability) for stores, durability in page.evaluate("window.__writes || []")]
