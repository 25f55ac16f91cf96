"""``check_sale``: recompute a SALE dict from its own inputs and list everything wrong with it.

The ERP runs this on every synced sale before storing it; the browser can run it too. From each
line's ``qty``, ``unit_price``, ``discount_pct``, ``iva`` and ``ieps`` and the sale's
``prices_include_tax`` it recomputes the line amounts, the totals and the tax breakdown with
``tax.compute_line``/``tax.sum_lines`` and compares every stated amount; it also checks the
payments, the local number and, for a factura, the customer. Each problem carries a reason code
the ERP answers with (``messages`` has the texts).

Codes: ``malformed``, ``unsupported_version``, ``number_mismatch``, ``invalid_sale_type``,
``empty_cart``, ``invalid_quantity``, ``invalid_price``, ``invalid_discount``, ``invalid_tax``,
``totals_mismatch``, ``invalid_amount``, ``unknown_payment_method``, ``unpaid``,
``overpaid_non_cash``, ``payments_mismatch``, ``factura_customer_incomplete``, ``rfc_generic``,
``invalid_rfc`` and the other customer codes.

Must not: look anything up (product, tax scheme and price against the database are the ERP's
extra checks), raise on bad input (everything becomes a Problem), or fix a sale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .customer import Customer, factura_ready
from .messages import t
from .money import UNITS, InvalidNumber, is_canonical_qty, money, percent, to_decimal
from .numbering import local_number
from .payment import METHODS, Payment, PaymentError, paid, payment_problems
from .tax import InvalidTax, LineAmounts, TaxLine, TaxScheme, Totals, compute_line, is_cuota, sum_lines

SALE_VERSION = 1

# Every key of the contract SALE must be present, even when its value may be null.
SALE_KEYS = ("v", "uuid", "terminal", "seq", "number", "type", "device_time", "cashier", "price_list_id",
             "prices_include_tax", "customer", "lines", "payments", "totals")
LINE_KEYS = ("product_id", "sku", "name", "unit", "qty", "unit_price", "discount_pct", "iva", "ieps",
             "subtotal", "discount", "taxes", "total")
PAYMENT_KEYS = ("method", "sat_code", "amount", "reference")
TOTALS_KEYS = ("subtotal", "discount", "taxes", "tax_total", "total", "paid", "change")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a sale: a reason ``code``, the Spanish ``message``, and where (``field``)."""

    code: str
    message: str
    field: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"error": self.code, "message": self.message, "field": self.field}


def _p(code: str, field: str | None = None, detail: str | None = None) -> Problem:
    message = t(code) if detail is None else f"{t(code)} ({detail})"
    return Problem(code, message, field)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _decimal(value: object) -> Decimal:
    """A decimal string of the wire contract (JSON numbers are refused). Raises ``InvalidNumber``."""
    if not isinstance(value, str):
        raise InvalidNumber(f"not a decimal string: {value!r}")
    return to_decimal(value)


def _amount(value: object) -> Decimal | None:
    """A stated amount: a finite decimal string with at most cents, else None."""
    try:
        d = _decimal(value)
    except InvalidNumber:
        return None
    return d if money(d) == d else None


def _taxes_equal(stated: object, computed: tuple[TaxLine, ...]) -> bool:
    if not isinstance(stated, list) or len(stated) != len(computed):
        return False
    for row, want in zip(stated, computed):
        if not isinstance(row, dict) or row.get("tax") != want.tax or row.get("rate") != want.rate:
            return False
        # An IEPS cuota's base is litres (to the millilitre times the quantity), not cents.
        base = _litres(row.get("base")) if is_cuota(want.rate) else _amount(row.get("base"))
        if base != want.base or _amount(row.get("amount")) != want.amount:
            return False
    return True


def _litres(value: object) -> Decimal | None:
    try:
        return _decimal(value)
    except InvalidNumber:
        return None


def _missing(d: dict, keys: tuple[str, ...], where: str) -> list[Problem]:
    return [_p("malformed", f"{where}{k}", "missing") for k in keys if k not in d]


