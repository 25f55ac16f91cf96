"""Fault 9 — shift records (the shift, a cash movement, the Corte Z) through a killed browser and lost answers.

Injected for real: offline, a cashier opens a shift, sells, records an entrada; the moment "Movimiento guardado"
is on screen the main Chromium process gets SIGKILL. Reopened offline, the till resumes the shift, sells again and
closes it with a Corte Z; the moment the Z's ticket is on screen, SIGKILL again. Reopened offline, the shift is
closed. Back online, the answers to POST /api/shifts and /api/cortes are lost twice each after the ERP stored the
records (`route.fetch()` then `route.abort()`), so the till sends the same uuids again.

Proves: every shift record the device holds reaches the ERP exactly once (the ledger counts them by uuid beside
the sales), a reload after a crash resumes the same shift and a closed one stays closed, and the badge ends at 0.
"""
from __future__ import annotations

import json
from typing import Any

from tests.e2e import header, menu, pairing, selling, shifts
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import Scenario, half_saved, kill_browser
from tests.faults.till import sell

DROPS = 2
LOSSY = ("/api/shifts", "/api/cortes")


def _reopen_offline(browser: Browser, erp: ErpProcess, pending: int, state: str) -> Any:
    page = browser.open(offline=True)
    page = pairing.open_pos(page, erp.url)
    selling.wait_ready(page)
    header.wait_wifi(page, "offline")
    header.wait_pending(page, pending)
    shifts.wait_shift(page, state)
    if state != "abierto":  # no open shift: the till asks for one at boot; the cashier closes the panel
        page.wait_for_selector("#shift-panel #shift-open")
        page.click("button[data-action=shift-close]")
    return page


def test_shift_records_survive_a_killed_browser_and_lost_answers(browser: Browser, erp: ErpProcess,
                                                                 ledger: Scenario) -> None:
    shifts.add_cashiers(erp)
    p1, p2 = ts.sellable(erp, 2, skip=6)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")

    shifts.open_shift(page, shifts.ANA, shifts.ANA_PIN, "200")
    ledger.sold(sell(page, p1))
    shifts.move(page, "cash-in", "50", "Cambio")
    shifts.wait_toast(page, "Movimiento guardado")
    kill_browser(browser)  # the cashier saw it saved: it must survive
    page = _reopen_offline(browser, erp, 3, "abierto")  # the sale, the shift, the entrada

    ledger.sold(sell(page, p2))
    expected = shifts.mxn(shifts.open_count(page)["efectivo"][0])
    counted = shifts.short_of(expected, shifts.mxn("0"))
    shifts.corte_z(page, shifts.pieces_for(counted), {})
    kill_browser(browser)  # right after the Z's ticket
    page = _reopen_offline(browser, erp, 5, "cerrado")
    for table, uuid in shifts.records_on_device(page):
        ledger.recorded(table, uuid)
    assert sorted(t for t, _ in ledger.records) == ["cash_movements", "cortes", "shifts"]

    dropped: list[str] = []

    def lose_answer(route: Any) -> None:
        request = route.request
        path = "/" + request.url.split("/", 3)[3]
        if request.method != "POST" or path not in LOSSY or dropped.count(path) >= DROPS:
            route.fallback()
            return
        response = route.fetch(timeout=60_000)  # the ERP stores the records and answers…
        assert response.status == 200, response.text()
        assert all(r["status"] == "accepted" for r in json.loads(response.text())["results"])
        dropped.append(path)
        route.abort("connectionreset")  # …and the till never hears it

    for path in LOSSY:
        browser.context.route(f"**{path}", lose_answer)
    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    for _attempt in range(2 * DROPS + 3):  # the cashier's "Sincronizar", each after the last attempt ended
        if "/api/cortes" in dropped and dropped.count("/api/cortes") >= DROPS:
            break
        menu.sync_sales(page)
    menu.sync_sales(page)
    header.wait_pending(page, 0, timeout=60_000)

    assert dropped.count("/api/shifts") == DROPS and dropped.count("/api/cortes") == DROPS, dropped
    ledger.assert_exactly_once()
    assert half_saved(erp) == []
