"""The till as a cashier uses it with a scanner and a keyboard, on a real ERP and Debian Chromium.

The pairing screen speaks to the cashier. A scanner burst (characters 5 ms apart, then Enter) adds the product
with the focus on the page body after clicking the cart, and after choosing a customer and pressing Factura; an
unknown code says so. A name search says that more match and "Ver más" lists them, names starting with the typed
words first. "Nueva venta" leaves no search and no results. In Ventas, a sale's detail closes on its own, the
cancel confirmation names its buttons, and Esc closes only the top-most dialog. Thirty sales made offline
(random uuids) get their folios in the ERP in local-number order.
"""
from __future__ import annotations

from tests.e2e import header, pairing, payment, selling
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

OFFLINE_SALES = 30


def _catalog(erp: ErpProcess) -> list[dict]:
    return erp.api("/api/catalog?since=0&after=0&limit=5000")["items"]


def _factura_customer(erp: ErpProcess) -> dict:
    items = erp.api("/api/customers?since=0&after=0&limit=200")["items"]
    return next(c for c in items if c["rfc"] and c["regimen_fiscal"] and c["codigo_postal"] and c["uso_cfdi"])


def test_scanner_search_new_sale_dialogs_and_folio_order(browser: Browser, erp: ErpProcess) -> None:
    products = _catalog(erp)
    good = [p for p in products if p["sellable"] and p["unit"] == "pieza" and p["barcodes"]
            and float(p["stock"]) >= OFFLINE_SALES + 5]
    p1, p2 = good[0], good[1]
    customer = _factura_customer(erp)

    page = pairing.open_pos(browser.open(), erp.url)
    help_text = pairing.help_text(page)
    assert "administrador" in help_text and "caja serve" not in help_text and "`" not in help_text
    pairing.pair(page, erp.pairing_code())
    pairing.wait_catalog_loaded(page)
    selling.wait_ready(page)
    header.wait_wifi(page, "online")

    # A scan after clicking the cart: the focus is on the body, not the search box.
    page.click("#cart")
    assert selling.focused(page) == "BODY"
    selling.scan_here(page, p1["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    selling.scan_here(page, "0000000000000")
    page.wait_for_selector("#message:not([hidden])")
    assert "0000000000000" in selling.message(page)
    assert selling.cart_names(page) == [p1["name"]]

    # After choosing a customer and pressing Factura (the focus on that button), a scan still adds.
    selling.pick_customer(page, customer["rfc"], customer["name"])
    selling.set_type(page, "factura")
    assert selling.focused(page) == "BODY"  # the toggles were drawn again: the pressed button is gone
    selling.scan_here(page, p2["barcodes"][0])
    selling.wait_cart_lines(page, 2)
    assert page.get_attribute("button[data-type=factura]", "aria-pressed") == "true"
    assert selling.message(page) == ""

    # Name search: the names starting with the typed words first, and "Ver más" when more match.
    starting = sorted(p["name"] for p in products if p["active"] and p["name"].startswith("Refresco de manzana"))
    assert starting
    selling.search(page, "refresco de manzana")
    shown = selling.result_names(page)
    assert shown[:min(20, len(starting))] == starting[:20]
    # A scan with a result focused (arrow keys) adds the scanned product, not the focused one.
    page.press("#search", "ArrowDown")
    assert selling.focused(page) == "LI"
    selling.scan_here(page, p1["barcodes"][0])
    page.wait_for_function("() => document.querySelector('#cart tr.line input.qty').value === '2'")
    assert selling.cart_names(page) == [p1["name"], p2["name"]]
    selling.search(page, "refresco")
    assert len(selling.result_names(page)) == 20
    assert page.is_visible("#more-results") and page.is_visible("#see-more")
    page.click("#see-more")
    page.wait_for_function("() => document.querySelectorAll('#results .result').length > 20")

    # Nueva venta: nothing left from the last sale's search.
    payment.pay_cash_exact(page)
    assert page.input_value("#search") == ""
    assert page.locator("#results li").count() == 0

    # Offline: many sales, each scanned with the focus on the body.
    header.wait_service_worker(page)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    numbers = []
    for _ in range(OFFLINE_SALES):
        page.click("#cart")
        selling.scan_here(page, p1["barcodes"][0])
        selling.wait_cart_lines(page, 1)
        numbers.append(payment.pay_cash_exact(page))

    # Ventas: the detail closes on its own; the confirmation names its buttons; Esc closes the top-most only.
    ts.open_sales(page)
    ts.open_sale(page, numbers[0])
    page.click("#sale-cancel")
    page.wait_for_selector("#confirm-cancel")
    assert page.inner_text("#confirm-yes") == "Sí, cancelar la venta"
    assert page.inner_text("#confirm-no") == "No, volver"
    ts.press_escape(page)
    page.wait_for_selector("#sale-detail")  # back to the sale, the Ventas window still open
    assert page.is_visible("#sale-close")
    ts.press_escape(page)
    page.wait_for_selector("#overlay", state="hidden")
    ts.open_sales(page)
    ts.open_sale(page, numbers[1])
    page.click("#sale-close")
    page.wait_for_selector("#overlay", state="hidden")

    # Back online: the ERP gives folios in the order the sales were made.
    browser.context.set_offline(False)
    header.wait_pending(page, 0, timeout=60_000)
    marks = ",".join("?" * len(numbers))
    rows = ts.erp_rows(erp, f"SELECT uuid, seq, folio FROM sales WHERE number IN ({marks})", *numbers)
    assert len(rows) == OFFLINE_SALES
    by_folio = [seq for _, seq, _ in sorted(rows, key=lambda r: r[2])]
    assert by_folio == sorted(by_folio)
    assert [seq for _, seq, _ in sorted(rows)] != sorted(by_folio)  # the uuids' order was not the numbers'
