"""The completed sale: ``Sale``, its versioned JSON (contract SALE, ``"v": 1``) and ``complete_sale``.

``complete_sale`` turns a cart plus payments into an immutable ``Sale`` with every amount
computed; ``Sale.to_json()`` is exactly the SALE dict of docs/contract.md (decimal strings) and
``Sale.from_json()`` reads it back (``from_json(s.to_json()) == s``). ``check_sale`` (re-exported
from ``check``) is what the ERP runs on every synced sale; ``verified_sale`` is both at once: its problems,
and when there are none the Sale built from what the check already parsed.

Must not: allocate uuids, sequences or timestamps (they are passed in), or store anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from .cart import Cart
from .check import Problem, check_sale, examine
from .customer import Customer, customer_problems, factura_ready
from .messages import CodedError, t
from .money import ZERO, money, to_decimal
from .numbering import local_number
from .payment import Payment, PaymentError, change_due, paid
from .tax import LineAmounts, TaxLine, TaxScheme, Totals
from .tax import shown_totals as tax_shown_totals

__all__ = ["SALE_TYPES", "SALE_VERSION", "Problem", "Sale", "SaleError", "SaleLine", "SaleTotals",
           "check_sale", "complete_sale", "device_time_text", "verified_sale"]

SALE_VERSION = 1
SALE_TYPES = ("remision", "factura")


class SaleError(CodedError):
    """A sale that cannot be completed or read (codes: see ``messages``)."""


@dataclass(frozen=True, slots=True)
class SaleLine:
    """A line as sold: the inputs (product, qty, price, discount, taxes) and the computed amounts."""

    product_id: int
    sku: str
    name: str
    unit: str
    qty: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    tax: TaxScheme
    amounts: LineAmounts

    def to_json(self) -> dict:
        a = self.amounts
        return {"product_id": self.product_id, "sku": self.sku, "name": self.name, "unit": self.unit,
                "qty": str(self.qty), "unit_price": str(self.unit_price),
                "discount_pct": str(self.discount_pct), "iva": self.tax.iva, "ieps": self.tax.ieps,
                **self.tax.cuota_json(),
                "subtotal": str(a.subtotal), "discount": str(a.discount),
                "taxes": [x.to_json() for x in a.taxes], "total": str(a.total)}

    @classmethod
    def from_json(cls, d: dict) -> SaleLine:
        amounts = LineAmounts(to_decimal(d["subtotal"]), to_decimal(d["discount"]),
                              tuple(TaxLine.from_json(x) for x in d["taxes"]), to_decimal(d["total"]))
        return cls(_int(d["product_id"]), str(d["sku"]), str(d["name"]), str(d["unit"]),
                   to_decimal(d["qty"]), to_decimal(d["unit_price"]), to_decimal(d["discount_pct"]),
                   TaxScheme.from_json(d["iva"], d.get("ieps"), d.get("ieps_cuota"), d.get("litres")), amounts)


@dataclass(frozen=True, slots=True)
class SaleTotals:
    """Sale totals: sums of the rounded lines, the tax breakdown, what was paid and the change."""

    subtotal: Decimal
    discount: Decimal
    taxes: tuple[TaxLine, ...]
    tax_total: Decimal
    total: Decimal
    paid: Decimal
    change: Decimal

    def to_json(self) -> dict:
        return {"subtotal": str(self.subtotal), "discount": str(self.discount),
                "taxes": [x.to_json() for x in self.taxes], "tax_total": str(self.tax_total),
                "total": str(self.total), "paid": str(self.paid), "change": str(self.change)}

    @classmethod
    def from_json(cls, d: dict) -> SaleTotals:
        return cls(to_decimal(d["subtotal"]), to_decimal(d["discount"]),
                   tuple(TaxLine.from_json(x) for x in d["taxes"]), to_decimal(d["tax_total"]),
                   to_decimal(d["total"]), to_decimal(d["paid"]), to_decimal(d["change"]))


@dataclass(frozen=True, slots=True)
class Sale:
    """A completed sale, immutable. ``device_time`` is the ISO 8601 text with offset."""

    uuid: str
    terminal: str
    seq: int
    number: str
    type: str
    device_time: str
    cashier: str | None
    price_list_id: int
    prices_include_tax: bool
    customer: Customer | None
    lines: tuple[SaleLine, ...]
    payments: tuple[Payment, ...]
    totals: SaleTotals

    def to_json(self) -> dict:
        """The contract SALE dict (``json.dumps`` it to send or store)."""
        return {"v": SALE_VERSION, "uuid": self.uuid, "terminal": self.terminal, "seq": self.seq,
                "number": self.number, "type": self.type, "device_time": self.device_time,
                "cashier": self.cashier, "price_list_id": self.price_list_id,
                "prices_include_tax": self.prices_include_tax,
                "customer": None if self.customer is None else self.customer.to_sale_json(),
                "lines": [x.to_json() for x in self.lines],
                "payments": [x.to_json() for x in self.payments],
                "totals": self.totals.to_json()}

    def stamped(self, uuid: str, seq: int, device_time: datetime | str) -> Sale:
        """This sale under another identity: its uuid, sequence (and so its number) and time, the rest as it is.
        Raises ``SaleError("malformed")`` as ``complete_sale`` does for a bad uuid, sequence or time.

        Why: the POS makes the sale while the cashier is on the payment screen, and stamps only these on
        "Confirmar cobro" (the number and the time are the click's, nothing else changes between the two)."""
        number, when = _identity(uuid, self.terminal, seq, device_time)
        return replace(self, uuid=uuid, seq=seq, number=number, device_time=when)

    def at(self, device_time: datetime | str) -> Sale:
        """This sale at another time, the rest (its number included) as it is. Raises ``SaleError("malformed")``
        as ``stamped`` does for a bad time."""
        return replace(self, device_time=device_time_text(device_time))

    @classmethod
    def from_json(cls, d: dict) -> Sale:
        """Read a SALE dict. Raises ``SaleError("unsupported_version")`` or ``SaleError("malformed")``.

        It reads the amounts as stated; ``check_sale`` is what verifies them.
        """
        if not isinstance(d, dict):
            raise SaleError("malformed")
        if d.get("v") != SALE_VERSION:
            raise SaleError("unsupported_version")
        try:
            customer = d.get("customer")
            cashier = d.get("cashier")
            if not isinstance(d["prices_include_tax"], bool):
                raise TypeError("prices_include_tax")
            return cls(
                uuid=_str(d["uuid"]), terminal=_str(d["terminal"]), seq=_int(d["seq"]),
                number=_str(d["number"]), type=_str(d["type"]), device_time=_str(d["device_time"]),
                cashier=None if cashier is None else _str(cashier),
                price_list_id=_int(d["price_list_id"]), prices_include_tax=d["prices_include_tax"],
                customer=None if customer is None else Customer.from_json(customer),
                lines=tuple(SaleLine.from_json(x) for x in d["lines"]),
                payments=tuple(Payment.from_json(x) for x in d["payments"]),
                totals=SaleTotals.from_json(d["totals"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # InvalidNumber, InvalidTax, PaymentError and customer errors are ValueErrors too.
            raise SaleError("malformed", f"{t('malformed')}: {exc}") from None


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def device_time_text(value: datetime | str) -> str:
    """A sale's ``device_time`` as stored and sent: ISO 8601 with its UTC offset (a datetime to the second).
    Raises ``SaleError("malformed")`` for a time without offset or a text that is not ISO 8601."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise SaleError("malformed", "device_time needs a UTC offset")
        return value.isoformat(timespec="seconds")
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise SaleError("malformed", f"device_time is not ISO 8601: {value!r}") from None
    if parsed.tzinfo is None:
        raise SaleError("malformed", "device_time needs a UTC offset")
    return value


def _identity(uuid: str, terminal: str, seq: int, device_time: datetime | str) -> tuple[str, str]:
    """The local number and the ISO time of a sale with this uuid, terminal, sequence and time."""
    if not isinstance(uuid, str) or not uuid:
        raise SaleError("malformed", "uuid missing")
    try:
        number = local_number(terminal, seq)
    except ValueError as exc:
        raise SaleError("malformed", str(exc)) from None
    return number, device_time_text(device_time)


def verified_sale(d: object) -> tuple[list[Problem], Sale | None]:
    """``check_sale(d)`` and, when it finds nothing wrong, the sale: equal to ``Sale.from_json(d)``.

    Why: the ERP needs both for every synced sale, and reading the sale again parsed every number and tax line
    the check had just parsed (a third of the verification's time). The check compared every stated amount with
    the one it recomputed, so the recomputed ones are the sale's (the same values; a stated "1.5" is 1.50 here).
    """
    problems, parts = examine(d)
    if problems:
        return problems, None
    assert isinstance(d, dict) and parts is not None  # examine gives the parts of every sale without problems
    sums = parts.totals
    paid_ = paid(parts.payments)
    lines = tuple(SaleLine(raw["product_id"], raw["sku"], raw["name"], raw["unit"], x.qty, x.unit_price,
                           x.discount_pct, x.tax, x.amounts) for raw, x in zip(d["lines"], parts.lines, strict=True))
    return [], Sale(
        uuid=d["uuid"], terminal=d["terminal"], seq=d["seq"], number=d["number"], type=d["type"],
        device_time=d["device_time"], cashier=d["cashier"], price_list_id=d["price_list_id"],
        prices_include_tax=d["prices_include_tax"], customer=parts.customer, lines=lines, payments=parts.payments,
        totals=SaleTotals(sums.subtotal, sums.discount, sums.taxes, sums.tax_total, sums.total, paid_,
                          paid_ - sums.total))


def complete_sale(
    cart: Cart,
    payments: Iterable[Payment | dict],
    uuid: str,
    terminal: str,
    seq: int,
    device_time: datetime | str,
    sale_type: str = "remision",
    customer: Customer | None = None,
    cashier: str | None = None,
    *,
    price_list_id: int | None = None,
) -> Sale:
    """Freeze ``cart`` into a ``Sale`` paid with ``payments`` (``Payment`` or contract dicts).

    ``price_list_id`` defaults to ``cart.price_list_id``. Raises ``SaleError`` with code
    ``empty_cart``, ``unpaid``, ``overpaid_non_cash``, ``invalid_sale_type``,
    ``factura_customer_incomplete`` (or another customer code), or ``malformed`` (bad uuid,
    terminal, sequence, time or missing price list). The cart is left untouched.
    """
    if not cart:
        raise SaleError("empty_cart")
    if sale_type not in SALE_TYPES:
        raise SaleError("invalid_sale_type")
    plist = cart.price_list_id if price_list_id is None else price_list_id
    if isinstance(plist, bool) or not isinstance(plist, int):
        raise SaleError("malformed", "price_list_id missing")
    number, when = _identity(uuid, terminal, seq, device_time)
    if sale_type == "factura":
        problems = factura_ready(customer)
        if problems:
            raise SaleError(problems[0])
    elif customer is not None:
        problems = customer_problems(customer)
        if problems:
            raise SaleError(problems[0])
    try:
        pays = tuple(p if isinstance(p, Payment) else Payment.from_json(p) for p in payments)
    except PaymentError as exc:
        raise SaleError(exc.code, exc.message) from None
    totals = cart.totals()
    try:
        change = change_due(totals.total, pays)
    except PaymentError as exc:
        raise SaleError(exc.code, exc.message) from None
    lines = tuple(
        SaleLine(x.product.id, x.product.sku, x.product.name, x.product.unit, x.qty, x.unit_price,
                 x.discount_pct, x.product.tax, x.amounts)
        for x in cart.lines
    )
    sale_totals = SaleTotals(totals.subtotal, totals.discount, totals.taxes, totals.tax_total,
                             totals.total, paid(pays), change)
    return Sale(uuid, terminal, seq, number, sale_type, when, cashier, plist, cart.prices_include_tax,
                customer, lines, pays, sale_totals)


def ieps_broken_out(sale: Sale) -> bool:
    """Whether this sale's ticket and CFDI show IEPS on its own: only for a customer who asked for it."""
    return sale.customer is not None and sale.customer.ieps_breakdown


def shown_totals(sale: Sale) -> Totals:
    """The sale's totals as its buyer reads them (``tax.shown_totals`` with the customer's setting)."""
    return tax_shown_totals((x.amounts for x in sale.lines), ieps_broken_out(sale))


def missing_amount(sale_total: Decimal, payments: Iterable[Payment]) -> Decimal:
    """How much is still to pay (0 when covered): for the payment screen."""
    return max(money(sale_total - paid(payments)), money(ZERO))
