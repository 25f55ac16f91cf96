"""Two tabs open offline, both selling, then reconnect — every sale reaches the ERP exactly once.

Only one tab talks to the ERP at a time (the "caja-sync" Web Lock, re-reading the outbox once it holds it), so
each sale's uuid travels in exactly one answered POST /api/sales; both tabs' icons turn green.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e import header, payment, selling
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess


def _sell(page: Any, product: dict) -> str:
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    return payment.pay_cash_exact(page)


def test_two_tabs_sell_offline_and_each_sale_reaches_the_erp_once(browser: Browser, erp: ErpProcess) -> None:
    p1, p2 = ts.sellable(erp, 2, skip=5)
    tab1 = ts.pair_and_load(browser, erp)
    header.wait_service_worker(tab1)
    sent: list[str] = []

    def on_finished(request: Any) -> None:
        if request.url.endswith("/api/sales") and request.method == "POST":
            sent.extend(s["uuid"] for s in json.loads(request.post_data)["sales"])

    browser.context.on("requestfinished", on_finished)
    tab2 = ts.offline_with_second_tab(browser, erp, tab1)

    numbers = [_sell(tab1, p1), _sell(tab2, p2), _sell(tab1, p2), _sell(tab2, p1)]
    assert len(set(numbers)) == 4
    for tab in (tab1, tab2):
        header.wait_pending(tab, 4)  # each tab counts the other's sales too

    browser.context.set_offline(False)
    for tab in (tab1, tab2):
        header.wait_pending(tab, 0, timeout=60_000)

    rows = ts.erp_rows(erp, "SELECT uuid, number FROM sales WHERE number IN (?, ?, ?, ?)", *numbers)
    assert sorted(n for _, n in rows) == sorted(numbers)
    uuids = {u for u, _ in rows}
    assert sorted(u for u in sent if u in uuids) == sorted(uuids), sent  # each sent once, by one tab
    assert browser.foreign_requests() == []


@pytest.fixture(autouse=True)
def _no_page_errors(browser: Browser) -> Any:
    yield
    assert browser.console_errors == []
