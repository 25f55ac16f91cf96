"""Rows of the field measures (a chain's morning; later the tablet and the shop's wi-fi) for bench/report.py.

What it is for: turning results["chain"] into table rows, each figure beside its floor measured in the same run
and its goal as the issue states it. What it must NOT do: measure, or round a figure into meeting its goal.
"""
from __future__ import annotations

from typing import Any

Row = Any  # report.table's row(name, value, unit, goal="", ratio=None, met=None, err=None)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if not a or not b else round(a / b, 2)


def chain_rows(res: dict[str, Any], row: Row) -> None:
    ch = res.get("chain")
    if not ch:
        return
    if "error" in ch:
        row("A chain's morning (PostgreSQL, caja serve --workers 2)", None, "", err=ch["error"])
        return
    c = ch.get("catalog")
    if c:
        n, k = c["cold"]["tills"], f"{c['products'] // 1000}k"
        ok = c["cold"]["failed_tills"] == 0 and c["cold"]["mismatched_pages"] == 0 and c["reference_ok"]
        wall = c["cold"]["wall_s"] * 1000
        row(f"{n} tills load the {k} catalog at once, PG, {c['workers']} workers: all done", round(wall), "ms",
            "≤ 20000 ms", _ratio(wall, c["floor"]["wall_s"] * 1000), ok and wall <= 20000)
        row(f"  per till p50 / p95 ({c['pages']} pages of {c['page_size']}, "
            f"{c['gzip_bytes_per_till'] / 1e6:.2f} MB gzip each)",
            f"{c['cold']['till_p50_s'] * 1000:.0f} / {c['cold']['till_p95_s'] * 1000:.0f}", "ms")
        row("  pages identical to one till's checked load / tills failed",
            f"{c['cold']['requests'] - c['cold']['mismatched_pages']} of {c['cold']['requests']} / "
            f"{c['cold']['failed_tills']}", "", "all / 0", None, ok)
        row("  again, cache warm (every page already built)", round(c["warm"]["wall_s"] * 1000), "ms", "",
            _ratio(c["warm"]["wall_s"], c["floor"]["wall_s"]))
        row("  again with the validators they hold (304s)", round(c["revalidate"]["wall_s"] * 1000), "ms", "",
            None, c["revalidate"]["not_modified"] == c["revalidate"]["requests"])
        row("  floor: same bytes from memory, same workers, no database", round(c["floor"]["wall_s"] * 1000), "ms")
    s = ch.get("sales")
    if s:
        i = s["integrity"]
        row(f"{s['tills']} tills each sync {s['sales_per_till']} sales at once, PG, {s['workers']} workers",
            round(s["sales_per_s"]), "sales/s", "≥ 2000/s", _ratio(s["floor_sales_per_s"], s["sales_per_s"]),
            s["sales_per_s"] >= 2000 and i["ok"])
        row(f"  folios gapless in {i['series']} series, 0 lost / duplicated, replay = same folios",
            "ok" if i["ok"] else "BROKEN", "", "ok", None, i["ok"])
        row("  floor: same requests to an app that only reads them", round(s["floor_sales_per_s"]), "sales/s")