def _check_header(d: dict) -> list[Problem]:
    problems = _missing(d, SALE_KEYS, "")
    if not isinstance(d.get("uuid"), str) or not d["uuid"]:
        problems.append(_p("malformed", "uuid"))
    terminal, seq = d.get("terminal"), d.get("seq")
    if not isinstance(terminal, str) or not isinstance(seq, int) or isinstance(seq, bool):
        problems.append(_p("malformed", "terminal"))
    else:
        try:
            if d.get("number") != local_number(terminal, seq):
                problems.append(_p("number_mismatch", "number"))
        except ValueError:
            problems.append(_p("malformed", "seq"))
    if d.get("type") not in ("remision", "factura"):
        problems.append(_p("invalid_sale_type", "type"))
    when = d.get("device_time")
    try:
        if not isinstance(when, str) or datetime.fromisoformat(when).tzinfo is None:
            problems.append(_p("malformed", "device_time"))
    except ValueError:
        problems.append(_p("malformed", "device_time"))
    if d.get("cashier") is not None and not isinstance(d.get("cashier"), str):
        problems.append(_p("malformed", "cashier"))
    if not _is_int(d.get("price_list_id")):
        problems.append(_p("malformed", "price_list_id"))
    if not isinstance(d.get("prices_include_tax"), bool):
        problems.append(_p("malformed", "prices_include_tax"))
    return problems


def _check_line(i: int, line: object, include: bool) -> tuple[list[Problem], LineParts | None]:
    """Problems of one line and, when its inputs are valid, those inputs parsed with its recomputed amounts."""
    where = f"lines[{i}]"
    if not isinstance(line, dict):
        return [_p("malformed", where)], None
    problems = _missing(line, LINE_KEYS, f"{where}.")
    if not _is_int(line.get("product_id")):
        problems.append(_p("malformed", f"{where}.product_id"))
    for key in ("sku", "name"):
        if not isinstance(line.get(key), str):
            problems.append(_p("malformed", f"{where}.{key}"))
    unit = line.get("unit")
    memo_key = _line_key(line, unit, include)
    known = _LINES.get(memo_key) if memo_key is not None else None
    if known is not None:  # the same inputs were valid before: their parse and amounts are the same
        if problems:
            return problems, None
        return _compare_line(where, line, known)
    q = unit_price = pct = scheme = None
    try:
        q = _decimal(line.get("qty"))
        if unit not in UNITS or not is_canonical_qty(q, unit):
            q = None
    except InvalidNumber:
        pass
    if q is None:
        problems.append(_p("invalid_quantity", f"{where}.qty"))
    try:
        unit_price = _decimal(line.get("unit_price"))
        if unit_price < 0:
            unit_price = None
    except InvalidNumber:
        pass
    if unit_price is None:
        problems.append(_p("invalid_price", f"{where}.unit_price"))
    try:
        pct = percent(_decimal(line.get("discount_pct")))
    except InvalidNumber:
        problems.append(_p("invalid_discount", f"{where}.discount_pct"))
    try:
        scheme = TaxScheme.from_json(line.get("iva"), line.get("ieps"), line.get("ieps_cuota"), line.get("litres"))
    except InvalidTax:
        problems.append(_p("invalid_tax", f"{where}.iva"))
    if problems or q is None or unit_price is None or pct is None or scheme is None:
        return problems, None
    try:
        amounts = compute_line(unit_price, q, pct, scheme, include)
    except InvalidTax:  # a discount leaving less than the IEPS per litre the line owes
        return [_p("invalid_discount", f"{where}.discount_pct")], None
    computed = _Computed(LineParts(q, unit_price, pct, scheme, amounts), _texts(amounts))
    if memo_key is not None:
        if len(_LINES) >= _LINES_MAX:
            _LINES.clear()
        _LINES[memo_key] = computed
    return _compare_line(where, line, computed)


