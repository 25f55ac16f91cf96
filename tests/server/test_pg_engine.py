"""The ERP's PostgreSQL connections under a crowd: each process keeps as many as its request threads use, so a
crowd of tills never pays a new backend per request (SQLAlchemy's default pool of 5 closed every overflow
connection on return), a feed request's head is one statement outside BEGIN/COMMIT, and `commit_with` sends a
transaction's last statement with its COMMIT and reports a failure as any statement does."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from server.db.engine import commit_with, make_engine, write_tx
from server.settings import Settings
from tests.server.harness import Erp

# The conftest's `erp` on its PostgreSQL database only (what these tests are about).
on_postgres = pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                      indirect=True)


def test_the_pool_size_is_the_setting_and_scripts_keep_few() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected: the pool opens lazily
    assert make_engine(url, pg_pool=40).pool.size() == 40  # type: ignore[attr-defined]
    assert make_engine(url).pool.size() == 5  # type: ignore[attr-defined]
    assert Settings.from_env({"CAJA_DB_POOL": "12", "CAJA_SECRET_KEY": "k"}, Path("/tmp")).db_pool == 12
    assert Settings.from_env({"CAJA_SECRET_KEY": "k"}, Path("/tmp")).db_pool == 40


@on_postgres
def test_a_crowd_of_feed_requests_closes_no_connection_and_sends_no_begin(erp: Erp) -> None:
    h = erp.pair()
    assert erp.client.get("/api/catalog", params={"limit": 50}, headers=h).status_code == 200
    closed, statements = [], []
    event.listen(erp.engine.pool, "close", lambda *a: closed.append(a))
    event.listen(erp.engine.pool, "close_detached", lambda *a: closed.append(a))
    event.listen(erp.engine, "before_cursor_execute",
                 lambda conn, cur, sql, *a: statements.append(conn.connection.dbapi_connection.autocommit))
    barrier = threading.Barrier(30)
    codes: list[int] = []

    def till() -> None:
        barrier.wait()
        codes.append(erp.client.get("/api/catalog", params={"limit": 50}, headers=h).status_code)

    crowd = [threading.Thread(target=till) for _ in range(30)]
    for t in crowd:
        t.start()
    for t in crowd:
        t.join()
    assert codes == [200] * 30 and closed == []
    # A cached page costs its head, one statement in autocommit: no BEGIN/COMMIT round trips around it.
    assert statements == [True] * 30


@on_postgres
def test_commit_with_commits_the_transaction_or_fails_like_a_statement(erp: Erp) -> None:
    before = erp.scalar("SELECT value FROM change_counter WHERE id = 1")
    with write_tx(erp.engine) as conn:
        conn.execute(text("UPDATE shops SET name = 'Otra' WHERE id = 1"))
        row = commit_with(conn, "UPDATE change_counter SET value = value + %(by)s WHERE id = 1 RETURNING value",
                          {"by": 2})
        assert row[0] == before + 2
    assert erp.scalar("SELECT value FROM change_counter WHERE id = 1") == before + 2
    assert erp.scalar("SELECT name FROM shops WHERE id = 1") == "Otra"
    with pytest.raises(IntegrityError), write_tx(erp.engine) as conn:  # the batch's retry catches this
        conn.execute(text("UPDATE shops SET name = 'Tercera' WHERE id = 1"))
        commit_with(conn, "INSERT INTO change_counter (id, value) VALUES (%(id)s, 0)", {"id": 1})
    assert erp.scalar("SELECT name FROM shops WHERE id = 1") == "Otra"  # rolled back, nothing half-kept
    with write_tx(erp.engine) as conn:  # the pooled connection is usable again
        assert conn.execute(text("SELECT value FROM change_counter")).scalar_one() == before + 2
