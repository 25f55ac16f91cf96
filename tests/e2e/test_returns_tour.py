"""The returns tour: a factura and a remisión sold and synced at one tab; with the network cut, another tab finds
each sale in Ventas by its folio or number and returns part of it (its own ticket printed); when the network comes
back the returns reach the ERP exactly once, with their folios (series D), the stock back in the warehouse, the
factura's egreso stamped through the PAC (a local stand-in of its protocol), and both returns listed with their sales
in the back office.
"""
from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from tests.e2e import header, menu, payment, selling, tour_returns, tour_sales
from tests.e2e.harness import Browser, ErpProcess
from tests.e2e.test_fiscal_tour import _configure_pac, _upload_csd, _wait_stamped
from tests.fiscal.pac_standin import StandIn


def _stock(erp: ErpProcess, product_id: int) -> Decimal:
    """The product's stock in all warehouses (stored in thousandths: server/db/types.py Qty)."""
    [(qty,)] = tour_sales.erp_rows(erp, "SELECT SUM(qty) FROM stock WHERE product_id = ?", product_id)
    return Decimal(qty) / 1000


def _folio(erp: ErpProcess, number: str) -> str:
    [(series, folio)] = tour_sales.erp_rows(erp, "SELECT series, folio FROM sales WHERE number = ?", number)
    return f"{series}-{folio}"


def _wait_egreso_stamped(erp: ErpProcess, office: Any) -> str:
    """The egreso's `cfdis` row (kind egreso, with its return) once the ERP's background job stamped it."""
    deadline = time.monotonic() + 90
    while True:
        rows = tour_sales.erp_rows(erp, "SELECT state, uuid FROM cfdis WHERE return_id IS NOT NULL")
        if rows and rows[0][0] == "timbrada":
            return str(rows[0][1])
        assert time.monotonic() < deadline, rows
        office.wait_for_timeout(300)  # between polls of the ERP's database: the job runs on its own schedule


def _sell(pos: Any, code: str, times: int) -> str:
    for _ in range(times):
        selling.scan(pos, code)
    selling.wait_cart_lines(pos, 1)
    return payment.pay_cash_exact(pos)


def test_returns_made_offline_at_another_tab_reach_the_erp_once(browser: Browser, erp: ErpProcess) -> None:
    customer = tour_sales.factura_customer(erp)
    p1, p2 = tour_sales.sellable(erp, 2)
    pos = tour_sales.pair_and_load(browser, erp)
    header.wait_service_worker(pos)

    selling.pick_customer(pos, customer["rfc"], customer["name"])
    selling.set_type(pos, "factura")
    factura = _sell(pos, p1["barcodes"][0], 3)
    remision = _sell(pos, p2["barcodes"][0], 2)
    assert menu.sync_sales(pos) == "La sincronización se ha realizado correctamente"
    header.wait_pending(pos, 0)
    factura_folio, remision_folio = _folio(erp, factura), _folio(erp, remision)
    stock1, stock2 = _stock(erp, p1["id"]), _stock(erp, p2["id"])

    office = tour_sales.backoffice_page(browser, erp)
    _upload_csd(office, erp.url)
    with StandIn() as pac:
        _configure_pac(office, erp.url, pac.url)
        _wait_stamped(office, erp.url, factura_folio)  # the ingreso first: the egreso relates to its UUID

        tab2 = tour_sales.offline_with_second_tab(browser, erp, pos)
        tour_sales.open_sales(tab2)
        tour_returns.find_sale(tab2, factura_folio)  # typed as printed on the ticket
        assert factura in tab2.inner_text("#menu-panel h2")
        saved = tour_returns.return_units(tab2, {0: "1"}, "Caja dañada")
        assert saved.startswith("Devolución guardada:") and "Efectivo" in saved, saved
        ticket = tour_returns.return_ticket(tab2)
        assert "DEVOLUCIÓN" in ticket and factura in ticket and "Caja dañada" in ticket, ticket
        tour_returns.close_return(tab2)
        assert len(tour_returns.returns_listed(tab2)) == 1

        tour_sales.back_to_list(tab2)
        tour_returns.find_sale(tab2, remision)  # the local number works too (a ticket not yet synced shows it)
        tour_returns.return_units(tab2, {0: "1"}, "No era la medida", method="tarjeta_debito")
        tour_returns.close_return(tab2)
        header.wait_pending(tab2, 2)  # the two returns wait in the outbox
        header.wait_pending(pos, 2)  # the first tab counts them too
        tour_sales.close(tab2)

        browser.context.set_offline(False)
        header.wait_wifi(tab2, "online")
        assert menu.sync_sales(tab2) == "La sincronización se ha realizado correctamente"
        header.wait_pending(tab2, 0)
        header.wait_pending(pos, 0)

        rows = tour_sales.erp_rows(erp, "SELECT r.series, r.reason, r.refund_method, s.number FROM returns r "
                                        "JOIN sales s ON s.id = r.sale_id ORDER BY r.folio")
        assert rows == [("D", "Caja dañada", "efectivo", factura),
                        ("D", "No era la medida", "tarjeta_debito", remision)]
        assert _stock(erp, p1["id"]) == stock1 + 1 and _stock(erp, p2["id"]) == stock2 + 1
        egreso_uuid = _wait_egreso_stamped(erp, office)
        assert len(egreso_uuid) == 36

    assert tour_sales.erp_rows(erp, "SELECT COUNT(*) FROM returns") == [(2,)]  # exactly once each
    tour_sales.open_sales(tab2)
    tour_returns.find_sale(tab2, factura_folio)
    [listed] = tour_returns.returns_listed(tab2)
    assert "Sincronizada" in listed and "D-" in listed, listed

    office.goto(f"{erp.url}/erp/ventas-devoluciones")
    audit = office.inner_text("#audit")
    assert factura_folio in audit and remision_folio in audit and "Caja dañada" in audit, audit
    assert browser.foreign_requests() == []
