"""Engine creation: one function that gives SQLite and PostgreSQL the same transactional behaviour.

What it is for: `make_engine(url)` and `write_tx(engine)` (a transaction that holds the database's write
lock from its first statement on SQLite, so folio assignment never races), plus `utcnow()`.
What it must not do: know about tables or rules.

SQLite: WAL (readers don't block the writer), foreign keys on, busy_timeout so concurrent writers wait
instead of failing. pysqlite's own transaction handling is switched off (isolation_level=None) so that we
emit BEGIN ourselves: BEGIN IMMEDIATE for writers, plain BEGIN for readers (SQLAlchemy's documented recipe).
PostgreSQL: READ COMMITTED; writers serialise on row locks (`UPDATE folio_series ... RETURNING`).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 30_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; we only ever store UTC, so naive means UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        # A plain postgresql:// URL would pick psycopg2, which is not a dependency: psycopg 3 is.
        u = u.set(drivername="postgresql+psycopg")
        url = u.render_as_string(hide_password=False)
    if u.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
                               **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            immediate = conn.get_execution_options().get("caja_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction: commits on success, rolls back on any exception."""
    with engine.connect() as conn:
        conn = conn.execution_options(caja_write=True)
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn
