"""Hypothesis strategies for poscore: prices, quantities, tax schemes, contract PRODUCT dicts."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from poscore.cart import Cart
from poscore.catalog import Product
from poscore.tax import TaxScheme

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
discounts = st.one_of(st.just(Decimal(0)), st.decimals(min_value=0, max_value=100, places=2))
schemes = st.builds(TaxScheme, st.sampled_from(["16", "8", "0", "exento"]),
                    st.sampled_from([None, "8", "25", "26.5", "53"]))


@st.composite
def unit_and_qty(draw: st.DrawFn) -> tuple[str, Decimal]:
    unit = draw(st.sampled_from(["pieza", "kg"]))
    if unit == "kg":
        return unit, draw(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(50), places=3))
    return unit, Decimal(draw(st.integers(min_value=1, max_value=500)))


@st.composite
def line_inputs(draw: st.DrawFn) -> tuple[Decimal, Decimal, Decimal, TaxScheme]:
    _, q = draw(unit_and_qty())
    return draw(prices), q, draw(discounts), draw(schemes)


# Words made of letters with and without accents, so normalization is exercised.
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúñüABCDEFGHIJKLMNOPQRSTUVWXYZÁÉÍÓÚÑ0123456789",
                min_size=1, max_size=10)
names = st.lists(_word, min_size=1, max_size=5).map(" ".join)


@st.composite
def catalogs(draw: st.DrawFn, max_size: int = 30) -> list[dict]:
    n = draw(st.integers(min_value=1, max_value=max_size))
    out = []
    for i in range(1, n + 1):
        unit, _ = draw(unit_and_qty())
        out.append({"id": i, "sku": f"SKU{i:05d}", "barcodes": [f"75{i:011d}"], "name": draw(names),
                    "unit": unit, "iva": "16", "ieps": None, "price": str(draw(prices)), "stock": "10.000",
                    "active": True, "sellable": True, "version": 1})
    return out


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    cart = Cart(draw(st.booleans()), False, price_list_id=1)
    for pid in range(1, draw(st.integers(min_value=1, max_value=8)) + 1):
        unit, q = draw(unit_and_qty())
        scheme = draw(schemes)
        p = Product(pid, f"SKU{pid}", (f"75{pid:011d}",), draw(names), unit, scheme, draw(prices), None)
        cart.add(p, q)
        disc = draw(discounts)
        if disc:
            cart.set_discount(pid, disc)
    return cart
