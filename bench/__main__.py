"""`python -m bench [--quick]`: every measure in one run, a table on the terminal, and
bench/results/<date>-<quick|full>.json with the machine, versions and every figure.

What it is for: orchestration only — seed the demo databases with the real CLI, start real servers, run each
measure module, put every figure next to its goal and its floor. A measure that fails is recorded with its
error and the run goes on (the table says "error"), so one broken part never hides the others.
What it must NOT do: assert or exit non-zero because a goal is missed (benchmarks are not tests), write anywhere
but bench/results/ and temporary directories, or leave a server, a PostgreSQL or a browser running.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench import machine
from bench.erp import Database, PostgresCluster, Server
from bench.report import RESULTS, table, write

QUICK: dict[str, Any] = {"sizes": [(10_000, 5_000)], "feed_runs": 3, "load_runs": 2, "open_runs": 2, "cold_runs": 1,
         "search_n": 200, "ingest_sales": 200, "ingest_runs": 1, "sync_sales": 100, "commit_sales": 20,
         "chain_load_tills": 100, "chain_sync_tills": 50, "chain_sales_per_till": 50, "soak_sales": 2000,
         "compaction_products": 10_000}
TABLET_CPU = 4  # an entry-level Android tablet against this machine's cores (CDP CPU throttling rate)
FULL: dict[str, Any] = {"sizes": [(10_000, 5_000), (100_000, 50_000)], "feed_runs": 3, "load_runs": 3, "open_runs": 5,
        "cold_runs": 3, "search_n": 1000, "ingest_sales": 1000, "ingest_runs": 2, "sync_sales": 1000,
        "commit_sales": 200, "chain_load_tills": 100, "chain_sync_tills": 200, "chain_sales_per_till": 50,
        "soak_sales": 2000, "compaction_products": 100_000}


def _figures(value: Any) -> Any:
    """What of a step's return value is figures (not the catalog items nor a browser profile)."""
    if isinstance(value, tuple):
        value = value[0]
    if isinstance(value, dict) and "items" in value:
        value = {k: v for k, v in value.items() if k != "items"}
    return value


def _step(results: dict[str, Any], key: str, fn: Any, *args: Any, **kw: Any) -> Any:
    """Run one measure; its error is recorded instead of raised. Every step's figures are also appended to
    bench/results/.partial.jsonl at once, so a run killed half-way keeps what it measured."""
    t0 = time.perf_counter()
    print(f"· {key} …", flush=True)
    try:
        value = fn(*args, **kw)
    except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
        traceback.print_exc()
        results[key] = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
        value = None
    results.setdefault("step_s", {})[key] = round(time.perf_counter() - t0, 1)
    try:
        with open(RESULTS / ".partial.jsonl", "a") as f:
            f.write(json.dumps({"step": key, "value": _figures(results.get(key, value))}, default=str) + "\n")
    except (OSError, TypeError):
        pass
    print(f"  {key}: {results['step_s'][key]} s", flush=True)
    return value


def _browser_pass(results: dict[str, Any], prefix: str, pw: Any, srv: Server, paired: dict[str, Any],
                  items: list[dict[str, Any]], db: Database, products: int, customers: int, cfg: dict[str, Any],
                  biggest: bool, skip: set[str]) -> None:
    """Catalog load; on the largest catalog also opening, selling and search; figures under `prefix`."""
    from bench import catalog_load, opening, search, selling

    loaded = _step(results, f"{prefix}catalog_load_{products}", catalog_load.measure, pw, srv.url, paired,
                   products, customers, cfg["load_runs"])
    if loaded:
        results[f"{prefix}catalog_load_{products}"], profile = loaded
        if biggest:
            res = _step(results, f"{prefix}opening", opening.measure, pw, srv.url, profile, cfg["open_runs"],
                        cfg["cold_runs"])
            if res:
                results[f"{prefix}opening"] = res
            if "pos" not in skip:
                res = _step(results, f"{prefix}selling", selling.measure, pw, srv.url, profile, paired, items, db,
                            cfg["commit_sales"], cfg["sync_sales"])
                if res:
                    results[f"{prefix}selling"] = res
        profile.remove()
    if biggest and "search" not in skip:
        res = _step(results, f"{prefix}search", search.measure, pw, srv.url, paired["token"], items,
                    cfg["search_n"])
        if res:
            results[f"{prefix}search"] = res


