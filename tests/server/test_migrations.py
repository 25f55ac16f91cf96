"""The Alembic migrations build exactly the tables of server/db/schema.py, on SQLite and PostgreSQL, and
running them again is a no-op. Catches a schema.py edit that forgot its migration."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.db.schema import metadata
from server.db.types import Scaled
from tests.server.pg import PostgresServer


def _compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):  # type: ignore[no-untyped-def]
    # Scaled decimals are BIGINT in the database by design (server/db/types.py).
    if isinstance(metadata_type, Scaled):
        return inspected_type.__class__.__name__.upper() not in ("BIGINT", "BIG_INTEGER", "BIGINTEGER")
    return None


def _assert_matches(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
            diff = compare_metadata(ctx, metadata)
            tables = set(inspect(conn).get_table_names())
        assert diff == []
        assert tables == set(metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()


def test_migrations_match_schema_on_sqlite(tmp_path: Path) -> None:
    _assert_matches(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_migrations_match_schema_on_postgres(postgres: PostgresServer) -> None:
    postgres.create_db("migrations_check")
    try:
        _assert_matches(postgres.url("migrations_check"))
    finally:
        postgres.drop_db("migrations_check")
