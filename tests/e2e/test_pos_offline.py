"""The POS's whole story (pair, sell online, sell offline across reloads and a restart, sync) on a real ERP and
Debian Chromium.

Online: pair, load the demo catalog to 100 %, sell by barcode and by name. Offline (service worker in control,
network cut): the wifi icon turns red, three sales (remisión; factura with a customer; remisión with a customer
created offline), two reloads, a browser restart on the same profile: the three sales are still there with
their local numbers and a fourth is sold. Back online they sync. ERP stopped while the browser stays online:
icon red, selling continues. And not one request leaves the origin.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import header, menu, pairing, payment, selling
from tests.e2e.harness import Browser, ErpProcess


def _sellable(erp: ErpProcess, n: int) -> list[dict]:
    items = erp.api("/api/catalog?since=0&after=0&limit=200")["items"]
    good = [p for p in items if p["sellable"] and p["unit"] == "pieza" and p["barcodes"]
            and float(p["stock"]) >= 20]
    assert len(good) >= n
    return good[:n]


def _factura_customer(erp: ErpProcess) -> dict:
    items = erp.api("/api/customers?since=0&after=0&limit=200")["items"]
    return next(c for c in items if c["rfc"] and c["regimen_fiscal"] and c["codigo_postal"] and c["uso_cfdi"])


def _plain_query(name: str) -> str:
    # The name lower-cased and without accents: the search must be accent-insensitive.
    import unicodedata

    words = name.split()
    plain = unicodedata.normalize("NFKD", " ".join(words)).encode("ascii", "ignore").decode()
    return plain.lower()


def _pair_and_load(browser: Browser, erp: ErpProcess) -> Any:
    page = browser.open()
    page = pairing.open_pos(page, erp.url)
    pairing.pair(page, erp.pairing_code())
    products_pct, customers_pct = pairing.wait_catalog_loaded(page)
    assert (products_pct, customers_pct) == ("100", "100")
    selling.wait_ready(page)
    header.wait_wifi(page, "online")
    assert "Almacenamiento persistente" in menu.about(page)  # navigator.storage.persist() answered and shown
    return page


def test_sell_online_then_offline_across_reloads_and_restart(browser: Browser, erp: ErpProcess) -> None:
    p1, p2, p3 = _sellable(erp, 3)
    customer = _factura_customer(erp)

    page = _pair_and_load(browser, erp)
    print("boot marks (first open, incl. pairing and load):", header.boot_marks(page))

    # Online: by barcode (scanner) and by name words.
    selling.scan(page, p1["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    selling.search_and_add(page, _plain_query(p2["name"]), p2["name"])
    selling.wait_cart_lines(page, 2)
    assert selling.cart_names(page) == [p1["name"], p2["name"]]
    online_number = payment.pay_cash_exact(page)
    header.wait_pending(page, 0)  # synced at once while online

    # Offline: the service worker must control the page first.
    header.wait_service_worker(page)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")

    selling.scan(page, p1["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    n1 = payment.pay(page, {"efectivo": "500"})

    selling.pick_customer(page, customer["rfc"], customer["name"])
    selling.set_type(page, "factura")
    selling.scan(page, p2["sku"])
    selling.wait_cart_lines(page, 1)
    n2 = payment.pay_cash_exact(page)

    selling.create_customer(page, name="Ferretería La Tuerca", rfc="FTU120101AB1", regimen_fiscal="601",
                            codigo_postal="06000", uso_cfdi="G03", email="compras@tuerca.mx")
    selling.scan(page, p3["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    n3 = payment.pay_cash_exact(page)
    header.wait_pending(page, 3)
    numbers = [n1, n2, n3]
    assert len(set(numbers + [online_number])) == 4

    for _ in range(2):
        page.reload()
        selling.wait_ready(page)
        header.wait_wifi(page, "offline")
        header.wait_pending(page, 3)
    print("boot marks (offline reload):", header.boot_marks(page))

    # Close the browser and open it again on the same profile, still without network.
    browser.close()
    page = browser.open(offline=True)
    page = pairing.open_pos(page, erp.url)
    selling.wait_ready(page)
    print("boot marks (offline after restart):", header.boot_marks(page))
    header.wait_pending(page, 3)
    sales = menu.local_sales(page)
    for number in numbers:
        assert number in sales and sales[number].startswith("Pendiente"), sales
    # The catalog came from the stored chunks (each product kept as a span of its chunk's bytes): by barcode and
    # by name words, both built from those bytes.
    selling.scan(page, p3["barcodes"][0])
    selling.search_and_add(page, _plain_query(p2["name"]), p2["name"])
    selling.wait_cart_lines(page, 2)
    assert selling.cart_names(page) == [p3["name"], p2["name"]]
    n4 = payment.pay_cash_exact(page)
    assert n4 not in numbers + [online_number]
    header.wait_pending(page, 4)

    # Back online: the four reach the ERP and get folios.
    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    assert menu.sync_sales(page) == "La sincronización se ha realizado correctamente"
    header.wait_pending(page, 0)
    sales = menu.local_sales(page)
    assert all(sales[n].startswith("Sincronizada") for n in numbers + [n4]), sales

    assert browser.foreign_requests() == []


def test_erp_down_while_online_keeps_selling(browser: Browser, erp: ErpProcess) -> None:
    (product,) = _sellable(erp, 1)
    page = _pair_and_load(browser, erp)
    menu.set_language(page, "en")
    assert page.inner_text("#charge") == "Charge"
    menu.set_language(page, "es")
    assert page.inner_text("#charge") == "Cobrar"
    erp.stop()
    try:
        header.wait_wifi(page, "offline")
        selling.scan(page, product["barcodes"][0])
        selling.wait_cart_lines(page, 1)
        number = payment.pay_cash_exact(page)
        assert number.startswith("T01-")
        header.wait_pending(page, 1)
        _commit_fails_and_keeps_the_cart(page, product)
    finally:
        erp.start()
    header.wait_wifi(page, "online")
    _two_tabs_never_share_a_number(browser, erp, page, product)
    # The same app booted without PyScript (the measured alternative): still sells.
    page.goto(f"{erp.url}/pos/?boot=plain")
    selling.wait_ready(page)
    assert page.get_attribute("html", "data-boot") == "plain"
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    assert payment.pay_cash_exact(page).startswith("T01-")
    assert browser.foreign_requests() == []


def _two_tabs_never_share_a_number(browser: Browser, erp: ErpProcess, page: Any, product: dict) -> None:
    """Two tabs confirm at the same moment: the Web Lock + the transaction give each its own number."""
    other = browser.context.new_page()
    other = pairing.open_pos(other, erp.url)
    selling.wait_ready(other)
    page.reload()  # this tab's in-memory stock does not know the other tab's sales yet
    for tab in (page, other):
        selling.wait_ready(tab)
        selling.scan(tab, product["barcodes"][0])
        selling.wait_cart_lines(tab, 1)
        tab.click("#charge")
        tab.click("button[data-action=exact]")
    page.click("#pay-confirm", no_wait_after=True)
    other.click("#pay-confirm", no_wait_after=True)
    numbers = []
    for tab in (page, other):
        tab.wait_for_selector("#sale-saved")
        numbers.append(tab.inner_text("#sale-number"))
    assert len(set(numbers)) == 2, numbers


def _commit_fails_and_keeps_the_cart(page: Any, product: dict) -> None:
    """The device storage refuses the write (as when the quota is exhausted): clear error, cart kept."""
    page.evaluate("""() => {
        const add = IDBObjectStore.prototype.add;
        IDBObjectStore.prototype.add = function (...args) {
            if (this.name === "sales") throw new DOMException("quota", "QuotaExceededError");
            return add.apply(this, args);
        };
    }""")
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    page.click("#charge")
    page.click("button[data-action=exact]")
    page.click("#pay-confirm")
    page.wait_for_selector("#pay-error:not([hidden])")
    assert "sin espacio de almacenamiento" in page.inner_text("#pay-error")
    page.click("button[data-action=close]")
    assert selling.cart_names(page) == [product["name"]]
    header.wait_pending(page, 1)


@pytest.fixture(autouse=True)
def _no_page_errors(browser: Browser) -> Any:
    yield
    assert browser.console_errors == []
