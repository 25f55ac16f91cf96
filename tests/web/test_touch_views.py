"""Touch input in CPython, on tests/web/fakedom.py: the numeric pad's keys, − / + beside a quantity, a tap on a
quantity or on the cash received opening the pad, the quick-cash buttons, the two views of the selling screen, and
dialogs giving the focus back to what opened them. (A finger's tap is a click whose pointerType is "touch".)"""
from __future__ import annotations

from typing import Any

import pytest
from caja_pos import platform
from caja_pos.text import labels
from caja_pos.ui.dialogs import dialogs
from caja_pos.ui.numpad import NumPad, press

from tests.web import fakedom
from tests.web.products import product
from tests.web.test_views import _App

TAP = {"pointerType": "touch"}


@pytest.fixture
def doc(monkeypatch: pytest.MonkeyPatch) -> fakedom.Document:
    labels.set_lang("es")
    document = fakedom.install(monkeypatch)
    dialogs.start()
    return document


def _by_action(root: Any, action: str, **data: str) -> list[Any]:
    return [n for n in root.walk() if n.attrs.get("data-action") == action
            and all(n.attrs.get(f"data-{k}") == v for k, v in data.items())]


def _tap_keys(d: fakedom.Document, keys: str) -> None:
    pad = d.getElementById("numpad")
    for k in keys:
        [button] = _by_action(pad, "key", key=k)
        button.dispatch("click", **TAP)


@pytest.mark.parametrize(("start", "keys", "decimals", "shown"), [
    ("", "12.5", 2, "12.5"),
    ("", "1.2345", 3, "1.234"),  # a weight: three decimals, the fourth key is ignored
    ("", "1.5", 0, "15"),  # pieces: no point
    ("", "0007", 2, "7"),  # no leading zeros
    ("", "..5", 2, "0.5"),
    ("12", ["back"], 2, "1"),
    ("12", ["clear"], 2, ""),
])
def test_the_pad_types_a_number_within_its_decimals(start: str, keys: Any, decimals: int, shown: str) -> None:
    text = start
    for k in keys:
        text = press(text, k, decimals)
    assert text == shown


def test_the_pad_replaces_its_value_at_the_first_key_and_gives_the_focus_back(doc: fakedom.Document) -> None:
    base = platform.live_proxies()
    opener = doc.createElement("button")
    doc.body.append(opener)
    opener.focus()
    got: list[str] = []
    NumPad("Cantidad", "1", got.append, decimals=3)
    assert doc.getElementById("numpad").attrs["role"] == "dialog"
    assert doc.getElementById("numpad-value").textContent == "1"
    _tap_keys(doc, "2.75")
    assert doc.getElementById("numpad-value").textContent == "2.75"
    doc.getElementById("numpad").dispatch("keydown", key="5")  # a keyboard types into the pad too
    doc.getElementById("numpad-ok").dispatch("click", **TAP)
    assert got == ["2.755"] and dialogs.top is None
    assert doc.activeElement is opener  # back where the cashier was
    assert platform.live_proxies() == base

    NumPad("Cantidad", "1", got.append)
    doc.body.dispatch("keydown", key="Escape")  # Cancelar: nothing is applied
    assert got == ["2.755"] and dialogs.top is None and doc.activeElement is opener


def _sell(app: Any) -> Any:
    from caja_pos.screens.sell import SellScreen

    return SellScreen(app.till, app.storage, app.commit)


