"""Cashiers and shifts at the till against fakes: the offline PIN check, a shift opened with its float, cash
movements, Corte X and Z with poscore's arithmetic over the shift's own sales, a reload that resumes the shift,
selling stopped after the Z, the records sent once through the outbox; and the PIN and count dialogs on
tests/web/fakedom.py."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from caja_pos import platform
from caja_pos.services.cashiers import Cashiers
from caja_pos.services.returns import Returns
from caja_pos.services.sales import Sales
from caja_pos.services.shift_store import ShiftStore
from caja_pos.services.shifts import Shifts, upload_shift_records
from caja_pos.services.till import Till
from caja_pos.text import labels
from caja_pos.ui.dialogs import dialogs
from storage import Storage

from poscore.payment import Payment
from tests.web import fakedom
from tests.web.products import TERMINAL, product
from tests.web.shift_fakes import ANA, BETO, ShiftErp, ShiftIdb

TZ = timezone(timedelta(hours=-6))


class World:
    """One till: its IndexedDB, the services over it, and a clock that moves a minute per reading."""

    def __init__(self, idb: ShiftIdb | None = None) -> None:
        self.idb = idb or ShiftIdb()
        self.storage = Storage(self.idb)
        self.store = ShiftStore(self.idb)
        self.cashiers = Cashiers(self.store, self.storage)
        self.ticks = 0
        self.shifts = Shifts(self.store, self.storage, self.cashiers, now=self.now)
        self.till = Till(TERMINAL)
        self.till.catalog.add([product(1, "10.00", "100.000"), product(2, "25.50", "100.000")])
        self.sales = Sales(self.storage, self.till, now=self.now)
        self.sales.stamp = self.shifts.sale_fields

    def now(self) -> datetime:
        self.ticks += 1
        return datetime(2026, 12, 1, 9, 0, tzinfo=TZ) + timedelta(minutes=self.ticks)

    async def start(self) -> None:
        await self.cashiers.load()
        await self.shifts.load()

    async def sell(self, pid: int, qty: int, *payments: Payment) -> Any:
        self.till.cart.add(self.till.catalog.get(pid), qty)
        return await self.sales.commit(list(payments))

    async def sell_synced(self, pid: int, qty: int, *payments: Payment, folio: int = 1) -> dict:
        """A sale the ERP accepted (R-`folio`): its record, which Devolver may return."""
        sale = await self.sell(pid, qty, *payments)
        await self.storage.apply_sale_results([{"uuid": sale.uuid, "state": "synced", "series": "R", "folio": folio}])
        return next(r for r in await self.storage.sales() if r["uuid"] == sale.uuid)

    def returns(self) -> Returns:
        """The returns service as the app wires it: each return stamped with the cashier and the shift."""
        returns = Returns(self.storage, self.till, now=self.now)
        returns.stamp = self.shifts.sale_fields
        return returns


async def _stocked() -> World:
    w = World()
    await w.store.replace_cashiers([ANA, BETO])
    await w.start()
    return w


def test_a_pin_opens_only_its_own_cashier_and_a_supervisor_request_only_supervisors() -> None:
    async def main() -> None:
        w = await _stocked()
        assert w.cashiers.enabled and not w.shifts.can_sell()
        assert await w.cashiers.check(7, "2580") == ANA
        assert await w.cashiers.check(7, "4826") is None  # Beto's PIN does not open Ana
        assert await w.cashiers.check(7, "2580", role="supervisor") is None
        assert await w.cashiers.check(8, "4826", role="supervisor") == BETO
        assert await w.cashiers.check(99, "2580") is None
        assert "2580" not in json.dumps(w.idb.cashier_rows)  # the device keeps verifiers, never PINs
    asyncio.run(main())


def test_a_till_without_cashiers_sells_as_before_with_no_shift() -> None:
    async def main() -> None:
        w = World()
        await w.start()
        assert not w.shifts.required and w.shifts.can_sell()
        sale = await w.sell(1, 1, Payment("efectivo", Decimal("10.00")))
        stored = w.idb.sales[sale.uuid]["sale"]
        assert stored["cashier"] is None and "cashier_id" not in stored and "shift_uuid" not in stored
    asyncio.run(main())


def test_refresh_keeps_the_cashiers_and_the_discount_limit_on_the_device() -> None:
    async def main() -> None:
        w = World()
        await w.start()
        assert await w.cashiers.refresh(ShiftErp(), "tok")
        again = World(w.idb)
        await again.start()
        assert [c["name"] for c in again.cashiers.all] == ["Ana", "Beto"]
        assert again.cashiers.discount_limit == Decimal(15)
    asyncio.run(main())


def test_a_shift_from_float_to_corte_z_with_a_reload_in_the_middle() -> None:
    async def main() -> None:
        w = await _stocked()
        shift = await w.shifts.open(ANA, Decimal("500.00"))
        assert w.shifts.can_sell() and w.cashiers.current == ANA
        cash = await w.sell(2, 2, Payment("efectivo", Decimal("100.00")))  # 51.00, change 49.00
        card = await w.sell(1, 3, Payment("tarjeta_debito", Decimal("30.00"), "1234"))
        for s in (cash, card):
            stored = w.idb.sales[s.uuid]["sale"]
            assert (stored["cashier"], stored["cashier_id"], stored["shift_uuid"]) == ("Ana", 7, shift.uuid)
        await w.shifts.move("entrada", Decimal("80.50"), "Cambio del banco")
        await w.shifts.move("salida", Decimal("20.00"), "Garrafón de agua")
        _, x = await w.shifts.corte_x()
        assert x.line("efectivo").expected == Decimal("611.50")  # 500 + 100 − 49 change + 80.50 − 20
        assert x.difference == 0 and w.shifts.can_sell()

        w2 = World(w.idb)  # a reload: the same device, new services
        await w2.start()
        assert w2.shifts.current == shift and w2.cashiers.current == ANA and w2.shifts.can_sell()
        record, z = await w2.shifts.corte_z({"efectivo": Decimal("609.00"), "tarjeta_debito": Decimal("30.00")},
                                            {"b500": 1, "b100": 1, "m5": 1, "m2": 2})
        assert z.line("efectivo").difference == Decimal("-2.50") and z.line("tarjeta_debito").difference == 0
        assert not w2.shifts.can_sell() and w2.shifts.current is not None
        assert w2.shifts.current.state == "cerrado" and w2.shifts.current.corte_z == record.uuid
        w3 = World(w.idb)
        await w3.start()
        assert not w3.shifts.can_sell()  # closed stays closed across a reload until a new shift opens
        kinds = sorted(e["kind"] for e in w.idb.outbox.values() if e["kind"] != "sale")
        assert kinds == ["cash_movement", "cash_movement", "corte", "corte", "shift"]
    asyncio.run(main())


def test_a_count_that_does_not_add_up_stores_nothing() -> None:
    async def main() -> None:
        w = await _stocked()
        await w.shifts.open(ANA, Decimal("100.00"))
        before = dict(w.idb.outbox)
        with pytest.raises(Exception, match="count_mismatch"):
            await w.shifts.corte_z({"efectivo": Decimal("100.00")}, {"b50": 1})
        assert w.idb.outbox == before and w.shifts.can_sell()
    asyncio.run(main())


def test_shift_records_reach_the_erp_once_shifts_first_and_a_rejected_one_stays_with_its_reason() -> None:
    async def main() -> None:
        w = await _stocked()
        shift = await w.shifts.open(ANA, Decimal("100.00"))
        await w.shifts.move("salida", Decimal("5.00"), "Bolsas")
        auth = await w.shifts.authorize(BETO, "open_drawer")
        erp = ShiftErp()
        erp.reject.add(auth.uuid)
        report = await upload_shift_records(erp, w.store, "tok")
        assert erp.calls == ["/api/shifts", "/api/cash_movements", "/api/authorizations"]
        assert report["accepted"] == 2 and len(report["rejected"]) == 1
        assert list(erp.kept["shifts"]) == [shift.uuid]
        assert erp.kept["shifts"][shift.uuid]["opening_float"] == "100.00"
        assert list(w.idb.outbox) == [auth.uuid] and w.idb.outbox[auth.uuid]["error"] == "unknown_cashier"
        erp.reject.clear()
        await upload_shift_records(erp, w.store, "tok")
        assert not w.idb.outbox and erp.kept["authorizations"][auth.uuid]["supervisor_id"] == 8
    asyncio.run(main())


# ---------- the dialogs ----------
@pytest.fixture
def doc(monkeypatch: pytest.MonkeyPatch) -> fakedom.Document:
    labels.set_lang("es")
    document = fakedom.install(monkeypatch)
    dialogs.start()
    return document


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_the_pin_dialog_answers_the_cashier_or_none_and_leaves_nothing_behind(doc: fakedom.Document) -> None:
    from caja_pos.screens.pin import ask_pin

    async def main() -> None:
        w = await _stocked()
        base = platform.live_proxies()
        asking = asyncio.ensure_future(ask_pin(w.cashiers, role="supervisor", reason="Autorizar"))
        await _settle()
        names = [b.textContent for b in doc.getElementById("pin-names").children]
        assert names == ["Beto"]  # supervisors only; the only one is chosen already
        doc.getElementById("pin-input").value = "2580"  # Ana's PIN
        doc.getElementById("pin-ok").click()
        await _settle()
        error = doc.getElementById("pin-error")
        assert not error.hidden and error.textContent == "PIN incorrecto" and not asking.done()
        assert doc.getElementById("pin-input").value == ""  # a PIN is never left in the field
        doc.getElementById("pin-input").value = "4826"
        doc.getElementById("pin-input").dispatch("keydown", key="Enter")
        await _settle()
        assert asking.done() and asking.result() == BETO
        assert dialogs.top is None and platform.live_proxies() == base

        asking = asyncio.ensure_future(ask_pin(w.cashiers, reason="¿Quién?"))
        await _settle()
        doc.body.dispatch("keydown", key="Escape")
        await _settle()
        assert asking.result() is None and platform.live_proxies() == base
    asyncio.run(main())


def test_the_count_dialog_shows_expected_counted_and_the_short_difference(doc: fakedom.Document) -> None:
    from caja_pos.screens.corte import CountDialog

    async def main() -> None:
        dialog = CountDialog({"efectivo": Decimal("562.50"), "tarjeta_debito": Decimal("30.00")})
        answer = asyncio.ensure_future(dialog.ask())
        await _settle()
        doc.getElementById("count-b500").value = "1"
        doc.getElementById("count-b50").value = "1"
        doc.getElementById("count-m10").value = "1"
        doc.getElementById("count-tarjeta_debito").value = "30"
        doc.getElementById("count-b500").dispatch("input")
        rows = {r.dataset.method: [c.textContent for c in r.children]
                for r in doc.getElementById("count-table").children[1:]}
        assert rows["efectivo"][1:] == ["$562.50", "$560.00", "-$2.50"]
        assert rows["tarjeta_debito"][1:] == ["$30.00", "$30.00", "$0.00"]
        assert rows["total"][3] == "-$2.50"
        doc.getElementById("count-ok").click()
        await _settle()
        counted, pieces = answer.result()
        assert counted == {"efectivo": Decimal("560.00"), "tarjeta_debito": Decimal("30.00")}
        assert pieces == {"b500": 1, "b50": 1, "m10": 1}
    asyncio.run(main())


def test_the_shift_panel_opens_a_shift_records_a_salida_and_prints_a_corte_x(doc: fakedom.Document) -> None:
    from caja_pos.screens.shift import ShiftPanel

    async def main() -> None:
        w = await _stocked()
        tickets: list[tuple[str, Any]] = []
        changes: list[int] = []

        def panel() -> None:
            ShiftPanel(w.shifts, w.cashiers, TERMINAL, lambda name, lines: tickets.append((name, lines)),
                       on_change=lambda: changes.append(1)).open()

        panel()
        assert doc.getElementById("shift-state").dataset.state == "none"
        doc.getElementById("shift-open").click()
        await _settle()
        [ana] = [b for b in doc.getElementById("pin-names").children if b.textContent == "Ana"]
        ana.click()
        doc.getElementById("pin-input").value = "2580"
        doc.getElementById("pin-ok").click()
        await _settle()
        doc.getElementById("amount-input").value = "$1,000.00"
        doc.getElementById("amount-ok").click()
        await _settle()
        assert w.shifts.current is not None and w.shifts.current.opening_float == Decimal("1000.00")
        assert w.cashiers.current == ANA and changes

        panel()
        doc.getElementById("shift-cash-out").click()
        await _settle()
        doc.getElementById("amount-input").value = "120"
        doc.getElementById("amount-ok").click()  # no reason: refused, the dialog stays
        await _settle()
        assert doc.getElementById("amount-error").textContent == "Escriba el motivo"
        doc.getElementById("amount-reason").value = "Pago al proveedor de hielo"
        doc.getElementById("amount-ok").click()
        await _settle()
        [move] = w.idb.stores["cash_movements"].values()
        assert (move["kind"], move["amount"], move["cashier_id"]) == ("salida", "120.00", 7)

        panel()
        doc.getElementById("shift-corte-x").click()
        await _settle()
        [(name, lines)] = tickets
        text = "\n".join(x.text for x in lines(58, "es"))
        assert name.startswith("corte-x-") and "CORTE X" in text and "$880.00" in text  # 1000 − 120
        assert w.shifts.can_sell() and dialogs.top is None
    asyncio.run(main())


class _SellApp:
    """The selling screen's guard (screens/sell.Guard) as the app is one, with the real cashiers, shifts and
    supervisor check."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.till = w.till
        self.cashiers = w.cashiers

    @property
    def discount_limit(self) -> Decimal | None:
        return self.cashiers.discount_limit

    def open_shift_panel(self) -> None:
        return None

    async def commit(self, payments: Any, started: Any = None, stored: Any = None) -> Any:
        raise AssertionError("this test does not charge")

    def discount_needs_supervisor(self, typed: str) -> bool:
        return self.cashiers.discount_needs_supervisor(typed)

    async def authorize(self, action: str, subject: str | None, reason: str) -> bool:
        from caja_pos.screens.pin import supervisor_authorizes

        return await supervisor_authorizes(self.cashiers, self.w.shifts, action, subject, reason)

    def may_sell(self) -> bool:
        return self.w.shifts.can_sell()


