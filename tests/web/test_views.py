"""The view layer and the screens in CPython, on tests/web/fakedom.py: what a screen shows, that Escape and the
buttons reach only the dialog on top, and that a screen or dialog that goes leaves no listener proxy alive."""
from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from caja_pos import platform
from caja_pos.services.outbox import Syncer
from caja_pos.services.till import Till
from caja_pos.text import labels
from caja_pos.ui.dialogs import DialogView, dialogs
from caja_pos.ui.dom import el
from storage import Storage

from poscore.payment import Payment
from tests.web import fakedom
from tests.web.fakes import FakeErp, FakeIdb
from tests.web.products import TERMINAL, product


@pytest.fixture
def doc(monkeypatch: pytest.MonkeyPatch) -> fakedom.Document:
    labels.set_lang("es")
    document = fakedom.install(monkeypatch)
    dialogs.start()
    return document


class Box(DialogView):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.clicks = 0
        back = el("button", None, "Volver", id=f"{name}-back", data_escape=True)
        self.box = el("div", "card dialog", id=name, children=[back])
        self.on(self.box, "click", self._click)

    def _click(self, event: Any) -> None:
        self.clicks += 1
        if event.target.id.endswith("-back"):
            self.close()


def _escape(doc: fakedom.Document) -> None:
    doc.body.dispatch("keydown", key="Escape")


def test_a_missing_element_is_none_not_jsnull(doc: fakedom.Document) -> None:
    assert platform.by_id("nowhere") is None
    assert platform.by_id("overlay") is not None


def test_escape_closes_only_the_top_dialog_and_shows_the_one_below(doc: fakedom.Document) -> None:
    base = platform.live_proxies()
    window, preview = Box("window"), Box("preview")
    window.open()
    preview.open()
    overlay = doc.getElementById("overlay")
    assert not overlay.hidden and [c.id for c in overlay.children] == ["preview"]

    _escape(doc)  # presses the preview's own way back, not the window's
    assert preview.destroyed and not window.destroyed
    assert [c.id for c in overlay.children] == ["window"] and not overlay.hidden
    assert window.clicks == 0

    _escape(doc)
    assert window.destroyed and overlay.hidden and overlay.children == []
    assert platform.live_proxies() == base  # both dialogs' listeners went with them
    _escape(doc)  # nothing open: nothing happens
    assert overlay.hidden


def test_closing_a_dialog_closes_those_opened_above_it(doc: fakedom.Document) -> None:
    window, preview = Box("window"), Box("preview")
    window.open()
    preview.open()
    window.close()
    assert window.destroyed and preview.destroyed and dialogs.top is None


async def _nothing() -> None:
    return None


class _App:
    """What the app hands the screens: a till with two products, the store (tests/web/fakes.py), and `commit`."""

    def __init__(self, idb: Any = None) -> None:
        self.till = Till(TERMINAL)
        self.till.catalog.add([product(1, "10.00", "100.000"), product(2, "25.50", "100.000")])
        self.storage = Storage(idb if idb is not None else FakeIdb())
        self.committed: list[list[Payment]] = []

    async def commit(self, payments: list[Payment], started: Any = None, stored: Any = None) -> Any:
        self.committed.append(payments)
        seq = self.till.next_seq(0)
        sale = self.till.build_sale(payments, "uuid-1", seq, "2026-12-01T10:00:00-06:00")
        if started is not None:
            started(sale)
        await asyncio.sleep(0)  # the transaction's outcome comes in a later turn
        if stored is not None:
            stored(sale)
        self.till.committed(sale)
        return sale


async def _nothing() -> None:
    return None


