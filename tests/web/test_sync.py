"""Feeds stored in chunks with `since`, and the sales upload applying the ERP's per-sale answers."""
from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest
from caja_pos.net.erp import FeedPage, HttpError, pair
from caja_pos.services import sync
from caja_pos.services.outbox import Outbox
from caja_pos.services.sync import load_feed, upload_sales
from caja_pos.services.till import Till
from storage import CATALOG, SequenceUsed, Storage, StorageError

from poscore.payment import Payment
from tests.web.fakes import FakeErp, FakeIdb
from tests.web.products import TERMINAL, product


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def _chunks(storage: Storage) -> list[list[dict]]:
    return [json.loads(s) for s in _run(storage.chunks_raw(CATALOG))]


def _catalog(storage: Storage) -> dict[int, dict]:
    """The catalog the stored chunks mean: read in key order, a later chunk's item replaces an earlier one."""
    return {item["id"]: item for chunk in _chunks(storage) for item in chunk}


def test_a_year_of_daily_price_changes_leaves_few_chunks_and_the_same_catalog(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "PAGE", 10)
    idb = FakeIdb()
    storage = Storage(idb)
    erp = FakeErp([product(i, "10.00", version=1) for i in range(1, 41)], version=1)
    since = _run(load_feed(erp, storage, "tok", "catalog", 0, _ignore))
    day_one = len(idb.chunks[CATALOG])
    counts = []
    for day in range(2, 367):  # each day a few prices change: the feed sends only those
        for i in (day % 40 + 1, (day * 7) % 40 + 1):
            erp.products[i - 1] = product(i, f"{10 + day % 17}.50", version=day)
        erp.version = day
        since = _run(load_feed(erp, storage, "tok", "catalog", since, _ignore))
        counts.append(len(idb.chunks[CATALOG]))
    assert day_one == 4
    assert max(counts) <= day_one + sync.COMPACT_SLACK + 1  # never more than the slack on top of day one
    assert _catalog(storage) == {p["id"]: p for p in erp.products}  # what the ERP has, nothing lost or stale
    till = Till(TERMINAL)
    for chunk in _chunks(storage):
        till.catalog.add(chunk)
    assert len(till.catalog) == 40 and till.catalog.get(366 % 40 + 1).price == Decimal(f"{10 + 366 % 17}.50")


def test_full_load_pages_into_chunks_reports_progress_and_stores_since(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "PAGE", 2)
    idb = FakeIdb()
    idb.chunks[CATALOG][0] = json.dumps([product(99)])  # a stale earlier load: a full load replaces it
    storage = Storage(idb)
    erp = FakeErp([product(i) for i in range(1, 6)], version=9)
    seen: list[tuple[int, int]] = []

    async def on_page(page: FeedPage, done: int, total: int) -> None:
        seen.append((done, total))

    since = _run(load_feed(erp, storage, "tok", "catalog", 0, on_page))
    assert since == 9
    assert seen == [(2, 5), (4, 5), (5, 5)]
    chunks = _chunks(storage)
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert _run(storage.get("catalog_since")) == 9


def test_delta_load_appends_and_later_chunks_win() -> None:
    idb = FakeIdb()
    storage = Storage(idb)
    erp = FakeErp([product(1, "10.00", version=3), product(2, version=3)], version=3)
    _run(load_feed(erp, storage, "tok", "catalog", 0, _ignore))
    erp.products[0] = product(1, "12.00", version=4)
    erp.version = 4
    assert _run(load_feed(erp, storage, "tok", "catalog", 3, _ignore)) == 4
    assert ("GET", "/api/catalog?since=3&after=0&limit=2000") in erp.calls
    till = Till(TERMINAL)
    for chunk in _chunks(storage):
        till.catalog.add(chunk)
    assert till.catalog.get(1).price == Decimal("12.00")
    assert len(till.catalog) == 2


