"""Mexican taxes on a sale line: IVA (16 %, 8 %, 0 %, exento) and IEPS (applied first), as the SAT models it:
a percentage (TipoFactor "Tasa": 8 % on high-calorie foods) or a fixed amount per litre (TipoFactor "Cuota":
flavoured drinks, LIEPS art. 2 fr. I inciso G), never both on one product.

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

* IEPS per litre (``ieps_cuota`` pesos per litre, ``litres`` per unit sold): the IEPS of a line is
  ``money(qty * litres * cuota)`` whatever the price or the discount (a cuota is owed on the litres).
  Without tax it is added like the rate's IEPS; with tax it comes out of the IVA base first
  (``net = iva_base - ieps``), and a discount that would leave less than the cuota is refused. Its
  ``TaxLine`` has the rate ``"<cuota>/L"`` and, as the SAT's Base for a cuota, the litres (not pesos).

* Whether IEPS is shown: LIEPS art. 19 fr. II has it broken out only when the buyer asks (a customer's
  ``ieps_breakdown``). Otherwise ``fold_ieps`` puts it into the line's price: the subtotal grows by the
  IEPS, IVA keeps its base (which includes the IEPS) and the total does not change. The ticket, the
  till's totals and the CFDI all call it.

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
CUOTA_SUFFIX = "/L"


class InvalidTax(ValueError):
    """A tax scheme caja does not know (IVA rate outside 16/8/0/exento, negative IEPS)."""


@dataclass(frozen=True, slots=True)
class TaxScheme:
    """A product's taxes: ``iva`` is one of ``IVA_RATES``; ``ieps`` a percentage string or None; or instead
    ``ieps_cuota`` (pesos per litre) with ``litres`` (litres in one unit sold, e.g. ``"0.6"``)."""

    iva: str
    ieps: str | None = None
    ieps_cuota: str | None = None
    litres: str | None = None

    def __post_init__(self) -> None:
        if self.iva not in IVA_RATES:
            raise InvalidTax(f"unknown IVA rate: {self.iva!r}")
        for name in ("ieps", "ieps_cuota", "litres"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                number = to_decimal(value)
            except InvalidNumber:
                raise InvalidTax(f"invalid {name}: {value!r}") from None
            # Litres to the millilitre, so a line's litres (quantity x litres) fit the CFDI's six decimals.
            exponent = number.as_tuple().exponent
            decimals = -exponent if isinstance(exponent, int) else 0
            if number < ZERO or (name == "litres" and (number == ZERO or decimals > 3)):
                raise InvalidTax(f"invalid {name}: {value!r}")
            # Canonical text ("8.0" -> "8") so equal schemes compare and serialise equal.
            object.__setattr__(self, name, rate_str(number))
        if self.ieps is not None and self.ieps_cuota is not None:
            raise InvalidTax("IEPS is either a rate or a cuota per litre, not both")
        if (self.ieps_cuota is None) != (self.litres is None):
            raise InvalidTax("an IEPS cuota needs the litres of one unit, and litres need a cuota")

    @classmethod
    def from_json(cls, iva: object, ieps: object, ieps_cuota: object = None, litres: object = None) -> TaxScheme:
        """Build from the contract's ``"iva"``, ``"ieps"`` (and ``"ieps_cuota"``, ``"litres"``) fields.
        Raises ``InvalidTax``."""
        if not isinstance(iva, str) or not all(x is None or isinstance(x, str) for x in (ieps, ieps_cuota, litres)):
            raise InvalidTax(f"invalid tax fields: {iva!r}, {ieps!r}, {ieps_cuota!r}, {litres!r}")
        return cls(iva, _opt(ieps), _opt(ieps_cuota), _opt(litres))

    def cuota_json(self) -> dict[str, str]:
        """The cuota fields for a contract dict: none at all for a product without one, so records made before
        cuotas existed keep their exact shape (and content hash)."""
        if self.ieps_cuota is None or self.litres is None:
            return {}
        return {"ieps_cuota": self.ieps_cuota, "litres": self.litres}

    @property
    def cuota(self) -> Decimal:
        """Pesos of IEPS per litre; 0 without a cuota."""
        return ZERO if self.ieps_cuota is None else Decimal(self.ieps_cuota)

    def cuota_rate(self) -> str:
        """The rate text of a cuota's ``TaxLine``: ``"3.0818/L"``."""
        return f"{self.ieps_cuota}{CUOTA_SUFFIX}"

    @property
    def iva_rate(self) -> Decimal:
        """IVA as a fraction (``Decimal("0.16")``); 0 for both ``"0"`` and ``"exento"``."""
        return ZERO if self.iva == "exento" else Decimal(self.iva) / HUNDRED

    @property
    def ieps_rate(self) -> Decimal:
        """IEPS as a fraction; 0 when the product has none."""
        return ZERO if self.ieps is None else Decimal(self.ieps) / HUNDRED


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) else None


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


def is_cuota(rate: str) -> bool:
    """True for the rate text of an IEPS cuota per litre (its base is litres, not pesos)."""
    return rate.endswith(CUOTA_SUFFIX)


