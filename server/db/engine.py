"""Engine creation: one function that gives SQLite and PostgreSQL the same transactional behaviour.

What it is for: `make_engine(url)` and `write_tx(engine)` (a transaction that holds the database's write
lock from its first statement on SQLite, so folio assignment never races), plus `utcnow()`.
What it must not do: know about tables or rules.

SQLite: WAL (readers don't block the writer), foreign keys on, busy_timeout so concurrent writers wait
instead of failing. pysqlite's own transaction handling is switched off (isolation_level=None) so that we
emit BEGIN ourselves: BEGIN IMMEDIATE for writers, plain BEGIN for readers (SQLAlchemy's documented recipe).
PostgreSQL: READ COMMITTED; writers serialise on row locks (`UPDATE folio_series ... RETURNING`). The pool keeps
as many connections as a worker process's request threads can use at once (`pg_pool`, 40 = the server's
threads for sync routes, CAJA_DB_POOL): with SQLAlchemy's default of 5 (+10 overflow, closed again on return), a
crowd of tills made most requests pay a new PostgreSQL backend (fork, authentication, catalog caches: several ms
of the database's CPU), far more than their one statement. `read_once(engine)` is a single-statement read without BEGIN/COMMIT on PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 30_000
# Beyond the pool, for the background threads (CFDI job, feed warmer) at a busy moment; closed again on return.
PG_MAX_OVERFLOW = 5


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; we only ever store UTC, so naive means UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def make_engine(url: str, pg_pool: int = 5, **kwargs: Any) -> Engine:
    """`pg_pool`: the PostgreSQL connections kept open (the server passes its setting; scripts keep few)."""
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
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", pg_pool)
        kwargs.setdefault("max_overflow", PG_MAX_OVERFLOW)
    return create_engine(url, **kwargs)


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction: commits on success, rolls back on any exception."""
    with engine.connect() as conn:
        conn = conn.execution_options(caja_write=True)
        with conn.begin():
            yield conn


def commit_with(conn: Connection, sql: str, params: dict[str, Any]) -> Any:
    """PostgreSQL: run the transaction's last statement (psycopg `%(name)s` parameters) and COMMIT in one round
    trip, and return the statement's first row; the caller's `conn.begin()` block then finds nothing to commit.

    For a statement that takes a lock every other writer waits for: sent separately, the COMMIT waited for the
    statement's answer to reach Python and for its thread to run again (under a crowd, many GIL turns of the
    other requests' threads) while the lock was held. In a pipeline the server runs the COMMIT right after it.
    Errors come back as SQLAlchemy's (IntegrityError, a deadlock's DBAPIError), like any statement's.
    """
    import psycopg
    from sqlalchemy.exc import DBAPIError

    dbapi = conn.connection.dbapi_connection
    assert isinstance(dbapi, psycopg.Connection)
    try:
        with dbapi.pipeline(), dbapi.cursor() as cur:
            cur.execute(sql, params)
            dbapi.commit()
            return cur.fetchone()
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, params, exc, psycopg.Error) from exc


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def read_once(engine: Engine) -> Iterator[Connection]:
    """A connection for ONE read statement. PostgreSQL: autocommit, so the statement is its own transaction
    (READ COMMITTED gives each statement its own snapshot anyway) and costs one round trip instead of BEGIN,
    statement, COMMIT. SQLite: read_tx (its BEGIN is in-process and keeps several statements consistent)."""
    if engine.dialect.name != "postgresql":
        with read_tx(engine) as conn:
            yield conn
        return
    with engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")
