"""Driving the real POS page (/pos/) for the benchmark without editing it: pre-pairing through the page's own
IndexedDB module, and reading the figures the page already records (globalThis.cajaBoot marks, Resource Timing,
paint entries, the html[data-py-ready] flag).

What it is for: `prepair(page, url, paired)` stores token + terminal with /pos/idb/idb.js's metaPutMany (the schema
the POS itself creates), so a benchmark can start at "paired, nothing loaded" like the pairing screen would leave
it; `wait_sell(page)` waits until the selling screen's search box exists; `boot_figures(page)` reads the marks.
What it must NOT do: reach into the POS's Python, change its stores beyond what pairing writes, or sleep.
"""
from __future__ import annotations

import json
from typing import Any

READY_SELL = ("() => document.documentElement.dataset.pyError || "
              "(document.documentElement.dataset.pyReady === '1' && !!document.getElementById('search'))")
READY_ANY = "() => document.documentElement.dataset.pyError || document.documentElement.dataset.pyReady === '1'"


class PosError(RuntimeError):
    pass


def prepair(page: Any, url: str, paired: dict[str, Any]) -> None:
    page.goto(url + "/bench/blank.html")
    page.evaluate("""async (values) => {
        const idb = await import('/pos/idb/idb.js');
        await idb.metaPutMany(values);
    }""", json.dumps({"token": paired["token"], "terminal": paired["terminal"]}))


def _wait(page: Any, expr: str, timeout_ms: int) -> None:
    page.wait_for_function(expr, timeout=timeout_ms, polling=20)
    err = page.evaluate("document.documentElement.dataset.pyError || null")
    if err:
        raise PosError(f"POS error: {err}")


def wait_sell(page: Any, timeout_ms: int = 240_000) -> None:
    _wait(page, READY_SELL, timeout_ms)


def wait_any(page: Any, timeout_ms: int = 120_000) -> None:
    _wait(page, READY_ANY, timeout_ms)


def boot_figures(page: Any) -> dict[str, Any]:
    """Page times (ms since navigation start) of the POS's own marks + paint entries."""
    return dict(page.evaluate("""() => {
      const b = globalThis.cajaBoot || {start: NaN, marks: {}};
      const at = (k) => (k in b.marks ? Math.round(b.start + b.marks[k]) : null);
      const out = {boot_module_ms: Math.round(b.start), python_ready_ms: at('python_ready'),
                   app_on_path_ms: at('app_on_path'), app_ready_ms: at('app_ready'),
                   first_paint_ms: null, first_contentful_paint_ms: null};
      for (const e of performance.getEntriesByType('paint')) {
        if (e.name === 'first-paint') out.first_paint_ms = Math.round(e.startTime);
        if (e.name === 'first-contentful-paint') out.first_contentful_paint_ms = Math.round(e.startTime);
      }
      return out;
    }"""))


def first_request_ms(page: Any, fragment: str) -> float | None:
    return page.evaluate("""(f) => {
      const e = performance.getEntriesByType('resource').find((r) => r.name.includes(f));
      return e ? e.startTime : null;
    }""", fragment)
