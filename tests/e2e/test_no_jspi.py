"""The POS runs Python without WebAssembly stack switching (JSPI): Chromium's heap profiler cannot crash it.

Why (web/boot/stack_switching.mjs): with JSPI, Pyodide runs each Python task on a secondary stack; Chromium's
sampling heap profiler walks a sampled allocation's frame pointers up to the thread's stack end and reads past
such a stack: SIGSEGV, "Target crashed" (two CI runs and a bench run; Chromium's crash dumps all show that
walk). Here the profiler is forced on with a small sampling interval (HEAP_PROFILER) so a sample lands on
Python's stack within seconds. Measured 2026-11-30: with web/boot/stack_switching.mjs bypassed (JSPI on) this test
crashed 3 times in 3 while the POS booted, and a bare Pyodide page running asyncio tasks 5 in 5; with it, 3
passes in 3 (≈13 s each).
"""
from __future__ import annotations

from tests.e2e import header, pairing, payment, selling
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

# Chromium's in-process heap profiler on for this session (not left to its per-session dice roll), sampling about
# every 10 kB allocated in every process.
HEAP_PROFILER = ("--enable-features=HeapProfilerReporting:nonstable-probability/1.0/stable-probability/1.0/"
                 "sampling-rate/10000/renderer-sampling-rate-bytes/10000")
SALES = 12
RERUN_ON_CRASH = False  # a renderer crash here is the regression itself (tests/conftest.py reruns others once)


def test_python_runs_without_stack_switching_and_survives_the_heap_profiler(browser: Browser,
                                                                           erp: ErpProcess) -> None:
    products = ts.sellable(erp, 4, skip=20)
    crashes: list[str] = []
    page = browser.open(args=(HEAP_PROFILER,))
    page.on("crash", lambda p: crashes.append(p.url))
    page = pairing.open_pos(page, erp.url)
    pairing.pair(page, erp.pairing_code())
    pairing.wait_catalog_loaded(page)
    selling.wait_ready(page)
    header.wait_wifi(page, "online")

    # Pyodide was started with JSPI hidden, and WebAssembly.Suspending is back for any other code.
    assert page.evaluate("() => cajaBoot.stack_switching") == "off"
    assert page.evaluate("() => typeof WebAssembly.Suspending") == "function"

    numbers = []
    for i in range(SALES):
        selling.scan(page, products[i % 4]["barcodes"][0])
        selling.wait_cart_lines(page, 1)
        numbers.append(payment.pay_cash_exact(page))
    header.wait_pending(page, 0)
    assert len(set(numbers)) == SALES
    assert crashes == []
