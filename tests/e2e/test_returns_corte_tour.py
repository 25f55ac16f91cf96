"""A cash refund in a shop with cashiers, from the till's drawer to the back office: Ana opens a shift with a float,
sells three units in cash and the sale syncs; with the network cut she returns one unit in cash (Beto, supervisor,
authorizes with his PIN); the Corte Z expects the float plus the sale minus the refund, and its ticket shows the
refund on its own line ("Devoluciones en efectivo"); after the sync the ERP has the return under that shift and
the back office's Turnos shows the corte's expected cash with the ERP's own figure agreeing (refund counted).
"""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from tests.e2e import header, payment, selling, shifts, tour_returns
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

ANA, ANA_PIN, BETO, BETO_PIN = shifts.ANA, shifts.ANA_PIN, shifts.BETO, shifts.BETO_PIN


def _amount(text: str) -> Decimal:
    [found] = re.findall(r"\$[\d,]+\.\d\d", text)
    return shifts.mxn(found)


def test_a_cash_refund_offline_is_cash_out_in_the_corte_z_and_in_turnos(browser: Browser, erp: ErpProcess) -> None:
    shifts.add_cashiers(erp)
    [product] = ts.sellable(erp, 1, skip=6)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    page.wait_for_selector("#shift-panel")
    shifts.wait_shift(page, "none")
    shifts.open_shift(page, ANA, ANA_PIN, "500")
    for _ in range(3):
        selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    sold = shifts.mxn(selling.cart_total(page))
    number = payment.pay_cash_exact(page)
    assert ts.sync_panel(page) == "La sincronización se ha realizado correctamente"
    header.wait_pending(page, 0)

    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    ts.open_sales(page)
    tour_returns.find_sale(page, number)
    saved = tour_returns.return_units(page, {0: "1"}, "Llegó roto", supervisor=(BETO, BETO_PIN))
    assert saved.startswith("Devolución guardada:") and "Efectivo" in saved, saved
    refund = _amount(saved)
    assert 0 < refund < sold
    tour_returns.close_return(page)
    ts.close(page)

    expected_cash = Decimal(500) + sold - refund
    rows = shifts.open_count(page)
    assert shifts.mxn(rows["efectivo"][0]) == expected_cash, rows
    counted = shifts.short_of(expected_cash, Decimal(0))  # what a drawer can hold: 50-centavo steps
    rows, ticket_z = shifts.corte_z(page, shifts.pieces_for(counted), {})
    assert "CORTE Z" in ticket_z and "Devoluciones en efectivo" in ticket_z, ticket_z
    assert f"-${refund:,.2f}" in ticket_z and f"${expected_cash:,.2f}" in ticket_z, ticket_z
    shifts.wait_shift(page, "cerrado")

    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    assert ts.sync_panel(page) == "La sincronización se ha realizado correctamente"
    header.wait_pending(page, 0)

    [(shift_uuid,)] = ts.erp_rows(erp, "SELECT uuid FROM shifts")
    [(method, total, authorizer)] = ts.erp_rows(erp, "SELECT refund_method, total, authorizer FROM returns")
    assert (method, Decimal(total) / 100, authorizer) == ("efectivo", refund, BETO)
    office = ts.backoffice_page(browser, erp)
    answer = office.request.get(f"{erp.url}/erp/turnos.csv")
    lines = list(csv.reader(io.StringIO(answer.text().lstrip("\ufeff"))))
    z = {r[5]: r for r in lines[1:] if r[3] == "Z"}
    assert Decimal(z["efectivo"][6]) == expected_cash and Decimal(z["efectivo"][7]) == counted
    office.goto(f"{erp.url}/erp/turnos")
    corte = office.locator("table.corte", has_text="Z").first
    cash = corte.locator("tbody tr", has_text="Efectivo").first.locator("td")
    shown = [c.strip() for c in cash.all_inner_texts()]
    # The till's expected and the ERP's own figure from what it received (the sale, the refund): the same.
    assert shifts.mxn(shown[1]) == expected_cash and shifts.mxn(shown[4]) == expected_cash, shown
    assert "bad" not in (cash.nth(4).get_attribute("class") or ""), shown
    assert shift_uuid and browser.foreign_requests() == []
    office.close()
