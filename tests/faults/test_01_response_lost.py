"""Fault 1 — the answer to POST /api/sales is lost after the ERP committed the batch.

Injected for real: the browser's POST goes through `route.fetch()` (the ERP receives it, saves the sales and
answers), then `route.abort()` drops that answer, so the POS sees a network error. Three times in a row — the
first send and two retries — then the network behaves. The retries are the cashier's sync button, pressed when
the previous attempt has ended, not the till's growing back-off timer.

Proves: the retry of the same uuids gets the ERP's original folios back (`duplicate: true`), so each sale is in
the ERP exactly once with one folio, and the folio the till shows is the one the ERP stored.
"""
from __future__ import annotations

from typing import Any

from tests.e2e import header, menu
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import Scenario, erp_rows, folio_gaps, half_saved
from tests.faults.till import is_sales_post, local_records, sell, uuids_of

DROPS = 3


def test_answer_lost_after_commit_then_retry_keeps_each_sale_once(browser: Browser, erp: ErpProcess,
                                                                   ledger: Scenario) -> None:
    products = ts.sellable(erp, 3)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    dropped: list[list[str]] = []
    answered: list[list[str]] = []

    def lose_answer(route: Any) -> None:
        request = route.request
        if not is_sales_post(request):
            route.fallback()
            return
        if len(dropped) < DROPS:
            response = route.fetch(timeout=60_000)  # the ERP commits and answers…
            assert response.status == 200, response.text()
            dropped.append(uuids_of(request))
            route.abort("connectionreset")  # …and the browser never sees it
        else:
            answered.append(uuids_of(request))
            route.fallback()

    # Three sales offline, so the first send is one batch of three.
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    for p in products:
        ledger.sold(sell(page, p))
    header.wait_pending(page, 3)
    browser.context.route("**/api/sales", lose_answer)
    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    # Every drop is a "nothing known" for the POS. Its own retries wait out a back-off that grows with each
    # failure (with jitter, up to a minute after the third), which on a loaded machine added up past any
    # sensible timeout. So each retry is the cashier's "Sincronizar → Ventas", pressed when the previous
    # attempt has ended (the panel's result is the condition waited on); an automatic retry in between is
    # joined by it (one run at a time) and counted the same.
    for _attempt in range(DROPS + 2):
        if answered:
            break
        menu.sync_sales(page)
    header.wait_pending(page, 0, timeout=60_000)

    assert len(dropped) == DROPS and answered, (dropped, answered)
    first = sorted(dropped[0])
    assert all(sorted(u) == first for u in dropped + answered[:1])  # the same uuids each time
    ledger.assert_exactly_once()
    rows = {n: (s, f) for n, s, f in erp_rows(erp, "SELECT number, series, folio FROM sales WHERE number IN "
                                                    "(?, ?, ?)", *ledger.made)}
    shown = {r["number"]: (r.get("series"), r.get("folio")) for r in local_records(page)}
    for number in ledger.made:
        assert shown[number] == rows[number]  # the till shows the folio the ERP stored, not a second one
    assert folio_gaps(erp) == {} and half_saved(erp) == []
    assert browser.console_errors == []