def test_the_payment_dialog_shows_the_total_and_the_change_and_leaves_nothing_behind(
        doc: fakedom.Document) -> None:
    from caja_pos.screens.payment import PaymentScreen

    app = _App()
    app.till.cart.add(1, 1)
    app.till.cart.add(2, 1)
    base = platform.live_proxies()
    done: list[bool] = []
    screen = PaymentScreen(app.till, app.commit, lambda: done.append(True))
    assert platform.live_proxies() > base
    assert doc.getElementById("pay-total").textContent == "$35.50"
    assert doc.getElementById("pay-status").textContent == "Falta: $35.50"

    cash = doc.getElementById("pay-efectivo")
    cash.value = "50"
    cash.dispatch("input")
    assert doc.getElementById("pay-status").textContent == "Cambio: $14.50"

    cash.value = "$1,050.00"  # thousands grouped the Mexican way
    cash.dispatch("input")
    assert doc.getElementById("pay-status").textContent == "Cambio: $1,014.50"

    cash.value = "1,50"  # a comma before other than three digits is a decimal comma: $1.50, never 150
    cash.dispatch("input")
    assert doc.getElementById("pay-status").textContent == "Falta: $34.00"

    cash.value = "12,"  # a mark with nothing after it is a slip: refused, never guessed
    cash.dispatch("input")
    assert not doc.getElementById("pay-error").hidden
    assert doc.getElementById("pay-status").textContent == ""

    screen.box.querySelector("[data-action]")  # the dialog's own buttons are inside its box
    [cancel] = [b for b in screen.box.walk() if b.attrs.get("data-action") == "close"]
    cancel.click()
    assert screen.destroyed and doc.getElementById("overlay").hidden
    assert platform.live_proxies() == base and done == []


def test_a_sale_paid_in_the_dialog_says_its_number(doc: fakedom.Document) -> None:
    from caja_pos.screens.payment import PaymentScreen

    app = _App()
    app.till.cart.add(1, 2)
    PaymentScreen(app.till, app.commit, lambda: None)
    doc.getElementById("pay-efectivo").value = "20"

    async def confirm() -> None:
        doc.getElementById("pay-confirm").click()
        for _ in range(5):
            await asyncio.sleep(0)

    asyncio.run(confirm())
    assert app.committed == [[Payment("efectivo", Decimal(20), None)]]
    assert doc.getElementById("sale-number").textContent == "T01-000007"
    assert doc.getElementById("sale-saved").attrs["data-number"] == "T01-000007"
    assert "$20.00" in doc.getElementById("sale-saved").textContent  # the total, and no change to give
    assert doc.getElementById("pay-confirm") is None  # the form is gone, "Nueva venta" has the focus
    assert doc.activeElement is doc.getElementById("new-sale")
    assert doc.getElementById("payment-title").textContent == "Venta guardada"


def test_a_new_selling_screen_takes_the_old_ones_listeners_with_it(doc: fakedom.Document) -> None:
    from caja_pos.screens.sell import SellScreen

    app = _App()
    screen = SellScreen(app.till, app.storage, app.commit)
    alive = platform.live_proxies()
    for _ in range(5):  # a language switch builds the screen again
        screen.destroy()
        screen = SellScreen(app.till, app.storage, app.commit)
    assert platform.live_proxies() == alive
    assert sum(1 for kind, _, _ in doc.listeners if kind == "keydown") == 2  # this screen's scanner + the stack
    search = doc.getElementById("search")
    search.value = "Producto 2"
    search.dispatch("input")
    results = doc.getElementById("results")
    assert [n.textContent for n in results.walk() if n.className == "name"] == ["Producto 2"]
    [row] = [n for n in results.walk() if n.attrs.get("data-action") == "add"]
    row.children[0].click()  # a click on the name adds its row's product
    assert "Producto 2" in doc.getElementById("cart").textContent
    assert "$25.50" in doc.getElementById("totals").textContent


def test_the_customer_picker_lists_matches_and_hands_back_the_one_picked(doc: fakedom.Document) -> None:
    from caja_pos.screens.customer import CustomerPicker

    app = _App()
    app.till.customers.add([{"id": 1, "name": "Abarrotes Lupita", "rfc": "ALU010101AB1", "active": True},
                            {"id": 2, "name": "Ferretería Sol", "rfc": None, "active": True}])
    base = platform.live_proxies()
    picked: list[Any] = []
    picker = CustomerPicker(app.till.customers, app.storage, picked.append)
    query = doc.getElementById("customer-search")
    query.value = "lupita"
    query.dispatch("input")
    results = doc.getElementById("customer-results")
    assert [n.textContent for n in results.walk() if n.className == "name"] == ["Abarrotes Lupita"]

    query.value = "nadie"
    query.dispatch("input")
    assert results.textContent == "Sin resultados"

    query.value = "sol"
    query.dispatch("input")
    [row] = [n for n in results.walk() if n.attrs.get("data-action") == "pick"]
    row.click()
    assert [c.name for c in picked] == ["Ferretería Sol"]
    assert picker.destroyed and doc.getElementById("overlay").hidden and platform.live_proxies() == base


