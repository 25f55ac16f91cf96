"""Amounts as people type them (poscore/typed_amount.py): one reading for the POS and the back office."""
from __future__ import annotations

from decimal import Decimal

import pytest

from poscore.money import InvalidNumber
from poscore.typed_amount import parse_typed_amount


@pytest.mark.parametrize(("text", "amount"), [
    ("150", "150"), (" 150.5 ", "150.5"), ("$1,234.50", "1234.50"), ("$ 12,345", "12345"),
    ("1,234,567.8", "1234567.8"), ("0.50", "0.50"),
])
def test_what_a_cashier_types(text: str, amount: str) -> None:
    assert parse_typed_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["1,50", "1,5", "12,34.00", "1,2345", ",500", "abc", "", "$", "1.5.0", "nan"])
def test_an_ambiguous_or_garbled_amount_is_refused_not_guessed(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse_typed_amount(text)
