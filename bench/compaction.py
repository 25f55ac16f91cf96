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
import gc
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
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


def _open_once(chunks: list[str]) -> float:
    """One open's parse + index of the stored catalog (app.App._read_stored without the Worker), in ms."""
    from poscore.catalog import CatalogIndex

    gc.collect()
    t0 = time.perf_counter()
    index = CatalogIndex()
    for text in chunks:
        index.add(json.loads(text))
    return (time.perf_counter() - t0) * 1000


def _year(products: int, compact: bool) -> dict[str, Any]:
    """Day one's and day 365's stored chunks (in key order), and the refreshes' times."""
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

    def stored() -> list[str]:
        return asyncio.run(storage.chunks_raw(CATALOG_STORE))

    slack = sync.COMPACT_SLACK
    if not compact:
        sync.COMPACT_SLACK = DAYS + 1  # never reached in a year: the deltas pile up as before compaction
    try:
        since = asyncio.run(sync.load_feed(erp, storage, "tok", "catalog", 0, ignore))
        day_one = stored()
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
    return {"day_one": day_one, "day_365": stored(), "refresh_ms_max": round(max(refresh_ms), 1)}


def measure(products: int, runs: int) -> dict[str, Any]:
    """Day one against day 365 with compaction (as shipped) and without it. In a thread of its own: the feed code
    runs on asyncio, and the bench's thread already has Playwright's loop running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_measure, products, runs).result()


def _measure(products: int, runs: int) -> dict[str, Any]:
    kept = _year(products, compact=True)
    piled = _year(products, compact=False)
    stores = {"day_one": kept["day_one"], "compacted": kept["day_365"], "piled": piled["day_365"]}
    # Round-robin, after one warm-up each: a busy machine slows all three alike instead of whichever ran last.
    times: dict[str, list[float]] = {k: [] for k in stores}
    for i in range(max(7, runs) + 1):
        for name, chunks in stores.items():
            ms = _open_once(chunks)
            if i:
                times[name].append(ms)
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    size = {k: round(sum(len(c) for c in v) / 1e6, 2) for k, v in stores.items()}
    return {"products": products, "days": DAYS, "changes_per_day": CHANGES_PER_DAY,
            "day_one_chunks": len(stores["day_one"]), "day_one_open_ms": round(med["day_one"], 1),
            "day_one_mb": size["day_one"],
            "compacted_chunks": len(stores["compacted"]), "compacted_open_ms": round(med["compacted"], 1),
            "compacted_mb": size["compacted"],
            "compacted_to_day_one": round(med["compacted"] / med["day_one"], 2),
            "compacted_refresh_ms_max": kept["refresh_ms_max"],
            "piled_chunks": len(stores["piled"]), "piled_open_ms": round(med["piled"], 1), "piled_mb": size["piled"],
            "piled_to_day_one": round(med["piled"] / med["day_one"], 2)}


if __name__ == "__main__":  # a quick look without the whole bench: python -m bench.compaction [products]
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, 3), indent=1))
