"""The ERP's MetaData (with the constraint naming convention) and the timestamp type every table uses.

What it is for: the one object server/db/schema*.py register their tables on, so schema modules can be split
without importing each other. What it must not do: define tables.
"""
from __future__ import annotations

from sqlalchemy import DateTime, MetaData

# Explicit constraint names so Alembic migrations are reproducible on SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = DateTime(timezone=True)