def test_next_page_is_requested_before_this_one_is_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "PAGE", 2)
    erp = FakeErp([product(i) for i in range(1, 6)], version=9)
    storage = Storage(FakeIdb())
    requested_when_stored: list[int] = []

    async def on_page(page: FeedPage, done: int, total: int) -> None:
        await asyncio.sleep(0)  # let the page requested ahead start, as the browser's fetch would
        requested_when_stored.append(len(erp.calls))

    _run(load_feed(erp, storage, "tok", "catalog", 0, on_page))
    # While page k was being handled, page k+1 had already been asked for (the last has no next).
    assert requested_when_stored == [2, 3, 3]


def test_a_page_is_stored_while_it_is_indexed_and_chunks_keep_page_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "PAGE", 2)
    idb = FakeIdb()
    storage = Storage(idb)
    erp = FakeErp([product(i) for i in range(1, 6)], version=9)
    events: list[str] = []
    real_append = idb.chunkAppend

    async def slow_append(store: str, value: str) -> int:
        for _ in range(3):  # IndexedDB commits later, off the main thread
            await asyncio.sleep(0)
        events.append("stored")
        return await real_append(store, value)

    async def on_page(page: FeedPage, done: int, total: int) -> None:
        events.append("indexing")
        for _ in range(5):  # indexing yields between slices, as the app's does
            await asyncio.sleep(0)

    async def put(key: str, value: object) -> None:
        events.append(f"put {key}")
        await real_put(key, value)

    idb.chunkAppend = slow_append  # type: ignore[method-assign]
    real_put = storage.put
    storage.put = put  # type: ignore[method-assign]
    _run(load_feed(erp, storage, "tok", "catalog", 0, on_page))
    # Each page's write overlaps its indexing (and the next pages'), and every write is done before `since`.
    assert events[0] == "indexing" and events.index("stored") > 0
    assert events.count("stored") == 3 and events.index("put catalog_since") > max(
        i for i, e in enumerate(events) if e == "stored")
    assert [[p["id"] for p in c] for c in _chunks(storage)] == [[1, 2], [3, 4], [5]]


def test_a_page_that_cannot_be_stored_stops_the_load_and_keeps_the_old_since(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "PAGE", 2)
    idb = FakeIdb()
    storage = Storage(idb)
    _run(storage.put("catalog_since", 4))
    erp = FakeErp([product(i) for i in range(1, 6)], version=9)
    real_append = idb.chunkAppend
    stored: list[str] = []

    async def append_then_fail(store: str, value: str) -> int:
        if stored:
            raise RuntimeError("QuotaExceededError")
        stored.append(value)
        return await real_append(store, value)

    idb.chunkAppend = append_then_fail  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        _run(load_feed(erp, storage, "tok", "catalog", 0, _ignore))
    assert _run(storage.get("catalog_since")) == 4  # the interrupted load is redone, never half-trusted
    assert len(stored) == 1


async def _ignore(page: FeedPage, done: int, total: int) -> None:
    return None


def _store_sales(storage: Storage, n: int) -> list[str]:
    till = Till(TERMINAL)
    till.catalog.add([product(1, "10.00", "100.000")])
    numbers = []
    for i in range(n):
        till.cart.add(1, 1)
        seq = till.next_seq(_run(storage.last_sequence()))
        sale = till.build_sale([Payment("efectivo", Decimal(10))], f"uuid-{i}", seq, "2026-11-27T10:00:00-06:00")
        _run(storage.commit_sale(Till.sale_record(sale, "t"), Till.stock_decrement(sale)))
        till.committed(sale)
        numbers.append(sale.number)
    return numbers


