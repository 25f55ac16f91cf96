"""Mexican taxes on a sale line: IVA (16 %, 8 %, 0 %, exento) and IEPS (a percentage, applied first).

The rounding rule, the same in the browser and in the ERP:

* Every line is computed on its own and each of its amounts is rounded to cents (``money``,
  ROUND_HALF_UP) at the step where it appears; sale totals are plain sums of the rounded line
  amounts, and the tax breakdown (grouped by tax and rate) sums the rounded line taxes, so
  ``sum(breakdown) == tax_total`` and ``subtotal - discount + tax_total == total`` hold exactly.
* Prices **without** tax (net price list)::

      subtotal = money(unit_price * qty)
      discount = money(subtotal * discount_pct / 100)
      net      = subtotal - discount
      ieps     = money(net * ieps_rate)            # IEPS first
      iva      = money((net + ieps) * iva_rate)    # the IVA base includes IEPS
      total    = net + ieps + iva

* Prices **with** tax (the shelf price is what the customer pays) — the total is fixed first and
  the taxes are split out of it backwards, each step rounded once, so nothing is lost::

      total    = money(unit_price * qty * (1 - discount_pct / 100))
      iva_base = money(total / (1 + iva_rate));   iva  = total - iva_base
      net      = money(iva_base / (1 + ieps_rate)); ieps = iva_base - net
      subtotal = the same split applied to money(unit_price * qty)   (net, before discount)
      discount = subtotal - net

  Example: refresco $18.50 with IEPS 8 % and IVA 16 %: iva_base = 15.95, IVA 2.55, net 14.77,
  IEPS 1.18; 14.77 + 1.18 + 2.55 = 18.50.

* ``exento`` and ``0`` both add no tax, but they are different for the SAT, so both appear in
  the breakdown as an IVA line with amount 0.00 and rate ``"exento"`` or ``"0"``.

Must not: round sale totals again (they are sums of rounded lines), or know about carts or sales.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from .money import HUNDRED, ONE, ZERO, InvalidNumber, money, rate_str, to_decimal

IVA_RATES = ("16", "8", "0", "exento")

# The arithmetic context of every tax computation, fixed here so that a caller who changes the
# global decimal context (precision, traps) cannot make the browser and the ERP disagree.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
TAX_NAMES = ("IEPS", "IVA")


class InvalidTax(ValueError):
    """A tax scheme caja does not know (IVA rate outside 16/8/0/exento, negative IEPS)."""


@dataclass(frozen=True, slots=True)
class TaxScheme:
    """A product's taxes: ``iva`` is one of ``IVA_RATES``; ``ieps`` a percentage string or None."""

    iva: str
    ieps: str | None = None

    def __post_init__(self) -> None:
        if self.iva not in IVA_RATES:
            raise InvalidTax(f"unknown IVA rate: {self.iva!r}")
        if self.ieps is not None:
            try:
                rate = to_decimal(self.ieps)
            except InvalidNumber:
                raise InvalidTax(f"invalid IEPS rate: {self.ieps!r}") from None
            if rate < ZERO:
                raise InvalidTax(f"invalid IEPS rate: {self.ieps!r}")
            # Canonical text ("8.0" -> "8") so equal schemes compare and serialise equal.
            object.__setattr__(self, "ieps", rate_str(rate))

    @classmethod
    def from_json(cls, iva: object, ieps: object) -> TaxScheme:
        """Build from the contract's ``"iva"`` and ``"ieps"`` fields. Raises ``InvalidTax``."""
        if not isinstance(iva, str) or not (ieps is None or isinstance(ieps, str)):
            raise InvalidTax(f"invalid tax fields: {iva!r}, {ieps!r}")
        return cls(iva, ieps)

    @property
    def iva_rate(self) -> Decimal:
        """IVA as a fraction (``Decimal("0.16")``); 0 for both ``"0"`` and ``"exento"``."""
        return ZERO if self.iva == "exento" else Decimal(self.iva) / HUNDRED

    @property
    def ieps_rate(self) -> Decimal:
        """IEPS as a fraction; 0 when the product has none."""
        return ZERO if self.ieps is None else Decimal(self.ieps) / HUNDRED