def test_the_ticket_preview_shows_the_sale_on_the_stored_paper_width(doc: fakedom.Document) -> None:
    from caja_pos.screens.ticket import TicketPreview

    app = _App()
    app.till.cart.add(2, 2)
    sale = app.till.build_sale([Payment("efectivo", Decimal(60))], "u-1", 7, "2026-12-01T10:00:00-06:00")
    record = Till.sale_record(sale, "2026-12-01T10:00:00-06:00")
    back: list[bool] = []

    async def show() -> TicketPreview:
        await app.storage.put("ticket_width", 80)
        preview = TicketPreview(app.storage, {}, record, lambda: back.append(True))
        for _ in range(5):
            await asyncio.sleep(0)
        return preview

    preview = asyncio.run(show())
    paper = doc.getElementById("ticket")
    assert paper.dataset.width == "80"
    text = "\n".join(n.textContent for n in paper.children)
    assert "T01-000007" in text and "Producto 2" in text and "$51.00" in text
    doc.getElementById("ticket-back").click()
    assert back == [True] and preview.destroyed and doc.getElementById("overlay").hidden


def test_a_background_refresh_of_ventas_never_covers_the_detail_just_opened(doc: fakedom.Document) -> None:
    from caja_pos.screens.returns import ReturnsDoor
    from caja_pos.screens.sales import SalesWindow
    from caja_pos.services.returns import Returns

    class SlowIdb(FakeIdb):
        """Each read of the sales takes the next number of loop turns from `ticks` (the store is slow)."""

        ticks: ClassVar[list[int]] = []

        async def _slow(self) -> None:
            for _ in range(self.ticks.pop(0) if self.ticks else 0):
                await asyncio.sleep(0)

        async def salesPage(self, *args: Any) -> str:
            await self._slow()
            return await super().salesPage(*args)

        async def saleGet(self, uuid: str) -> str | None:
            await self._slow()
            return await super().saleGet(uuid)

    idb = SlowIdb()
    app = _App(idb)
    syncer = Syncer(app.storage, FakeErp([]), idb)
    door = ReturnsDoor(Returns(app.storage, app.till), open_ticket=lambda r, back: None, after_return=_nothing)

    async def allowed(action: str, subject: str | None, reason: str) -> bool:
        return True
    app.till.cart.add(1, 1)
    sale = app.till.build_sale([Payment("efectivo", Decimal(10))], "u-1", 7, "2026-12-01T10:00:00-06:00")

    async def scenario() -> None:
        await app.storage.commit_sale(Till.sale_record(sale, "2026-12-01T10:00:00-06:00"), {})
        window = SalesWindow(app.storage, syncer, app.till, _nothing, door, allowed, dict)
        await window.show()
        SlowIdb.ticks = [10, 1]  # the sync's refresh reads slowly; the cashier's click reads at once
        refresh = asyncio.ensure_future(window._refresh())
        await asyncio.sleep(0)
        doc.getElementById("sales-list").querySelector("[data-action]").click()  # open the sale
        for _ in range(20):
            await asyncio.sleep(0)
        await refresh
        assert doc.getElementById("sale-detail") is not None, "the refresh drew the list over the detail"
        window.close()

    asyncio.run(scenario())


