"""The till on a touch screen of any size: a phone (360×740), a 7" tablet (600×960) and a 10" tablet (800×1280) in
portrait, and a PC (1280×800), on a real ERP and Debian Chromium with touch input.

At each size a cashier sells by tapping only (search, add, − / +, the numeric pad, Cobrar, the cash pad's quick
button) and a scanner adds with the cart shown; on the PC, Tab stays inside the payment dialog and Escape gives
the focus back to Cobrar. The pairing screen, the selling screen (both views on a narrow screen), the payment, the
numeric pad, the customer picker, Ventas, a sale's detail, the ticket preview, the menu, Acerca de and the sync panel
each fit the viewport (nothing sideways, the page never wider than the window, 44 px touch targets) and have no
serious or critical axe-core violation. The web app manifest is linked, served, names the POS it was installed from
and, like its icons, answers offline from the service worker.

CAJA_SCREENSHOTS=<folder> also saves the till on the phone (the cart, the cash pad), the 10" tablet and the PC there
(docs/ holds the README's).
"""
from __future__ import annotations

import os
from pathlib import Path

from tests.e2e import header, pairing, selling, touch
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

SIZES = ((360, 740), (600, 960), (800, 1280), (1280, 800))
SHOTS = {(360, 740): "touch-phone.png", (800, 1280): "touch-tablet.png", (1280, 800): "screenshot.png"}


def _fits(page: object, where: str, *selectors: str) -> None:
    assert touch.outside(page, *selectors) == [], where
    assert touch.small_targets(page, "body") == [], where
    assert touch.axe(page) == [], where


def _other_screens(page: object, where: str, number: str) -> None:
    """Customer picker, Ventas, the sale's detail, its ticket preview, the menu, Acerca de and the sync panel: each
    fits."""
    touch.show_cart(page)
    page.tap("#customer-name")
    page.wait_for_selector("#customer-search")
    page.keyboard.type("a")
    page.wait_for_selector("#customer-results .result")
    _fits(page, f"{where} customers", "#customer-search", "#new-customer")
    page.tap("#customers button[data-action=close]")
    page.wait_for_selector("#overlay", state="hidden")

    page.tap("#menu-button")
    page.tap("button[data-action=menu-sales]")
    page.wait_for_selector("#sales-list")
    _fits(page, f"{where} Ventas", "#sales-list")
    page.tap(f"#sales-list tr.sale-row[data-number='{number}']")
    page.wait_for_selector("#sale-detail")
    _fits(page, f"{where} sale detail", "#sale-print")
    page.tap("#sale-print")
    page.wait_for_selector("#ticket-preview #ticket .tl")
    for paper in ("80", "58"):  # the wider roll fits a phone too; back to the default for the next size
        page.tap(f"#paper-choice button[data-width='{paper}']")
        page.wait_for_selector(f"#ticket[data-width='{paper}']")
        _fits(page, f"{where} ticket {paper} mm", "#ticket")
    page.tap("#ticket-back")
    page.wait_for_selector("#sale-detail")
    page.tap("#sale-close")
    page.wait_for_selector("#overlay", state="hidden")

    page.tap("#menu-button")
    page.wait_for_selector("button[data-action=menu-about]")
    _fits(page, f"{where} menu", "button[data-action=menu-sales]")
    page.tap("button[data-action=menu-about]")
    page.wait_for_selector("#persisted")
    _fits(page, f"{where} about", "#menu-panel button[data-action=menu-close]")
    page.tap("#menu-panel button[data-action=menu-close]")
    page.wait_for_selector("#overlay", state="hidden")

    page.tap("#sync-icon")
    page.wait_for_selector("#sync-sales")
    _fits(page, f"{where} sync panel", "#sync-sales")
    page.tap("#menu-panel button[data-action=menu-close]")
    page.wait_for_selector("#overlay", state="hidden")


