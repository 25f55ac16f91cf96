"""What the ERP itself expects of a shift, from what reached it: the float, the synced sales that name the shift,
the refunds of the returns made in it (accepted or undone later: the money left the drawer) and its cash movements,
through poscore.shift — the same arithmetic as the till's corte.

What it is for: reconciling a corte with the sales (a corte whose expected differs from this is missing sales
not yet synced, or has been tampered with). What it must not do: change a corte or a sale. Cancelled-offline
sales never reach the ERP as sales, so they count neither as a sale nor as a refund here.
"""
from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import Connection, select

from poscore.payment import Payment
from poscore.sale import Sale, SaleError
from poscore.shift import ShiftActivity, expected_by_method, tenders_of
from server.db.schema import cash_movements, returns, sales, shifts


def erp_expected(conn: Connection, shift_uuid: str) -> dict[str, Decimal] | None:
    """Expected amount by method for the shift, or None when the ERP does not have the shift."""
    fondo = conn.execute(select(shifts.c.opening_float).where(shifts.c.uuid == shift_uuid)).scalar()
    if fondo is None:
        return None
    synced = []
    for (body,) in conn.execute(select(sales.c.body).where(sales.c.shift_uuid == shift_uuid)):
        try:
            synced.append(Sale.from_json(json.loads(body)))
        except SaleError:  # every stored sale passed check_sale; a later format change would land here
            continue
    moves = list(conn.execute(select(cash_movements.c.kind, cash_movements.c.amount)
                              .where(cash_movements.c.shift_uuid == shift_uuid)))
    activity = ShiftActivity(Decimal(fondo), tenders_of(synced), _refunds(conn, shift_uuid),
                             [m.amount for m in moves if m.kind == "entrada"],
                             [m.amount for m in moves if m.kind == "salida"])
    return expected_by_method(activity)


def _refunds(conn: Connection, shift_uuid: str) -> list[Payment]:
    """The refunds of the returns whose RETURN names the shift."""
    rows = conn.execute(select(returns.c.refund_method, returns.c.total).where(returns.c.shift_uuid == shift_uuid))
    return [Payment(method, Decimal(total)) for method, total in rows]