def _chain(work: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    """A chain's morning on its own PostgreSQL, seeded with the run's largest catalog (bench/chain.py)."""
    from bench import chain

    products, customers = max(cfg["sizes"])
    with PostgresCluster() as pg:
        db = Database.postgres(work, pg)
        db.seed(products, customers)
        return chain.measure(db, work, cfg["chain_load_tills"], cfg["chain_sync_tills"], cfg["chain_sales_per_till"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--quick", action="store_true", help="10k products, fewer repetitions (a few minutes on an idle machine)")
    ap.add_argument("--skip", default="", help="comma list of sections to skip: feed,browser,search,ingest,pos,chain,tablet,wifi,soak,compaction")
    args = ap.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    skip = set(filter(None, args.skip.split(",")))
    started = time.perf_counter()
    load_start = machine.load_average()
    work = Path(tempfile.mkdtemp(prefix="caja-bench-"))
    results: dict[str, Any] = {}
    from playwright.sync_api import sync_playwright

    from bench import browser, compaction, feed, ingest, soak, wifi

    pg_version = None
    try:
        with sync_playwright() as pw:
            chromium = browser.version(pw)
            templates: dict[int, Database] = {}
            seeds: dict[str, float] = {}
            for products, customers in cfg["sizes"]:
                db = Database.sqlite(work, f"tpl{products}")
                seeds[f"{products}+{customers}"] = db.seed(products, customers)
                templates[products] = db
            results["seed_s"] = seeds
            items: dict[int, list[dict[str, Any]]] = {}
            biggest = max(templates)
            for products, customers in cfg["sizes"]:
                db = templates[products].copy(work, f"feed{products}")
                with Server(db) as srv:
                    paired = srv.pair()
                    if "feed" not in skip:
                        res = _step(results, f"feed_{products}", feed.measure, srv.url, paired["token"],
                                    cfg["feed_runs"])
                        if res:
                            results[f"feed_{products}"] = res["feed"]
                            items[products] = res["items"]
                    if products not in items:
                        items[products] = feed.fetch_all(srv.url, paired["token"])["items"]
                    if products == biggest and "wifi" not in skip:
                        res = _step(results, "wifi", wifi.measure, pw, srv.url, paired["token"], cfg["cold_runs"])
                        if res:
                            results["wifi"] = res
                    if "browser" in skip:
                        continue
                    _browser_pass(results, "", pw, srv, paired, items[products], db, products, customers, cfg,
                                  products == biggest, skip)
                    if products == biggest and "tablet" not in skip:
                        # The same measures on a tablet-class CPU (CDP CPU throttling on every page).
                        browser.EMULATION["cpu"] = TABLET_CPU
                        try:
                            _browser_pass(results, "tablet_", pw, srv, paired, items[products], db, products,
                                          customers, cfg, True, skip)
                        finally:
                            browser.EMULATION.clear()
            if "soak" not in skip:  # one page selling all day: memory, listener proxies, Cobrar at the end
                small = min(templates)
                with Server(templates[small].copy(work, "soak")) as srv:
                    res = _step(results, "soak", soak.measure, pw, srv.url, srv.pair(), items[small],
                                cfg["soak_sales"])
                    if res:
                        results["soak"] = res
            if "compaction" not in skip:  # a year of daily delta refreshes: the open against day one
                res = _step(results, "compaction", compaction.measure, cfg["compaction_products"], cfg["open_runs"])
                if res:
                    results["compaction"] = res
            if "ingest" not in skip:
                small = min(templates)
                res = _step(results, "ingest_sqlite", ingest.measure, templates[small].copy(work, "ingest"),
                            items[small], cfg["ingest_sales"], cfg["ingest_runs"])
                if res:
                    results["ingest_sqlite"] = res
                try:
                    with PostgresCluster() as pg:
                        pg_version = pg.version()
                        pdb = Database.postgres(work, pg)
                        pdb.seed(small, min(c for p, c in cfg["sizes"] if p == small))
                        res = _step(results, "ingest_postgres", ingest.measure, pdb, items[small],
                                    cfg["ingest_sales"], cfg["ingest_runs"])
                        if res:
                            results["ingest_postgres"] = res
                except Exception as exc:  # noqa: BLE001 - recorded
                    traceback.print_exc()
                    results["ingest_postgres"] = {"error": f"{type(exc).__name__}: {exc}"}
            if "chain" not in skip:
                res = _step(results, "chain", _chain, work, cfg)
                if res:
                    results["chain"] = res
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info = machine.info(chromium if "chromium" in locals() else None, pg_version)
    info["load_average_start"], info["load_average_end"] = load_start, machine.load_average()
    mode = "quick" if args.quick else "full"
    doc = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "mode": mode,
           "command": "make bench" + (" QUICK=1" if args.quick else ""), "config": cfg, "machine": info,
           "results": results, "wall_s": round(time.perf_counter() - started, 1)}
    rows = table(doc)
    doc["table"] = rows
    path = write(doc)
    print(f"\nwritten {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
          f" ({doc['wall_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
