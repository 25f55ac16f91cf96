"""A tablet breaks with unsynced sales and an unsynced return. Its backup (Ventas → Exportar) is imported on another
paired device (idempotent by uuid: a second import adds nothing), and from there the sales and the return reach the
ERP once each."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e import header, payment, selling, tour_returns
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

# Waits that depend on the heartbeat noticing the ERP again on a loaded 2-core machine.
RECONNECT_MS = 60_000


def _sell(page: Any, product: dict) -> str:
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    return payment.pay_cash_exact(page)


def _import(page: Any, path: Path) -> str:
    page.set_input_files("#backup-file", str(path))
    page.wait_for_function("() => document.getElementById('sales-result').textContent.includes('importada')")
    return page.inner_text("#sales-result")


def test_backup_of_unsynced_sales_imported_on_another_device(browser: Browser, erp: ErpProcess, playwright: Any,
                                                             tmp_path: Path) -> None:
    p1, p2 = ts.sellable(erp, 2, skip=7)
    old = ts.pair_and_load(browser, erp)
    synced = _sell(old, p1)
    header.wait_pending(old, 0)
    erp.stop()
    try:
        header.wait_wifi(old, "offline")
        ts.open_sales(old)
        tour_returns.find_sale(old, synced)
        tour_returns.return_units(old, {0: "1"}, "Respaldo")
        tour_returns.close_return(old)
        ts.close(old)
        numbers = [_sell(old, p1), _sell(old, p2)]
        header.wait_pending(old, 3)
        ts.open_sales(old)
        with old.expect_download() as info:
            old.click("#backup-export")
        backup = tmp_path / "respaldo.json"
        info.value.save_as(backup)
        old.wait_for_function("() => document.getElementById('sales-result').textContent.includes('exportada')")
        exported = old.inner_text("#sales-result")
        assert exported.startswith("2 venta(s) exportada(s)") and "1 devolución(es)" in exported, exported
    finally:
        erp.start()
    browser.close()  # the broken tablet

    other = Browser(playwright, tmp_path / "profile-2", erp.url)
    try:
        page = ts.pair_and_load(other, erp)
        ts.open_sales(page)
        first = _import(page, backup)
        assert first.startswith("2 venta(s) importada(s), 0 ya estaban"), first
        assert "devoluciones y registros de turno: 1 importado(s), 0 ya estaban" in first, first
        ts.close(page)
        header.wait_pending(page, 0, timeout=RECONNECT_MS)  # sent by the automatic sync
        ts.open_sales(page)
        shown = ts.rows(page)
        assert all(shown[n].startswith("Sincronizada · Folio R-") for n in numbers), shown
        again = _import(page, backup)
        assert again.startswith("0 venta(s) importada(s), 2 ya estaban") and "0 importado(s), 1 ya estaban" in again
        ts.close(page)
        rows = ts.erp_rows(erp, "SELECT number FROM sales WHERE number IN (?, ?)", *numbers)
        assert sorted(n for n, in rows) == sorted(numbers)
        assert ts.erp_rows(erp, "SELECT r.reason FROM returns r JOIN sales s ON s.id = r.sale_id WHERE s.number = ?",
                           synced) == [("Respaldo",)]
        # New sales on this device never reuse the imported numbers.
        assert _sell(page, p1) not in numbers
        assert other.console_errors == [] and other.foreign_requests() == []
    finally:
        other.close()


def test_pruning_removes_only_synced_sales_past_the_cutoff(browser: Browser, erp: ErpProcess) -> None:
    p1, p2 = ts.sellable(erp, 2, skip=9)
    page = ts.pair_and_load(browser, erp)
    synced = _sell(page, p1)
    header.wait_pending(page, 0)
    erp.stop()
    try:
        header.wait_wifi(page, "offline")
        pending = _sell(page, p2)
        header.wait_pending(page, 1)
        ts.open_sales(page)
        page.fill("#keep-days", "7")
        page.dispatch_event("#keep-days", "change")
        ts.close(page)
        # The real IndexedDB through idb.js: a cutoff after both sales may prune only the synced one.
        pruned = page.evaluate("async () => (await import('/pos/idb/idb.js')).pruneSynced('9999-12-31')")
        assert pruned == 1
        ts.open_sales(page)
        assert list(ts.rows(page)) == [pending]
        assert page.input_value("#keep-days") == "7"
        ts.close(page)
    finally:
        erp.start()
    header.wait_pending(page, 0, timeout=RECONNECT_MS)
    assert synced != pending


@pytest.fixture(autouse=True)
def _no_page_errors(browser: Browser) -> Any:
    yield
    assert browser.console_errors == []
