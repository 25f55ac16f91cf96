"""Properties of the tax rule: lines add up exactly, totals are sums of rounded lines."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from poscore_strategies import line_inputs

from poscore.money import HUNDRED, money
from poscore.tax import compute_line, sum_lines


@given(line_inputs(), st.booleans())
def test_a_line_adds_up_exactly(inputs: tuple, included: bool) -> None:
    price, q, disc, scheme = inputs
    a = compute_line(price, q, disc, scheme, included)
    assert a.subtotal - a.discount + a.tax_total == a.total
    assert Decimal(0) <= a.discount <= a.subtotal
    for x in (a.subtotal, a.discount, a.total, *(t.amount for t in a.taxes), *(t.base for t in a.taxes)):
        assert x >= 0
        assert money(x) == x  # every amount is whole cents
    if included:
        assert a.total == money(price * q * (HUNDRED - disc) / HUNDRED)
    else:
        assert a.subtotal == money(price * q)
    iva = [t for t in a.taxes if t.tax == "IVA"]
    assert len(iva) == 1 and iva[0].rate == scheme.iva
    assert iva[0].base == a.subtotal - a.discount + sum(t.amount for t in a.taxes if t.tax == "IEPS")
    if scheme.iva in ("0", "exento"):
        assert iva[0].amount == 0


@given(st.lists(line_inputs(), min_size=0, max_size=12), st.booleans())
def test_totals_are_sums_of_rounded_lines(lines: list, included: bool) -> None:
    amounts = [compute_line(p, q, d, s, included) for p, q, d, s in lines]
    t = sum_lines(amounts)
    assert t.total == sum((a.total for a in amounts), Decimal(0))
    assert t.subtotal == sum((a.subtotal for a in amounts), Decimal(0))
    assert t.discount == sum((a.discount for a in amounts), Decimal(0))
    assert t.tax_total == sum((a.tax_total for a in amounts), Decimal(0))
    assert sum((x.amount for x in t.taxes), Decimal(0)) == t.tax_total
    assert t.subtotal - t.discount + t.tax_total == t.total
    keys = [(x.tax, x.rate) for x in t.taxes]
    assert len(keys) == len(set(keys))