def cuota_of(rate: str) -> Decimal:
    """The pesos per litre of a cuota's rate text (``"3.0818/L"`` -> 3.0818)."""
    return Decimal(rate[: -len(CUOTA_SUFFIX)])


def _split_included(amount: Decimal, scheme: TaxScheme, cuota: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """Split a tax-included amount into (net, ieps, iva), each step rounded once; sums exactly. ``cuota`` is the
    line's IEPS per litre in pesos (0 without one); raises ``InvalidTax`` when the amount cannot carry it."""
    iva_base = money(amount / (ONE + scheme.iva_rate))
    if cuota > iva_base:
        raise InvalidTax("the price left is less than the IEPS per litre it owes")
    net = money((iva_base - cuota) / (ONE + scheme.ieps_rate))
    return net, iva_base - net, amount - iva_base


def _litres(qty: Decimal, scheme: TaxScheme) -> Decimal:
    return ZERO if scheme.litres is None else qty * Decimal(scheme.litres)


def _tax_lines(net: Decimal, ieps: Decimal, iva: Decimal, scheme: TaxScheme, litres: Decimal) -> tuple[TaxLine, ...]:
    lines = []
    if scheme.ieps is not None:
        lines.append(TaxLine("IEPS", scheme.ieps, net, ieps))
    elif scheme.ieps_cuota is not None:
        lines.append(TaxLine("IEPS", scheme.cuota_rate(), litres, ieps))
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
    litres = _litres(qty, scheme)
    cuota = money(litres * scheme.cuota)
    if prices_include_tax:
        gross = money(unit_price * qty)
        total = money(unit_price * qty * (HUNDRED - discount_pct) / HUNDRED)
        subtotal, _, _ = _split_included(gross, scheme, cuota)
        net, ieps, iva = _split_included(total, scheme, cuota)
        return LineAmounts(subtotal, subtotal - net, _tax_lines(net, ieps, iva, scheme, litres), total)
    subtotal = money(unit_price * qty)
    discount = money(subtotal * discount_pct / HUNDRED)
    net = subtotal - discount
    ieps = money(net * scheme.ieps_rate) + cuota
    iva = money((net + ieps) * scheme.iva_rate)
    return LineAmounts(subtotal, discount, _tax_lines(net, ieps, iva, scheme, litres), net + ieps + iva)


def fold_ieps(amounts: LineAmounts) -> LineAmounts:
    """The line as shown to a buyer who did not ask for the IEPS broken out (LIEPS art. 19 fr. II): the IEPS is
    part of the price. Subtotal grows by the IEPS of the undiscounted line (the rate's IEPS on the subtotal, or the
    cuota, which a discount does not change), the discount is what then separates it from the net plus IEPS, the
    IVA rows keep their base and amount, and the total is the same. Never negative: the subtotal is at least the
    folded net. A line without IEPS comes back unchanged."""
    ieps_rows = [t for t in amounts.taxes if t.tax == "IEPS"]
    if not ieps_rows:
        return amounts
    with localcontext(_CONTEXT):
        ieps = sum((t.amount for t in ieps_rows), ZERO)
        folded_net = amounts.net + ieps
        if not amounts.discount:
            subtotal = folded_net
        else:
            gross_ieps = sum((t.amount if is_cuota(t.rate) else money(amounts.subtotal * Decimal(t.rate) / HUNDRED)
                              for t in ieps_rows), ZERO)
            subtotal = max(amounts.subtotal + gross_ieps, folded_net)
        taxes = tuple(t for t in amounts.taxes if t.tax != "IEPS")
        return LineAmounts(subtotal, subtotal - folded_net, taxes, amounts.total)


def shown_totals(lines: Iterable[LineAmounts], ieps_breakdown: bool) -> Totals:
    """A sale's totals as the buyer reads them: as computed when they asked for the IEPS broken out, otherwise
    with it folded into each line's price (``fold_ieps``). The total is the same either way."""
    items = list(lines)
    return sum_lines(items if ieps_breakdown else (fold_ieps(x) for x in items))


def tax_label(line: TaxLine, exento: str = "exento", percent_sign: str = " %") -> str:
    """``"IVA 16 %"``, ``"IEPS 8 %"``, ``"IEPS $3.0818/L"``, ``"IVA exento"`` for tickets and screens (a ticket's
    narrow paper passes ``percent_sign="%"``)."""
    if line.rate == "exento":
        return f"{line.tax} {exento}"
    if is_cuota(line.rate):
        return f"{line.tax} ${line.rate}"
    return f"{line.tax} {line.rate}{percent_sign}"


def _breakdown_key(line: TaxLine) -> tuple[int, int, Decimal]:
    # IEPS before IVA; higher rates first; "exento" after "0".
    tax_order = TAX_NAMES.index(line.tax) if line.tax in TAX_NAMES else len(TAX_NAMES)
    if line.rate == "exento":
        return (tax_order, 1, ZERO)
    if is_cuota(line.rate):
        return (tax_order, 0, -cuota_of(line.rate))
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
