"""The global change version: bumped by every transaction that changes products, prices, stock or customers.

Must be called inside the writing transaction (the row lock it takes is what orders versions by commit on
PostgreSQL). Must not be called by readers.
"""
from __future__ import annotations

from sqlalchemy import Connection, select

from server.db.schema import change_counter


def bump(conn: Connection, by: int = 1) -> int:
    """Reserve `by` new versions and return the highest one (use it, or the range ending at it)."""
    row = conn.execute(
        change_counter.update()
        .where(change_counter.c.id == 1)
        .values(value=change_counter.c.value + by)
        .returning(change_counter.c.value)
    ).one()
    return int(row[0])


def current(conn: Connection) -> int:
    return int(conn.execute(select(change_counter.c.value).where(change_counter.c.id == 1)).scalar_one())
