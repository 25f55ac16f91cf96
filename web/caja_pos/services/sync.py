"""The feeds and the sales upload: catalog/customers pages stored in chunks, and POST /api/sales in batches with
the per-sale answers applied to the store.

Contract: docs/contract.md. A network error or 5xx means "nothing known": nothing changes and the sale is
retried later (uuids make replays safe). Accepted → synced with series + folio; rejected → kept with reason.

Must not compute money or decide a sale's validity (poscore + the ERP do), nor touch the DOM. The HTTP client is
passed in (net/erp.py's, or a fake in tests/web).
"""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Protocol

from storage import CATALOG, CUSTOMERS, Storage

from caja_pos.net.erp import FeedPage, Http, HttpError, NetworkError, feed_page
from caja_pos.text.labels import lang
from poscore.lifecycle import REJECTED, SYNCED
from poscore.messages import answer_text

PAGE = 2000  # products per feed page = per stored chunk (the contract allows up to 5000)
# Delta chunks tolerated on top of a compact store before it is compacted again: at least this many, or a quarter
# of the compact size (a large catalog's compaction rewrites every chunk, so it waits for more deltas).
COMPACT_SLACK = 4
SALES_BATCH = 100  # the ERP accepts up to 500
STORE_AHEAD = 4  # feed page writes in flight while the next pages are indexed

ProgressFn = Callable[[FeedPage, int, int], Awaitable[None]]


class SalesOutbox(Protocol):
    """What the upload needs of services/outbox.py's Outbox (not imported: that module imports this one)."""

    async def mark_syncing(self, only: Collection[str] | None, limit: int) -> list[dict]: ...

    async def unmark_syncing(self, uuids: list[str]) -> None: ...


async def load_feed(http: Http, storage: Storage, token: str, kind: str, since: int,
                    on_page: ProgressFn) -> int:
    """Fetch /api/<kind> pages after `since`, store each page as one chunk, call `on_page(page, done, total)` with
    the page (net/erp.py FeedPage: its items as dicts or index columns, whichever the caller needs).

    A full load (since=0) replaces the stored chunks; a delta appends (later chunks override earlier ones when
    read), and once the deltas pile up past the slack the chunks are compacted (`compact_if_grown`). Returns the feed's new `since` (the version of the FIRST page, per the contract) and stores it only
    once every page is in, so an interrupted load is redone, never half-trusted.
    """
    store = CATALOG if kind == "catalog" else CUSTOMERS
    first_version: int | None = None
    done = 0
    cleared = False

    def fetch(after: int) -> asyncio.Future:
        path = f"/api/{kind}?since={since}&after={after}&limit={PAGE}"
        return asyncio.create_task(feed_page(http, path, token))

    # The next page is requested before this one is stored and indexed: the ERP's work and the network
    # overlap with IndexedDB and Python's, instead of adding up (100k products are 50 pages). Page writes are
    # not awaited one by one either: IndexedDB commits off the main thread while the next pages are indexed
    # (up to STORE_AHEAD writes in flight; its transactions on one store run in the order they were made, so
    # chunks stay in page order), and every write is done before `since` is stored.
    pending: asyncio.Future | None = fetch(0)
    storing: deque[asyncio.Future] = deque()
    try:
        while pending is not None:
            page = await pending
            pending = None
            if first_version is None:
                first_version = page.version
            if page.next_after is not None:
                pending = fetch(page.next_after)
            if since == 0 and not cleared:
                await storage.chunks_clear(store)
                cleared = True
            if page.count:
                storing.append(asyncio.ensure_future(storage.chunk_append_page(store, page)))
            done += page.count
            await on_page(page, done, page.total)
            while len(storing) > STORE_AHEAD or (storing and storing[0].done()):
                await storing.popleft()  # a write that failed stops the load here
        while storing:
            await storing.popleft()
    finally:
        if pending is not None:  # a page failed to store or the load was abandoned: drop the request
            pending.cancel()
        for task in storing:  # a write or the indexing failed: `since` is not stored, the load is redone
            task.cancel()
    version = first_version if first_version is not None else since
    await storage.put(f"{kind}_since", max(version, since))
    if since == 0:
        await storage.put(f"{kind}_chunks_compact", await storage.chunk_count(store))
    elif done:
        await compact_if_grown(storage, kind)
    return max(version, since)


