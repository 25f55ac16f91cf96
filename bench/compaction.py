"""A year of daily price changes against the stored catalog: 365 delta refreshes through the POS's own feed code
(web/caja_pos/services/sync.load_feed, web/storage.py), then the work of opening the till compared with day one.

What it is for: every open reads and parses every stored chunk and indexes its products (app.App._read_stored);
a delta refresh appends a chunk, so without compaction a shop that changes prices daily would open a little slower
every day. Measured: chunks stored, bytes stored, and the open's parse + index time (json.loads of each chunk and
poscore's CatalogIndex.add, as the POS does without its catalog Worker) on day one, on day 365 with compaction
(the POS as shipped) and on day 365 without it (the slack set beyond a year), in the same process.
What it must NOT do: stand for the browser's absolute figures (this is CPython over an in-memory store: the
IndexedDB read, which grows with the same bytes, is not in it; the ratios are what to read), or change web/.
The store and the feed are tests/web/fakes.py's (FakeIdb's chunk functions mean what idb.js's do).
"""
from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[1] / "web"
CHANGES_PER_DAY = 50  # prices a shop edits in a day
DAYS = 365
CATALOG_STORE = "catalog_chunks"


def _product(pid: int, rng: random.Random) -> dict:
    return {"id": pid, "sku": f"SKU{pid:06d}", "barcodes": [f"750{pid:010d}"],
            "name": f"Producto {rng.choice(['Arroz', 'Frijol', 'Jabón', 'Aceite', 'Café'])} {pid}", "unit": "pieza",
            "iva": "16", "ieps": None, "price": f"{rng.randint(5, 500)}.{rng.randint(0, 99):02d}", "stock": "25.000",
            "active": True, "sellable": True, "version": 1}


def _open_ms(storage: Any, runs: int) -> float:
    """The median of `runs` opens' parse + index of the stored catalog (app.App._read_stored without the Worker)."""
    from poscore.catalog import CatalogIndex

    times = []
    for i in range(runs + 1):  # the first is a warm-up (imports, allocator), not counted
        t0 = time.perf_counter()
        raw = asyncio.run(storage.chunks_raw(CATALOG_STORE))
        index = CatalogIndex()
        for text in raw:
            index.add(json.loads(text))
        if i:
            times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)[len(times) // 2]


def _year(products: int, compact: bool, runs: int) -> dict[str, Any]:
    if str(WEB) not in sys.path:
        sys.path.insert(0, str(WEB))
    from caja_pos.services import sync
    from storage import Storage

    from tests.web.fakes import FakeErp, FakeIdb  # the tests' IndexedDB and feed, with idb.js's meaning

    rng = random.Random(13)
    erp = FakeErp([_product(i, rng) for i in range(1, products + 1)], version=1)
    store = FakeIdb()
    storage = Storage(store)

    async def ignore(items: list[dict], done: int, total: int) -> None:
        return None

    slack = sync.COMPACT_SLACK
    if not compact:
        sync.COMPACT_SLACK = DAYS + 1  # never reached in a year: the deltas pile up as before compaction
    try:
        since = asyncio.run(sync.load_feed(erp, storage, "tok", "catalog", 0, ignore))
        day_one = {"chunks": len(store.chunks[CATALOG_STORE]), "open_ms": _open_ms(storage, runs),
                   "bytes": sum(len(v) for v in store.chunks[CATALOG_STORE].values())}
        refresh_ms = []
        for day in range(2, DAYS + 2):
            erp.version = day
            for pid in rng.sample(range(1, products + 1), CHANGES_PER_DAY):
                erp.products[pid - 1] = {**erp.products[pid - 1], "price": f"{rng.randint(5, 500)}.50",
                                         "version": day}
            t0 = time.perf_counter()
            since = asyncio.run(sync.load_feed(erp, storage, "tok", "catalog", since, ignore))
            refresh_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        sync.COMPACT_SLACK = slack
    return {"day_one": day_one, "chunks": len(store.chunks[CATALOG_STORE]), "open_ms": _open_ms(storage, runs),
            "bytes": sum(len(v) for v in store.chunks[CATALOG_STORE].values()),
            "refresh_ms_max": round(max(refresh_ms), 1),
            "refresh_ms_median": round(sorted(refresh_ms)[len(refresh_ms) // 2], 1)}


def measure(products: int, runs: int) -> dict[str, Any]:
    """Day one against day 365 with compaction (as shipped) and without it."""
    kept = _year(products, compact=True, runs=runs)
    piled = _year(products, compact=False, runs=runs)
    one = kept["day_one"]
    return {"products": products, "days": DAYS, "changes_per_day": CHANGES_PER_DAY,
            "day_one_chunks": one["chunks"], "day_one_open_ms": round(one["open_ms"], 1),
            "day_one_mb": round(one["bytes"] / 1e6, 2),
            "compacted_chunks": kept["chunks"], "compacted_open_ms": round(kept["open_ms"], 1),
            "compacted_mb": round(kept["bytes"] / 1e6, 2),
            "compacted_to_day_one": round(kept["open_ms"] / one["open_ms"], 2),
            "compacted_refresh_ms_max": kept["refresh_ms_max"],
            "piled_chunks": piled["chunks"], "piled_open_ms": round(piled["open_ms"], 1),
            "piled_mb": round(piled["bytes"] / 1e6, 2), "piled_to_day_one": round(piled["open_ms"] / one["open_ms"], 2)}


if __name__ == "__main__":  # a quick look without the whole bench: python -m bench.compaction [products]
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, 3), indent=1))
