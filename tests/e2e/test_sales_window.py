"""Offline sales on a real ERP and Debian Chromium reach the ERP once each with folios (one the ERP rejects
stays visible in red with its reason), and the Ventas window's per-sale path — print preview, save
to a file, print, cancel with confirmation (stock restored, void audit in the ERP), sync one sale → its folio.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import header, payment, selling, writes
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

# Waits that depend on the heartbeat noticing the ERP again on a loaded 2-core machine.
RECONNECT_MS = 60_000

RED = "rgb(207, 34, 46)"  # pos.css --red


def _sell_one(page: Any, product: dict) -> str:
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    return payment.pay_cash_exact(page)


def test_offline_sales_sync_from_panel_and_a_rejected_one_stays_in_red(browser: Browser, erp: ErpProcess) -> None:
    p1, p2, p3 = ts.sellable(erp, 3)
    customer = ts.factura_customer(erp)  # before the browser pairs: the helper's own pairing revokes older tokens
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)

    # The seed's story: offline, sell 3; the icon red with 3; reconnect; Datos sincronizados → Ventas.
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    numbers = [_sell_one(page, p) for p in (p1, p2)]
    selling.pick_customer(page, customer["rfc"], customer["name"])
    selling.set_type(page, "factura")
    numbers.append(_sell_one(page, p1))
    header.wait_pending(page, 3)
    assert page.get_attribute("#sync-icon", "data-state") == "pending"
    assert page.inner_text("#sync-badge") == "3"
    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    assert ts.sync_panel(page) == "La sincronización se ha realizado correctamente"
    header.wait_pending(page, 0)
    assert page.get_attribute("#sync-icon", "data-state") == "synced"
    erp_sales = ts.erp_rows(erp, "SELECT number, type, series, folio FROM sales WHERE number IN (?, ?, ?)", *numbers)
    assert sorted(n for n, *_ in erp_sales) == sorted(numbers)  # each once, under Remisiones or Facturas
    assert {n: (kind, series) for n, kind, series, _ in erp_sales} == {
        numbers[0]: ("remision", "R"), numbers[1]: ("remision", "R"), numbers[2]: ("factura", "F")}
    ts.open_sales(page)
    shown = ts.rows(page)
    for number, _, series, folio in erp_sales:
        assert shown[number] == f"Sincronizada · Folio {series}-{folio}"
    ts.close(page)
    office = ts.backoffice_page(browser, erp)  # the ERP's Ventas module, Remisiones and Facturas tabs
    remisiones = ts.backoffice_numbers(office, "/erp/ventas/remisiones")
    facturas = ts.backoffice_numbers(office, "/erp/ventas/facturas")
    assert remisiones[numbers[0]].startswith("R-") and remisiones[numbers[1]].startswith("R-")
    assert facturas[numbers[2]].startswith("F-") and numbers[2] not in remisiones
    office.close()

    # Offline again; meanwhile the ERP deactivates p3: that sale is rejected, the other one in the batch accepted.
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    bad, good = _sell_one(page, p3), _sell_one(page, p2)
    header.wait_pending(page, 2)
    ts.erp_execute(erp, "UPDATE products SET active = 0 WHERE id = ?", p3["id"])
    browser.context.set_offline(False)
    # The automatic sync on reconnect; a rejected sale no longer waits to be sent.
    header.wait_pending(page, 0, timeout=RECONNECT_MS)
    assert [n for n, in ts.erp_rows(erp, "SELECT number FROM sales WHERE number IN (?, ?)", bad, good)] == [good]

    ts.open_sales(page)
    shown = ts.rows(page)
    assert shown[good].startswith("Sincronizada · Folio R-")
    assert shown[bad].startswith("Rechazada · ") and "inactivo" in shown[bad], shown
    red = page.locator(f"#sales-list tr.sale-row[data-number='{bad}'] td.state")
    assert red.evaluate("e => getComputedStyle(e).color") == RED

    # The rejected sale is kept (listed under Pendientes) and its detail says why, in red.
    ts.set_filter(page, "pending")
    assert list(ts.rows(page)) == [bad]
    ts.open_sale(page, bad)
    assert page.get_attribute("#sale-state", "data-state") == "rejected"
    assert "inactivo" in page.inner_text("#sale-state")
    assert page.locator("#sale-state").evaluate("e => getComputedStyle(e).color") == RED
    assert page.is_disabled("#sale-cancel") and page.is_disabled("#sale-sync")
    ts.back_to_list(page)
    ts.close(page)
    assert browser.foreign_requests() == []


def test_print_save_cancel_and_sync_one_sale(browser: Browser, erp: ErpProcess) -> None:
    p1, p2 = ts.sellable(erp, 2, skip=3)
    page = ts.pair_and_load(browser, erp)
    stock_before = ts.stock_shown(page, p2)

    erp.stop()  # the ERP is down while the till keeps selling
    writes.record(page)
    try:
        header.wait_wifi(page, "offline")
        n1 = _sell_one(page, p1)
        n2 = _sell_one(page, p2)
        header.wait_pending(page, 2)
        # A sale is flushed to disk before "Venta guardada" (a power cut must not lose it), not only handed to the OS.
        assert writes.written(page).count(("meta+outbox+sales+stock", "strict")) == 2, writes.written(page)
        # …and begun by the "Confirmar" click itself, not in a task after the browser rendered it (web/caja_pos/services/tasks.py).
        commits = [c for c in writes.begun_in_click(page) if c[0] == "meta+outbox+sales+stock"]
        assert commits == [("meta+outbox+sales+stock", True)] * 2, writes.begun_in_click(page)
        assert int(ts.stock_shown(page, p2)) == int(stock_before) - 1

        # Imprimir: the preview shows the number and the total; save gives a file; print opens the dialog.
        ts.open_sales(page)
        ts.open_sale(page, n1)
        total = page.inner_text("#detail-total .num")
        preview = ts.open_ticket(page)
        assert n1 in preview and total in preview and p1["name"].split()[0] in preview
        assert page.get_attribute("#ticket", "data-width") == "58"
        assert max(len(x) for x in preview.splitlines()) <= 32
        saved = ts.save_ticket(page)
        assert saved.startswith("<!doctype html>") and n1 in saved and total in saved and "<script" not in saved
        page.click("button[data-action=paper][data-width='80']")
        page.wait_for_selector("#ticket.paper-80")
        assert max(len(x) for x in page.inner_text("#ticket").splitlines()) > 32
        page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
        page.click("#ticket-print")
        page.wait_for_function("() => window.__printed === 1")
        page.emulate_media(media="print")  # what the printer gets: the ticket alone, as wide as the roll
        assert page.is_visible("#ticket") and page.is_hidden("#ticket-save") and page.is_hidden("header.bar")
        assert abs(page.locator("#ticket").bounding_box()["width"] - 80 * 96 / 25.4) < 2
        page.emulate_media(media="screen")
        page.click("#ticket-back")
        page.wait_for_selector("#sale-detail")
        ts.back_to_list(page)

        # Cancelar: a confirmation first ("No, volver" keeps the sale), then "Sí, cancelar la venta".
        ts.open_sale(page, n2)
        warning = ts.cancel_sale(page, confirm=False)
        assert "no se puede deshacer" in warning
        assert "Sí, cancelar la venta" in warning and "No, volver" in warning and "Continuar" not in warning
        assert page.get_attribute("#sale-state", "data-state") == "pending"
        ts.cancel_sale(page, confirm=True)
        assert "cancelada" in page.inner_text("#sales-result")
        assert ts.rows(page)[n2] == "Cancelada"
        ts.set_filter(page, "pending")
        assert list(ts.rows(page)) == [n1]
        ts.set_filter(page, "all")
        ts.close(page)
        assert ts.stock_shown(page, p2) == stock_before
        header.wait_pending(page, 2)  # n1 + the void audit
        assert ("outbox+sales+stock", "strict") in writes.written(page)  # the cancellation, flushed too

        ts.open_sales(page)
        ts.open_sale(page, n1)
    finally:
        erp.start()
    # Sincronizar this sale only: it shows its folio.
    message = ts.sync_this_sale(page)
    (series, folio), = ts.erp_rows(erp, "SELECT series, folio FROM sales WHERE number = ?", n1)
    assert message == f"Venta sincronizada con folio {series}-{folio}"
    assert page.get_attribute("#sale-state", "data-state") == "synced"
    ts.back_to_list(page)
    ts.close(page)

    header.wait_pending(page, 0, timeout=RECONNECT_MS)  # the void went too (the automatic sync)
    assert ts.erp_rows(erp, "SELECT number, total FROM voids WHERE number = ?", n2) != []
    office = ts.backoffice_page(browser, erp)
    office.goto(f"{erp.url}/erp/ventas-canceladas")
    assert n2 in office.inner_text("table")  # the back office sees the sale cancelled offline
    office.close()
    assert ts.erp_rows(erp, "SELECT 1 FROM sales WHERE number = ?", n2) == []
    assert browser.foreign_requests() == []


def test_customer_created_offline_counts_and_reaches_the_erp_from_clientes(browser: Browser, erp: ErpProcess) -> None:
    page = ts.pair_and_load(browser, erp)
    erp.stop()
    try:
        header.wait_wifi(page, "offline")
        selling.create_customer(page, name="Abarrotes Doña Lupe", rfc="ADL120101AB1", regimen_fiscal="601",
                                codigo_postal="06000", uso_cfdi="G03", email="lupe@example.mx")
        header.wait_pending(page, 1)  # a customer alone (no sale carries it) counts as pending
        assert ts.sync_panel(page, "sync-customers").startswith("Sin conexión")
    finally:
        erp.start()
    header.wait_wifi(page, "online")
    assert ts.sync_panel(page, "sync-customers") == "La sincronización se ha realizado correctamente"
    header.wait_pending(page, 0)
    assert ts.erp_rows(erp, "SELECT rfc FROM customers WHERE name = ?", "Abarrotes Doña Lupe") == [("ADL120101AB1",)]
    assert ts.sync_panel(page, "sync-catalog") == "La sincronización se ha realizado correctamente"


@pytest.fixture(autouse=True)
def _no_page_errors(browser: Browser) -> Any:
    yield
    assert browser.console_errors == []
