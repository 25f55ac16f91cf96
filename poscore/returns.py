"""Returns (devoluciones) of a synced sale: what money and stock a return gives back, and the RETURN record.

The arithmetic, the same at the till and in the ERP: a line sold ``Q`` units for a total ``T`` and a discount
``D`` (already rounded to cents by ``tax.compute_line``). After returns of ``c`` units in all, the money given
back for the line is ``money(T * c / Q)`` and the discount ``money(D * c / Q)`` — cumulative, rounded once
(ROUND_HALF_UP, as ``tax``) — so a return of ``q`` units when ``b`` were already returned gives
``money(T * (b + q) / Q) - money(T * b / Q)``. That cumulative total is split the way the line's own total was
paid: IVA takes ``money(total * IVA / T)``, IEPS ``money(rest * IEPS / (T - IVA))``, and the net what is left;
so each tax is returned in proportion to what was paid, the IEPS base is the net and the IVA base includes the
IEPS (LIVA art. 18, as in ``tax``), and a return line adds up like a sale line:
``subtotal - discount + taxes == total``. ``money`` being monotone, and each split's share and rest both
growing with what is split, no piece of any return is negative; the pieces of every sequence of returns add up
to the cumulative amounts of all the units returned, never more than the line's, and exactly the line's when
every unit is back: never more money than was paid, and the last unit takes the cents.

Because a piece depends on ``b`` (the units already returned), the ERP recomputes every synced return with
its own ``b``: a till that returned while another till's return of the same line was still offline may have
used an older ``b``; if that changes an amount it is ``return_stale``, and if the units no longer fit,
``return_exceeds``.

Must not: allocate uuids or read the clock (they are passed in), look anything up, or store anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from .check import Problem
from .messages import CodedError, t
from .money import ZERO, InvalidNumber, is_canonical_qty, money, to_decimal
from .payment import METHODS
from .sale import Sale, SaleLine
from .tax import LineAmounts, TaxLine, Totals, is_cuota, sum_lines

RETURN_VERSION = 1
REFUND_METHODS = tuple(METHODS)
RETURN_KEYS = ("v", "uuid", "sale_uuid", "terminal", "device_time", "reason", "refund_method", "cashier",
               "authorizer", "lines", "totals")
REASON_MAX = 500
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)


class ReturnError(CodedError):
    """A return that cannot be made or read (codes: see ``messages``)."""


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    return money(amount * part / whole) if whole else ZERO


def _cumulative(line: SaleLine, units: Decimal) -> LineAmounts:
    """What returning ``units`` of ``line`` in all gives back (the cumulative amounts)."""
    a = line.amounts
    if units == line.qty:
        return a
    ieps_sold = sum((x.amount for x in a.taxes if x.tax == "IEPS"), ZERO)
    iva_sold = sum((x.amount for x in a.taxes if x.tax != "IEPS"), ZERO)
    total = _share(a.total, units, line.qty)
    # Two nested two-way splits of the cumulative total, each rounded once: a share money(h * A / S) and its
    # rest h - share both grow (or stay) when h grows by a cent, so every piece of every return is >= 0, and at
    # h = S they are exactly the sale's amounts.
    iva = _share(total, iva_sold, a.total)
    ieps = _share(total - iva, ieps_sold, a.total - iva_sold)
    net = total - iva - ieps
    discount = _share(a.discount, units, line.qty)
    # An IEPS cuota's base is litres, returned in proportion to the units (exact: litres per unit x units).
    taxes = tuple(TaxLine("IEPS", x.rate, x.base * units / line.qty if is_cuota(x.rate) else net, ieps)
                  if x.tax == "IEPS" else TaxLine(x.tax, x.rate, net + ieps, iva) for x in a.taxes)
    return LineAmounts(net + discount, discount, taxes, total)


def return_line_amounts(line: SaleLine, before: Decimal, units: Decimal) -> LineAmounts:
    """The amounts a return of ``units`` of ``line`` gives back when ``before`` units were already returned.

    Raises ``ReturnError("invalid_quantity")`` or ``ReturnError("return_exceeds")``.
    """
    if not is_canonical_qty(units, line.unit):
        raise ReturnError("invalid_quantity")
    if before < ZERO or before + units > line.qty:
        raise ReturnError("return_exceeds")
    with localcontext(_CONTEXT):
        now = _cumulative(line, before + units)
        was = _cumulative(line, before) if before > ZERO else LineAmounts(ZERO, ZERO, tuple(
            TaxLine(x.tax, x.rate, ZERO, ZERO) for x in line.amounts.taxes), ZERO)
        was_zero = money(ZERO)
        taxes = tuple(TaxLine(n.tax, n.rate, n.base - w.base + was_zero, n.amount - w.amount + was_zero)
                      for n, w in zip(now.taxes, was.taxes, strict=True))
        return LineAmounts(now.subtotal - was.subtotal + was_zero, now.discount - was.discount + was_zero,
                           taxes, now.total - was.total + was_zero)


def returnable(line: SaleLine, before: Decimal) -> Decimal:
    """Units of ``line`` that may still be returned."""
    return line.qty - before


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """One returned line: the index of the sale's line (``line``, from 0), its product, units and amounts."""

    line: int
    product_id: int
    qty: Decimal
    amounts: LineAmounts

    def to_json(self) -> dict:
        a = self.amounts
        return {"line": self.line, "product_id": self.product_id, "qty": str(self.qty),
                "subtotal": str(a.subtotal), "discount": str(a.discount),
                "taxes": [x.to_json() for x in a.taxes], "total": str(a.total)}