async def compact_if_grown(storage: Storage, kind: str) -> bool:
    """Compact the feed's stored chunks when the deltas appended since the last full load or compaction exceed
    the slack; True when it did. Why: every open reads and parses every chunk, so a shop whose prices change daily
    would otherwise open a little slower every day; compacted, day 365 opens like day one."""
    store = CATALOG if kind == "catalog" else CUSTOMERS
    count = await storage.chunk_count(store)
    base = int(await storage.get(f"{kind}_chunks_compact", 0) or 0)
    if count - base <= max(COMPACT_SLACK, base // 4):
        return False
    await storage.put(f"{kind}_chunks_compact", await storage.chunks_compact(store, PAGE))
    return True


async def upload_sales(http: Http, storage: Storage, box: SalesOutbox, token: str,
                       only: Collection[str] | None = None) -> dict:
    """Send the unsent sales (`only`: just these uuids) in batches of the lowest local numbers, and apply the ERP's
    per-sale answers.

    Each batch is marked "syncing" and read in one transaction (`box.mark_syncing`), sent, and whatever the ERP
    did not answer is marked pending again. Returns {"accepted": n, "rejected": [(number, message)], "error": None
    | "network" | the ERP's message}. An error stops the run and leaves every unsent or unanswered sale pending.
    """
    report: dict[str, Any] = {"accepted": 0, "rejected": [], "error": None}
    # The ERP gives folios in the order sales arrive: each batch is the lowest pending local numbers, so folio
    # order follows the order the sales were made. A failed batch stops the run, and the next run starts again
    # from the lowest pending number.
    while batch := await box.mark_syncing(only, SALES_BATCH):
        answered = 0
        try:
            answer = await http.request("POST", "/api/sales", {"sales": [r["sale"] for r in batch]}, token=token)
            updates = answer_updates(answer, batch, "number", report)
            answered = len(updates)
            await storage.apply_sale_results(updates)
        except NetworkError:
            report["error"] = "network"
        except HttpError as exc:
            report["error"] = exc.text(lang())
        finally:  # whatever the ERP did not answer is pending again ("nothing known")
            await box.unmark_syncing([r["uuid"] for r in batch])
        # A batch not answered in full ends the run too: its unanswered sales would be the next batch again. A
        # short batch was the last one: no transaction to find nothing (the usual run, one sale after each sale).
        if report["error"] or answered < len(batch) or len(batch) < SALES_BATCH:
            break
    return report


def answer_updates(answer: Any, batch: list[dict], label: str, report: dict) -> list[dict]:
    """The ERP's per-record answers (sales or returns) as store updates: accepted → synced with series + folio,
    rejected → rejected with its reason (kept, never dropped). Counts them in `report` ("accepted", and
    "rejected" as (record[label], message))."""
    by_uuid = {r["uuid"]: r for r in batch}
    updates = []
    for result in (answer or {}).get("results", []):
        record = by_uuid.get(result.get("uuid"))
        if record is None:
            continue
        if result.get("status") == "accepted":
            updates.append({"uuid": record["uuid"], "state": SYNCED, "series": result.get("series"),
                            "folio": result.get("folio"), "received_at": result.get("received_at")})
            report["accepted"] += 1
        else:
            updates.append({"uuid": record["uuid"], "state": REJECTED, "error": result.get("error"),
                            "params": result.get("params") or {},
                            "message": result.get("message") or result.get("error") or "rechazada"})
            report["rejected"].append((record[label], answer_text(result, lang())))
    return updates


CFDI_ASK = 200  # the ERP answers at most this many sales per POST /api/cfdis


async def fetch_cfdis(http: Http, storage: Storage, token: str) -> int:
    """Ask the ERP for the stamped CFDIs of this till's synced facturas that have none yet (the most recent first),
    and keep each one's UUID and verification QR address on its sale record, for the ticket's reprint from Ventas.
    Returns how many arrived. A network error propagates (the caller's sync run reports it)."""
    waiting = await storage.sales_awaiting_cfdi(CFDI_ASK)
    if not waiting:
        return 0
    answer = await http.request("POST", "/api/cfdis", {"sales": waiting}, token=token)
    found = [{"uuid": c["sale"], "state": SYNCED, "cfdi": {"uuid": c["uuid"], "qr": c.get("qr")}}
             for c in answer.get("cfdis", []) if c.get("sale") in waiting and c.get("uuid")]
    if found:
        await storage.apply_sale_results(found)
    return len(found)
