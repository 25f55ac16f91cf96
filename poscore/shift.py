"""Shifts (turnos) and the corte de caja: what the drawer should hold, what was counted, and the difference.

A shift opens with a float (fondo); during it the till records sales, cash movements (entradas and salidas
with a reason) and refunds of cancelled sales. A Corte X reads the figures at any time and changes nothing;
the Corte Z closes the shift. Expected cash = float + cash sales − change given − cash refunds + entradas −
salidas; every other method is expected to hold what was paid with it minus what was refunded with it.
The difference per method is counted − expected (negative: the drawer is short).

Also the MXN denominations helper (how much a count of bills and coins adds up to) and the shift's local
lifecycle (abierto → cerrado, nothing else).

Must not: read the clock, make ids, store or send anything (the till and the ERP do), or round except through
``money``. The records the till stores and sends are in ``poscore.shift_records``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .money import ZERO, InvalidNumber, money, to_decimal
from .payment import CASH, METHODS, Payment

STATES = ("abierto", "cerrado")
TRANSITIONS: dict[str, frozenset[str]] = {"abierto": frozenset({"cerrado"}), "cerrado": frozenset()}

MOVEMENT_KINDS = ("entrada", "salida")

# Banco de México's notes and coins in circulation. 20 pesos exists both as a note and as a coin, so a key
# names the form: "b20" is the bill, "m20" the coin. Coins below 50 centavos are left out: no drawer counts them.
BILLS = ("1000", "500", "200", "100", "50", "20")
COINS = ("20", "10", "5", "2", "1", "0.50")
DENOMINATIONS: dict[str, Decimal] = {
    **{f"b{v}": Decimal(v) for v in BILLS},
    **{f"m{v}": Decimal(v) for v in COINS},
}
MAX_PIECES = 100_000  # more pieces of one denomination than any drawer holds: a typing slip


class ShiftError(ValueError):
    """A shift or corte that does not add up, or a record that is not valid; ``code`` is a messages key."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(f"{code}: {detail}" if detail else code)


def can_transition(old: str, new: str) -> bool:
    """True when a shift in state ``old`` may move to ``new`` (only abierto → cerrado)."""
    return new in TRANSITIONS.get(old, frozenset())


def cash_count(counts: Mapping[str, int]) -> Decimal:
    """The amount of a count of pieces by denomination key (``{"b500": 2, "m0.50": 3}`` → ``1001.50``).

    Raises ``ShiftError("invalid_count")`` for an unknown key or a count that is not a whole number from 0
    to ``MAX_PIECES``.
    """
    total = ZERO
    for key, n in counts.items():
        if key not in DENOMINATIONS:
            raise ShiftError("invalid_count", key)
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_PIECES:
            raise ShiftError("invalid_count", f"{key}={n!r}")
        total += DENOMINATIONS[key] * n
    return money(total)


def amount(value: object, *, allow_zero: bool = True) -> Decimal:
    """A non-negative amount in cents from a decimal string; raises ``ShiftError("invalid_amount")``.

    Refuses amounts with more than two decimals rather than rounding them: a corte that rounds what the
    cashier typed would not be what the cashier counted.
    """
    try:
        d = to_decimal(value)  # type: ignore[arg-type]
        exact = money(d) == d
    except (InvalidNumber, ArithmeticError, TypeError):
        raise ShiftError("invalid_amount", repr(value)) from None
    if not exact or d < ZERO or (d == ZERO and not allow_zero) or d >= Decimal(10) ** 12:
        raise ShiftError("invalid_amount", repr(value))
    return money(d)


@dataclass(frozen=True, slots=True)
class Tender:
    """What one sale of the shift put in the drawer: its payments and the change handed back in cash."""

    payments: tuple[Payment, ...]
    change: Decimal = ZERO


@dataclass(slots=True)
class ShiftActivity:
    """Everything that moved money during a shift, as the corte needs it.

    ``refunds`` are payments given back (a cancelled sale's money returned, by method); ``entradas`` and
    ``salidas`` the cash movements' amounts.
    """

    opening_float: Decimal
    tenders: list[Tender] = field(default_factory=list)
    refunds: list[Payment] = field(default_factory=list)
    entradas: list[Decimal] = field(default_factory=list)
    salidas: list[Decimal] = field(default_factory=list)