@dataclass(frozen=True, slots=True)
class TaxLine:
    """One tax on a line, or one row of a sale's breakdown: ``{"tax","rate","base","amount"}``."""

    tax: str
    rate: str
    base: Decimal
    amount: Decimal

    def to_json(self) -> dict[str, str]:
        return {"tax": self.tax, "rate": self.rate, "base": str(self.base), "amount": str(self.amount)}

    @classmethod
    def from_json(cls, data: dict) -> TaxLine:
        """Read a contract tax row. Raises ``ValueError`` (``InvalidNumber``/``KeyError`` wrapped)."""
        try:
            return cls(str(data["tax"]), str(data["rate"]), to_decimal(data["base"]), to_decimal(data["amount"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed tax row: {data!r}") from exc


@dataclass(frozen=True, slots=True)
class LineAmounts:
    """The computed amounts of one sale line (all rounded to cents)."""

    subtotal: Decimal  # before discount, without tax
    discount: Decimal  # without tax
    taxes: tuple[TaxLine, ...]
    total: Decimal  # what the customer pays for the line

    @property
    def net(self) -> Decimal:
        return self.subtotal - self.discount

    @property
    def tax_total(self) -> Decimal:
        return sum((t.amount for t in self.taxes), ZERO)


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums of rounded line amounts plus the tax breakdown by (tax, rate)."""

    subtotal: Decimal
    discount: Decimal
    taxes: tuple[TaxLine, ...]
    tax_total: Decimal
    total: Decimal


def _split_included(amount: Decimal, scheme: TaxScheme) -> tuple[Decimal, Decimal, Decimal]:
    """Split a tax-included amount into (net, ieps, iva), each step rounded once; sums exactly."""
    iva_base = money(amount / (ONE + scheme.iva_rate))
    net = money(iva_base / (ONE + scheme.ieps_rate))
    return net, iva_base - net, amount - iva_base


def _tax_lines(net: Decimal, ieps: Decimal, iva: Decimal, scheme: TaxScheme) -> tuple[TaxLine, ...]:
    lines = []
    if scheme.ieps is not None:
        lines.append(TaxLine("IEPS", scheme.ieps, net, ieps))
    lines.append(TaxLine("IVA", scheme.iva, net + ieps, iva))
    return tuple(lines)


def compute_line(
    unit_price: Decimal,
    qty: Decimal,
    discount_pct: Decimal,
    scheme: TaxScheme,
    prices_include_tax: bool,
) -> LineAmounts:
    """Compute one line's amounts by the rule in the module docstring.

    Inputs are assumed already validated (``money.qty``, ``money.percent``, a non-negative price).
    """
    with localcontext(_CONTEXT):
        return _compute_line(unit_price, qty, discount_pct, scheme, prices_include_tax)


def _compute_line(
    unit_price: Decimal, qty: Decimal, discount_pct: Decimal, scheme: TaxScheme, prices_include_tax: bool
) -> LineAmounts:
    if prices_include_tax:
        gross = money(unit_price * qty)
        total = money(unit_price * qty * (HUNDRED - discount_pct) / HUNDRED)
        subtotal, _, _ = _split_included(gross, scheme)
        net, ieps, iva = _split_included(total, scheme)
        return LineAmounts(subtotal, subtotal - net, _tax_lines(net, ieps, iva, scheme), total)
    subtotal = money(unit_price * qty)
    discount = money(subtotal * discount_pct / HUNDRED)
    net = subtotal - discount
    ieps = money(net * scheme.ieps_rate)
    iva = money((net + ieps) * scheme.iva_rate)
    return LineAmounts(subtotal, discount, _tax_lines(net, ieps, iva, scheme), net + ieps + iva)


def _breakdown_key(line: TaxLine) -> tuple[int, int, Decimal]:
    # IEPS before IVA; higher rates first; "exento" after "0".
    tax_order = TAX_NAMES.index(line.tax) if line.tax in TAX_NAMES else len(TAX_NAMES)
    if line.rate == "exento":
        return (tax_order, 1, ZERO)
    try:
        return (tax_order, 0, -Decimal(line.rate))
    except ArithmeticError:
        return (tax_order, 2, ZERO)


def breakdown(lines: Iterable[Iterable[TaxLine]]) -> tuple[TaxLine, ...]:
    """Group the rounded taxes of many lines by (tax, rate), summing bases and amounts."""
    groups: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for taxes in lines:
        for t in taxes:
            base, amount = groups.get((t.tax, t.rate), (ZERO, ZERO))
            groups[(t.tax, t.rate)] = (base + t.base, amount + t.amount)
    rows = [TaxLine(tax, rate, base, amount) for (tax, rate), (base, amount) in groups.items()]
    return tuple(sorted(rows, key=_breakdown_key))


def sum_lines(lines: Iterable[LineAmounts]) -> Totals:
    """Sale totals: sums of the rounded line amounts (no second rounding)."""
    with localcontext(_CONTEXT):
        return _sum_lines(list(lines))


def _sum_lines(items: list[LineAmounts]) -> Totals:
    zero = money(ZERO)
    subtotal = sum((x.subtotal for x in items), zero)
    discount = sum((x.discount for x in items), zero)
    taxes = breakdown(x.taxes for x in items)
    tax_total = sum((x.amount for x in taxes), zero)
    total = sum((x.total for x in items), zero)
    return Totals(subtotal, discount, taxes, tax_total, total)
