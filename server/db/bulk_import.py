"""Set-based writes of many rows in one statement per chunk, inside the caller's transaction: INSERT (COPY on
PostgreSQL), UPDATE … FROM a VALUES/unnest source, DELETE … IN, and the UTC time as a DateTime column stores it.

What it is for: bulk imports (the CSV import of 100,000 products) where row-by-row executemany took ~100 s on
PostgreSQL. Rows are plain tuples; column SQL types are given for PostgreSQL's unnest arrays. COPY suits a
one-off import of many rows; the sales ingest, many small batches of one statement each, uses server/db/bulk.py.
What it must not do: open or commit transactions, validate or convert values (callers pass what the column
stores), or take table/column names from user input (they are interpolated into the statement text).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _chunks(rows: list[tuple[Any, ...]], size: int) -> Any:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


# Multi-row statements instead of row-by-row executemany (which took ~100 s for 100,000 products on
# PostgreSQL). SQLite: VALUES lists within its 32,766-parameter limit. PostgreSQL: one array parameter per
# column through unnest(), so the statement text stays short (psycopg re-parses long statements in Python).
def _source(conn: Connection, names: tuple[str, ...], types: tuple[str, ...], chunk: list[tuple[Any, ...]]
            ) -> tuple[str, tuple[Any, ...]]:
    if conn.dialect.name == "postgresql":
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        return f"SELECT * FROM unnest({arrays}) AS v ({', '.join(names)})", tuple(list(col) for col in zip(*chunk))
    row_sql = "(" + ", ".join(["?"] * len(names)) + ")"
    return f"VALUES {', '.join([row_sql] * len(chunk))}", tuple(v for row in chunk for v in row)


def _size(conn: Connection, width: int) -> int:
    return 20_000 if conn.dialect.name == "postgresql" else max(1, 4000 // width)


def insert_rows(conn: Connection, table: str, columns: tuple[str, ...], types: tuple[str, ...],
            rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        # COPY is PostgreSQL's bulk path; it runs on the same DBAPI connection, so inside our transaction.
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    for chunk in _chunks(rows, _size(conn, len(columns))):
        source, params = _source(conn, columns, types, chunk)
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) {source}", params)


def update_rows(conn: Connection, table: str, columns: tuple[str, ...], keys: tuple[str, ...], types: tuple[str, ...],
            rows: list[tuple[Any, ...]]) -> None:
    """UPDATE from a list of rows (new values followed by the keys), on SQLite ≥ 3.33 and PostgreSQL."""
    names = columns + keys
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    match = " AND ".join(f"{table}.{k} = v.{k}" for k in keys)
    for chunk in _chunks(rows, _size(conn, len(names))):
        source, params = _source(conn, names, types, chunk)
        conn.exec_driver_sql(f"WITH v ({', '.join(names)}) AS ({source}) UPDATE {table} SET {sets} FROM v "
                             f"WHERE {match}", params)


def delete_in(conn: Connection, table: str, column: str, ids: list[int]) -> None:
    """DELETE the rows whose `column` is one of `ids`, 500 at a time."""
    for chunk in _chunks([(i,) for i in ids], 500):
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE {column} IN ({', '.join([_mark(conn)] * len(chunk))})",
                             tuple(i for (i,) in chunk))


def db_time(conn: Connection, value: datetime) -> Any:
    """A UTC time as the DateTime column stores it (SQLite: SQLAlchemy's text format, no offset)."""
    if conn.dialect.name == "sqlite":
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value
