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
        w = c.get("warmed_after_change")
        if w:
            row("  after a price change, once the ERP had built the new version (no validators)",
                round(w["wall_s"] * 1000), "ms", "", _ratio(w["wall_s"], c["floor"]["wall_s"]),
                w["failed_tills"] == 0 and w["mismatched_pages"] == 0)
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
        if "client_cpu_s" in s:  # the tills' side shares the ERP's cores here; in a shop it is 200 devices
            row(f"  the {s['tills']} tills' side (bench/rawhttp.py) on the same cores, CPU over the wave",
                s["client_cpu_s"], "s")
        if s.get("cpu_ceiling_sales_per_s"):
            row(f"  ceiling: the {s['cores']} cores at this run's CPU per sale (server "
                f"{s['server_cpu_ms_per_sale']} + PostgreSQL {s['database_cpu_ms_per_sale']} ms; busy "
                f"{round(100 * s['cores_busy'])} %" + (f", steal {round(100 * s['machine_steal'])} %"
                                                       if s.get("machine_steal") is not None else "") + ")",
                s["cpu_ceiling_sales_per_s"], "sales/s")
        if "poscore_check_sales_per_s_one_core" in s:
            row("  floor: poscore recomputing the sales alone, one core (the ERP does it for every sale)",
                round(s["poscore_check_sales_per_s_one_core"]), "sales/s")


def _le(v: Any, g: float) -> bool | None:
    return None if v is None else bool(v <= g)


def tablet_rows(res: dict[str, Any], row: Row) -> None:
    """The 1× measures again at 4× CPU; ratio = to the same figure at 1× in this run (its floor here)."""
    tag = "Tablet (CPU 4×):"
    for key in sorted(k for k in res if k.startswith("tablet_catalog_load_")):
        c, base = res[key], res.get(key.removeprefix("tablet_"), {})
        if "error" in c:
            row(f"{tag} catalog load", None, "", err=c["error"])
            continue
        label = f"{c['products'] // 1000}k + {c['customers'] // 1000}k"
        row(f"{tag} catalog load {label} → searchable", round(c["pos_total_ms"]), "ms", "≤ 12000 ms",
            _ratio(c["pos_total_ms"], base.get("pos_total_ms")), _le(c["pos_total_ms"], 12000))
        row("  raw-JS floor at 4×, same pages", round(c["floor_total_ms"]), "ms", "",
            _ratio(c["pos_total_ms"], c["floor_total_ms"]))
    o, base_o = res.get("tablet_opening"), res.get("opening") or {}
    if o and "error" not in o:
        for mode, name in (("warm", "warm open"), ("offline", "offline open")):
            v = o[mode]["app_ready_ms"]
            row(f"{tag} {name} → sellable, {o.get('products_stored', 0) // 1000}k stored", v, "ms", "≤ 3000 ms",
                _ratio(v, _get(base_o, mode, "app_ready_ms")), _le(v, 3000))
        row(f"{tag} cold first visit → pairing screen", o["cold"]["app_ready_ms"], "ms", "",
            _ratio(o["cold"]["app_ready_ms"], _get(base_o, "cold", "app_ready_ms")))
        row("  bare Pyodide page warm at 4× (npm as shipped)", o["bare_warm_ms"]["source"], "ms")
        mem = o["memory"]["wasm_memory_bytes"] / 2**20
        row(f"{tag} wasm memory with {o.get('products_stored', 0) // 1000}k products", round(mem, 1), "MiB",
            "≤ 128 MiB", None, _le(mem, 128))
    elif o:
        row(f"{tag} opening", None, "", err=o["error"])
    s = res.get("tablet_search")
    if s and "error" not in s:
        worst = max(s["kinds"].items(), key=lambda kv: kv[1]["p95_ms"])
        words = [k for k in s["kinds"] if "word" in k]
        p95 = max(s["kinds"][k]["p95_ms"] for k in words) if words else None
        row(f"{tag} search 1–3 words, worst p95 ({worst[0].replace('_', ' ')})", p95, "ms", "p95 ≤ 20 ms",
            None, _le(p95, 20))
    elif s:
        row(f"{tag} search", None, "", err=s["error"])
    sell = res.get("tablet_selling")
    if sell and "error" not in sell:
        c = sell["commit"]
        row(f"{tag} Cobrar → durably stored p50 / p95", f"{c['p50_ms']} / {c['p95_ms']}", "ms", "p95 ≤ 40 ms",
            _ratio(c["p95_ms"], c.get("floor_spaced_p95_ms") or c.get("floor_p95_ms")), _le(c["p95_ms"], 40))
        if c.get("back_to_back_p95_ms") is not None:
            row("  clicked a few ms after \"Exacto\" (its frame in the timed window), p95", c["back_to_back_p95_ms"], "ms")
        if c.get("floor_spaced_p95_ms") is not None:
            row("  floor at 4×: the same IndexedDB transaction from plain JS, spaced as the sales, p95",
                c["floor_spaced_p95_ms"], "ms")
        row("  floor at 4×: the same IndexedDB transaction from plain JS, back to back, p95", c.get("floor_p95_ms"), "ms")
        row(f"{tag} longest main-thread task while selling", c["longest_task_while_selling_ms"], "ms", "≤ 200 ms",
            None, _le(c["longest_task_while_selling_ms"], 200))
    elif sell:
        row(f"{tag} selling", None, "", err=sell["error"])


def wifi_rows(res: dict[str, Any], row: Row) -> None:
    w = res.get("wifi")
    if not w:
        return
    if "error" in w:
        row("Shop wi-fi (10 Mbit/s, 40 ms)", None, "", err=w["error"])
        return
    f, d = w["first_visit"], w["feed"]
    mb = f["server_bytes"] / 1e6
    row("Wi-fi 10 Mbit/s 40 ms: first visit, bytes sent (runtime, stdlib, app)", round(mb, 2), "MB", "≤ 5 MB",
        None, mb <= 5)
    row("  first visit → pairing screen interactive", f["app_ready_ms"], "ms", "≤ 6000 ms",
        _ratio(f["app_ready_ms"], f["floor_ms"]), _le(f["app_ready_ms"], 6000))
    row("  floor: those bytes at 10 Mbit/s", round(f["floor_ms"]), "ms")
    u = w.get("app_update")
    if u:
        row("Wi-fi: app update bytes (new app version, till had the previous one)",
            round(u["server_bytes"] / 1e6, 3), "MB", "only what changed",
            _ratio(u["server_bytes"], u["app_zip_bytes"]))
        row("  floor: the new app zip (brotli)", round(u["app_zip_bytes"] / 1e6, 3), "MB")
    row(f"Wi-fi: catalog feed {d['pages']} pages, time", round(d["ms"]), "ms", "", _ratio(d["ms"], d["floor_ms"]))
    row("  bytes on the wire / the whole feed gzip'd as one file",
        f"{d['wire_bytes'] / 1e6:.2f} / {d['gzip_one_file_bytes'] / 1e6:.2f}", "MB", "",
        _ratio(d["wire_bytes"], d["gzip_one_file_bytes"]))
    row("  floor: the one-file gzip at 10 Mbit/s + one latency", round(d["floor_ms"]), "ms")


def _get(d: Any, *path: Any) -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d
