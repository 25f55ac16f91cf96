"""Fault 9 — the answer to POST /api/returns is lost after the ERP stored the returns.

Injected for real, as fault 1 does for sales: the browser's POST goes through `route.fetch()` (the ERP receives it,
stores the returns, gives their folios and puts the stock back), then `route.abort()` drops the answer, so the till
sees a network error. Twice, then the network behaves; each retry is the cashier's "Sincronizar → Ventas".

Proves: the retries send the same return uuids, the ERP answers them with the original folios (`duplicate: true`),
so each return is in the ERP exactly once, the stock came back once, and the folio the till shows is the ERP's.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.e2e import header, menu, tour_returns
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import Scenario, erp_rows
from tests.faults.till import sell

DROPS = 2


def _local_returns(page: Any) -> list[dict]:
    return json.loads(page.evaluate("async () => (await import('/pos/idb/idb.js')).returnsAll()"))


def _stock(erp: ErpProcess, product_id: int) -> Decimal:
    [(qty,)] = erp_rows(erp, "SELECT SUM(qty) FROM stock WHERE product_id = ?", product_id)
    return Decimal(qty) / 1000  # stored in thousandths (server/db/types.py Qty)


def test_return_answer_lost_after_commit_then_retry_keeps_each_return_once(browser: Browser, erp: ErpProcess,
                                                                          ledger: Scenario) -> None:
    products = ts.sellable(erp, 2)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    numbers = [ledger.sold(sell(page, p)) for p in products]
    menu.sync_sales(page)
    header.wait_pending(page, 0)
    before = [_stock(erp, p["id"]) for p in products]

    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    ts.open_sales(page)
    for number in numbers:
        tour_returns.find_sale(page, number)
        tour_returns.return_units(page, {0: "1"}, "Defecto de fábrica")
        tour_returns.close_return(page)
        ts.back_to_list(page)
    ts.close(page)
    header.wait_pending(page, 2)
    made = sorted(r["uuid"] for r in _local_returns(page))

    dropped: list[list[str]] = []
    answered: list[list[str]] = []

    def lose_answer(route: Any) -> None:
        request = route.request
        if request.method != "POST":
            route.fallback()
            return
        sent = sorted(r["uuid"] for r in json.loads(request.post_data)["returns"])
        if len(dropped) < DROPS:
            response = route.fetch(timeout=60_000)  # the ERP stores the returns and answers…
            assert response.status == 200, response.text()
            dropped.append(sent)
            route.abort("connectionreset")  # …and the till never sees it
        else:
            answered.append(sent)
            route.fallback()

    browser.context.route("**/api/returns", lose_answer)
    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    for _attempt in range(DROPS + 3):
        if answered:
            break
        menu.sync_sales(page)
    header.wait_pending(page, 0, timeout=60_000)

    assert len(dropped) == DROPS and answered, (dropped, answered)
    assert all(sent == made for sent in dropped + answered[:1])  # the same uuids each time
    rows = {u: (s, f) for u, s, f in erp_rows(erp, "SELECT uuid, series, folio FROM returns")}
    assert sorted(rows) == made  # each return once: 0 lost, 0 duplicated
    shown = {r["uuid"]: (r.get("series"), r.get("folio")) for r in _local_returns(page)}
    assert shown == rows  # the till shows the folio the ERP stored
    assert [_stock(erp, p["id"]) for p in products] == [b + 1 for b in before]  # stock back once
    ledger.assert_exactly_once()
    assert browser.console_errors == []
