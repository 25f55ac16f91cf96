"""Fault 5 — two tabs of the same till profile, both offline, both selling, reconnecting at the same instant.

Injected for real: one persistent profile (one IndexedDB, one service worker) with two POS tabs; the network is
cut for the whole context, and the tabs sell interleaved — first turn about, then pairs of sales confirmed in both
tabs at the same moment (both payment screens ready, the two "Confirmar" clicks sent back to back), so the two
tabs race for the next local number (checked: in at least one pair tab 1 was still saving when tab 2 clicked).
Then the network comes back for both tabs at once, and both tabs' sync loops wake up together.

Proves: every number shown on "Venta guardada" is unique across the tabs and the device holds each sale once
under its own sequence; each tab's badge counts all of them; after the reconnection each sale's uuid travels in
exactly one answered POST /api/sales (the cross-tab "caja-sync" lock), and the ERP holds each sale exactly once
with no folio gap (ledger). tests/e2e/test_sync_tabs.py is the plain story (four sales); this is the counted,
racing version.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from tests.e2e import header, selling
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import Scenario, folio_gaps, half_saved
from tests.faults.till import is_sales_post, local_records, sell, uuids_of

TURNS = 4  # sales one tab after the other, per tab
RACES = 3  # pairs of sales confirmed in both tabs at the same moment, at least
MAX_RACES = 10  # more pairs while none overlapped (a commit takes ~15 ms: the clicks can miss each other)


def _ready_to_confirm(page: Any, product: dict) -> None:
    """Scan one item, Cobrar → Exacto: the payment screen waits for "Confirmar"."""
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    page.click("#charge")
    page.click("button[data-action=exact]")
    page.wait_for_selector("#pay-status[data-ok='1']")


def _saved(page: Any) -> str:
    """"Venta guardada" → its number, then Nueva venta."""
    page.wait_for_selector("#sale-saved", timeout=60_000)
    number = page.inner_text("#sale-number")
    page.click("#new-sale")
    page.wait_for_selector("#overlay", state="hidden")
    return number


def _confirm_both(tab1: Any, tab2: Any) -> tuple[str, str, bool]:
    """Both "Confirmar" clicks back to back; the flag says tab 1 had not finished saving when tab 2 clicked."""
    tab1.evaluate("() => document.getElementById('pay-confirm').click()")
    tab2.evaluate("() => document.getElementById('pay-confirm').click()")
    overlapped = tab1.evaluate("() => document.getElementById('sale-saved') === null")
    return _saved(tab1), _saved(tab2), bool(overlapped)


def test_two_tabs_offline_selling_then_reconnecting_together(browser: Browser, erp: ErpProcess,
                                                             ledger: Scenario) -> None:
    products = ts.sellable(erp, 4, skip=16)
    tab1 = ts.pair_and_load(browser, erp)
    header.wait_service_worker(tab1)
    answered: list[str] = []  # uuids of every POST /api/sales whose answer came back

    def on_finished(request: Any) -> None:
        if is_sales_post(request):
            response = request.response()
            if response is not None and response.status == 200:
                answered.extend(uuids_of(request))

    browser.context.on("requestfinished", on_finished)
    tab2 = ts.offline_with_second_tab(browser, erp, tab1)

    for i in range(TURNS):
        ledger.sold(sell(tab1, products[i % 4]))
        ledger.sold(sell(tab2, products[(i + 1) % 4]))
    overlaps = races = 0
    while races < RACES or (overlaps == 0 and races < MAX_RACES):
        _ready_to_confirm(tab1, products[(races + 2) % 4])
        _ready_to_confirm(tab2, products[(races + 3) % 4])
        first, second, overlapped = _confirm_both(tab1, tab2)
        ledger.sold(first)
        ledger.sold(second)
        overlaps += overlapped
        races += 1
    assert overlaps > 0, "the two tabs never saved at the same time: no race was tested"

    total = 2 * (TURNS + races)
    assert len(ledger.made) == total
    assert len(set(ledger.made)) == total, Counter(ledger.made).most_common(3)  # unique across the tabs
    stored = [r for r in local_records(tab1) if r["number"] in ledger.made]
    assert sorted(r["number"] for r in stored) == sorted(ledger.made)  # each once on the device
    assert len({r["seq"] for r in stored}) == total and len({r["uuid"] for r in stored}) == total
    for tab in (tab1, tab2):
        header.wait_pending(tab, total)  # each tab counts the other's sales too

    browser.context.set_offline(False)  # both tabs at once: one context
    for tab in (tab1, tab2):
        header.wait_pending(tab, 0, timeout=120_000)

    ledger.assert_exactly_once()
    uuids = {r["uuid"] for r in stored}
    sent = Counter(u for u in answered if u in uuids)
    assert set(sent) == uuids and set(sent.values()) == {1}, sent  # each sent once, by one tab
    assert folio_gaps(erp) == {} and half_saved(erp) == []
    assert browser.foreign_requests() == []
    assert browser.console_errors == []
