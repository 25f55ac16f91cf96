"""Fault 2 — the ERP process is killed (SIGKILL) in the middle of a sales batch, then started again; three times.

Injected at a known point: the till sells SALES sales of LINES lines offline, then comes back online and posts
them as one batch. Before each attempt the test arms the ERP's `sales_batch` pause point (server/testhooks.py,
enabled in `caja serve` by CAJA_TEST_HOOKS): the ERP writes the whole batch — folios, sales, lines, payments,
stock — inside its one transaction and waits there, uncommitted; the test sees it paused and SIGKILLs it: no
rollback, no shutdown, the browser's POST dies with a reset connection. The ERP is started again on the same
database and port; the till resends the batch by itself and the ERP is killed inside it again — KILLS times —
then a last start, not armed, lets it through.

Proves: after every kill the database is consistent (integrity check ok; the transaction in flight left nothing,
not even its folios: each series counter equals its highest folio); after the last start every sale is in the
ERP exactly once, with no folio gap or duplicate, and the till shows the folios the ERP stored. A batch saved in
more than one commit would leave part of itself behind at the kill, which the count check catches.
"""
from __future__ import annotations

from typing import Any

from tests.e2e import header, payment, selling
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import BatchTrap, Scenario, erp_rows, folio_gaps, half_saved
from tests.faults.till import is_sales_post, local_records, uuids_of

SALES = 16
LINES = 3
KILLS = 3


def _sell(page: Any, products: list[dict]) -> str:
    for i, p in enumerate(products, start=1):
        selling.scan(page, p["barcodes"][0])
        selling.wait_cart_lines(page, i)
    return payment.pay_cash_exact(page)


def _assert_left_consistent(erp: ErpProcess, before: int) -> None:
    """What a dead ERP left behind, read before anything touches the file again."""
    assert erp_rows(erp, "PRAGMA integrity_check") == [("ok",)]
    assert erp_rows(erp, "SELECT COUNT(*) FROM sales")[0][0] == before  # the batch in flight: nothing
    assert half_saved(erp) == []
    assert folio_gaps(erp) == {}
    for series, last in erp_rows(erp, "SELECT series, last_folio FROM folio_series"):
        top = erp_rows(erp, "SELECT MAX(folio) FROM sales WHERE series = ?", series)[0][0] or 0
        assert last == top, (series, last, top)  # the transaction in flight took no folio


def test_erp_killed_inside_a_batch_then_restarted_keeps_each_sale_once(browser: Browser, erp: ErpProcess,
                                                                       ledger: Scenario) -> None:
    products = ts.sellable(erp, LINES)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    posts: list[list[str]] = []
    browser.context.on("request", lambda r: posts.append(uuids_of(r)) if is_sales_post(r) else None)

    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    for _ in range(SALES):
        ledger.sold(_sell(page, products))
    header.wait_pending(page, SALES)
    before = erp_rows(erp, "SELECT COUNT(*) FROM sales")[0][0]
    batch = sorted(r["uuid"] for r in local_records(page))
    posts.clear()  # the till also tried each sale while offline (requests that never left the browser)

    trap = BatchTrap(erp)
    for kill in range(KILLS):
        trap.arm()
        if kill:
            erp.start()  # same database, same port (the till's heartbeat notices it and resends)
        else:
            browser.context.set_offline(False)
        paused = trap.wait()  # the till posts its pending sales as one batch; the ERP holds it, uncommitted
        assert paused == {"pid": erp.pid, "sales": SALES}, paused  # the whole batch is inside the transaction
        erp.kill()  # SIGKILL inside the transaction, then reap; nothing else is done to the database
        _assert_left_consistent(erp, before)
        local = local_records(page)  # (a Playwright call: delivers the request events recorded meanwhile)
        assert all(r["state"] != "synced" for r in local), kill  # no answer ever reached the till
        assert posts and all(sorted(p) == batch for p in posts), posts  # always the whole batch

    erp.start()  # not armed: the batch goes through
    header.wait_pending(page, 0, timeout=120_000)  # the till notices the ERP is back and sends the batch again

    ledger.assert_exactly_once()
    assert half_saved(erp) == [] and folio_gaps(erp) == {}
    assert len(posts) >= KILLS + 1 and all(sorted(p) == batch for p in posts), posts
    rows = {n: (s, f) for n, s, f in erp_rows(erp, "SELECT number, series, folio FROM sales")}
    shown = {r["number"]: (r.get("series"), r.get("folio")) for r in local_records(page)}
    assert shown == {n: rows[n] for n in ledger.made}  # the till shows the folios the ERP stored
    assert browser.console_errors == []
