"""The shop's address `/` opens the POS offline, and the back office never does.

A cashier is told to open `/` (a bookmark, a home-screen icon): the ERP redirects it to /pos/. After pairing
there and selling offline, the browser restarted offline on the same profile at `/` must show the POS with its
sales, not Chromium's "no internet" page; `/pos` and `/pos/index.html` too. `/erp/` and `/api/` offline are not
answered from any cache, and the service worker's cache holds nothing outside /pos/.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e import header, menu, pairing, payment, selling
from tests.e2e.harness import BOOT_TIMEOUT_MS, Browser, ErpProcess


def _a_product(erp: ErpProcess) -> dict:
    items = erp.api("/api/catalog?since=0&after=0&limit=200")["items"]
    return next(p for p in items if p["sellable"] and p["unit"] == "pieza" and p["barcodes"] and float(p["stock"]) >= 5)


def _offline_open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#search", timeout=BOOT_TIMEOUT_MS)
    selling.wait_ready(page)
    assert page.url.endswith(("/pos/", "/pos/index.html"))


def test_the_shop_address_opens_the_pos_offline_after_a_browser_restart(browser: Browser, erp: ErpProcess) -> None:
    product = _a_product(erp)
    page = pairing.open_pos(browser.open(), erp.url, "/")
    assert page.url == f"{erp.url}/pos/"
    pairing.pair(page, erp.pairing_code())
    pairing.wait_catalog_loaded(page)
    selling.wait_ready(page)
    header.wait_service_worker(page)
    scope = page.evaluate("() => navigator.serviceWorker.getRegistration('/').then((r) => r && r.scope)")
    assert scope == f"{erp.url}/"

    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    number = payment.pay_cash_exact(page)
    browser.close()

    page = browser.open(offline=True)
    _offline_open(page, f"{erp.url}/")
    header.wait_wifi(page, "offline")
    assert number in menu.local_sales(page)
    for url in (f"{erp.url}/pos", f"{erp.url}/pos/index.html", f"{erp.url}/"):
        _offline_open(page, url)

    # The back office and the API are the network's only: offline they fail, never a cached page.
    back_office = browser.context.new_page()  # its own tab: the error page must not race the POS tab's navigations
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        back_office.goto(f"{erp.url}/erp/")
    back_office.close()
    assert page.evaluate("() => fetch('/api/health').then(() => 'answered', () => 'failed')") == "failed"
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
          for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")
    assert cached and all(u.startswith("/pos/") for u in cached), cached
    assert browser.foreign_requests() == []
