"""Money and quantities as ``Decimal``: parsing, the one rounding to cents, MXN display.

Every amount in caja goes through here: ``to_decimal`` is the only way text becomes a number
(refusing NaN, Infinity, floats and garbage), ``money`` is the only quantize to cents
(ROUND_HALF_UP, the way a Mexican cashier and the SAT round), and ``qty`` is the only place a
quantity is checked and given its scale (kg: 3 decimals; pieza: integer, or up to 3 decimals).

Must not: use float anywhere, read the locale, or depend on the global decimal context's rounding
(every rounding here names its mode explicitly).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

UNITS = ("pieza", "kg")

# The wire sends plain decimal strings ("18.50", "-2.3", "1.250"). Python's Decimal() would also take
# "1e30", "1_000" and Unicode digits ("١"); none of those is ever meant, and the first makes later
# arithmetic overflow the context's precision. 15 integer digits bound every product of two numbers
# well inside the 28-digit context; 6 decimals cover rates, discounts and kg.
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{0,6})?|[+-]?\.[0-9]{1,6}", re.ASCII)


# The same few hundred texts ("16.00", "1", "0.160000") come back in every line of every sale: the ERP checks
# thousands of sales a second and each has ~80 numbers, so a parsed text is kept (a Decimal is immutable).
# Only valid texts are kept; the dict is emptied when full rather than tracking use.
_PARSED: dict[str, Decimal] = {}
_PARSED_MAX = 20_000


class InvalidNumber(ValueError):
    """Text or value that is not a finite decimal number (NaN, Infinity, float, garbage)."""


class InvalidQuantity(ValueError):
    """A quantity that is not finite, not positive, or has more decimals than its unit allows."""


def to_decimal(value: str | int | Decimal) -> Decimal:
    """Parse a decimal string (or int/Decimal) into a finite ``Decimal``.

    Floats are refused on purpose: ``0.1`` as a float is not 0.1, and the wire contract sends
    decimal strings. ``bool`` is refused too (it is an ``int`` subclass, never meant as money).
    Raises ``InvalidNumber``.
    """
    if isinstance(value, (bool, float)):
        raise InvalidNumber(f"not a decimal string: {value!r}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        known = _PARSED.get(value)
        if known is not None:
            return known
        text = value.strip()
        if not text:
            raise InvalidNumber("empty number")
        if not _DECIMAL_TEXT.fullmatch(text):
            raise InvalidNumber(f"not a decimal string: {value!r}")
        d = Decimal(text)
        if d.is_finite():
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[value] = d
    else:
        raise InvalidNumber(f"not a decimal string: {value!r}")
    if not d.is_finite():
        raise InvalidNumber(f"not a finite number: {value!r}")
    return d


def money(value: Decimal) -> Decimal:
    """Round to cents, half up: the one quantize for money in caja (``2.345`` -> ``2.35``)."""
    if not value.is_finite():
        raise InvalidNumber(f"not a finite amount: {value!r}")
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # too many digits for the context: an absurd amount, not money
        raise InvalidNumber(f"amount out of range: {value!r}") from None


def qty(value: Decimal | str | int, unit: str) -> Decimal:
    """Check a quantity and give it the canonical scale of its unit.

    ``kg``: rounded half up to 3 decimals (what a scale reports), ``"1.250"``.
    ``pieza``: an integer (``"2"``), or when fractional, 3 decimals (``"0.500"``).
    Refuses zero, negatives, NaN and Infinity with ``InvalidQuantity``.
    """
    if unit not in UNITS:
        raise InvalidQuantity(f"unknown unit: {unit!r}")
    try:
        d = to_decimal(value)
    except InvalidNumber as exc:
        raise InvalidQuantity(str(exc)) from None
    if unit == "kg":
        q = d.quantize(MILLI, rounding=ROUND_HALF_UP)
    elif d == d.to_integral_value():
        q = d.quantize(ONE)
    else:
        q = d.quantize(MILLI, rounding=ROUND_HALF_UP)
    if q <= ZERO:
        raise InvalidQuantity(f"quantity must be positive: {value!r}")
    return q


def is_canonical_qty(value: Decimal, unit: str) -> bool:
    """True when ``value`` already has the scale ``qty`` would give it (used by ``check_sale``)."""
    try:
        q = qty(value, unit)
    except InvalidQuantity:
        return False
    return q == value and q.as_tuple().exponent == value.as_tuple().exponent


def percent(value: Decimal | str | int) -> Decimal:
    """Parse a percentage between 0 and 100 inclusive (line discounts). Raises ``InvalidNumber``."""
    d = to_decimal(value)
    if d < ZERO or d > HUNDRED:
        raise InvalidNumber(f"percentage out of range: {value!r}")
    return d


def rate_str(value: Decimal | str | int) -> str:
    """Canonical text of a rate or percentage: ``"16"``, ``"26.5"`` (no exponent, no trailing zeros)."""
    d = to_decimal(value)
    if d == d.to_integral_value():
        return str(d.quantize(ONE))
    return format(d.normalize(), "f")


def format_mxn(value: Decimal) -> str:
    """Show an amount as Mexican pesos: ``$1,234.50``; negatives as ``-$5.00``."""
    d = money(value)
    sign = "-" if d < ZERO else ""
    return f"{sign}${abs(d):,.2f}"


def format_qty(value: Decimal, unit: str) -> str:
    """Show a quantity for people: ``2`` for pieces, ``1.250 kg`` for weight."""
    if unit == "kg":
        return f"{value.quantize(MILLI, rounding=ROUND_HALF_UP)} kg"
    if value == value.to_integral_value():
        return str(value.quantize(ONE))
    return str(value)
