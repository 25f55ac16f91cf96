"""Voids: the audit of sales a cashier cancelled offline before they reached the ERP (they get no folio).

What it is for: `record_void(conn, terminal, raw)`, idempotent by the void's uuid. What it must not do:
touch sales, folios or stock (a cancelled-offline sale never moved any), or recompute its amounts.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from poscore.money import InvalidNumber, money, to_decimal
from server.db.engine import utcnow
from server.db.schema import sales, voids

from .cashiers import CashierCheck, sale_cashier
from .checks import SaleRejected, text_problem
from .sale_intake import AMOUNT_LIMIT


def _text(raw: dict[str, Any], key: str, limit: int, required: bool = False) -> str | None:
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > limit:
        raise SaleRejected("malformed", detail=key)
    return value


def record_void(conn: Connection, terminal: Any, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SaleRejected("malformed")
    problem = text_problem(raw)  # NUL, lone surrogate or megabytes: neither database can take it
    if problem is not None:
        raise SaleRejected("malformed", detail=problem)
    uuid = _text(raw, "uuid", 36, required=True)
    existing = conn.execute(select(voids.c.id, voids.c.terminal_id).where(voids.c.uuid == uuid)).first()
    if existing is not None:
        if existing.terminal_id != terminal.id:
            raise SaleRejected("uuid_conflict")
        return {"uuid": uuid, "status": "accepted", "duplicate": True}
    total = None
    if raw.get("total") is not None:
        try:
            total = to_decimal(raw["total"])
            exact = money(total) == total
        except (InvalidNumber, ArithmeticError):  # quantize raises InvalidOperation past 28 digits ("1e30")
            raise SaleRejected("invalid_amount") from None
        if not exact or abs(total) >= AMOUNT_LIMIT:  # the cents column is 64-bit
            raise SaleRejected("invalid_amount")
    sale_uuid = _text(raw, "sale_uuid", 36, required=True)
    owner = conn.execute(select(sales.c.terminal_id).where(sales.c.uuid == sale_uuid)).scalar()
    if owner is not None and owner != terminal.id:
        # A terminal's audit speaks for its own sales only: naming another till's sale would put a false
        # "cancelled" beside a sale that terminal made.
        raise SaleRejected("uuid_conflict", detail="detail_other_terminal_sale")
    cashier_id, shift_uuid = sale_cashier(raw)
    review = None if cashier_id is None else CashierCheck(conn, terminal).review(
        cashier_id, _text(raw, "cancelled_at", 40, required=True) or "")
    conn.execute(voids.insert().values(
        uuid=uuid, terminal_id=terminal.id, sale_uuid=sale_uuid,
        number=_text(raw, "number", 40), cancelled_at=_text(raw, "cancelled_at", 40, required=True),
        cashier=_text(raw, "cashier", 100), total=total, reason=_text(raw, "reason", 500),
        received_at=utcnow(), body=json.dumps(raw, ensure_ascii=False),
        cashier_id=cashier_id, shift_uuid=shift_uuid, review=review,
    ))
    return {"uuid": uuid, "status": "accepted", "duplicate": False}
