"""The return screens on fakedom: Ventas offers Devolver only for a synced sale; the dialog shows the running refund
as the cashier types (kg allowed), refuses without a reason or without the supervisor, stores the return, prints
its own ticket; the sale's detail lists its returns (a rejected one with the ERP's reason); a typed or scanned
folio finds the sale."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from caja_pos.screens.returns import ReturnsDoor
from caja_pos.screens.sales import SalesWindow
from caja_pos.services.returns import Returns
from caja_pos.services.till import Till
from caja_pos.text import labels
from caja_pos.ui.dialogs import dialogs
from storage import Storage

from poscore.payment import Payment
from tests.web import fakedom
from tests.web.fakes import FakeIdb
from tests.web.products import TERMINAL, product

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone(timedelta(hours=-6)))


@pytest.fixture
def doc(monkeypatch: pytest.MonkeyPatch) -> fakedom.Document:
    labels.set_lang("es")
    document = fakedom.install(monkeypatch)
    dialogs.start()
    return document


class _App:
    """What Ventas uses of the app, with a door to returns whose supervisor answers from `supervisor`."""

    def __init__(self) -> None:
        self.till = Till(TERMINAL)
        self.till.catalog.add([product(1, "20.00", "10.000"), product(2, "15.50", "10.000", unit="kg")])
        self.storage = Storage(FakeIdb())
        self.syncer = type("Syncer", (), {"listeners": []})()
        self.sell = None
        self.supervisor: str | None = "Ana"
        self.asked: list[str] = []
        self.tickets: list[dict] = []
        self.after = 0
        self.returns_door = ReturnsDoor(Returns(self.storage, self.till, now=lambda: NOW), open_ticket=self._ticket,
                                        after_return=self._after, authorize=self._authorize)

    async def _authorize(self, reason: str, subject: str) -> str | None:
        self.asked.append(reason)
        return self.supervisor

    def _ticket(self, record: dict, back: Any) -> None:
        self.tickets.append(record)

    async def _after(self) -> None:
        self.after += 1

    async def _cancel_allowed(self, action: str, subject: str | None, reason: str) -> bool:
        return True

    async def _stock_changed(self) -> None:
        return None

    def window(self) -> SalesWindow:
        """Ventas as the app builds it, with this door to returns."""
        return SalesWindow(self.storage, self.syncer, self.till, self._stock_changed, self.returns_door,
                           self._cancel_allowed, dict)

    async def sell_and_sync(self, state: str = "synced") -> dict:
        self.till.cart.add(1, 3)
        self.till.cart.add(2, "1.250")
        sale = self.till.build_sale([Payment("efectivo", Decimal(100))], "sale-1", 7, "2026-11-27T16:14:00-06:00")
        await self.storage.commit_sale(Till.sale_record(sale, "2026-11-27T16:14:00-06:00"), Till.stock_decrement(sale))
        self.till.committed(sale)
        if state == "synced":
            await self.storage.apply_sale_results([{"uuid": "sale-1", "state": "synced", "series": "R", "folio": 12}])
        return (await self.storage.sales())[0]


async def _turns(n: int = 10) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def _text(doc: fakedom.Document, element_id: str) -> str:
    node = doc.getElementById(element_id)
    assert node is not None, element_id
    return str(node.textContent)


def test_devolver_is_offered_only_for_a_synced_sale(doc: fakedom.Document) -> None:
    app = _App()

    async def scenario() -> None:
        await app.sell_and_sync(state="pending")
        window = app.window()
        await window.show()
        await window.show_detail("sale-1")
        assert doc.getElementById("sale-return").disabled
        await app.storage.apply_sale_results([{"uuid": "sale-1", "state": "synced", "series": "R", "folio": 12}])
        await window.show_detail("sale-1")
        assert not doc.getElementById("sale-return").disabled
        window.close()

    asyncio.run(scenario())


def test_a_partial_return_in_kg_is_authorized_stored_and_printed(doc: fakedom.Document) -> None:
    app = _App()

    async def scenario() -> None:
        await app.sell_and_sync()
        window = app.window()
        await window.show()
        await window.show_detail("sale-1")
        doc.getElementById("sale-return").click()
        await _turns()
        assert dialogs.top is not window and doc.getElementById("return-dialog") is not None

        qty = doc.getElementById("return-qty-1")
        qty.value = "0.5"
        qty.dispatch("input")
        assert _text(doc, "return-total") == "$7.75"  # 0.500 of 1.250 kg for $19.38
        doc.getElementById("return-confirm").click()
        await _turns()
        assert "motivo" in _text(doc, "return-result") and app.asked == []

        doc.getElementById("return-reason").value = "Producto en mal estado"
        doc.getElementById("return-confirm").click()
        await _turns()
        assert app.asked == ["Devolución de $7.75 de la venta T01-000007"]
        assert "Devolución guardada: $7.75 en Efectivo" in _text(doc, "return-result")
        stored = await app.storage.returns()
        assert [(r["state"], r["total"], r["return"]["authorizer"], r["return"]["lines"][0]["qty"])
                for r in stored] == [("pending", "7.75", "Ana", "0.500")]
        assert app.after == 1
        assert app.till.stock_of(app.till.catalog.get(2)) == Decimal("9.250")

        doc.getElementById("return-print").click()
        assert [r["uuid"] for r in app.tickets] == [stored[0]["uuid"]]
        doc.getElementById("return-close").click()
        await _turns()
        assert dialogs.top is window
        assert "Pendiente" in _text(doc, "sale-returns") and "$7.75" in _text(doc, "sale-returns")
        window.close()

    asyncio.run(scenario())


def test_a_return_the_supervisor_refuses_is_not_stored(doc: fakedom.Document) -> None:
    app = _App()
    app.supervisor = None

    async def scenario() -> None:
        record = await app.sell_and_sync()
        app.returns_door.open(record, on_back=lambda: None)
        await _turns()
        doc.getElementById("return-all-0").click()  # the first line: all 3 pieces
        assert _text(doc, "return-total") == "$60.00"
        doc.getElementById("return-reason").value = "Cambio de opinión"
        doc.getElementById("return-confirm").click()
        await _turns()
        assert _text(doc, "return-result") == "La devolución no se autorizó."
        assert await app.storage.returns() == []
        dialogs.close_all()

    asyncio.run(scenario())


def test_without_an_open_shift_where_the_shop_has_cashiers_nothing_is_returned(doc: fakedom.Document) -> None:
    app = _App()
    app.returns_door.in_shift = lambda: False

    async def scenario() -> None:
        record = await app.sell_and_sync()
        app.returns_door.open(record, on_back=lambda: None)
        await _turns()
        doc.getElementById("return-all-0").click()
        doc.getElementById("return-reason").value = "Cambio"
        doc.getElementById("return-confirm").click()
        await _turns()
        assert _text(doc, "return-result").startswith("Abra un turno") and app.asked == []
        assert await app.storage.returns() == []
        dialogs.close_all()

    asyncio.run(scenario())


def test_more_than_is_left_is_refused_on_the_screen(doc: fakedom.Document) -> None:
    app = _App()

    async def scenario() -> None:
        record = await app.sell_and_sync()
        app.returns_door.open(record, on_back=lambda: None)
        await _turns()
        qty = doc.getElementById("return-qty-0")
        qty.value = "4"
        qty.dispatch("input")
        assert "más de lo vendido" in _text(doc, "return-result")
        doc.getElementById("return-reason").value = "x"
        doc.getElementById("return-confirm").click()
        await _turns()
        assert await app.storage.returns() == []
        dialogs.close_all()

    asyncio.run(scenario())


def test_a_rejected_return_shows_the_erps_reason_in_the_sales_detail(doc: fakedom.Document) -> None:
    app = _App()

    async def scenario() -> None:
        record = await app.sell_and_sync()
        ret = await app.returns_door.returns.commit(record, {0: "1"}, reason="Dañado", refund_method="efectivo")
        await app.storage.apply_return_results([{"uuid": ret["uuid"], "state": "rejected", "error": "return_exceeds",
                                                 "message": "Se devuelve más de lo vendido menos lo ya devuelto"}])
        window = app.window()
        await window.show()
        await window.show_detail("sale-1")
        section = _text(doc, "sale-returns")
        assert "T01-000007-D1" in section and "Rechazada" in section and "más de lo vendido" in section
        window.filter = "pending"  # the list's Pendientes: a synced sale with a rejected return is there, marked
        await window.show_list()
        row = doc.getElementById("sales-list").querySelectorAll("[data-action]").item(0)
        assert row.dataset.uuid == "sale-1"
        assert "Devolución rechazada: Se devuelve más de lo vendido" in row.textContent
        window.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("typed", ["R-12", "r12", "T01-000007", "7"])
def test_a_typed_or_scanned_folio_opens_the_sale(doc: fakedom.Document, typed: str) -> None:
    app = _App()

    async def scenario() -> None:
        await app.sell_and_sync()
        window = app.window()
        await window.show()
        doc.getElementById("find-sale-text").value = typed
        event = doc.getElementById("find-sale").dispatch("submit")
        await _turns()
        assert event.default_prevented
        assert doc.getElementById("sale-detail").dataset.uuid == "sale-1"
        window.close()

    asyncio.run(scenario())


def test_an_unknown_folio_says_so(doc: fakedom.Document) -> None:
    app = _App()

    async def scenario() -> None:
        await app.sell_and_sync()
        window = app.window()
        await window.show()
        doc.getElementById("find-sale-text").value = "F-99"
        doc.getElementById("find-sale").dispatch("submit")
        await _turns()
        assert _text(doc, "sales-result") == "Ninguna venta de este equipo coincide con «F-99»."
        window.close()

    asyncio.run(scenario())


def test_where_the_shop_has_cashiers_a_supervisors_pin_authorizes_the_return(doc: fakedom.Document) -> None:
    from caja_pos.screens.pin import supervisor_pin

    from tests.web.shift_fakes import ANA, BETO
    from tests.web.test_shifts import World

    async def main() -> None:
        w = World()
        await w.store.replace_cashiers([ANA, BETO])
        await w.start()
        await w.shifts.open(ANA, Decimal("500.00"))
        sale = await w.sell(1, 2, Payment("efectivo", Decimal("20.00")))
        await w.storage.apply_sale_results([{"uuid": sale.uuid, "state": "synced", "series": "R", "folio": 3}])
        returns = Returns(w.storage, w.till, now=w.now)
        returns.stamp = w.shifts.sale_fields
        door = ReturnsDoor(returns, open_ticket=lambda r, back: None, after_return=_nothing,
                           authorize=supervisor_pin(w.cashiers, w.shifts, "return_sale"))
        record = (await w.storage.sales())[0]
        door.open(record, on_back=lambda: None)
        await _turns()
        doc.getElementById("return-all-0").click()
        doc.getElementById("return-reason").value = "No funciona"
        doc.getElementById("return-confirm").click()
        await _turns()
        assert doc.getElementById("pin-dialog") is not None  # the PIN dialog over the return
        assert [b.textContent for b in doc.getElementById("pin-names").children] == ["Beto"]
        doc.getElementById("pin-input").value = "4826"
        doc.getElementById("pin-ok").click()
        await _turns(30)
        [stored] = await w.storage.returns()
        assert (stored["return"]["cashier"], stored["return"]["authorizer"]) == ("Ana", "Beto")
        [auth] = w.idb.stores["authorizations"].values()
        assert (auth["action"], auth["subject"], auth["supervisor_id"]) == ("return_sale", sale.uuid, 8)
        assert doc.getElementById("return-print") is not None
        dialogs.close_all()

    asyncio.run(main())


async def _nothing() -> None:
    return None
