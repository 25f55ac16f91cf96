"""Money parsing, the one rounding to cents, quantities and MXN formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poscore.money import (
    InvalidNumber,
    InvalidQuantity,
    format_mxn,
    format_qty,
    is_canonical_qty,
    money,
    percent,
    qty,
    rate_str,
    to_decimal,
)


def test_format_mxn() -> None:
    assert format_mxn(Decimal("1234.5")) == "$1,234.50"
    assert format_mxn(Decimal(-5)) == "-$5.00"
    assert format_mxn(Decimal(0)) == "$0.00"
    assert format_mxn(Decimal("1234567.891")) == "$1,234,567.89"
    assert format_mxn(Decimal("-0.004")) == "$0.00"


@pytest.mark.parametrize("text", ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "", "  ", "1,5",
                                  "abc", "1e", "$5"])
def test_to_decimal_refuses_garbage(text: str) -> None:
    with pytest.raises(InvalidNumber):
        to_decimal(text)


@pytest.mark.parametrize("value", [1.5, True, None, [], {"a": 1}])
def test_to_decimal_refuses_non_strings(value: object) -> None:
    with pytest.raises(InvalidNumber):
        to_decimal(value)  # type: ignore[arg-type]


def test_to_decimal_accepts_decimal_strings_ints_and_decimals() -> None:
    assert to_decimal(" 18.50 ") == Decimal("18.50")
    assert str(to_decimal("18.50")) == "18.50"
    assert to_decimal(3) == Decimal(3)
    assert to_decimal(Decimal("1.250")) == Decimal("1.25")


def test_money_rounds_half_up_to_cents() -> None:
    assert money(Decimal("2.345")) == Decimal("2.35")
    assert money(Decimal("2.344999")) == Decimal("2.34")
    assert money(Decimal("0.125")) == Decimal("0.13")  # banker's rounding would give 0.12
    assert money(Decimal("-2.345")) == Decimal("-2.35")
    assert str(money(Decimal(7))) == "7.00"


def test_money_refuses_non_finite() -> None:
    with pytest.raises(InvalidNumber):
        money(Decimal("NaN"))


def test_qty_scales_by_unit() -> None:
    assert str(qty("1.25", "kg")) == "1.250"
    assert str(qty("0.7555", "kg")) == "0.756"
    assert str(qty(2, "pieza")) == "2"
    assert str(qty("2.000", "pieza")) == "2"
    assert str(qty("0.5", "pieza")) == "0.500"


@pytest.mark.parametrize("value", ["0", "-1", "0.0004", "NaN", "Infinity", "-Infinity", "x", 1.0])
@pytest.mark.parametrize("unit", ["pieza", "kg"])
def test_qty_refuses_zero_negative_and_non_finite(value: object, unit: str) -> None:
    with pytest.raises(InvalidQuantity):
        qty(value, unit)  # type: ignore[arg-type]


def test_qty_refuses_unknown_unit() -> None:
    with pytest.raises(InvalidQuantity):
        qty(1, "litro")


def test_canonical_qty() -> None:
    assert is_canonical_qty(Decimal("1.250"), "kg")
    assert not is_canonical_qty(Decimal("1.25"), "kg")
    assert not is_canonical_qty(Decimal("1.2345"), "kg")
    assert is_canonical_qty(Decimal(3), "pieza")
    assert not is_canonical_qty(Decimal(0), "pieza")


def test_percent_and_rate_text() -> None:
    assert percent("12.5") == Decimal("12.5")
    with pytest.raises(InvalidNumber):
        percent("100.01")
    with pytest.raises(InvalidNumber):
        percent("-1")
    assert rate_str("8.0") == "8"
    assert rate_str("26.50") == "26.5"
    assert rate_str(Decimal("1E+1")) == "10"


def test_format_qty() -> None:
    assert format_qty(Decimal(2), "pieza") == "2"
    assert format_qty(Decimal("0.5"), "kg") == "0.500 kg"


@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=4))
def test_money_is_idempotent_and_within_half_a_cent(d: Decimal) -> None:
    m = money(d)
    assert money(m) == m
    assert abs(m - d) <= Decimal("0.005")
    assert to_decimal(str(m)) == m


@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=2))
def test_format_mxn_reads_back(d: Decimal) -> None:
    text = format_mxn(d)
    back = Decimal(text.replace("$", "").replace(",", ""))
    assert back == d


@pytest.mark.parametrize("text", ["1e30", "1E-7", "1_000", "١٢", "٤٤", "0x10", "1234567890123456", "1.1234567", " ", "+"])
def test_to_decimal_refuses_what_the_wire_never_sends(text: str) -> None:
    with pytest.raises(InvalidNumber):
        to_decimal(text)


def test_check_sale_answers_absurd_amounts_with_problems_not_exceptions() -> None:
    from poscore.sale import check_sale

    assert check_sale({"v": 1, "totals": {"total": "1e30"}, "lines": [{"qty": "1e30"}]})
