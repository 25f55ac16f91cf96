"""The cart: adding by code/SKU/id, quantities, discounts, refusals with reasons."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from poscore_data import index_of, product, product_json

from poscore.cart import Cart, NotSellable
from poscore.messages import t


def refusal(fn, *args: object) -> str:
    with pytest.raises(NotSellable) as err:
        fn(*args)
    assert err.value.message == t(err.value.code) or err.value.code == "insufficient_stock"
    return err.value.code


@pytest.fixture
def cart() -> Cart:
    idx = index_of(
        product_json(1, name="Refresco", sku="REF-600", barcodes=["7501055300075"], ieps="8"),
        product_json(2, name="Jamón", unit="kg", price="129.90", iva="0", stock="1.500"),
        product_json(3, name="Sin precio", price=None),
        product_json(4, name="Descontinuado", active=False),
        product_json(5, name="Agotado", stock="0.000"),
        product_json(6, name="Sin registro de existencia", stock=None, sellable=False),
    )
    return Cart(True, True, catalog=idx, price_list_id=1)


def test_add_by_barcode_sku_and_id_merges_the_line(cart: Cart) -> None:
    cart.add("7501055300075")
    cart.add("ref-600", 2)
    line = cart.add(1)
    assert len(cart) == 1 and line.qty == D(4)
    assert line.total == D("74.00") and cart.totals().total == D("74.00")


def test_kg_quantities_get_three_decimals(cart: Cart) -> None:
    line = cart.add(2, "0.7555")
    assert str(line.qty) == "0.756"
    assert line.total == D("98.20")  # 0.756 x 129.90 = 98.2044


@pytest.mark.parametrize(("code", "reason"), [
    ("nope", "product_not_found"), (99, "product_not_found"), (3, "no_price"), (4, "product_inactive"),
    (5, "out_of_stock"), (6, "out_of_stock")])
def test_refusals(cart: Cart, code: object, reason: str) -> None:
    assert refusal(cart.add, code) == reason
    assert len(cart) == 0


def test_not_sellable_flag_is_respected_when_stock_is_not_enforced() -> None:
    c = Cart(True, False, catalog=index_of(product_json(6, stock=None, sellable=False),
                                           product_json(7, stock=None)))
    assert refusal(c.add, 6) == "not_sellable"
    assert c.add(7, 1000).qty == D(1000)  # no stock record, stock not enforced: sells


def test_quantity_over_stock_is_refused_including_what_is_already_in_the_cart(cart: Cart) -> None:
    cart.add(2, "1.000")
    assert refusal(cart.add, 2, "0.501") == "insufficient_stock"
    assert cart.line(2).qty == D("1.000")
    with pytest.raises(NotSellable, match="1.500 kg"):
        cart.set_qty(2, "2")
    cart.set_qty(2, "1.5")
    assert cart.line(2).qty == D("1.500")


def test_local_stock_deltas_through_stock_of() -> None:
    c = Cart(True, True, stock_of=lambda p: D(1))
    assert refusal(c.add, product(1, stock="24.000"), 2) == "insufficient_stock"


@pytest.mark.parametrize("q", [0, -1, "0", "-2", "NaN", "Infinity", "-Infinity", "abc", 1.5, None])
def test_bad_quantities_are_refused(cart: Cart, q: object) -> None:
    assert refusal(cart.add, 1, q) == "invalid_quantity"
    cart.add(1)
    assert refusal(cart.set_qty, 1, q) == "invalid_quantity"
    assert refusal(cart.add, 1, q) == "invalid_quantity"
    assert cart.line(1).qty == D(1)


def test_discounts(cart: Cart) -> None:
    cart.add(1, 2)
    line = cart.set_discount(1, "10")
    assert line.total == D("33.30") and line.discount_pct == D(10)
    cart.add(1)  # adding keeps the discount
    assert cart.line(1).discount_pct == D(10) and cart.line(1).total == D("49.95")
    for bad in ("-1", "100.5", "NaN", "x"):
        assert refusal(cart.set_discount, 1, bad) == "invalid_discount"
    assert cart.set_discount(1, 100).total == D("0.00")


def test_remove_clear_and_missing_lines(cart: Cart) -> None:
    cart.add(1)
    cart.add(2, "0.5")
    assert [x.product_id for x in cart.lines] == [1, 2]
    cart.remove(1)
    cart.remove(1)  # twice is fine
    assert [x.product_id for x in cart.lines] == [2]
    assert refusal(cart.set_qty, 1, 1) == "line_not_found"
    assert refusal(cart.set_discount, 1, 1) == "line_not_found"
    cart.clear()
    assert not cart and cart.totals().total == D("0.00")


def test_net_price_list() -> None:
    c = Cart(False, False)
    c.add(product(1, price="100.00"), 2)
    t = c.totals()
    assert (t.subtotal, t.tax_total, t.total) == (D("200.00"), D("32.00"), D("232.00"))


def test_add_by_code_needs_a_catalog() -> None:
    assert refusal(Cart(True, False).add, "7501055300075") == "product_not_found"
