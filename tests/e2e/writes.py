"""Tour helper: which IndexedDB readwrite transactions a page makes, and the durability the browser gives each."""
from __future__ import annotations

from typing import Any

_RECORD_WRITES = """() => {
  if (window.__writes) return;
  window.__writes = [];
  // Whether a transaction is begun by the click itself (its handler or the microtasks right after it), before
  // any later task: a message posted at the click runs as the next task and closes that window.
  document.addEventListener("click", () => {
    const click = (window.__click = { open: true });
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { click.open = false; };
    channel.port2.postMessage(0);
  }, true);
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = transaction.call(this, stores, mode, options);
    if (mode === "readwrite") {
      window.__writes.push([[].concat(stores).sort().join("+"), tx.durability, !!(window.__click && window.__click.open)]);
    }
    return tx;
  };
}"""


def record(page: Any) -> None:
    """From now on, remember each readwrite IndexedDB transaction of this page: its stores and the durability the
    browser reports for it (`written(page)`)."""
    page.evaluate(_RECORD_WRITES)


def written(page: Any) -> list[tuple[str, str]]:
    return [(stores, durability) for stores, durability, _ in page.evaluate("window.__writes || []")]


def begun_in_click(page: Any) -> list[tuple[str, bool]]:
    """Each readwrite transaction's stores and whether the click that caused it began it before any later task."""
    return [(stores, in_click) for stores, _, in_click in page.evaluate("window.__writes || []")]
