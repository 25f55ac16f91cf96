"""Alembic environment: runs the migrations in server/migrations/versions against the configured engine.

Called programmatically by `server.db.migrate.upgrade` (no alembic.ini needed in the working directory):
the caller puts a live connection in `config.attributes["connection"]`. Must not read settings itself.
"""
from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from server.db.schema import metadata
from server.db.types import Scaled


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Scaled decimals are plain integers in the database: migrations must not depend on the Python type.
    if type_ == "type" and isinstance(obj, Scaled):
        return "sa.BigInteger()"
    return False


config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` run by hand would get here
    raise RuntimeError("run migrations through `caja migrate`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
