"""Catalog load in the real POS, from "start loading" to "searchable", against the raw-JS floor in the same run.

What it is for: a paired device with nothing stored opens /pos/; the POS fetches every catalog and customers page,
stores them in chunks and indexes them; it is searchable when its selling screen is up (its own `app_ready`
mark, set by web/caja_pos/app.py after refresh_feeds + show_sell). Start = the first /api/catalog request (Resource
Timing), so the runtime boot is not counted here (the opening measure covers it). The floor (bench/pages/floor.mjs)
fetches the same pages at the same page size and stores the same bytes with plain JS, in the same profile.
What it must NOT do: count pairing or the runtime boot in the load, share IndexedDB between runs (a fresh
profile each), or compare against a floor measured in another run.
"""
from __future__ import annotations

from typing import Any

from bench import pospage
from bench.browser import Profile, long_tasks
from bench.feed import pos_page_size
from bench.stats import median, ratio


def _pos_run(pw: Any, url: str, paired: dict[str, Any]) -> tuple[Profile, dict[str, Any]]:
    prof = Profile(pw)
    page = prof.open()
    pospage.prepair(page, url, paired)
    page.goto(url + "/pos/")
    pospage.wait_sell(page)
    start = pospage.first_request_ms(page, "/api/catalog")
    customers = pospage.first_request_ms(page, "/api/customers")
    end = pospage.boot_figures(page)["app_ready_ms"]
    if start is None or end is None:
        raise pospage.PosError("no /api/catalog request or no app_ready mark: the POS did not load a catalog")
    lt = long_tasks(page, start, end)
    return prof, {"total_ms": end - start, "catalog_ms": (customers or end) - start, "longest_task_ms": lt["longest_ms"],
                  "long_tasks": lt["count"]}


def _floor_run(page: Any, url: str, token: str, size: int) -> dict[str, Any]:
    page.goto(url + "/bench/floor.html")
    page.wait_for_function("() => document.documentElement.dataset.ready === '1'")
    return dict(page.evaluate("([t, n]) => benchFloor(t, n)", [token, size]))


def measure(pw: Any, url: str, paired: dict[str, Any], products: int, customers: int,
            runs: int) -> tuple[dict[str, Any], Profile]:
    """Returns the figures and the last run's profile (paired, catalog stored) for the opening measures."""
    size = pos_page_size()
    pos: list[dict[str, Any]] = []
    floor: list[dict[str, Any]] = []
    keep: Profile | None = None
    for i in range(runs):
        prof, res = _pos_run(pw, url, paired)
        pos.append(res)
        floor.append(_floor_run(prof.page, url, paired["token"], size))
        if i == runs - 1:
            keep = prof
        else:
            prof.remove()
    assert keep is not None
    total = median([x["total_ms"] for x in pos])
    floor_total = median([x["total_ms"] for x in floor])
    out = {
        "products": products, "customers": customers, "page_size": size, "runs": runs,
        "pos_total_ms": total, "pos_total_ms_runs": [round(x["total_ms"]) for x in pos],
        "pos_catalog_ms": median([x["catalog_ms"] for x in pos]),
        "products_per_s": products / (median([x["catalog_ms"] for x in pos]) or 1) * 1000,
        "floor_total_ms": floor_total, "floor_total_ms_runs": [round(x["total_ms"]) for x in floor],
        "floor_catalog_ms": median([x["catalog_ms"] for x in floor]),
        "ratio_to_floor": ratio(total, floor_total),
        "longest_task_ms": max(x["longest_task_ms"] for x in pos),
        "floor_counts": {"products": floor[-1]["products"], "customers": floor[-1]["customers"]},
    }
    return out, keep