def test_a_discount_above_the_limit_takes_a_supervisors_pin_and_is_recorded(doc: fakedom.Document) -> None:
    from caja_pos.screens.sell import SellScreen

    async def main() -> None:
        w = await _stocked()  # the limit is the ERP's default, 10 %
        await w.shifts.open(ANA, Decimal(0))
        app = _SellApp(w)
        screen = SellScreen(w.till, w.storage, app.commit, guard=app)
        screen.add(w.till.catalog.get(1))

        def discount(value: str) -> None:
            field = next(n for n in doc.getElementById("cart").walk() if n.attrs.get("data-field") == "discount")
            field.value = value
            field.dispatch("change")

        discount("10")  # at the limit: no PIN
        assert w.till.cart.lines[0].discount_pct == Decimal(10) and dialogs.top is None
        discount("25")
        await _settle()
        assert doc.getElementById("pin-dialog") is not None
        doc.getElementById("pin-cancel").click()  # nobody authorizes: the discount stays as it was
        await _settle()
        assert w.till.cart.lines[0].discount_pct == Decimal(10)
        assert doc.getElementById("message").textContent == "Sin autorización del supervisor"
        discount("25")
        await _settle()
        doc.getElementById("pin-input").value = "4826"
        doc.getElementById("pin-ok").click()
        await _settle()
        assert w.till.cart.lines[0].discount_pct == Decimal(25)
        [auth] = w.idb.stores["authorizations"].values()
        assert (auth["action"], auth["subject"], auth["supervisor_id"], auth["cashier_id"]) == \
            ("discount", "25%", 8, 7)
        screen.destroy()
    asyncio.run(main())


def test_five_wrong_pins_pause_the_check_even_for_the_right_one() -> None:
    async def main() -> None:
        now = [100.0]
        w = World()
        await w.store.replace_cashiers([ANA, BETO])
        w.cashiers.clock = lambda: now[0]
        await w.start()
        for _ in range(4):
            assert await w.cashiers.check(7, "0000") is None
        assert await w.cashiers.check(7, "2580") == ANA  # a success starts the count again
        for _ in range(5):
            assert await w.cashiers.check(7, "0000") is None
        assert w.cashiers.pause_left() == 30
        assert await w.cashiers.check(7, "2580") is None  # paused: not even the right PIN
        now[0] += 30
        assert w.cashiers.pause_left() == 0 and await w.cashiers.check(7, "2580") == ANA
    asyncio.run(main())
