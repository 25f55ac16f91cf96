"""The ERP's PostgreSQL connections under a crowd: each process keeps as many as its request threads use, so a
crowd of tills never pays a new backend per request (SQLAlchemy's default pool of 5 closed every overflow
connection on return), a feed request's head is one statement outside BEGIN/COMMIT, and `commit_with` sends a
transaction's last statement with its COMMIT and reports a failure as any statement does."""
from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from server.db.engine import commit_with, make_engine, write_tx
from server.settings import Settings
from tests.server.harness import Erp
from tests.server.pg import PostgresServer

_names = itertools.count()


@pytest.fixture
def pg_erp(postgres: PostgresServer, postgres_template: str, tmp_path: Path) -> Iterator[Erp]:
    name = f"pool{next(_names)}"
    postgres.create_db(name, template=postgres_template)
    erp = Erp(postgres.url(name), tmp_path)
    try:
        yield erp
    finally:
        erp.close()
        postgres.drop_db(name)


def test_the_pool_size_is_the_setting_and_scripts_keep_few() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected: the pool opens lazily
    assert make_engine(url, pg_pool=40).pool.size() == 40  # type: ignore[attr-defined]
    assert make_engine(url).pool.size() == 5  # type: ignore[attr-defined]
    assert Settings.from_env({"CAJA_DB_POOL": "12", "CAJA_SECRET_KEY": "k"}, Path("/tmp")).db_pool == 12
    assert Settings.from_env({"CAJA_SECRET_KEY": "k"}, Path("/tmp")).db_pool == 40


@pytest.mark.postgres
def test_a_crowd_of_feed_requests_closes_no_connection_and_sends_no_begin(pg_erp: Erp) -> None:
    h = pg_erp.pair()
    assert pg_erp.client.get("/api/catalog", params={"limit": 50}, headers=h).status_code == 200
    closed, statements = [], []
    event.listen(pg_erp.engine.pool, "close", lambda *a: closed.append(a))
    event.listen(pg_erp.engine.pool, "close_detached", lambda *a: closed.append(a))
    event.listen(pg_erp.engine, "before_cursor_execute",
                 lambda conn, cur, sql, *a: statements.append(conn.connection.dbapi_connection.autocommit))
    barrier = threading.Barrier(30)
    codes: list[int] = []

    def till() -> None:
        barrier.wait()
        codes.append(pg_erp.client.get("/api/catalog", params={"limit": 50}, headers=h).status_code)

    crowd = [threading.Thread(target=till) for _ in range(30)]
    for t in crowd:
        t.start()
    for t in crowd:
        t.join()
    assert codes == [200] * 30 and closed == []
    # A cached page costs its head, one statement in autocommit: no BEGIN/COMMIT round trips around it.
    assert statements == [True] * 30


@pytest.mark.postgres
def test_commit_with_commits_the_transaction_or_fails_like_a_statement(pg_erp: Erp) -> None:
    before = pg_erp.scalar("SELECT value FROM change_counter WHERE id = 1")
    with write_tx(pg_erp.engine) as conn:
        conn.execute(text("UPDATE shops SET name = 'Otra' WHERE id = 1"))
        row = commit_with(conn, "UPDATE change_counter SET value = value + %(by)s WHERE id = 1 RETURNING value",
                          {"by": 2})
        assert row[0] == before + 2
    assert pg_erp.scalar("SELECT value FROM change_counter WHERE id = 1") == before + 2
    assert pg_erp.scalar("SELECT name FROM shops WHERE id = 1") == "Otra"
    with pytest.raises(IntegrityError), write_tx(pg_erp.engine) as conn:  # the batch's retry catches this
        conn.execute(text("UPDATE shops SET name = 'Tercera' WHERE id = 1"))
        commit_with(conn, "INSERT INTO change_counter (id, value) VALUES (%(id)s, 0)", {"id": 1})
    assert pg_erp.scalar("SELECT name FROM shops WHERE id = 1") == "Otra"  # rolled back, nothing half-kept
    with write_tx(pg_erp.engine) as conn:  # the pooled connection is usable again
        assert conn.execute(text("SELECT value FROM change_counter")).scalar_one() == before + 2
