"""The global change version: bumped by every transaction that changes products, prices, stock or customers.

Must be called inside the writing transaction (the row lock it takes is what orders versions by commit on
PostgreSQL). Must not be called by readers.
"""
from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from server.db.schema import change_counter

# Built once: the sync runs these for every batch, and building a statement costs more than running it.
_BUMP = (change_counter.update().where(change_counter.c.id == 1)
         .values(value=change_counter.c.value + bindparam("by")).returning(change_counter.c.value))
_LOCK = select(change_counter.c.value).where(change_counter.c.id == 1).with_for_update()


def bump(conn: Connection, by: int = 1) -> int:
    """Reserve `by` new versions and return the highest one (use it, or the range ending at it)."""
    return int(conn.execute(_BUMP, {"by": by}).scalar_one())


def lock_next(conn: Connection) -> int:
    """Take the counter's row lock without changing it; return the version the next `bump` will give.

    For a writer that may end up writing nothing (a batch of rejected sales must leave the counter as it
    was): it is ordered like one that bumps, and whatever it writes may carry this version as long as it
    calls `bump` before committing. SQLite has no FOR UPDATE; there the writer's BEGIN IMMEDIATE is the lock.
    """
    return int(conn.execute(_LOCK).scalar_one()) + 1


def current(conn: Connection) -> int:
    return int(conn.execute(select(change_counter.c.value).where(change_counter.c.id == 1)).scalar_one())
