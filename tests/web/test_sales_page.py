"""The Ventas window of a till that sold all day, in CPython on tests/web/fakedom.py: it draws a page of the most
recent sales and reads only that page from the store; "Ver más" draws one more page; a sale's detail, Imprimir and
the search box still reach a sale that is not on the page; and the window leaves no listener proxy behind."""
from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from caja_pos import platform
from caja_pos.screens.returns import ReturnsDoor
from caja_pos.screens.sales import PAGE, SalesWindow
from caja_pos.services.outbox import Syncer
from caja_pos.services.returns import Returns
from caja_pos.services.till import Till
from caja_pos.text import labels
from caja_pos.ui.dialogs import dialogs
from storage import Storage

from poscore.lifecycle import SYNCED
from poscore.payment import Payment
from tests.web import fakedom
from tests.web.fakes import FakeErp, FakeIdb
from tests.web.products import TERMINAL, product

SOLD = PAGE * 2 + 7  # more than two pages


@pytest.fixture
def doc(monkeypatch: pytest.MonkeyPatch) -> fakedom.Document:
    labels.set_lang("es")
    document = fakedom.install(monkeypatch)
    dialogs.start()
    return document


async def _nothing() -> None:
    return None


async def _allowed(action: str, subject: str | None, reason: str) -> bool:
    return True


def _till_that_sold(idb: FakeIdb, n: int) -> tuple[Till, Storage]:
    """A till with `n` stored sales numbered 1..n, every tenth one synced."""
    till = Till(TERMINAL)
    till.catalog.add([product(1, "10.00", "100000.000")])
    storage = Storage(idb)

    async def sell() -> None:
        for seq in range(1, n + 1):
            till.cart.add(1, 1)
            sale = till.build_sale([Payment("efectivo", Decimal(10))], f"u-{seq}", seq, "2026-12-01T10:00:00-06:00")
            await storage.commit_sale(Till.sale_record(sale, "2026-12-01T10:00:00-06:00"), {})
            till.committed(sale)
        await storage.apply_sale_results([{"uuid": f"u-{s}", "state": SYNCED, "series": "R", "folio": s}
                                          for s in range(10, n + 1, 10)])

    asyncio.run(sell())
    return till, storage


def _rows(doc: fakedom.Document) -> list[fakedom.Element]:
    table = doc.getElementById("sales-list")
    return [] if table is None else list(table.querySelectorAll("[data-number]").items)


def _numbers(doc: fakedom.Document) -> list[str]:
    return [str(row.getAttribute("data-number")) for row in _rows(doc)]


def test_ventas_draws_a_page_of_the_most_recent_sales_and_reads_only_that(doc: fakedom.Document) -> None:
    idb = FakeIdb()
    till, storage = _till_that_sold(idb, SOLD)
    door = ReturnsDoor(Returns(storage, till), open_ticket=lambda r, back: None, after_return=_nothing)
    base = platform.live_proxies()

    async def scenario() -> None:
        window = SalesWindow(storage, Syncer(storage, FakeErp([]), idb), till, _nothing, door, _allowed, dict)
        await window.show()
        shown = _numbers(doc)
        assert len(shown) == PAGE and shown[0] == Till.sale_record(_sale_of(idb, SOLD), "")["number"]
        assert max(idb.pages_read) <= PAGE + 1, "the window read more sales than it draws"
        assert doc.getElementById("sales-more") is not None

        doc.getElementById("sales-more").click()  # Ver más
        await _settle()
        assert len(_numbers(doc)) == 2 * PAGE
        doc.getElementById("sales-more").click()
        await _settle()
        assert len(_numbers(doc)) == SOLD and doc.getElementById("sales-more") is None  # nothing left to add

        # Pendientes: a page of the unsynced ones only, from the store's filter
        next(b for b in doc.body.querySelectorAll("[data-filter]").items
             if b.getAttribute("data-filter") == "pending").click()
        await _settle()
        states = [str(r.getAttribute("data-state")) for r in _rows(doc)]
        assert len(states) == PAGE and SYNCED not in states

        # A sale far below the page: found by the search box, its detail read by itself
        doc.getElementById("find-sale-text").value = "3"
        doc.getElementById("find-sale").dispatch("submit")
        await _settle()
        assert doc.getElementById("sale-detail").getAttribute("data-uuid") == "u-3"
        window.close()

    asyncio.run(scenario())
    assert platform.live_proxies() == base  # it left no listener behind


def _sale_of(idb: FakeIdb, seq: int) -> object:
    from poscore.sale import Sale

    return Sale.from_json(idb.sales[f"u-{seq}"]["sale"])


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_a_burst_of_sync_runs_redraws_the_list_once_at_a_time_without_the_sales_bodies(doc: fakedom.Document) -> None:
    """Every sale made while a sync run is under way asks the open list for a redraw when the run ends: the window
    reads the page once for the burst (plus once more for the asks that came during that read), never once per
    ask at the same time, and the page it reads carries no sale bodies (the detail reads its sale whole)."""

    class IdbThatTakesTime(FakeIdb):  # IndexedDB answers in a later task, as in the browser
        async def salesPage(self, *args: Any) -> str:
            await asyncio.sleep(0)
            return await super().salesPage(*args)

    idb = IdbThatTakesTime()
    till, storage = _till_that_sold(idb, SOLD)
    door = ReturnsDoor(Returns(storage, till), open_ticket=lambda r, back: None, after_return=_nothing)
    syncer = Syncer(storage, FakeErp([]), idb)
    window = SalesWindow(storage, syncer, till, _nothing, door, _allowed, dict)

    async def scenario() -> None:
        await window.show()
        assert all("sale" not in r and r["terminal"] == TERMINAL["code"] for r in window.records.values())
        reads = len(idb.pages_read)
        # what eight sync runs' `changed()` do to the window (after the sync icon's count)
        await asyncio.gather(*[listener() for _ in range(8) for listener in list(syncer.listeners)])
        await _settle()
        assert 1 <= len(idb.pages_read) - reads <= 2, idb.pages_read[reads:]
        assert len(_numbers(doc)) == PAGE

        _rows(doc)[0].click()
        await _settle()
        uuid = str(doc.getElementById("sale-detail").getAttribute("data-uuid"))
        assert window.records[uuid]["sale"]["terminal"] == TERMINAL["code"]  # the detail read the whole record
        window.close()
        assert window._refresh not in syncer.listeners  # a closed window is not asked to redraw

    asyncio.run(scenario())
