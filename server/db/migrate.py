"""Run the Alembic migrations shipped in server/migrations/ programmatically (what `caja migrate` does).

Must not create tables any other way: the migrations are the only source of the live schema.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(caja_write=True)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


def revision_autogenerate(engine: Engine, message: str) -> None:
    """Developer helper: write a new migration from the difference between schema.py and the database."""
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
