"""Fault 7 — the device's clock is hours off (a tablet whose battery died, a wrong time zone set by hand).

Injected for real: an init script replaces the page's `Date` with one running 9 h 17 min behind (so the device
date is usually the day before), which is what Pyodide's clock reads too. Sales are made online and offline.

Proves: every sale is accepted (nothing rejected for its time), it keeps the device's time (`device_time` in
the ERP is what the till wrote, hours off) and the ERP records its own receive time (`received_at` within
minutes of the real clock).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e import header, selling
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import Browser, ErpProcess
from tests.faults.conftest import Scenario, erp_rows
from tests.faults.till import local_records, sell

OFFSET = timedelta(hours=-9, minutes=-17)

SKEW = """(() => {
  const offset = OFFSET_MS;
  const Real = Date;
  class Skewed extends Real {
    constructor(...args) { if (args.length === 0) super(Real.now() + offset); else super(...args); }
    static now() { return Real.now() + offset; }
  }
  globalThis.Date = Skewed;
})();""".replace("OFFSET_MS", str(int(OFFSET.total_seconds() * 1000)))


def test_device_clock_hours_off_keeps_device_time_and_nothing_is_rejected(browser: Browser, erp: ErpProcess,
                                                                          ledger: Scenario) -> None:
    products = ts.sellable(erp, 3, skip=4)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    browser.context.add_init_script(SKEW)
    page.reload()
    selling.wait_ready(page)
    skew_ms = page.evaluate("() => Date.now()") - datetime.now(UTC).timestamp() * 1000
    assert abs(skew_ms - OFFSET.total_seconds() * 1000) < 120_000, skew_ms  # the page really runs hours off

    started = datetime.now(UTC)
    ledger.sold(sell(page, products[0]))  # online: sent at once
    header.wait_pending(page, 0, timeout=60_000)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    for p in products[1:]:
        ledger.sold(sell(page, p))
    header.wait_pending(page, 2)
    browser.context.set_offline(False)
    header.wait_pending(page, 0, timeout=120_000)
    ended = datetime.now(UTC)

    ledger.assert_exactly_once()
    local = {r["number"]: r for r in local_records(page)}
    assert all(local[n]["state"] == "synced" for n in ledger.made)  # none rejected
    for number, device_time, received_at in erp_rows(
            erp, "SELECT number, device_time, received_at FROM sales WHERE number IN (?, ?, ?)", *ledger.made):
        assert device_time == local[number]["sale"]["device_time"]  # kept as the device wrote it
        device = datetime.fromisoformat(device_time)
        received = datetime.fromisoformat(received_at)
        if received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        assert started - timedelta(minutes=2) <= received <= ended + timedelta(minutes=2), received_at
        assert abs((device - received) - OFFSET) < timedelta(minutes=3), (device_time, received_at)
    assert browser.console_errors == []
