"""Payments: the methods caja takes, their SAT "forma de pago" codes, and change.

Efectivo 01, transferencia 03, tarjeta de crédito 04, tarjeta de débito 28 (SAT catálogo
c_FormaPago). A sale may mix methods. Only cash can give change: card and transfer payments
together may not exceed the total (the terminal would be charging the customer's card for money
handed back in cash).

Must not: talk to a card terminal or bank, or round amounts differently from ``money``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from .messages import CodedError, t
from .money import ZERO, InvalidNumber, format_mxn, money, to_decimal

METHODS: dict[str, str] = {
    "efectivo": "01",
    "transferencia": "03",
    "tarjeta_credito": "04",
    "tarjeta_debito": "28",
}
CASH = "efectivo"


class PaymentError(CodedError):
    """A payment problem (codes: see ``messages``)."""


@dataclass(frozen=True, slots=True)
class Payment:
    """One payment: ``method`` (a key of ``METHODS``), ``amount`` in cents, optional ``reference``."""

    method: str
    amount: Decimal
    reference: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise PaymentError("unknown_payment_method")
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite() or self.amount <= ZERO:
            raise PaymentError("invalid_amount")
        object.__setattr__(self, "amount", money(self.amount))

    @property
    def sat_code(self) -> str:
        return METHODS[self.method]

    def to_json(self) -> dict[str, str | None]:
        return {"method": self.method, "sat_code": self.sat_code, "amount": str(self.amount),
                "reference": self.reference}

    @classmethod
    def from_json(cls, data: dict) -> Payment:
        """Read a contract payment; raises ``PaymentError`` (``invalid_amount``/``unknown_payment_method``)."""
        try:
            amount = to_decimal(data["amount"])
        except (KeyError, TypeError, InvalidNumber):
            raise PaymentError("invalid_amount") from None
        reference = data.get("reference")
        return cls(str(data.get("method")), amount, None if reference is None else str(reference))


def paid(payments: Iterable[Payment]) -> Decimal:
    """The sum of all payments."""
    return sum((p.amount for p in payments), money(ZERO))


def payment_problems(total: Decimal, payments: Iterable[Payment]) -> list[str]:
    """Reason codes why ``payments`` cannot settle ``total``: ``unpaid``, ``overpaid_non_cash``."""
    items = list(payments)
    problems = []
    if paid(items) < total:
        problems.append("unpaid")
    non_cash = sum((p.amount for p in items if p.method != CASH), ZERO)
    if non_cash > total:
        problems.append("overpaid_non_cash")
    return problems


def change_due(total: Decimal, payments: Iterable[Payment]) -> Decimal:
    """The change to hand back in cash: paid minus total.

    Raises ``PaymentError("unpaid")`` when the payments fall short and
    ``PaymentError("overpaid_non_cash")`` when card/transfer alone exceed the total.
    """
    items = list(payments)
    problems = payment_problems(total, items)
    if problems:
        code = problems[0]
        if code == "unpaid":
            raise PaymentError(code, t(code, missing=format_mxn(total - paid(items))))
        raise PaymentError(code)
    return money(paid(items) - total)


# Mexican banknotes a customer hands over for a round amount: the quick-cash buttons offer the next multiple of
# each (the $20 and $50 notes, the $100, $200 and $500 notes), as tills in Mexican shops do.
QUICK_CASH_STEPS = (20, 50, 100, 200, 500)


def quick_cash(total: Decimal) -> list[Decimal]:
    """The amounts a cashier is likely to receive for ``total``: the exact amount, then the next multiple of
    each banknote step at or above it, ascending, each once (money, two decimals).

    ``quick_cash(Decimal("35.50"))`` is ``[35.50, 40, 50, 100, 200, 500]``: the 50 that is both the next 20
    and the next 50 is offered once, and an exact multiple is not repeated (``100`` gives ``[100, 200, 500]``).
    """
    exact = money(total)
    out = [exact]
    if exact <= ZERO:
        return out
    for step in QUICK_CASH_STEPS:
        notes = (exact / step).to_integral_value(rounding=ROUND_CEILING)  # whole notes that cover the total
        amount = money(notes * step)
        if amount not in out:
            out.append(amount)
    return sorted(out)