# A shop sells the same few hundred products, mostly one or two at a time, so the same line inputs (quantity,
# price, discount, taxes) come back in sale after sale: the ERP checks thousands of sales a second, and parsing
# and recomputing a line is most of a sale's check. A valid line's parse and amounts are kept by its input texts
# (all immutable); only lines whose inputs are all texts (or null) are kept, so 1 and "1", or True and 1, never
# share an entry. The dict is emptied when full rather than tracking use; at ≈1.7 KB an entry it holds at most
# ≈7 MB, which also bounds it in the browser (a backup's restore checks every sale in it).
_LINE_INPUTS = ("qty", "unit_price", "discount_pct", "iva", "ieps", "ieps_cuota", "litres")
_LINES_MAX = 4_096


@dataclass(frozen=True, slots=True)
class _Computed:
    parts: LineParts
    texts: tuple[str, str, str, tuple[tuple[str, str, str, str], ...]]  # subtotal, discount, total, tax rows


_LINES: dict[tuple[object, ...], _Computed] = {}


def _line_key(line: dict, unit: object, include: bool) -> tuple[object, ...] | None:
    values = tuple(line.get(k) for k in _LINE_INPUTS)
    if not isinstance(unit, str) or not all(v is None or isinstance(v, str) for v in values):
        return None
    return (unit, include, *values)


def _texts(amounts: LineAmounts) -> tuple[str, str, str, tuple[tuple[str, str, str, str], ...]]:
    """The amounts as the POS writes them (str of a cents Decimal), for a comparison by text first."""
    return (str(amounts.subtotal), str(amounts.discount), str(amounts.total),
            tuple((t.tax, t.rate, str(t.base), str(t.amount)) for t in amounts.taxes))


def _same_texts(line: dict, texts: tuple[str, str, str, tuple[tuple[str, str, str, str], ...]]) -> bool:
    """True when the line states exactly the canonical texts of its amounts (what every POS sends)."""
    if line.get("subtotal") != texts[0] or line.get("discount") != texts[1] or line.get("total") != texts[2]:
        return False
    rows = line.get("taxes")
    if not isinstance(rows, list) or len(rows) != len(texts[3]):
        return False
    for row, want in zip(rows, texts[3]):
        if not isinstance(row, dict) or (row.get("tax"), row.get("rate"), row.get("base"), row.get("amount")) != want:
            return False
    return True


def _compare_line(where: str, line: dict, computed: _Computed) -> tuple[list[Problem], LineParts | None]:
    """The line's stated amounts against those recomputed: by text when it states them canonically, else by value
    (``"240.5"`` states 240.50 too)."""
    if _same_texts(line, computed.texts):
        return [], computed.parts
    amounts = computed.parts.amounts
    problems = []
    for key in ("subtotal", "discount", "total"):
        if _amount(line.get(key)) != getattr(amounts, key):
            problems.append(_p("totals_mismatch", f"{where}.{key}", f"{key}: {getattr(amounts, key)}"))
    if not _taxes_equal(line.get("taxes"), amounts.taxes):
        problems.append(_p("totals_mismatch", f"{where}.taxes"))
    return problems, computed.parts


def _check_payments(d: dict, total: Decimal | None) -> tuple[list[Problem], list[Payment]]:
    raw = d.get("payments")
    if not isinstance(raw, list):
        return [_p("malformed", "payments")], []
    problems: list[Problem] = []
    payments = []
    for i, item in enumerate(raw):
        where = f"payments[{i}]"
        if not isinstance(item, dict):
            problems.append(_p("malformed", where))
            continue
        problems.extend(_missing(item, PAYMENT_KEYS, f"{where}."))
        if _amount(item.get("amount")) is None:
            problems.append(_p("invalid_amount", f"{where}.amount"))
            continue
        try:
            payment = Payment.from_json(item)
        except PaymentError as exc:
            problems.append(_p(exc.code, where))
            continue
        if item.get("sat_code") != METHODS[payment.method]:
            problems.append(_p("payments_mismatch", f"{where}.sat_code"))
        if item.get("reference") is not None and not isinstance(item.get("reference"), str):
            problems.append(_p("malformed", f"{where}.reference"))
        payments.append(payment)
    if problems or total is None:
        return problems, payments
    problems.extend(_p(code, "payments") for code in payment_problems(total, payments))
    totals = d["totals"] if isinstance(d.get("totals"), dict) else {}
    if _amount(totals.get("paid")) != paid(payments):
        problems.append(_p("payments_mismatch", "totals.paid"))
    if not problems and _amount(totals.get("change")) != paid(payments) - total:
        problems.append(_p("payments_mismatch", "totals.change"))
    return problems, payments


