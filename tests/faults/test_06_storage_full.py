"""Fault 6 — the device's storage is full: IndexedDB refuses the sale commit with a QuotaExceededError.

Injected for real, in the page's own IndexedDB write path (tests/faults/till.py STORAGE_FULL): a switch wraps
`IDBObjectStore.prototype.put/add` for the sale commit's transaction (sale record + outbox entry + stock
decrement + local sequence, ONE transaction in web/idb/idb.js commitSale) and either throws a DOMException named
"QuotaExceededError" at the write to a chosen store — after the writes issued before it — or lets every write
through and aborts the transaction at commit time with that error (the disk filling while committing).
Switching it off is "space freed". Chromium's own quota override (DevTools `Storage.overrideQuotaForOrigin`) was
tried first: it reports the override but the page's IndexedDB writes still succeed, so it cannot inject this.

Proves what the product guarantees:
- the cashier sees the Spanish error ("… sin espacio de almacenamiento. El carrito se conserva …") and stays on
  the payment screen; the cart is exactly as it was;
- nothing is half-written, whichever write fails: no sale record, no outbox entry, no stock decrement, and the
  local sequence is NOT consumed (it is written in the same transaction), so the sale charged after space is
  freed takes the very next number — no gap that would look like a lost sale;
- the same cart, charged again once space is freed, reaches the ERP exactly once (ledger), folios without gaps;
- the interpreter's memory snapshot (a faster boot) is dropped at the first refusal: it never takes a sale's room.
"""
from __future__ import annotations

import time
from typing import Any

from tests.e2e import header, payment, selling
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import Scenario, erp_rows, folio_gaps, half_saved
from tests.faults.till import device_state, local_records, sell, storage_full

# Every way the commit can be refused part-way: (store whose write fails, how). The commit writes sales, outbox,
# stock, meta in that order; "throw" at a later store means the earlier writes were already issued.
MIDWAY = [("outbox", "throw"), ("stock", "throw"), ("meta", "throw"), ("meta", "commit")]


def _fill_cart(page: Any, products: list[dict]) -> str:
    """Two of the first product and one of the second; returns the cart as the cashier sees it."""
    for code in (products[0]["barcodes"][0], products[0]["barcodes"][0], products[1]["barcodes"][0]):
        selling.scan(page, code)
    selling.wait_cart_lines(page, 2)
    page.wait_for_function("() => document.querySelectorAll('#cart tr.line').length === 2")
    return str(page.inner_text("#cart"))


def _confirm_refused(page: Any) -> str:
    """Exacto → Confirmar on the open payment screen while the storage is full; returns the error shown."""
    page.click("button[data-action=exact]")
    page.wait_for_selector("#pay-status[data-ok='1']")
    page.wait_for_selector("#pay-error", state="hidden")
    page.click("#pay-confirm")
    page.wait_for_selector("#pay-error:not([hidden])")
    page.wait_for_selector("#pay-confirm:not([disabled])")
    assert page.locator("#sale-saved").count() == 0
    text = str(page.inner_text("#pay-error"))
    assert "No se pudo guardar la venta en este equipo (sin espacio de almacenamiento)" in text, text
    assert "El carrito se conserva" in text, text
    return text


def _wait_snapshot_gone(page: Any) -> None:
    # Polled from here: Playwright's wait_for_function takes an async predicate's promise for a true value.
    deadline = time.monotonic() + 10
    while page.evaluate("async () => await caches.has('caja-snapshot')"):
        assert time.monotonic() < deadline, "the snapshot's cache is still there after a quota error"
        time.sleep(0.1)


def _hits(page: Any) -> int:
    return int(page.evaluate("() => globalThis.cajaQuotaHits"))


def _pending_badge(page: Any) -> str:
    return str(page.get_attribute("#sync-icon", "data-count"))


def _seq_start(page: Any) -> int:
    """The ERP's first free local sequence for this terminal, as given at pairing (meta "terminal")."""
    return int(page.evaluate("async () => JSON.parse(await (await import('/pos/idb/idb.js')).metaGet('terminal'))"
                             ".seq_start || 1"))


def _the_new_sale(page: Any, before: dict, after: dict, number: str) -> dict:
    """The commit after space was freed wrote exactly one sale, its outbox entry and decrement, and took the very
    next sequence: the refused attempts consumed none."""
    new = [r for r in after["sales"] if r["uuid"] not in {s["uuid"] for s in before["sales"]}]
    assert [r["number"] for r in new] == [number], new
    record = new[0]
    assert after["seq"] == record["seq"] == max(before["seq"] + 1, _seq_start(page))
    assert number.endswith(f"-{record['seq']:06d}"), number
    assert len(after["stock"]) == len(before["stock"]) + 1
    assert record["uuid"] in after["outbox"] or record["state"] == "synced"
    return record


