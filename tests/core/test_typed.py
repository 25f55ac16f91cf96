"""poscore.typed: numbers as people and spreadsheets write them, decimal commas included; ambiguity named."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poscore.money import InvalidNumber
from poscore.typed import AmbiguousNumber, decimal_comma_of, parse_typed


@pytest.mark.parametrize(("text", "decimal_comma", "expected"), [
    ("23.50", False, "23.50"), ("23,50", False, "23.50"), ("23,50", True, "23.50"), ("23.50", True, "23.50"),
    ("0,5", False, "0.5"), (",5", True, "0.5"), ("1,234", False, "1234"), ("1,234", True, "1.234"),
    ("1.234", False, "1.234"), ("1,234.50", True, "1234.50"), ("1.234,50", False, "1234.50"),
    ("$ 1,234,567.8", False, "1234567.8"), ("-1.234.567", True, "-1234567"), ("1\u00a0234,5", True, "1234.5"),
    ("0,500", False, "0.500"), ("12", True, "12"), (" -3,25 ", True, "-3.25"),
])
def test_reads_every_form_that_means_one_number(text: str, decimal_comma: bool, expected: str) -> None:
    d = parse_typed(text, decimal_comma)
    assert d == Decimal(expected) and str(d) == expected


def test_a_dot_group_of_three_in_a_decimal_comma_source_is_ambiguous() -> None:
    with pytest.raises(AmbiguousNumber) as info:
        parse_typed("1.234", decimal_comma=True)
    assert info.value.readings == ("1234", "1.234")


@pytest.mark.parametrize("text", ["", "abc", "1e5", "NaN", "1,23,4", "1..2", "1,2.3,4", "0,123,456", "1.2,3.4", "12,"])
def test_refuses_what_is_not_a_number(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse_typed(text, decimal_comma=True)


def test_a_files_convention_from_the_cells_that_read_one_way() -> None:
    assert decimal_comma_of(["24", "23,50", "1,250"]) is True
    assert decimal_comma_of(["18.50", "50.250", "1,234"]) is False
    assert decimal_comma_of(["24", "1,250", "1.234", "Público"]) is None  # nothing tells
    assert decimal_comma_of(["23,50", "18.50"]) is None  # they disagree


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_grouped_amounts_in_either_convention_read_back(value: Decimal) -> None:
    mexican = f"{value:,.2f}"  # 1,234,567.89
    spanish = mexican.replace(",", " ").replace(".", ",").replace(" ", ".")  # 1.234.567,89
    assert parse_typed(mexican) == value
    assert parse_typed(spanish, decimal_comma=True) == value
    assert parse_typed(spanish, decimal_comma=False) == value


@pytest.mark.parametrize(("text", "amount"), [
    ("150", "150"), (" 150.5 ", "150.5"), ("$1,234.50", "1234.50"), ("$ 12,345", "12345"),
    ("1,234,567.8", "1234567.8"), ("0.50", "0.50"), ("1,50", "1.50"), ("1,5", "1.5"), ("1.050,00", "1050.00"),
])
def test_what_a_cashier_or_a_back_office_form_reads(text: str, amount: str) -> None:
    """A form's rule (the till's payment, the back office): "1,50" is one peso fifty, never 150."""
    assert parse_typed(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["12,34.00", "abc", "", "$", "1.5.0", "nan", "12,", "1,23,4"])
def test_a_garbled_amount_in_a_form_is_refused_not_guessed(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse_typed(text)
