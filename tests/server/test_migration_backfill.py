"""Migrations that fill a new column from data already stored do it right on a real database: a database with
the rows, taken back to the revision before, then upgraded, ends with the same values the intake writes."""
from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import create_engine, inspect

from server.db.migrate import alembic_config, upgrade
from tests.server.harness import Erp, catalog_items, make_sale, post_sales, sellable
from tests.server.returns_helpers import a_return, post_returns


def _downgrade(erp: Erp, revision: str) -> None:
    # On SQLite a dropped column means a rebuilt table (Alembic's batch mode), which foreign keys pointing at it
    # refuse while they are enforced: caja's engine turns them on, a plain one leaves them off.
    sqlite = erp.engine.dialect.name == "sqlite"
    engine = create_engine(erp.engine.url) if sqlite else erp.engine
    cfg = alembic_config(engine)
    try:
        with engine.connect() as conn:  # the way server/db/migrate.py's upgrade hands Alembic its connection
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
            conn.commit()
    finally:
        if sqlite:
            engine.dispose()


def _columns(erp: Erp, table: str) -> set[str]:
    with erp.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def test_0011_fills_returns_shift_uuid_from_their_bodies(erp: Erp) -> None:
    h = erp.pair()
    sale = make_sale(sellable(catalog_items(erp, h), unit="pieza")[:2], 1, qty="3")
    [res] = post_sales(erp, h, sale)
    assert res["status"] == "accepted"
    in_shift: dict[str, Any] = {**a_return(sale, {0: "1"}), "shift_uuid": "5f0c1e2a-0000-4000-8000-000000000001"}
    results = post_returns(erp, h, in_shift, a_return(sale, {1: "1"}))
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    written = erp.sql("SELECT uuid, shift_uuid FROM returns ORDER BY id")
    assert [r.shift_uuid for r in written] == [in_shift["shift_uuid"], None]

    _downgrade(erp, "0010")
    assert "shift_uuid" not in _columns(erp, "returns")
    upgrade(erp.engine)
    assert "shift_uuid" in _columns(erp, "returns")
    assert erp.sql("SELECT uuid, shift_uuid FROM returns ORDER BY id") == written