def _totals_json(tot: Totals) -> dict:
    return {"subtotal": str(tot.subtotal), "discount": str(tot.discount),
            "taxes": [x.to_json() for x in tot.taxes], "tax_total": str(tot.tax_total), "total": str(tot.total)}


@dataclass(frozen=True, slots=True)
class Return:
    """A return of units of a sale's lines, immutable; ``refund`` is the money given back."""

    uuid: str
    sale_uuid: str
    terminal: str
    device_time: str
    reason: str
    refund_method: str
    cashier: str | None
    authorizer: str | None
    lines: tuple[ReturnLine, ...]
    totals: Totals
    # The till's shift whose drawer paid the refund (a shop with cashiers), so the ERP's own figure of what the
    # shift should hold counts it as the till's corte did; absent from the JSON when None.
    shift_uuid: str | None = None

    @property
    def refund(self) -> Decimal:
        return self.totals.total

    @classmethod
    def from_json(cls, d: dict) -> Return:
        """Read a RETURN dict as stated (``read_return`` is what verifies one); for a stored, verified return.

        Raises ``ReturnError("malformed")``.
        """
        try:
            lines = tuple(ReturnLine(int(x["line"]), int(x["product_id"]), to_decimal(x["qty"]), LineAmounts(
                to_decimal(x["subtotal"]), to_decimal(x["discount"]),
                tuple(TaxLine.from_json(y) for y in x["taxes"]), to_decimal(x["total"]))) for x in d["lines"])
            return cls(str(d["uuid"]), str(d["sale_uuid"]), str(d["terminal"]), str(d["device_time"]),
                       str(d["reason"]), str(d["refund_method"]), d["cashier"], d["authorizer"], lines,
                       sum_lines(x.amounts for x in lines), d.get("shift_uuid"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ReturnError("malformed", f"{t('malformed')}: {exc}") from None

    def to_json(self) -> dict:
        """The contract RETURN dict."""
        out = {"v": RETURN_VERSION, "uuid": self.uuid, "sale_uuid": self.sale_uuid, "terminal": self.terminal,
               "device_time": self.device_time, "reason": self.reason, "refund_method": self.refund_method,
               "cashier": self.cashier, "authorizer": self.authorizer,
               "lines": [x.to_json() for x in self.lines], "totals": _totals_json(self.totals)}
        if self.shift_uuid is not None:
            out["shift_uuid"] = self.shift_uuid
        return out


def _text(value: object, limit: int, code: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ReturnError(code)
    return value


def _check_time(value: object) -> None:
    """ISO 8601 with a UTC offset, like a sale's device_time (the till's clock, kept as written)."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ReturnError("malformed", "device_time")


def make_return(
    sale: Sale,
    units: Mapping[int, Decimal | str],
    before: Mapping[int, Decimal],
    *,
    uuid: str,
    terminal: str,
    device_time: str,
    reason: str,
    refund_method: str,
    cashier: str | None = None,
    authorizer: str | None = None,
    shift_uuid: str | None = None,
) -> Return:
    """Return ``units[i]`` of ``sale.lines[i]``, ``before[i]`` units of it being already returned.

    Raises ``ReturnError`` (``return_empty``, ``return_line_unknown``, ``invalid_quantity``,
    ``return_exceeds``, ``return_no_reason``, ``unknown_refund_method``, ``malformed``).
    """
    if not isinstance(uuid, str) or not 0 < len(uuid) <= 36:
        raise ReturnError("malformed", "uuid")
    if not isinstance(terminal, str) or not 0 < len(terminal) <= 10:
        raise ReturnError("malformed", "terminal")
    _check_time(device_time)
    reason = _text(reason, REASON_MAX, "return_no_reason").strip()
    if refund_method not in REFUND_METHODS:
        raise ReturnError("unknown_refund_method")
    for person in (cashier, authorizer):
        if person is not None:
            _text(person, 100, "malformed")
    if shift_uuid is not None and (not isinstance(shift_uuid, str) or not 0 < len(shift_uuid) <= 36):
        raise ReturnError("malformed", "shift_uuid")
    lines = []
    for index in sorted(units):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(sale.lines):
            raise ReturnError("return_line_unknown")
        sold = sale.lines[index]
        try:
            q = to_decimal(units[index])
        except InvalidNumber:
            raise ReturnError("invalid_quantity") from None
        if q <= ZERO:
            raise ReturnError("invalid_quantity")
        amounts = return_line_amounts(sold, before.get(index, ZERO), q)
        lines.append(ReturnLine(index, sold.product_id, q, amounts))
    if not lines:
        raise ReturnError("return_empty")
    totals = sum_lines(x.amounts for x in lines)
    return Return(uuid, sale.uuid, terminal, device_time, reason, refund_method, cashier, authorizer,
                  tuple(lines), totals, shift_uuid)


def read_return(raw: object, sale: Sale, before: Mapping[int, Decimal]) -> Return:
    """Read a RETURN dict and recompute it against ``sale`` with ``before`` (units already returned per line).

    This is what the ERP runs on a synced return. Raises ``ReturnError``: any code of ``make_return``,
    ``unsupported_version``, ``return_sale_unknown`` (another sale's uuid), and ``return_stale`` when the
    stated amounts are not what the units give back now (they were computed before another return).
    """
    if not isinstance(raw, dict):
        raise ReturnError("malformed")
    if raw.get("v") != RETURN_VERSION:
        raise ReturnError("unsupported_version")
    missing = [k for k in RETURN_KEYS if k not in raw]
    if missing:
        raise ReturnError("malformed", f"{t('malformed')}: {', '.join(missing)}")
    if raw["sale_uuid"] != sale.uuid:
        raise ReturnError("return_sale_unknown")
    raw_lines = raw["lines"]
    if not isinstance(raw_lines, list):
        raise ReturnError("malformed", "lines")
    units: dict[int, Decimal | str] = {}
    for x in raw_lines:
        if not isinstance(x, dict) or not isinstance(x.get("qty"), str):
            raise ReturnError("malformed", "lines")
        index = x.get("line")
        if isinstance(index, bool) or not isinstance(index, int) or index in units:
            raise ReturnError("return_line_unknown")
        if not 0 <= index < len(sale.lines) or x.get("product_id") != sale.lines[index].product_id:
            raise ReturnError("return_line_unknown")
        units[index] = x["qty"]
    for key in ("uuid", "terminal", "device_time", "reason", "refund_method"):
        if not isinstance(raw[key], str):
            raise ReturnError("malformed", key)
    for key in ("cashier", "authorizer"):
        if raw[key] is not None and not isinstance(raw[key], str):
            raise ReturnError("malformed", key)
    ret = make_return(sale, units, before, uuid=raw["uuid"], terminal=raw["terminal"],
                      device_time=raw["device_time"], reason=raw["reason"], refund_method=raw["refund_method"],
                      cashier=raw["cashier"], authorizer=raw["authorizer"], shift_uuid=raw.get("shift_uuid"))
    if ret.to_json() != {**raw, "reason": ret.reason}:
        stated = sum((_decimal_or_none(x.get("total")) or ZERO for x in raw_lines), ZERO)
        code = "return_stale" if any(before.get(i, ZERO) for i in units) else "totals_mismatch"
        raise ReturnError(code, f"{t(code)} ({stated} != {ret.refund})")
    return ret


def _decimal_or_none(value: object) -> Decimal | None:
    try:
        return to_decimal(value) if isinstance(value, str) else None
    except InvalidNumber:
        return None


def return_problems(raw: object, sale: Sale, before: Mapping[int, Decimal]) -> list[Problem]:
    """``read_return`` as a list of problems (empty when the return is right), for callers that collect them."""
    try:
        read_return(raw, sale, before)
    except ReturnError as exc:
        return [Problem(exc.code, exc.message)]
    return []


def remaining_lines(sale: Sale, done: list[Return]) -> tuple[SaleLine, ...]:
    """The sale's lines minus what ``done`` returned (units and every amount); fully returned lines dropped.

    What a factura global not yet issued includes of a remisión with returns: the returns net out of it.
    """
    back: dict[int, list[ReturnLine]] = {}
    for ret in done:
        for x in ret.lines:
            back.setdefault(x.line, []).append(x)
    out = []
    for i, line in enumerate(sale.lines):
        got = back.get(i, [])
        units = line.qty - sum((x.qty for x in got), ZERO)
        if units <= ZERO:
            continue
        if not got:
            out.append(line)
            continue
        a = line.amounts
        taxes = tuple(TaxLine(t_.tax, t_.rate, t_.base - sum((x.amounts.taxes[k].base for x in got), ZERO),
                              t_.amount - sum((x.amounts.taxes[k].amount for x in got), ZERO))
                      for k, t_ in enumerate(a.taxes))
        amounts = LineAmounts(a.subtotal - sum((x.amounts.subtotal for x in got), ZERO),
                              a.discount - sum((x.amounts.discount for x in got), ZERO), taxes,
                              a.total - sum((x.amounts.total for x in got), ZERO))
        out.append(SaleLine(line.product_id, line.sku, line.name, line.unit, units, line.unit_price,
                            line.discount_pct, line.tax, amounts))
    return tuple(out)
