"""The shift records a till stores and sends: shift opened, cash movement, corte (X or Z), supervisor
authorization. Each is a frozen dataclass with ``to_json``/``from_json``; ``from_json`` validates and raises
``ShiftError`` with a reason code, so the till refuses to store what the ERP would refuse to take.

Wire shape (contract): amounts are decimal strings with at most two decimals, times ISO 8601 with the
device's UTC offset, ids are the caller's (uuid text, cashier ids from ``GET /api/cashiers``).

Must not: make uuids or read the clock (both come from the caller), or compute the corte (``poscore.shift``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .payment import METHODS
from .shift import DENOMINATIONS, MOVEMENT_KINDS, ShiftError, amount, cash_count

CORTE_KINDS = ("X", "Z")
# What a supervisor's PIN is asked for: cancelling a sale, a discount above the shop's limit, opening the
# drawer without a sale.
AUTH_ACTIONS = ("cancel_sale", "discount", "open_drawer", "return_sale")


def _str(d: dict[str, Any], key: str, limit: int, required: bool = True) -> str | None:
    v = d.get(key)
    if v is None and not required:
        return None
    if not isinstance(v, str) or not v.strip() or len(v) > limit or "\x00" in v:
        raise ShiftError("malformed", key)
    return v


def _id(d: dict[str, Any], key: str, required: bool = True) -> int | None:
    v = d.get(key)
    if v is None and not required:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 2**31:
        raise ShiftError("malformed", key)
    return v


def _time(d: dict[str, Any], key: str) -> str:
    v = _str(d, key, 40)
    assert v is not None
    try:
        when = datetime.fromisoformat(v)
    except ValueError:
        raise ShiftError("malformed", key) from None
    if when.tzinfo is None:  # a time without its offset cannot be placed in the shop's day
        raise ShiftError("malformed", key)
    return v


def _by_method(d: dict[str, Any], key: str) -> dict[str, Decimal]:
    v = d.get(key)
    if not isinstance(v, dict):
        raise ShiftError("malformed", key)
    out = {}
    for m, a in v.items():
        if m not in METHODS:
            raise ShiftError("unknown_payment_method", m)
        out[m] = amount(a)
    return out


@dataclass(frozen=True, slots=True)
class ShiftOpened:
    uuid: str
    cashier_id: int
    opened_at: str
    opening_float: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "cashier_id": self.cashier_id, "opened_at": self.opened_at,
                "opening_float": str(self.opening_float)}

    @classmethod
    def from_json(cls, d: Any) -> ShiftOpened:
        d = _obj(d)
        return cls(_uuid(d, "uuid"), _id(d, "cashier_id"), _time(d, "opened_at"),  # type: ignore[arg-type]
                   amount(d.get("opening_float")))


@dataclass(frozen=True, slots=True)
class CashMovement:
    """An entrada or salida de efectivo (always positive; ``kind`` says which way) with its reason."""

    uuid: str
    shift_uuid: str
    cashier_id: int
    kind: str
    amount: Decimal
    reason: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "shift_uuid": self.shift_uuid, "cashier_id": self.cashier_id,
                "kind": self.kind, "amount": str(self.amount), "reason": self.reason, "at": self.at}

    @classmethod
    def from_json(cls, d: Any) -> CashMovement:
        d = _obj(d)
        kind = d.get("kind")
        if kind not in MOVEMENT_KINDS:
            raise ShiftError("malformed", "kind")
        return cls(_uuid(d, "uuid"), _uuid(d, "shift_uuid"), _id(d, "cashier_id"), kind,  # type: ignore[arg-type]
                   amount(d.get("amount"), allow_zero=False), _str(d, "reason", 200), _time(d, "at"))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class CorteRecord:
    """A Corte X (a reading) or Z (the close): expected and counted by method, and the cash count by
    denomination when the helper was used (then counted cash must be its sum)."""

    uuid: str
    shift_uuid: str
    cashier_id: int
    kind: str
    at: str
    expected: dict[str, Decimal]
    counted: dict[str, Decimal]
    cash_count: dict[str, int] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "shift_uuid": self.shift_uuid, "cashier_id": self.cashier_id,
                "kind": self.kind, "at": self.at,
                "expected": {m: str(a) for m, a in self.expected.items()},
                "counted": {m: str(a) for m, a in self.counted.items()},
                "cash_count": self.cash_count}

    @classmethod
    def from_json(cls, d: Any) -> CorteRecord:
        d = _obj(d)
        kind = d.get("kind")
        if kind not in CORTE_KINDS:
            raise ShiftError("malformed", "kind")
        expected, counted = _by_method(d, "expected"), _by_method(d, "counted")
        pieces = d.get("cash_count")
        if pieces is not None:
            if not isinstance(pieces, dict) or any(k not in DENOMINATIONS for k in pieces):
                raise ShiftError("invalid_count", "cash_count")
            if cash_count(pieces) != counted.get("efectivo", Decimal(0)):
                raise ShiftError("count_mismatch", "cash_count")
        return cls(_uuid(d, "uuid"), _uuid(d, "shift_uuid"), _id(d, "cashier_id"), kind,  # type: ignore[arg-type]
                   _time(d, "at"), expected, counted, pieces)


@dataclass(frozen=True, slots=True)
class Authorization:
    """A supervisor's PIN given for ``action`` on behalf of ``cashier_id``; ``subject`` names what (a sale's
    uuid, a discount's percentage)."""

    uuid: str
    supervisor_id: int
    cashier_id: int
    action: str
    at: str
    shift_uuid: str | None = None
    subject: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "supervisor_id": self.supervisor_id, "cashier_id": self.cashier_id,
                "action": self.action, "at": self.at, "shift_uuid": self.shift_uuid, "subject": self.subject}

    @classmethod
    def from_json(cls, d: Any) -> Authorization:
        d = _obj(d)
        action = d.get("action")
        if action not in AUTH_ACTIONS:
            raise ShiftError("malformed", "action")
        shift = None if d.get("shift_uuid") is None else _uuid(d, "shift_uuid")
        return cls(_uuid(d, "uuid"), _id(d, "supervisor_id"), _id(d, "cashier_id"), action,  # type: ignore[arg-type]
                   _time(d, "at"), shift, _str(d, "subject", 100, required=False))


def needs_supervisor(action: str, discount_pct: Decimal | None = None, limit_pct: Decimal | None = None) -> bool:
    """Whether the till must ask a supervisor's PIN: always to cancel a sale or open the drawer without a sale;
    for a discount, only above the shop's limit (``supervisor_discount_pct`` from ``GET /api/cashiers``)."""
    if action not in AUTH_ACTIONS:
        raise ShiftError("malformed", "action")
    if action != "discount":
        return True
    if discount_pct is None or limit_pct is None:
        raise ShiftError("malformed", "discount_pct")
    return discount_pct > limit_pct


def _obj(d: Any) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise ShiftError("malformed", "record")
    return d


def _uuid(d: dict[str, Any], key: str) -> str:
    v = _str(d, key, 36)
    assert v is not None
    return v
