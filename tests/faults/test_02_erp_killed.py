"""Fault 2 — the ERP process is killed (SIGKILL) in the middle of a sales batch, then started again; three times.

Injected for real: the till sells SALES sales of LINES lines offline, then comes back online and posts them as
one batch. `ErpKiller` freezes the `caja serve` process every millisecond and reads its SQLite file; when two
looks in a row find the server holding SQLite's write lock while the batch is not all stored (it is inside the
batch's transaction — the ERP writes a batch in one, or one per sale), it SIGKILLs the frozen process: no
rollback, no shutdown, the browser's POST dies with a reset connection. The ERP is started again on the same
database and port; the till resends the batch by itself and the ERP is killed inside it again — KILLS times —
then a last restart lets it through.

Proves: after every kill the database is consistent (integrity check ok; whatever was committed before the
kill is whole, the transaction in flight left nothing, not even its folios: each series counter equals its
highest folio); after the last restart every sale is in the ERP exactly once, with no folio gap or duplicate;
a sale committed before a kill keeps the folio it got then (the resends are answered `duplicate: true`), and
the till shows the folios the ERP stored. A sale or batch saved in two commits instead of one is caught by
`half_saved` or the folio counter check as soon as a kill lands between them.
"""
from __future__ import annotations

from typing import Any

from tests.e2e import header, payment, selling
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import ErpKill, ErpKiller, Scenario, erp_rows, folio_gaps, half_saved
from tests.faults.till import is_sales_post, local_records, uuids_of

SALES = 16
LINES = 3
KILLS = 3


def _sell(page: Any, products: list[dict]) -> str:
    for i, p in enumerate(products, start=1):
        selling.scan(page, p["barcodes"][0])
        selling.wait_cart_lines(page, i)
    return payment.pay_cash_exact(page)


def _assert_left_consistent(erp: ErpProcess, before: int, kill: ErpKill) -> None:
    """What a dead ERP left behind, read before anything touches the file again."""
    assert erp_rows(erp, "PRAGMA integrity_check") == [("ok",)]
    assert erp_rows(erp, "SELECT COUNT(*) FROM sales")[0][0] == before + kill.committed  # the one in flight: nothing
    assert half_saved(erp) == [], kill
    assert folio_gaps(erp) == {}, kill
    for series, last in erp_rows(erp, "SELECT series, last_folio FROM folio_series"):
        top = erp_rows(erp, "SELECT MAX(folio) FROM sales WHERE series = ?", series)[0][0] or 0
        assert last == top, (series, last, top, kill)  # the transaction in flight took no folio


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

    kills: list[ErpKill] = []
    for _ in range(KILLS):
        if kills:
            erp.start()  # same database, same port (it answers before the till's next heartbeat notices it)
        killer = ErpKiller(erp, before=before, batch=SALES)
        killer.start()
        if not kills:
            browser.context.set_offline(False)
        kill = killer.result()  # the till posts its pending sales as one batch, and the ERP dies inside it
        erp.kill()  # reap the process; nothing else is done to the database
        assert kill.committed < SALES, kill
        _assert_left_consistent(erp, before, kill)
        for earlier in kills:  # a resend never moved a sale stored before an earlier kill
            assert {u: kill.folios[u] for u in earlier.folios} == earlier.folios
        kills.append(kill)
        local = local_records(page)  # (a Playwright call: delivers the request events recorded meanwhile)
        assert all(r["state"] != "synced" for r in local), kill  # no answer ever reached the till
        assert posts and all(sorted(p) == batch for p in posts), posts  # always the whole batch

    erp.start()
    header.wait_pending(page, 0, timeout=120_000)  # the till notices the ERP is back and sends the batch again

    ledger.assert_exactly_once()
    assert half_saved(erp) == [] and folio_gaps(erp) == {}
    stored = {u: (s, f) for u, s, f in erp_rows(erp, "SELECT uuid, series, folio FROM sales")}
    for kill in kills:  # committed before a kill: the same folio at the end
        assert {u: stored[u] for u in kill.folios} == kill.folios
    assert len(posts) >= KILLS + 1 and all(sorted(p) == batch for p in posts), posts
    rows = {n: (s, f) for n, s, f in erp_rows(erp, "SELECT number, series, folio FROM sales")}
    shown = {r["number"]: (r.get("series"), r.get("folio")) for r in local_records(page)}
    assert shown == {n: rows[n] for n in ledger.made}  # the till shows the folios the ERP stored
    assert browser.console_errors == []
