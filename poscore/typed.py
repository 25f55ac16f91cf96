"""Numbers as a person types them — at the till (cash received, a card amount), in a back office form, or in a
spreadsheet cell — turned into a ``Decimal``. The POS, the back office and the CSV import all call ``parse_typed``:
one rule, so an amount typed at the till means what the same text means in the back office.

The rule for a form (``decimal_comma=False``, Mexico's convention):
  - the dot is the decimal mark; a comma followed by groups of three digits groups thousands:
    "150" → 150, "$1,234.50" → 1234.50, "1,234" → 1234;
  - a comma followed by other than three digits cannot group thousands, so it is a decimal comma:
    "1,50" → 1.50 (never 150), "0,5" → 0.5;
  - with both marks the last one is the decimal: "1.234,50" → 1234.50;
  - anything else ("12,", "1,23,4", "1..2", "abc", "1e5") raises ``InvalidNumber`` and the person types it again.

People write "$1,234.50", "23,50" (a spreadsheet in a locale where the comma is the decimal mark) or
"1.234,50". This module reads every form that means one number only, and for the one form that means two
("1.234" or "1,234": a thousands group, or three decimals) it follows the source's convention where it has one
and otherwise raises ``AmbiguousNumber`` carrying both readings, so the caller can say exactly what to write.
``decimal_comma_of`` finds a file's convention from the cells that can only be read one way.
The result then goes through ``money.to_decimal``, the one strict parser (no NaN, exponents or float).

Must not: read the locale, round, or accept anything ``to_decimal`` would refuse once the separators are gone.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from .money import InvalidNumber, to_decimal

_BODY = re.compile(r"[0-9.,]+", re.ASCII)
# Spaces people and spreadsheets put in numbers: plain, no-break, narrow no-break (French/Spanish grouping).
_SPACES = str.maketrans("", "", " \u00a0\u202f\t$")


class AmbiguousNumber(InvalidNumber):
    """Text that reads as two numbers; ``readings`` holds each as a plain decimal string, thousands first."""

    def __init__(self, text: str, readings: tuple[str, str]) -> None:
        super().__init__(f"ambiguous number: {text!r} could be {readings[0]} or {readings[1]}")
        self.text, self.readings = text, readings


def _grouped(digits: str, sep: str) -> bool:
    """'1,234,567' with sep ',': a first group of 1–3 digits (not starting with 0), then groups of exactly 3."""
    groups = digits.split(sep)
    head = groups[0]
    return 1 <= len(head) <= 3 and not head.startswith("0") and all(len(g) == 3 for g in groups[1:])


def parse_typed(text: str, decimal_comma: bool = False) -> Decimal:
    """Read a typed number. ``decimal_comma``: the source writes the comma as its decimal mark (a spreadsheet
    saved with semicolons between cells); otherwise the dot is (Mexico's convention, the product form).

    Always accepted: "23.50", "23,50" and "0,5" (a comma followed by other than three digits cannot be a
    thousands group), "1,234.50" and "1.234,50" (both marks: the last one is the decimal), "1,234,567",
    a peso sign and spaces. "1,234" and "1.234" follow the convention: the source's decimal mark is read as
    decimal, the other mark as thousands — except "1.234" in a decimal-comma source, which raises
    ``AmbiguousNumber`` (there a dot is neither the decimal mark nor how such files group thousands).
    Raises ``InvalidNumber`` for anything else.
    """
    cleaned = text.translate(_SPACES)
    sign = cleaned[:1] if cleaned[:1] in "+-" else ""
    body = cleaned[len(sign):]
    if not body or not _BODY.fullmatch(body) or ("," not in body and "." not in body):
        return to_decimal(cleaned)  # plain digits, or garbage that to_decimal names
    if "," in body and "." in body:
        dec = "." if body.rfind(".") > body.rfind(",") else ","
        group = "," if dec == "." else "."
        whole, frac = body.rsplit(dec, 1)
        if dec in whole or not _grouped(whole, group) or not frac:
            raise InvalidNumber(f"not a number: {text!r}")
        return to_decimal(f"{sign}{whole.replace(group, '')}.{frac}")
    sep = "," if "," in body else "."
    if body.count(sep) > 1:
        if not _grouped(body, sep):
            raise InvalidNumber(f"not a number: {text!r}")
        return to_decimal(sign + body.replace(sep, ""))
    whole, frac = body.split(sep)
    if not frac:
        raise InvalidNumber(f"not a number: {text!r}")  # "12," — a mark with nothing after it is a slip
    as_decimal = f"{sign}{whole}.{frac}"
    if len(frac) != 3 or not _grouped(whole, sep):
        return to_decimal(as_decimal)  # cannot be a thousands group: the mark is decimal
    as_thousands = f"{sign}{whole}{frac}"
    if sep == ("," if decimal_comma else "."):
        return to_decimal(as_decimal)
    if sep == "," and not decimal_comma:
        return to_decimal(as_thousands)  # Mexico groups thousands with commas: "1,234" is 1234
    raise AmbiguousNumber(text.strip(), (as_thousands.lstrip("+"), as_decimal.lstrip("+")))


def _decimal_mark(text: str) -> str | None:
    """The mark that can only be the decimal one in this cell ("23,50" → ",", "1,234.5" → "."), else None."""
    body = text.translate(_SPACES).lstrip("+-")
    if not _BODY.fullmatch(body or "x"):
        return None
    if "," in body and "." in body:
        return "." if body.rfind(".") > body.rfind(",") else ","
    for sep in (",", "."):
        if body.count(sep) == 1:
            whole, frac = body.split(sep)
            if len(frac) != 3 or not _grouped(whole, sep):
                return sep
    return None


def decimal_comma_of(cells: Iterable[str]) -> bool | None:
    """Which decimal mark a set of cells (one file's number columns) uses, judged by the cells that can only be
    read one way: True for the comma, False for the dot, None when none tells or they disagree."""
    marks = {m for m in map(_decimal_mark, cells) if m is not None}
    return None if len(marks) != 1 else marks == {","}
