"""The back office tour: log in to the back office, create a product with price and stock, see it reach a paired POS
after a catalog refresh, sell it, sync, and find the sale in Remisiones with its folio.

Uses the POS engineer's fixtures (tests/e2e/conftest.py) and tour helpers; back-office steps are written here
(a page of the back office is plain HTML: no boot to wait for).
"""
from __future__ import annotations

from typing import Any

from tests.e2e import payment, selling, tour_sales
from tests.e2e.harness import Browser, ErpProcess

ADMIN, PASSWORD = "gerente", "una-contraseña-larga"
PRODUCT = {"sku": "E2E-0001", "name": "Salsa <picante> de prueba", "barcodes": "7501234567897",
           "price_1": "25.50", "stock_1": "10"}


def _login(page: Any, origin: str) -> None:
    page.goto(f"{origin}/erp/")
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.narrow button[type=submit]")
    page.wait_for_selector("nav.tabs")


def _create_product(page: Any, origin: str) -> None:
    page.goto(f"{origin}/erp/productos/nuevo")
    for name, value in PRODUCT.items():
        page.fill(f"input[name={name}]", value)
    page.select_option("select[name=unit]", "pieza")
    page.select_option("select[name=iva]", "16")
    page.click("form.form-grid button[type=submit]")
    page.wait_for_selector("p.notice")


def test_product_from_back_office_is_sold_and_its_sale_listed(browser: Browser, erp: ErpProcess) -> None:
    erp.caja("create-admin", "--username", ADMIN, "--password-stdin", stdin=PASSWORD + "\n")
    pos = tour_sales.pair_and_load(browser, erp)

    office = browser.context.new_page()
    _login(office, erp.url)
    _create_product(office, erp.url)
    assert office.input_value("input[name=sku]") == PRODUCT["sku"]

    assert tour_sales.sync_panel(pos, "sync-catalog")
    selling.scan(pos, PRODUCT["barcodes"])
    selling.wait_cart_lines(pos, 1)
    assert selling.cart_names(pos) == [PRODUCT["name"]]
    assert selling.cart_total(pos) == "$25.50"
    number = payment.pay_cash_exact(pos)
    assert tour_sales.sync_panel(pos, "sync-sales")
    assert tour_sales.erp_rows(erp, "SELECT count(*) FROM sales WHERE number = ?", number) == [(1,)]

    office.goto(f"{erp.url}/erp/ventas/remisiones?q={number}")
    row = office.locator("table.list tbody tr", has_text=number)
    assert row.count() == 1
    folio = row.locator("a.folio").inner_text()
    series, value = tour_sales.erp_rows(erp, "SELECT series, folio FROM sales WHERE number = ?", number)[0]
    assert folio == f"{series}-{value}"
    assert "$25.50" in row.inner_text()
    row.locator("a.folio").click()
    office.wait_for_selector("h1 .folio")
    detail = office.inner_text("main")
    assert PRODUCT["name"] in detail and number in detail and "Efectivo" in detail

    # Terminales: the till reported the app version it runs (X-Caja-Version) and nothing pending.
    version = pos.evaluate("() => window.cajaBoot.manifest.app_version")
    office.goto(f"{erp.url}/erp/terminales")
    row = office.locator("table tbody tr", has_text="T01")
    assert version and version in row.inner_text()
    assert browser.foreign_requests() == []
