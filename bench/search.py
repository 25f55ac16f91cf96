"""Search over the served catalog inside Pyodide in Chromium, with the POS's own search (poscore.CatalogIndex):
p50 / p95 per query kind, timed inside Python in the page (bench/pages/search.mjs).

What it is for: barcode and SKU lookups (`by_code`, what Enter after a scan does), and 1–3 word name queries
(`search(q, limit=RESULTS)`, what each keystroke does), over the same catalog the POS loads, with the same
runtime and app zip. Queries are drawn from the catalog itself (hits), the last word of a 3-word query cut to
3 letters as a cashier types it. The index is prepared first (`CatalogIndex.prepare`: code pages merged, name
order built), as the POS does in the background after a load; its steps and one lookup before it are reported.
What it must NOT do: time in CPython (the POS runs in Pyodide), include the JS↔Python crossing in a query's
time, or change poscore. When the POS exposes a measuring hook, the same queries should also be run there.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from bench.browser import Profile
from bench.feed import pos_page_size
from bench.stats import pct, r


def results_limit() -> int:
    src = (Path(__file__).resolve().parents[1] / "web" / "caja_pos" / "screens" / "sell.py").read_text()
    m = re.search(r"^RESULTS\s*=\s*(\d+)", src, re.MULTILINE)
    return int(m.group(1)) if m else 20


def make_queries(items: list[dict[str, Any]], n: int, seed: int = 3) -> dict[str, list[str]]:
    rng = random.Random(seed)
    sample = rng.sample(items, min(n, len(items)))
    words = [[w for w in p["name"].lower().split() if len(w) >= 3] for p in sample]
    q: dict[str, list[str]] = {
        "barcode_by_code": [p["barcodes"][0] for p in sample if p["barcodes"]],
        "sku_by_code": [p["sku"] for p in sample],
        "name_1_word": [rng.choice(ws) for ws in words if ws],
        "name_2_words": [" ".join(ws[:2]) for ws in words if len(ws) >= 2],
        "name_3_words": [" ".join(ws[:2] + [ws[2][:3]]) for ws in words if len(ws) >= 3],
    }
    return q


def measure(pw: Any, url: str, token: str, items: list[dict[str, Any]], n: int) -> dict[str, Any]:
    queries = make_queries(items, n)
    with Profile(pw) as page:
        page.goto(url + "/bench/search.html")
        page.wait_for_function("() => document.documentElement.dataset.ready === '1'", polling=50)
        res = page.evaluate("([t, n, q, s, l]) => benchSearch(t, n, q, s, l)",
                            [token, pos_page_size(), json.dumps(queries), 1000, results_limit()])
    out: dict[str, Any] = {"products": res["products"], "index_ms": r(res["index_ms"]),
                           "lookup_before_prepare_ms": r(res["lookup_before_prepare_ms"], 2),
                           "prepare_ms": r(res["prepare_ms"]), "prepare_steps": res["prepare_steps"],
                           "prepare_longest_step_ms": r(res["prepare_longest_step_ms"], 1),
                           "first_search_ms": r(res["first_search_ms"], 2), "limit": results_limit(), "kinds": {}}
    for kind, ts in res["times"].items():
        out["kinds"][kind] = {"n": len(ts), "hits": res["hits"][kind], "p50_ms": r(pct(ts, 50), 3),
                              "p95_ms": r(pct(ts, 95), 3), "max_ms": r(max(ts) if ts else None, 3)}
    return out