def _check_customer(d: dict) -> tuple[list[Problem], Customer | None]:
    raw = d.get("customer")
    customer = None
    if raw is not None:
        try:
            customer = Customer.from_json(raw)
        except ValueError:
            return [_p("malformed", "customer")], None
    if d.get("type") == "factura":
        return [_p(code, "customer") for code in factura_ready(customer)], customer
    return [], customer


@dataclass(frozen=True, slots=True)
class LineParts:
    """A valid line's inputs as check_sale parsed them, and the amounts it recomputed from them."""

    qty: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    tax: TaxScheme
    amounts: LineAmounts


@dataclass(frozen=True, slots=True)
class CheckedParts:
    """What check_sale parsed and recomputed of a sale it found nothing wrong with, equal to what the sale
    states: ``sale.verified_sale`` builds the Sale from it instead of parsing every number a second time."""

    lines: tuple[LineParts, ...]
    totals: Totals
    payments: tuple[Payment, ...]
    customer: Customer | None


def check_sale(d: object) -> list[Problem]:
    """Everything wrong with the SALE dict ``d``; an empty list means poscore accepts it.

    Never raises: any shape of input yields Problems. The first problem is the most basic one
    (a structural problem comes before a mismatch), so the ERP may answer with ``problems[0]``.
    """
    return examine(d)[0]


def examine(d: object) -> tuple[list[Problem], CheckedParts | None]:
    """check_sale's problems and, when there are none, the parts it read (else None)."""
    if not isinstance(d, dict):
        return [_p("malformed")], None
    if d.get("v") != SALE_VERSION:
        return [_p("unsupported_version", "v")], None
    problems = _check_header(d)
    include = d.get("prices_include_tax")
    lines = d.get("lines")
    if not isinstance(lines, list):
        problems.append(_p("malformed", "lines"))
        return problems, None
    if not lines:
        problems.append(_p("empty_cart", "lines"))
    parts: list[LineParts] = []
    for i, line in enumerate(lines):
        line_problems, line_parts = _check_line(i, line, include is True)
        problems.extend(line_problems)
        if line_parts is not None:
            parts.append(line_parts)
    computed = [x.amounts for x in parts]
    total = want = None
    totals = d.get("totals")
    if not isinstance(totals, dict):
        problems.append(_p("malformed", "totals"))
    else:
        problems.extend(_missing(totals, TOTALS_KEYS, "totals."))
        if lines and len(computed) == len(lines) and isinstance(include, bool):
            want = sum_lines(computed)
            total = want.total
            for key in ("subtotal", "discount", "tax_total", "total"):
                if _amount(totals.get(key)) != getattr(want, key):
                    problems.append(_p("totals_mismatch", f"totals.{key}", f"{key}: {getattr(want, key)}"))
            if not _taxes_equal(totals.get("taxes"), want.taxes):
                problems.append(_p("totals_mismatch", "totals.taxes"))
    payment_problems_, payments = _check_payments(d, total)
    problems.extend(payment_problems_)
    customer_problems, customer = _check_customer(d)
    problems.extend(customer_problems)
    if problems or want is None:  # no problem means every line and the totals were read, so `want` is set
        # Structural problems first so problems[0] names the most basic fault.
        order = {"malformed": 0, "unsupported_version": 0}
        return sorted(problems, key=lambda p: order.get(p.code, 1)), None
    return [], CheckedParts(tuple(parts), want, tuple(payments), customer)
