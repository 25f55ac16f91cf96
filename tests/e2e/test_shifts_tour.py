"""Cashiers and shifts on a real ERP and Debian Chromium: a shift opened offline with a cashier's PIN and a float,
cash and card sales, an entrada and a salida, a sale cancelled with a supervisor's PIN, a Corte X, a reload that
resumes the shift, a Corte Z with a short count (selling stops), then one sync; the ERP's Turnos (its CSV) shows
the corte with the expected, counted and difference the till showed, and every sale under the cashier who made it.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from tests.e2e import header, payment, selling, shifts
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

ANA, ANA_PIN, BETO, BETO_PIN = shifts.ANA, shifts.ANA_PIN, shifts.BETO, shifts.BETO_PIN


def _sell(page: Any, product: dict, method: str) -> tuple[str, Decimal]:
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    total = shifts.mxn(selling.cart_total(page))
    if method == "efectivo":
        return payment.pay_cash_exact(page), total
    return payment.pay(page, {method: str(total)}, reference="4321"), total


def test_a_shift_offline_from_float_to_a_short_corte_z_reaches_the_back_office(
        browser: Browser, erp: ErpProcess) -> None:
    shifts.add_cashiers(erp)
    p1, p2, p3 = ts.sellable(erp, 3)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    page.wait_for_selector("#shift-panel")  # a shop with cashiers: the till asks for a shift before selling
    shifts.wait_shift(page, "none")
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")

    shifts.open_shift(page, ANA, ANA_PIN, "500")
    assert shifts.cashier_shown(page).endswith(ANA)
    cash_no, cash_total = _sell(page, p1, "efectivo")
    voided_no, _ = _sell(page, p2, "efectivo")
    shifts.move(page, "cash-in", "100", "Cambio del banco")
    shifts.move(page, "cash-out", "30.50", "Garrafón de agua")
    shifts.change_cashier(page, BETO, BETO_PIN)
    card_no, card_total = _sell(page, p3, "tarjeta_debito")

    ts.open_sales(page)
    ts.open_sale(page, voided_no)
    shifts.supervisor_cancel(page, BETO, BETO_PIN)
    assert ts.rows(page)[voided_no].startswith("Cancelada")
    ts.close(page)

    expected_cash = Decimal(500) + cash_total + Decimal(100) - Decimal("30.50")
    ticket_x = shifts.corte_x(page)
    assert "CORTE X" in ticket_x and f"${expected_cash:,.2f}" in ticket_x

    page.reload()  # mid-shift: the same shift, the same cashier, still selling
    selling.wait_ready(page)
    shifts.wait_shift(page, "abierto")
    assert shifts.cashier_shown(page).endswith(BETO) and not page.is_visible("#shift-panel")

    counted = shifts.short_of(expected_cash, Decimal(10))
    rows, ticket_z = shifts.corte_z(page, shifts.pieces_for(counted), {"tarjeta_debito": str(card_total)})
    assert [shifts.mxn(x) for x in rows["efectivo"]] == [expected_cash, counted, counted - expected_cash]
    assert [shifts.mxn(x) for x in rows["tarjeta_debito"]] == [card_total, card_total, 0]
    assert "CORTE Z" in ticket_z
    shifts.wait_shift(page, "cerrado")
    selling.scan(page, p1["barcodes"][0])  # selling stops until a new shift opens
    selling.wait_cart_lines(page, 1)
    page.click("#charge")
    page.wait_for_selector("#shift-panel #shift-open")
    page.click("button[data-action=shift-close]")

    # the shift, 2 movements, 1 authorization (the cancel), 2 cortes; 2 sales (the cancelled one left the
    # outbox) and its void
    header.wait_pending(page, 1 + 2 + 1 + 2 + 2 + 1)
    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    assert ts.sync_panel(page) == "La sincronización se ha realizado correctamente"
    header.wait_pending(page, 0)

    ids = {name: i for i, name in ts.erp_rows(erp, "SELECT id, username FROM users WHERE username IN (?, ?)",
                                              ANA, BETO)}
    (shift_uuid,), = ts.erp_rows(erp, "SELECT uuid FROM shifts")
    sales = {n: (c, s) for n, c, s in ts.erp_rows(erp, "SELECT number, cashier_id, shift_uuid FROM sales")}
    assert sales == {cash_no: (ids[ANA], shift_uuid), card_no: (ids[BETO], shift_uuid)}
    assert ts.erp_rows(erp, "SELECT number FROM voids") == [(voided_no,)]
    assert ts.erp_rows(erp, "SELECT action, supervisor_id FROM authorizations") == [("cancel_sale", ids[BETO])]
    assert [k for k, in ts.erp_rows(erp, "SELECT kind FROM cortes ORDER BY at")] == ["X", "Z"]

    office = ts.backoffice_page(browser, erp)
    answer = office.request.get(f"{erp.url}/erp/turnos.csv")
    assert answer.ok
    lines = list(csv.reader(io.StringIO(answer.text().lstrip("\ufeff"))))
    z = {r[5]: r for r in lines[1:] if r[3] == "Z"}
    assert Decimal(z["efectivo"][6]) == expected_cash and Decimal(z["efectivo"][7]) == counted
    assert Decimal(z["efectivo"][8]) == counted - expected_cash
    assert Decimal(z["tarjeta_debito"][8]) == 0 and z["efectivo"][1] == BETO
    office.goto(f"{erp.url}/erp/turnos")
    assert ANA in office.inner_text("main")
    for number, cashier in ((cash_no, ANA), (card_no, BETO)):  # each sale's page names who sold it
        (sale_id,), = ts.erp_rows(erp, "SELECT id FROM sales WHERE number = ?", number)
        office.goto(f"{erp.url}/erp/ventas/venta/{sale_id}")
        assert cashier in office.locator("dl dd").all_inner_texts()
    office.close()
