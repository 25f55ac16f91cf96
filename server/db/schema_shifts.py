"""The tables of what a till records about its cashiers' day and syncs by uuid: shifts (turnos), cash
movements, cortes X/Z with their lines, supervisors' authorizations. Imported through server/db/schema.py.

What it must not do: hold queries or rules (server/sync/shifts.py and poscore.shift do).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from server.db.meta import TS, metadata
from server.db.types import Money


def _synced(name: str, *columns: Column[Any] | CheckConstraint, **kw: Any) -> Table:
    """A table of records a till syncs by uuid: the columns every one of them has, then its own.

    `content_hash` answers a replay (same content: duplicate; other content: uuid_conflict); `review` holds
    why an accepted record is worth a look (a cashier deactivated before the record's time).
    """
    return Table(
        name, metadata,
        Column("id", Integer, primary_key=True),
        Column("uuid", String(36), nullable=False, unique=True),
        Column("terminal_id", ForeignKey("terminals.id"), nullable=False),
        Column("cashier_id", ForeignKey("users.id"), nullable=False),
        *columns,
        Column("content_hash", String(64), nullable=False),
        Column("body", Text, nullable=False),
        Column("review", String(200)),
        Column("received_at", TS, nullable=False),
        **kw,
    )


# A shift (turno): opened with a float by a cashier at a terminal; closed by its Corte Z.
shifts = _synced(
    "shifts",
    Column("opened_at", String(40), nullable=False),
    Column("opening_float", Money(), nullable=False),
)

# Entradas and salidas de efectivo during a shift, with the reason the cashier gave.
cash_movements = _synced(
    "cash_movements",
    Column("shift_uuid", String(36), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    CheckConstraint("kind IN ('entrada', 'salida')", name="kind"),
)

# Corte X (a reading) or Z (the close) of a shift; its expected and counted amounts by method in corte_lines.
cortes = _synced(
    "cortes",
    Column("shift_uuid", String(36), nullable=False, index=True),
    Column("kind", String(1), nullable=False),
    Column("at", String(40), nullable=False),
    CheckConstraint("kind IN ('X', 'Z')", name="kind"),
)

corte_lines = Table(
    "corte_lines", metadata,
    Column("id", Integer, primary_key=True),
    Column("corte_id", ForeignKey("cortes.id"), nullable=False, index=True),
    Column("method", String(30), nullable=False),
    Column("expected", Money(), nullable=False),
    Column("counted", Money(), nullable=False),
    Column("difference", Money(), nullable=False),
)

# A supervisor's PIN given at a till: who authorized what, for which cashier.
authorizations = _synced(
    "authorizations",
    Column("supervisor_id", ForeignKey("users.id"), nullable=False),
    Column("shift_uuid", String(36), index=True),
    Column("action", String(20), nullable=False),
    Column("subject", String(100)),
    Column("at", String(40), nullable=False),
)