def expected_by_method(activity: ShiftActivity) -> dict[str, Decimal]:
    """What the drawer (cash) and each other method should hold at the corte, every method present, in
    ``METHODS`` order. Cash = float + cash sales − change − cash refunds + entradas − salidas."""
    out = {m: ZERO for m in METHODS}
    out[CASH] = activity.opening_float
    for tender in activity.tenders:
        for p in tender.payments:
            out[p.method] += p.amount
        out[CASH] -= tender.change
    for p in activity.refunds:
        out[p.method] -= p.amount
    out[CASH] += sum(activity.entradas, ZERO) - sum(activity.salidas, ZERO)
    return {m: money(v) for m, v in out.items()}


def refunded_by_method(activity: ShiftActivity) -> dict[str, Decimal]:
    """What the shift paid back (returns, cancelled sales), by method, only the methods that paid some back: the
    corte shows each on its own line, so the cashier sees why a method expects less than its sales."""
    out: dict[str, Decimal] = {}
    for p in activity.refunds:
        out[p.method] = out.get(p.method, ZERO) + p.amount
    return {m: money(v) for m, v in out.items() if v}


def cash_refunded(activity: ShiftActivity) -> Decimal:
    """The cash paid back during the shift (returns refunded in cash, cancelled sales' cash)."""
    return refunded_by_method(activity).get(CASH, ZERO)


@dataclass(frozen=True, slots=True)
class MethodLine:
    """One payment method's row in a corte: expected, counted, and counted − expected."""

    method: str
    expected: Decimal
    counted: Decimal

    @property
    def difference(self) -> Decimal:
        return money(self.counted - self.expected)


@dataclass(frozen=True, slots=True)
class CorteFigures:
    """A corte's rows by method plus the totals; ``difference`` < 0 means money is missing."""

    lines: tuple[MethodLine, ...]

    @property
    def expected(self) -> Decimal:
        return money(sum((x.expected for x in self.lines), ZERO))

    @property
    def counted(self) -> Decimal:
        return money(sum((x.counted for x in self.lines), ZERO))

    @property
    def difference(self) -> Decimal:
        return money(self.counted - self.expected)

    def line(self, method: str) -> MethodLine:
        return next(x for x in self.lines if x.method == method)


def corte(expected: Mapping[str, Decimal], counted: Mapping[str, Decimal]) -> CorteFigures:
    """Expected vs counted for every method that has either; a method not counted counts as zero.

    Raises ``ShiftError("unknown_payment_method")`` for a method caja does not take.
    """
    for m in (*expected, *counted):
        if m not in METHODS:
            raise ShiftError("unknown_payment_method", m)
    lines = tuple(MethodLine(m, money(expected.get(m, ZERO)), money(counted.get(m, ZERO)))
                  for m in METHODS if m == CASH or expected.get(m, ZERO) or counted.get(m, ZERO))
    return CorteFigures(lines)


def tenders_of(sales: Iterable[object]) -> list[Tender]:
    """``Tender`` of each ``poscore.sale.Sale`` (its payments and its change)."""
    return [Tender(tuple(s.payments), s.totals.change) for s in sales]  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class LocalShift:
    """The till's current shift as it keeps it across reloads: ``abierto`` until its Corte Z, then
    ``cerrado`` (with the Z's uuid). Selling needs an open shift; a closed one never reopens."""

    uuid: str
    cashier_id: int
    opened_at: str
    opening_float: Decimal
    state: str = "abierto"
    corte_z: str | None = None
    closed_at: str | None = None

    def close(self, corte_uuid: str, at: str) -> LocalShift:
        if not can_transition(self.state, "cerrado"):
            raise ShiftError("invalid_transition", f"{self.state} → cerrado")
        return LocalShift(self.uuid, self.cashier_id, self.opened_at, self.opening_float, "cerrado", corte_uuid, at)

    def to_json(self) -> dict[str, object]:
        return {"uuid": self.uuid, "cashier_id": self.cashier_id, "opened_at": self.opened_at,
                "opening_float": str(self.opening_float), "state": self.state, "corte_z": self.corte_z,
                "closed_at": self.closed_at}

    @classmethod
    def from_json(cls, d: dict) -> LocalShift:
        """Read a stored shift; raises ``ShiftError`` for an unknown state or a bad amount."""
        if d.get("state") not in STATES:
            raise ShiftError("malformed", "state")
        return cls(str(d["uuid"]), int(d["cashier_id"]), str(d["opened_at"]), amount(d.get("opening_float")),
                   d["state"], d.get("corte_z"), d.get("closed_at"))


def can_sell(shift: LocalShift | None) -> bool:
    """Selling stops after a Corte Z until a new shift opens."""
    return shift is not None and shift.state == "abierto"
