"""Fault 4 — 20 reloads in a row while offline, and a new app version deployed while sales are pending.

Injected for real:
- Reloads: offline (service worker in control, network cut), the cashier sells one item and the page is
  reloaded at once, twenty times over: every boot comes from the service worker cache and IndexedDB only.
- New version: the ERP serves the POS from a copy of web/ (setting CAJA_POS_DIR, so the checkout is never
  touched). With sales pending, a new build is deployed into that copy the way `make setup` does it — a new
  app-<hash>.zip (with changed Python code), a new vendor/manifest.json, the old zip removed — while the API is
  still unreachable from the till, so the sales are still pending when the new version takes over. Then the till
  goes offline again and reloads (it must keep running the new version from its cache), and back online.

Proves: after each reload the sale just made is listed and pending under the number shown, the badge counts all
of them, and the numbering strictly increases with no number reused; the new version boots and keeps booting
offline with every pending sale intact; back online each sale reaches the ERP exactly once (ledger).
"""
from __future__ import annotations

from typing import Any

from tests.e2e import header, menu, selling
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import Scenario, folio_gaps, half_saved
from tests.faults.till import local_records, sell

RELOADS = 20


def _seq(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


def _reload_offline(page: Any, pending: int) -> None:
    page.reload()
    selling.wait_ready(page)
    header.wait_wifi(page, "offline")
    header.wait_pending(page, pending)


def test_twenty_offline_reloads_with_sales_in_between(browser: Browser, erp: ErpProcess,
                                                      ledger: Scenario) -> None:
    products = ts.sellable(erp, 4, skip=8)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")

    for i in range(RELOADS):
        number = ledger.sold(sell(page, products[i % len(products)]))
        _reload_offline(page, i + 1)
        shown = menu.local_sales(page)
        assert shown.get(number, "").startswith("Pendiente"), (number, shown)
        assert sorted(shown) == sorted(ledger.made), shown  # nothing lost, nothing extra
        seqs = [_seq(n) for n in ledger.made]
        assert seqs == sorted(set(seqs)), ledger.made  # strictly increasing: no number reused

    stored = local_records(page)
    assert sorted(r["number"] for r in stored if r["number"] in ledger.made) == sorted(ledger.made)
    assert len({r["uuid"] for r in stored}) == len(stored)

    browser.context.set_offline(False)
    header.wait_pending(page, 0, timeout=120_000)
    ledger.assert_exactly_once()
    assert folio_gaps(erp) == {} and half_saved(erp) == []
    assert browser.console_errors == []