def test_the_english_till_shows_poscore_refusals_in_english(doc: fakedom.Document) -> None:
    from caja_pos.screens.sale_text import rejection_text
    from caja_pos.screens.sell import SellScreen

    labels.set_lang("en")
    app = _App()
    app.till.catalog.add([product(3, "5.00", "1.000")])
    screen = SellScreen(app.till, app.storage, app.commit)
    product_3 = app.till.catalog.get(3)
    assert product_3 is not None
    assert screen.add(product_3) and not screen.add(product_3)  # one left in stock
    assert doc.getElementById("message").textContent == "Not enough stock: 1 left"
    assert rejection_text({"error": "price_mismatch", "message": "El precio no corresponde"}) \
        == "The price is not in the terminal's price list"
    assert rejection_text({"error": "custom_erp_reason", "message": "Texto del ERP"}) == "Texto del ERP"
    # An ERP that sends parameters: the code and its parameters in the till's language, detail and line included.
    answer = {"error": "price_mismatch", "message": "El precio no corresponde a la lista de precios de la terminal "
              "(línea 2: Refresco, precio 18.00)", "params": {"line": 2, "product": "Refresco", "price": "18.00"}}
    assert rejection_text(answer) \
        == "The price is not in the terminal's price list (line 2: Refresco, price 18.00)"
    assert rejection_text({"error": "invalid_amount", "params": {"detail": "detail_out_of_range"}, "message": "x"}) \
        == "Invalid amount (out of range)"
    assert rejection_text({"error": "batch_too_large", "params": {"max": 500}}) == "Too many records in one batch: at most 500"
    labels.set_lang("es")  # the ERP writes Spanish: shown as written, with its detail
    assert rejection_text({"error": "invalid_amount", "message": "Importe no válido (fuera de rango)"}) \
        == "Importe no válido (fuera de rango)"
    assert rejection_text(answer) == answer["message"]  # rendered from the same catalogue as the ERP's message
    screen.destroy()


def _sale_detail_rows(doc: fakedom.Document, breakdown: bool) -> list[str]:
    """The tax rows (label, amount) Ventas shows for one IEPS product sold to a customer with or without the
    IEPS broken out."""
    from caja_pos.screens.returns import ReturnsDoor
    from caja_pos.screens.sales import SalesWindow
    from caja_pos.services.returns import Returns

    from poscore.customer import Customer

    idb = FakeIdb()
    app = _App(idb)
    app.till.catalog.add([dict(product(5, "10.80"), ieps="8", name="Refresco")])
    app.till.customer = Customer.from_json({"id": 9, "uuid": None, "name": "Abarrotes Lupita",
                                            **({"ieps_breakdown": True} if breakdown else {})})
    app.till.cart.add(5, 1)
    sale = app.till.build_sale([Payment("efectivo", Decimal(20))], f"u-{breakdown}", 7, "2026-12-01T10:00:00-06:00")
    door = ReturnsDoor(Returns(app.storage, app.till), open_ticket=lambda r, back: None, after_return=_nothing)

    async def allowed(action: str, subject: str | None, reason: str) -> bool:
        return True

    async def scenario() -> list[str]:
        await app.storage.commit_sale(Till.sale_record(sale, "2026-12-01T10:00:00-06:00"), {})
        window = SalesWindow(app.storage, Syncer(app.storage, FakeErp([]), idb), app.till, _nothing,
                             door, allowed, dict)
        await window.show()
        doc.getElementById("sales-list").querySelector("[data-action]").click()  # open the sale
        for _ in range(20):
            await asyncio.sleep(0)
        rows = [n.textContent for n in doc.getElementById("menu-panel").walk()
                if "total-line" in str(getattr(n, "className", "")).split()]
        window.close()
        return rows

    return asyncio.run(scenario())


def test_the_sale_detail_breaks_out_ieps_only_for_a_customer_who_asked(doc: fakedom.Document) -> None:
    # $10.80 with IVA 16 % on a base that includes IEPS 8 %: net 8.62, IEPS 0.69, IVA 1.49 (sums to 10.80).
    folded = _sale_detail_rows(doc, breakdown=False)
    assert not any(r.startswith("IEPS") for r in folded), folded
    assert "Subtotal$9.31" in folded and "IVA 16 %$1.49" in folded and "Total$10.80" in folded, folded
    broken_out = _sale_detail_rows(doc, breakdown=True)
    assert "IEPS 8 %$0.69" in broken_out and "Subtotal$8.62" in broken_out, broken_out
