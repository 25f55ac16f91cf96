"""The till's catalog in memory at boot: the stored catalog indexed on an open (from the catalog worker's columns,
web/idb/catalog_cols.js), the first load's feed pages indexed as they arrive with its progress bars, and the
stored customers indexed in the background. app.py decides when each runs.

Every step yields to the page between slices of work, so no main-thread task grows with the catalog.

Must not fetch or store (services/sync.py and storage.py do), nor hold business rules (poscore.catalog indexes).
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from storage import CATALOG, CUSTOMERS, Storage

from caja_pos import platform
from caja_pos.net.erp import FeedPage
from caja_pos.services.till import Till
from caja_pos.text.labels import L
from caja_pos.ui.dom import by_id, el, replace
from poscore.catalog import CatalogIndex

SLICE = 1000  # products per indexing step: keeps every main-thread task well under 50 ms
_BUDGET_MS = 30  # boot indexing: yield after this much work (each yield costs ≈1 ms; 150 of them were 0.13 s)

_mark = platform.mark


def _index_parsed(catalog: CatalogIndex, raw: Any, i: int) -> None:
    """Index one stored chunk (a JSON array string held by JS) as product dicts: without the catalog worker."""
    catalog.add(json.loads(str(raw[i])))


def _index_chunk(catalog: CatalogIndex, read: Callable[[int, int], bytes], chunk: dict) -> None:
    """Index one stored chunk as the catalog worker split it (web/idb/catalog_cols.js): from its columns, each
    product kept as a span of the chunk's bytes; or the chunk parsed whole when its columns could not be taken."""
    if "raw" in chunk:
        catalog.add(json.loads(read(*chunk["raw"])))
        return
    ids, active, codes, names, data, spans = (read(*chunk[part]) for part in platform.COLUMN_PARTS)
    catalog.add_packed(ids, active, codes, names, data, spans, json.loads)


def show_text(text: str) -> None:
    """A line on the boot screen (loading, offline, an error)."""
    by_id("boot-text").textContent = text


async def read_stored(till: Till, storage: Storage) -> bool:
    """Index the stored catalog (with this device's stock decrements); True when there was one.

    The index is built from the columns a Worker split out of the stored chunks while the runtime started
    (web/idb/catalog_cols.js), each product kept as a span of its chunk's bytes and parsed when used.
    Without the worker, each chunk is converted and parsed here, as before.
    Customers are indexed afterwards in the background (`read_stored_customers`): the till sells as soon
    as the products are in, and a customer search meanwhile sees those indexed so far.
    """
    catalog = till.catalog
    answer = await platform.take_catalog_columns()
    if answer:
        read, parts = answer
        chunks: list[Callable[[], None]] = [partial(_index_chunk, catalog, read, part) for part in parts]
    else:
        raw = await storage.chunks_raw(CATALOG)
        chunks = [partial(_index_parsed, catalog, raw, i) for i in range(len(raw))]
    _mark("stored_read")
    if not chunks:
        return False
    show_text(L("loading_stored"))
    till.set_deltas(await storage.stock_deltas())
    now = platform.perf_now
    started = now()
    for index in chunks:
        index()
        if now() - started > _BUDGET_MS:  # one main-thread task per ~30 ms of work
            await asyncio.sleep(0)
            started = now()
    _mark("catalog_indexed")
    return True


async def read_stored_customers(till: Till, storage: Storage) -> None:
    customers = await storage.chunks_raw(CUSTOMERS)
    for i in range(len(customers)):
        chunk = json.loads(str(customers[i]))
        await asyncio.sleep(0)
        for j in range(0, len(chunk), SLICE):
            till.customers.add(chunk[j:j + SLICE])
            await asyncio.sleep(0)
    till.customers.add(await storage.local_customers())
    _mark("customers_indexed")


async def index_page(catalog: CatalogIndex, page: FeedPage) -> None:
    """Index a catalog feed page: from the columns JS split out (each product kept as a span of the page's bytes;
    a whole page in one task, a few ms: its codes and names come as one text each), else its dicts, a slice per
    task."""
    cols = page.columns()
    if cols is not None:
        ids, active, codes, names, data, spans = cols
        catalog.add_packed(ids, active, codes, names, data, spans, json.loads)
        await asyncio.sleep(0)
        return
    items = page.items()
    for i in range(0, len(items), SLICE):
        catalog.add(items[i:i + SLICE])
        await asyncio.sleep(0)


def _show_load_progress() -> dict[str, Any]:
    bars = {}
    rows = []
    for kind, key in (("catalog", "loading_products"), ("customers", "loading_customers")):
        bar = el("div", "progress-bar")
        text = el("p", "muted", L(key, pct=0))
        rows.append(el("div", "load-row", children=[el("div", "progress", children=[bar], id=f"load-{kind}",
                                                           data_pct="0"), text]))
        bars[kind] = (bar, text)
    boot = by_id("boot")
    boot.hidden = False
    replace(boot, *rows)
    return bars


def feed_indexer(till: Till, first_load: bool) -> Callable[[str], Callable[[FeedPage, int, int], Awaitable[None]]]:
    """`on_page` callbacks for services/sync.py load_feed, per feed kind: catalog pages indexed as they come,
    customers too on a refresh (a first load indexes the stored customers after it: `read_stored_customers`),
    and on a first load the progress bars (shown now) moved."""
    bars = _show_load_progress() if first_load else {}

    def progress(kind: str) -> Callable[[FeedPage, int, int], Awaitable[None]]:
        async def on_page(page: FeedPage, done: int, total: int) -> None:
            if kind == "catalog":
                await index_page(till.catalog, page)
            elif not first_load:
                items = page.items()
                for i in range(0, len(items), SLICE):
                    till.customers.add(items[i:i + SLICE])
                    await asyncio.sleep(0)
            if kind in bars:
                pct = 100 if total == 0 else min(100, done * 100 // total)
                bar, text = bars[kind]
                bar.style.width = f"{pct}%"
                bar.parentElement.dataset.pct = str(pct)
                text.textContent = L("loading_products" if kind == "catalog" else "loading_customers", pct=pct)
        return on_page
    return progress
