"""An amount as a person types it at the till or in the back office ("150", "150.5", "$1,234.50"), read one way on
both sides.

Why: Mexico writes the decimal point as "." and groups thousands with ","; a comma anywhere else ("1,50") is
ambiguous (a decimal comma, or a typo), and reading it by deleting commas turned "1,50" into 150 pesos while the
back office refused it. Here a comma is accepted only as a thousands separator (groups of three digits before the
point); anything else is InvalidNumber, and the person types it again.

Must not round or quantize (money.py does, where the amount is used), nor accept a float.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .money import InvalidNumber, to_decimal

_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d*)?")


def parse_typed_amount(text: str) -> Decimal:
    """The amount in `text` (a leading "$" and surrounding spaces allowed); raises InvalidNumber."""
    s = text.strip().removeprefix("$").strip()
    if "," in s:
        if not _GROUPED.fullmatch(s):
            raise InvalidNumber(f"a comma only groups thousands (1,234.50): {text!r}")
        s = s.replace(",", "")
    return to_decimal(s)