def test_plus_minus_and_the_pad_change_a_quantity_through_the_cart(doc: fakedom.Document) -> None:
    app = _App()
    app.till.catalog.add([product(3, "20.00", "10.000", unit="kg", name="Queso")])
    screen = _sell(app)
    screen.add(app.till.catalog.get(1))
    cart = doc.getElementById("cart")
    [minus] = _by_action(cart, "dec", id="1")
    assert minus.attrs.get("disabled") == ""  # one piece: − would leave nothing; × removes the line
    [plus] = _by_action(cart, "inc", id="1")
    plus.dispatch("click", **TAP)
    plus = _by_action(doc.getElementById("cart"), "inc", id="1")[0]
    plus.dispatch("click", **TAP)
    assert app.till.cart.line(1).qty == 3
    _by_action(doc.getElementById("cart"), "dec", id="1")[0].click()
    assert app.till.cart.line(1).qty == 2
    assert doc.getElementById("cart-summary").textContent == "1 art. · $20.00"

    # A tap on the quantity opens the pad; a keyboard click (no finger) leaves the field to the keyboard.
    qty = next(n for n in doc.getElementById("cart").walk() if n.attrs.get("data-field") == "qty")
    qty.click()
    assert dialogs.top is None
    qty.dispatch("click", **TAP)
    assert doc.getElementById("numpad-title").textContent == "Cantidad: Producto 1"
    [point] = _by_action(doc.getElementById("numpad"), "key", key=".")
    assert point.attrs.get("disabled") == ""  # pieces: the point key is off
    _tap_keys(doc, "4")
    doc.getElementById("numpad-ok").click()
    assert app.till.cart.line(1).qty == 4 and "$40.00" in doc.getElementById("totals").textContent

    # A weight: three decimals on the pad; 9 kg more than the stock is refused by poscore, the cart unchanged.
    screen.add(app.till.catalog.get(3))
    kg = next(n for n in doc.getElementById("cart").walk()
              if n.attrs.get("data-field") == "qty" and n.attrs.get("data-id") == "3")
    kg.dispatch("click", **TAP)
    assert doc.getElementById("numpad-title").textContent == "Peso en kg: Queso"
    _tap_keys(doc, "0.375")
    doc.getElementById("numpad-ok").click()
    assert str(app.till.cart.line(3).qty) == "0.375"
    kg = next(n for n in doc.getElementById("cart").walk()
              if n.attrs.get("data-field") == "qty" and n.attrs.get("data-id") == "3")
    kg.dispatch("click", **TAP)
    _tap_keys(doc, "11")
    doc.getElementById("numpad-ok").click()
    assert str(app.till.cart.line(3).qty) == "0.375" and not doc.getElementById("message").hidden

    disc = next(n for n in doc.getElementById("cart").walk()
                if n.attrs.get("data-field") == "discount" and n.attrs.get("data-id") == "1")
    disc.dispatch("click", **TAP)
    _tap_keys(doc, "10")
    doc.getElementById("numpad-ok").click()
    assert app.till.cart.line(1).discount_pct == 10


def test_the_cart_view_is_one_tap_away_and_says_count_and_total(doc: fakedom.Document) -> None:
    app = _App()
    _sell(app)
    section = doc.getElementById("app").children[0]
    assert section.attrs["data-view"] == "products"
    assert doc.getElementById("cart-summary").textContent == "0 art. · $0.00"
    doc.getElementById("show-cart").dispatch("click", **TAP)
    assert section.attrs["data-view"] == "cart"
    assert doc.getElementById("show-cart").attrs["aria-pressed"] == "true"
    doc.getElementById("show-products").dispatch("click", **TAP)
    assert section.attrs["data-view"] == "products" and doc.activeElement is doc.getElementById("search")


def test_quick_cash_and_the_cash_pad_fill_the_cash_received(doc: fakedom.Document) -> None:
    from caja_pos.screens.payment import PaymentScreen

    app = _App()
    app.till.cart.add(1, 1)
    app.till.cart.add(2, 1)  # $35.50
    PaymentScreen(app.till, app.commit, lambda: None)
    quick = doc.getElementById("quick-cash")
    assert [b.textContent for b in quick.children] == ["$40.00", "$50.00", "$100.00", "$200.00", "$500.00"]
    quick.children[1].dispatch("click", **TAP)
    assert doc.getElementById("pay-status").textContent == "Cambio: $14.50"

    cash = doc.getElementById("pay-efectivo")
    cash.focus()
    cash.dispatch("click", **TAP)
    pad = doc.getElementById("numpad-quick")
    assert [b.textContent for b in pad.children] == ["Exacto", "$40.00", "$50.00", "$100.00", "$200.00", "$500.00"]
    pad.children[3].click()  # the customer hands over $100: the pad closes with it
    assert dialogs.top is not None and doc.getElementById("payment") is not None
    assert doc.getElementById("pay-status").textContent == "Cambio: $64.50"
    assert doc.activeElement is cash

    cash.dispatch("click", **TAP)
    _tap_keys(doc, "36")
    doc.getElementById("numpad-ok").click()
    assert cash.value == "36" and doc.getElementById("pay-status").textContent == "Cambio: $0.50"
