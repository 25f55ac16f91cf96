"""Fault 3 — the browser process dies right after "Venta guardada" (a power cut, a crashed tablet).

Injected for real: offline, the cashier sells; the moment "Venta guardada" is on screen the main Chromium
process of the persistent profile gets SIGKILL (no clean close, no unload handlers, no flush). Twice: once after
a first sale, once after a second sold after reopening.

Proves: reopening the same profile offline boots the POS from its service worker with the sale there, pending,
under the number the cashier saw; numbering continues after it; back online each sale reaches the ERP once.
"""
from __future__ import annotations

from tests.e2e import header, menu, pairing, selling
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import Scenario, half_saved, kill_browser


def _sell_and_crash(browser: Browser, product: dict) -> str:
    page = browser.context.pages[0]
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    page.click("#charge")
    page.click("button[data-action=exact]")
    page.wait_for_selector("#pay-status[data-ok='1']")
    page.click("#pay-confirm")
    page.wait_for_selector("#sale-saved")
    number = page.inner_text("#sale-number")
    kill_browser(browser)  # at once: the cashier has seen "Venta guardada", nothing else happened
    return number


def _reopen_offline(browser: Browser, erp: ErpProcess, pending: int) -> None:
    page = browser.open(offline=True)
    page = pairing.open_pos(page, erp.url)
    selling.wait_ready(page)
    header.wait_wifi(page, "offline")
    header.wait_pending(page, pending)


def test_sale_survives_a_browser_killed_right_after_saving(browser: Browser, erp: ErpProcess,
                                                           ledger: Scenario) -> None:
    p1, p2 = ts.sellable(erp, 2, skip=2)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")

    first = ledger.sold(_sell_and_crash(browser, p1))
    _reopen_offline(browser, erp, 1)
    page = browser.context.pages[0]
    shown = menu.local_sales(page)
    assert shown[first].startswith("Pendiente"), shown

    second = ledger.sold(_sell_and_crash(browser, p2))
    assert second > first
    _reopen_offline(browser, erp, 2)
    page = browser.context.pages[0]
    shown = menu.local_sales(page)
    assert shown[first].startswith("Pendiente") and shown[second].startswith("Pendiente"), shown

    browser.context.set_offline(False)
    header.wait_pending(page, 0, timeout=120_000)
    ledger.assert_exactly_once()
    assert half_saved(erp) == []
    assert browser.console_errors == []
