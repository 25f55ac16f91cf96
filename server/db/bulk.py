"""Writing many rows of one table in one statement, the cheapest way each database offers.

What it is for: `insert_rows(conn, table, rows, returning=())` → the RETURNING rows (in no promised order), and
`ByValues`, a lookup statement filtered by a list of values.
PostgreSQL: `INSERT ... SELECT * FROM unnest(CAST(%(col)b AS type[]), ...)`, one short statement with an array
per column: its text never changes, so the driver and the server parse and plan it once, where a multi-row
VALUES list is a new long text per batch size (measured: several times the client's time of the one-per-row
executemany) and an executemany is one statement per row on the server. The arrays go in psycopg's binary
format (`%b`): its text format escapes every quote of every element with
a regular expression in Python, which for the sales' JSON bodies cost more than the rest of the statement.
SQLite: executemany, which stays in the process.
What it must not do: know which table is which, or convert values any other way than the columns' own types.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import ColumnElement

_STATEMENTS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], str] = {}


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]],
                returning: Sequence[str] = ()) -> list[Any]:
    """Insert `rows` (dicts with the same keys) into `table`."""
    if not rows:
        return []
    cols = tuple(rows[0])
    if conn.dialect.name != "postgresql":
        stmt = table.insert()
        if returning:
            stmt = stmt.returning(*(table.c[name] for name in returning))
            return list(conn.execute(stmt, rows))
        conn.execute(stmt, rows)
        return []
    key = (table.name, cols, tuple(returning))
    sql = _STATEMENTS.get(key)
    if sql is None:
        arrays = ", ".join(f"CAST(%({c})b AS {table.c[c].type.compile(dialect=conn.dialect)}[])" for c in cols)
        sql = f"INSERT INTO {table.name} ({', '.join(cols)}) SELECT * FROM unnest({arrays})"
        if returning:
            sql += f" RETURNING {', '.join(returning)}"
        _STATEMENTS[key] = sql
    params = {}
    for c in cols:
        process = table.c[c].type.bind_processor(conn.dialect)
        values = [r[c] for r in rows]
        params[c] = [process(v) for v in values] if process else values
    # Driver SQL through SQLAlchemy: its errors arrive wrapped as every other statement's (IntegrityError, a
    # deadlock's DBAPIError), which the callers' retries rely on.
    result = conn.exec_driver_sql(sql, params)
    return list(result) if returning else []


class ByValues:
    """A statement filtered by a list of values, built once per dialect: `col IN (?, ?, …)` on SQLite (one
    parameter per value: chunk long lists) and `col = ANY(%(name)s)` with one array on PostgreSQL. An IN list
    is a new statement text for each length, which psycopg splits with a regular expression and the server
    parses and plans afresh (a batch's product lookup cost more in the client than its rows); the array's text
    never changes, so it is prepared once per connection.
    `make(where)` builds the statement, calling `where(column, name)` for the filter."""

    def __init__(self, make: Any) -> None:
        def listed(col: ColumnElement[Any], name: str) -> ColumnElement[bool]:
            return col.in_(bindparam(name, expanding=True))

        def array(col: ColumnElement[Any], name: str) -> ColumnElement[bool]:
            return col == any_(bindparam(name, type_=ARRAY(col.type)))

        self.listed, self.array = make(listed), make(array)

    def __call__(self, conn: Connection) -> Any:
        return self.array if conn.dialect.name == "postgresql" else self.listed
