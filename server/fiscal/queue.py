"""A factura sale's place in the CFDI job's queue: its `pendiente` ingreso row in `cfdis`.

What it is for: `ingreso_rows(sale_ids, now)` are the rows the sale intake writes in the same transaction as the
factura sales it accepts, so the job never has to look for new factura sales among every sale ever synced (an
anti-join over the whole `sales` table, every few seconds in every ERP process, that grew with the shop's
history: ≈0.2 s per pass at 300k sales on SQLite). `missing_ingresos(conn)` is the sweep for factura sales
without one (synced before sales were queued at intake, or written by another path), which the job runs when
it starts and then hourly.
What it must not do: seal, stamp or call the PAC (the job does, outside any request), or decide which sales are
facturas (the sale's type, set by the intake, does).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select

from server.db.schema import cfdis, sales

SWEEP_LIMIT = 500  # rows per sweep; the next pass takes the rest


def ingreso_rows(sale_ids: list[int], now: datetime) -> list[dict[str, Any]]:
    """The `cfdis` rows that queue these factura sales' ingresos."""
    return [{"kind": "factura", "sale_id": sale_id, "state": "pendiente", "attempts": 0, "created_at": now,
             "updated_at": now} for sale_id in sale_ids]


def missing_ingresos(conn: Connection) -> list[int]:
    """Factura sales (not cancelled) with no ingreso row, oldest first, at most SWEEP_LIMIT."""
    query = (select(sales.c.id).outerjoin(cfdis, and_(cfdis.c.sale_id == sales.c.id, cfdis.c.return_id.is_(None)))
             .where(sales.c.type == "factura", sales.c.status != "cancelada", cfdis.c.id.is_(None))
             .order_by(sales.c.id).limit(SWEEP_LIMIT))
    return [r.id for r in conn.execute(query)]