def _erp_lines(erp: ErpProcess, number: str) -> dict[int, float]:
    """{product id: pieces} of a sale as the ERP stored it (the column holds thousandths, server/db/schema.py)."""
    rows = erp_rows(erp, "SELECT l.product_id, l.qty FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
                         "WHERE s.number = ?", number)
    return {int(p): int(q) / 1000 for p, q in rows}


def _erp_seqs(erp: ErpProcess, numbers: list[str]) -> list[int]:
    marks = ", ".join("?" * len(numbers))
    return sorted(s for s, in erp_rows(erp, f"SELECT seq FROM sales WHERE number IN ({marks})", *numbers))


def test_storage_full_keeps_the_cart_and_the_same_cart_syncs_once_after_space_is_freed(
        browser: Browser, erp: ErpProcess, ledger: Scenario) -> None:
    products = ts.sellable(erp, 2)
    page = ts.pair_and_load(browser, erp)
    ledger.sold(sell(page, products[1]))  # a sale before the disk fills: the number to continue from
    header.wait_pending(page, 0, timeout=120_000)
    # The interpreter snapshot (web/boot/snapshot.mjs, ≈31 MB of the same quota) is stored by now…
    page.wait_for_function("() => globalThis.cajaBoot && cajaBoot.snapshot === 'stored'", timeout=90_000)

    cart = _fill_cart(page, products)
    total = selling.cart_total(page)
    before = device_state(page)
    storage_full(page, "sales")
    page.click("#charge")
    _confirm_refused(page)
    assert device_state(page) == before and _hits(page) == 1
    # …and a sale refused for quota drops it at once, so the cashier's retry has that room.
    _wait_snapshot_gone(page)
    _confirm_refused(page)  # the cashier tries again at once: still full, still nothing written
    assert device_state(page) == before and _hits(page) == 2
    assert _pending_badge(page) == "0"
    page.click("button[data-action=close]")
    page.wait_for_selector("#overlay", state="hidden")
    assert page.inner_text("#cart") == cart and selling.cart_total(page) == total

    storage_full(page, None)  # space freed
    number = ledger.sold(payment.pay_cash_exact(page))
    record = _the_new_sale(page, before, device_state(page), number)
    assert record["seq"] == before["seq"] + 1  # right after the sale made before the disk filled
    selling.wait_cart_lines(page, 0)
    header.wait_pending(page, 0, timeout=120_000)

    ledger.assert_exactly_once()
    seqs = _erp_seqs(erp, ledger.made)
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # consecutive local numbers in the ERP
    assert _erp_lines(erp, number) == {products[0]["id"]: 2.0, products[1]["id"]: 1.0}
    assert folio_gaps(erp) == {} and half_saved(erp) == []
    assert browser.console_errors == []


def test_quota_error_midway_through_the_commit_leaves_nothing_behind(browser: Browser, erp: ErpProcess,
                                                                     ledger: Scenario) -> None:
    products = ts.sellable(erp, 2, skip=2)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    browser.context.set_offline(True)  # storage fills up where it matters most: offline, nothing synced yet
    header.wait_wifi(page, "offline")

    _fill_cart(page, products)
    before = device_state(page)
    page.click("#charge")
    for hits, (store, how) in enumerate(MIDWAY, start=1):
        storage_full(page, store, how)
        _confirm_refused(page)
        assert _hits(page) == hits, (store, how)  # the fault really hit that write of the commit
        assert device_state(page) == before, (store, how)  # all or nothing: nothing
    assert _pending_badge(page) == "0"

    storage_full(page, None)  # space freed: Confirmar on the same screen, same cart
    page.click("button[data-action=exact]")
    number = ledger.sold(payment.confirm(page))
    after = device_state(page)
    record = _the_new_sale(page, before, after, number)
    assert record["state"] == "pending" and after["outbox"] == sorted(before["outbox"] + [record["uuid"]])
    assert [r["number"] for r in local_records(page)] == [r["number"] for r in before["sales"]] + [number]
    header.wait_pending(page, 1)
    selling.wait_cart_lines(page, 0)

    browser.context.set_offline(False)
    header.wait_pending(page, 0, timeout=180_000)
    ledger.assert_exactly_once()
    assert _erp_lines(erp, number) == {products[0]["id"]: 2.0, products[1]["id"]: 1.0}
    assert folio_gaps(erp) == {} and half_saved(erp) == []
    assert browser.console_errors == []