def test_sell_by_tapping_on_a_phone_two_tablets_and_a_pc(browser: Browser, erp: ErpProcess) -> None:
    p1, p2 = ts.sellable(erp, 2)
    page = pairing.open_pos(browser.open(viewport=SIZES[0], has_touch=True), erp.url)
    assert touch.outside(page, "#pair-code") == [] and touch.axe(page) == []
    pairing.pair(page, erp.pairing_code())
    pairing.wait_catalog_loaded(page)
    selling.wait_ready(page)
    header.wait_wifi(page, "online")
    shots = os.environ.get("CAJA_SCREENSHOTS")

    for width, height in SIZES:
        where = f"{width}x{height}"
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function("w => window.innerWidth === w", arg=width)
        assert touch.narrow(page) == (width < 900), where
        touch.show_products(page)  # the last size ended on the cart (the customer picker is there)
        _fits(page, f"{where} products", "#search", "#menu-button", "#sync-icon")

        touch.tap_search_and_add(page, p1["sku"], p1["name"])
        touch.tap_search_and_add(page, p2["sku"], p2["name"])
        if touch.narrow(page):  # the cart's count and total stay in sight while adding
            page.wait_for_function("() => document.getElementById('cart-summary').textContent.startsWith('2 ')")
            _fits(page, f"{where} products + summary", "#show-cart", "#results .result")
        touch.show_cart(page)
        touch.tap_plus(page, p1["id"])
        touch.tap_plus(page, p1["id"])
        touch.tap_plus(page, p1["id"], "dec")
        assert touch.qty(page, p1["id"]) == "2", where
        if width >= 900:  # a PC's keyboard: Tab stays in the dialog, Escape gives the focus back to Cobrar
            page.focus("#charge")
            page.keyboard.press("Enter")
            page.wait_for_selector("#payment")
            assert touch.tab_escapes(page) == [], where
            page.keyboard.press("Escape")
            page.wait_for_selector("#overlay", state="hidden")
            assert selling.focused(page) == "BUTTON#charge", where
        touch.tap_qty_pad(page, p2["id"], "3")
        page.tap("#cart-total")  # nothing to focus there: the focus leaves the quantity
        selling.scan_here(page, p1["barcodes"][0])  # the scanner adds on this view too (narrow: the search is hidden)
        page.wait_for_function("p => document.querySelector(`#cart input.qty[data-id='${p}']`).value === '3'",
                               arg=p1["id"])
        assert selling.cart_names(page) == [p1["name"], p2["name"]], where
        if width == 360:  # a discount on the pad, then back to none
            total = selling.cart_total(page)
            touch.tap_discount_pad(page, p2["id"], "10")
            assert selling.cart_total(page) != total, where
            touch.tap_discount_pad(page, p2["id"], "0")
            assert selling.cart_total(page) == total, where
        _fits(page, f"{where} cart", "#charge", "#cart-total", f"#cart button[data-action=inc][data-id='{p2['id']}']")
        if shots and (width, height) in SHOTS:
            page.screenshot(path=str(Path(shots) / SHOTS[(width, height)]))

        touch.tap_charge_open(page)
        _fits(page, f"{where} payment", "#pay-total", "#quick-cash", "#pay-confirm")
        page.tap("#pay-efectivo")
        page.wait_for_selector("#numpad-quick")
        _fits(page, f"{where} pad", "#numpad-value", "#numpad-quick", "#numpad-ok")
        if shots and width == 360:
            page.screenshot(path=str(Path(shots) / "touch-pad.png"))
        page.tap("#numpad-cancel")
        page.wait_for_selector("#numpad", state="detached")
        touch.tap_cash_on_pad(page, "Exacto")
        number = touch.tap_confirm(page)
        assert number.startswith("T"), where
        _other_screens(page, where, number)

    # Installable: the manifest is linked and served; offline, it and its icons come from the service worker.
    href = page.get_attribute("link[rel=manifest]", "href")
    assert href == "manifest.webmanifest"
    header.wait_service_worker(page)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    got = page.evaluate("""async () => {
      const url = new URL(document.querySelector('link[rel=manifest]').href);
      const r = await fetch(url);
      const m = await r.json();
      const icons = await Promise.all(m.icons.map(async (i) => {
        const ir = await fetch(new URL(i.src, url));
        return [ir.status, ir.headers.get('content-type'), (await ir.arrayBuffer()).byteLength];
      }));
      return {type: r.headers.get('content-type'), start: new URL(m.start_url, url).href,
              scope: new URL(m.scope, url).href, display: m.display, icons, here: location.href};
    }""")
    assert got["type"].startswith("application/manifest+json")
    assert got["start"] == got["scope"] == got["here"] == f"{erp.url}/pos/"
    assert got["display"] == "standalone"
    assert all(status == 200 and kind == "image/png" and size > 100 for status, kind, size in got["icons"])
    assert browser.foreign_requests() == []
    assert not [u for u in browser.requests if "axe" in u]  # the checker reached the page through the protocol
