"""Who may appear as the cashier (or supervisor) of a synced record: a user with a till role in the
terminal's shop, active when the record was made.

What it is for: `CashierCheck(conn, terminal)` then `.review(cashier_id, when, supervisor=False)`: raises
`SaleRejected("unknown_cashier")` for an id that is not a cashier of this shop (or `not_supervisor`), returns
`"cashier_inactive"` when the cashier had been deactivated before the record's time (the till was offline and
did not know: the record is kept and flagged, never dropped), else None.
What it must not do: check PINs (the till did, offline) or write anything.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from server.db.engine import as_utc
from server.db.schema import branches, users

from .checks import SaleRejected

TILL_ROLES = ("cajero", "supervisor")


def shop_of(conn: Connection, branch_id: int) -> int:
    return int(conn.execute(select(branches.c.shop_id).where(branches.c.id == branch_id)).scalar_one())


def _moment(when: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(when)
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def sale_cashier(raw: dict[str, Any]) -> tuple[int | None, str | None]:
    """The optional `cashier_id` and `shift_uuid` of a sale or void (tills from before shifts send neither).
    Raises `SaleRejected("malformed")` when present and not an id / a uuid text."""
    cashier_id, shift_uuid = raw.get("cashier_id"), raw.get("shift_uuid")
    if cashier_id is not None and (isinstance(cashier_id, bool) or not isinstance(cashier_id, int)
                                   or not 0 < cashier_id < 2**31):
        raise SaleRejected("malformed", detail="cashier_id")
    if shift_uuid is not None and (not isinstance(shift_uuid, str) or not 0 < len(shift_uuid) <= 36):
        raise SaleRejected("malformed", detail="shift_uuid")
    return cashier_id, shift_uuid


class CashierCheck:
    def __init__(self, conn: Connection, terminal: Any) -> None:
        self._conn = conn
        self._shop = shop_of(conn, terminal.branch_id)
        self._rows: dict[int, Any] = {}

    def _row(self, cashier_id: int) -> Any:
        if cashier_id not in self._rows:
            self._rows[cashier_id] = self._conn.execute(
                select(users.c.id, users.c.role, users.c.shop_id, users.c.active, users.c.deactivated_at)
                .where(users.c.id == cashier_id)).first()
        return self._rows[cashier_id]

    def review(self, cashier_id: int, when: str, supervisor: bool = False) -> str | None:
        row = self._row(cashier_id)
        if row is None or row.role not in TILL_ROLES or row.shop_id != self._shop:
            raise SaleRejected("unknown_cashier")
        if supervisor and row.role != "supervisor":
            raise SaleRejected("not_supervisor")
        if row.active:
            return None
        gone, at = as_utc(row.deactivated_at), _moment(when)
        if gone is None or at is None or at >= gone:
            return "cashier_inactive"
        return None
