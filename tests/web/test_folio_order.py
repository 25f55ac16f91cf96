"""Folios follow the order of the sales: pending sales reach the ERP in local-number order, whatever their uuids,
when a batch fails and is retried, when an answer is lost after the ERP committed, and when one sale is sent on
its own from its detail."""
from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from typing import Any

import pytest
from caja_pos.net.erp import NetworkError
from caja_pos.services import sync
from caja_pos.services.outbox import Syncer
from caja_pos.services.till import Till
from storage import Storage

from poscore.payment import Payment
from tests.web.products import TERMINAL, product
from tests.web.test_outbox import OutboxIdb, VoidsErp, paired_syncer


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


class FolioErp(VoidsErp):
    """Gives each new uuid the next folio in the order it arrives; a replay gets its folio back (as the ERP)."""

    def __init__(self) -> None:
        super().__init__()
        self.folios: dict[str, int] = {}
        self.fail_batch: int | None = None  # this POST /api/sales (0-based) fails before the ERP stores anything
        self.lose_answer: int | None = None  # this POST is stored, then its answer is lost
        self.posts = 0
        self.sales_answer = self._answer

    def _answer(self, sale: dict) -> dict:
        folio = self.folios.setdefault(sale["uuid"], len(self.folios) + 1)
        return {"uuid": sale["uuid"], "status": "accepted", "series": "R", "folio": folio}

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                      timeout_ms: int = 0) -> Any:
        if path != "/api/sales":
            return await super().request(method, path, body, token, timeout_ms)
        n, self.posts = self.posts, self.posts + 1
        if n == self.fail_batch:
            raise NetworkError("refused")
        answer = await super().request(method, path, body, token, timeout_ms)
        if n == self.lose_answer:
            raise NetworkError("connection reset after the commit")
        return answer


def _sell(storage: Storage, n: int) -> list[dict]:
    """``n`` sales with random uuids, so the outbox's uuid order is not the order they were made."""
    rng = random.Random(12)
    till = Till(TERMINAL)
    till.catalog.add([product(1, "10.00", "1000.000")])
    for _ in range(n):
        till.cart.add(1, 1)
        seq = till.next_seq(_run(storage.last_sequence()))
        uuid = f"{rng.getrandbits(128):032x}"
        sale = till.build_sale([Payment("efectivo", Decimal(10))], uuid, seq, "2026-11-27T10:00:00-06:00")
        _run(storage.commit_sale(Till.sale_record(sale, "2026-11-27T10:00:00-06:00"), Till.stock_decrement(sale)))
        till.committed(sale)
    records = _run(storage.sales())
    assert [r["uuid"] for r in records] != sorted(r["uuid"] for r in records)
    return records


def _setup(n: int) -> tuple[OutboxIdb, FolioErp, Syncer, list[dict]]:
    idb, erp = OutboxIdb(), FolioErp()
    syncer = paired_syncer(idb, erp)
    return idb, erp, syncer, _sell(syncer.storage, n)


def _folio_order_is_number_order(idb: OutboxIdb) -> None:
    synced = sorted((r for r in idb.sales.values() if r["state"] == "synced"), key=lambda r: r["seq"])
    assert [r["folio"] for r in synced] == sorted(r["folio"] for r in synced)


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    from caja_pos.services import backup

    async def no_prune(storage: Any, box: Any) -> int:
        return 0

    monkeypatch.setattr(sync, "SALES_BATCH", 7)
    monkeypatch.setattr(backup, "prune", no_prune)  # pruning reads the browser clock (services/clock.py)


def test_thirty_pending_sales_get_folios_in_local_number_order() -> None:
    idb, erp, syncer, records = _setup(30)
    report = _run(syncer._locked(None))
    assert report["accepted"] == 30 and report["error"] is None
    assert [s["seq"] for s in erp.received] == sorted(r["seq"] for r in records)
    assert all(r["folio"] == i for i, r in enumerate(sorted(idb.sales.values(), key=lambda r: r["seq"]), start=1))


@pytest.mark.parametrize("fault", ["fail_batch", "lose_answer"])
def test_a_retry_after_a_failed_batch_keeps_folios_in_local_number_order(fault: str) -> None:
    idb, erp, syncer, _records = _setup(30)
    setattr(erp, fault, 2)  # the third batch of 7
    first = _run(syncer._locked(None))
    assert first["error"] == "network" and first["accepted"] == 14
    _folio_order_is_number_order(idb)
    second = _run(syncer._locked(None))
    assert second["error"] is None and second["accepted"] == 16
    assert all(r["state"] == "synced" for r in idb.sales.values())
    _folio_order_is_number_order(idb)


def test_one_sale_sent_from_its_detail_takes_the_earlier_pending_ones_with_it() -> None:
    idb, erp, syncer, records = _setup(6)
    fifth = records[4]["uuid"]
    _run(syncer._locked(fifth))
    assert [s["seq"] for s in erp.received] == [r["seq"] for r in records[:5]]
    assert idb.sales[records[5]["uuid"]]["state"] == "pending"
    _run(syncer._locked(None))
    _folio_order_is_number_order(idb)