def test_upload_applies_accepted_and_rejected_per_sale() -> None:
    idb = FakeIdb()
    storage = Storage(idb)
    numbers = _store_sales(storage, 3)
    assert numbers == ["T01-000007", "T01-000008", "T01-000009"]
    erp = FakeErp([])
    folios = iter(range(100, 200))

    def answer(sale: dict) -> dict:
        if sale["seq"] == 8:
            return {"uuid": sale["uuid"], "status": "rejected", "error": "price_mismatch", "message": "Precio distinto"}
        return {"uuid": sale["uuid"], "status": "accepted", "series": "R", "folio": next(folios)}

    erp.sales_answer = answer
    report = _run(upload_sales(erp, storage, Outbox(idb), "tok"))
    assert report == {"accepted": 2, "rejected": [("T01-000008", "Precio distinto")], "error": None}
    states = {r["number"]: (r["state"], r.get("folio"), r.get("message")) for r in _run(storage.sales())}
    assert states == {"T01-000007": ("synced", 100, None), "T01-000008": ("rejected", None, "Precio distinto"),
                      "T01-000009": ("synced", 101, None)}
    assert idb.outbox == {}  # the rejected sale stays in `sales`, shown with its reason


def test_network_error_changes_nothing_and_the_same_sales_are_sent_again() -> None:
    idb = FakeIdb()
    storage = Storage(idb)
    _store_sales(storage, 2)
    erp = FakeErp([])
    erp.down = True
    assert _run(upload_sales(erp, storage, Outbox(idb), "tok"))["error"] == "network"
    assert len(idb.outbox) == 2
    erp.down = False
    erp.sales_answer = lambda s: {"uuid": s["uuid"], "status": "accepted", "series": "R", "folio": s["seq"]}
    assert _run(upload_sales(erp, storage, Outbox(idb), "tok"))["accepted"] == 2
    assert [s["uuid"] for s in erp.received] == ["uuid-0", "uuid-1"]


def test_a_used_sequence_is_refused_by_the_commit_and_a_failed_commit_stores_nothing() -> None:
    idb = FakeIdb()
    storage = Storage(idb)
    _store_sales(storage, 1)
    till = Till(TERMINAL)
    till.catalog.add([product(1, "10.00", "100.000")])
    till.cart.add(1, 1)
    sale = till.build_sale([Payment("efectivo", Decimal(10))], "dup", 7, "2026-11-27T10:00:00-06:00")
    with pytest.raises(SequenceUsed):  # App.commit reads the last number again and renumbers
        _run(storage.commit_sale(Till.sale_record(sale, "t"), Till.stock_decrement(sale)))
    idb.fail_commit = "storage_full"
    sale = till.build_sale([Payment("efectivo", Decimal(10))], "q", 8, "2026-11-27T10:00:00-06:00")
    with pytest.raises(StorageError) as failed:
        _run(storage.commit_sale(Till.sale_record(sale, "t"), Till.stock_decrement(sale)))
    assert failed.value.code == "storage_full" and not isinstance(failed.value, SequenceUsed)  # a full disk is an error to show, not a renumbering
    assert list(idb.sales) == ["uuid-0"] and len(till.cart) == 1  # the cart is kept for another try


def test_pairing_refusal_carries_the_erps_message() -> None:
    erp = FakeErp([])
    with pytest.raises(HttpError) as refused:
        _run(pair(erp, "000000", "Caja"))
    assert refused.value.code == "pairing_code_invalid"
    assert _run(pair(erp, " 123456 ", "Caja"))["token"] == "tok"


def test_missing_meta_key_reads_as_default_even_when_js_gives_null() -> None:
    storage = Storage(FakeIdb())
    assert _run(storage.get("token")) is None
    assert _run(storage.get("lang", "es")) == "es"


def test_raw_chunks_come_back_in_order_one_string_each() -> None:
    storage = Storage(FakeIdb())
    _run(storage.chunk_append(CATALOG, [product(1)]))
    _run(storage.chunk_append(CATALOG, [product(2), product(3)]))
    assert [len(json.loads(s)) for s in _run(storage.chunks_raw(CATALOG))] == [1, 2]
