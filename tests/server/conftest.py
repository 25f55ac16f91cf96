"""Fixtures for the ERP tests: a fresh database per test (SQLite file, or PostgreSQL behind the marker).

Every API test takes `erp` and so runs twice: on SQLite, and on a real PostgreSQL started once per session
(`-m postgres` selects those; without the binaries they fail with the command that installs them, unless
`CAJA_TEST_SKIP=postgres` asks to leave them out, tests/suites.py). Each database is a copy of a
migrated template seeded with a small demo shop, so a test costs a file copy (SQLite) or a
`CREATE DATABASE ... TEMPLATE` (PostgreSQL), not a migration.
"""
from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.db.engine import make_engine, write_tx
from server.db.migrate import upgrade
from server.demo.seed import seed
from tests.server.harness import Erp
from tests.server.pg import PostgresServer, find_bin_dir
from tests.suites import require

DEMO_PRODUCTS = 120
DEMO_CUSTOMERS = 40
_counter = itertools.count()


def _seed(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with write_tx(engine) as conn:
        seed(conn, n_products=DEMO_PRODUCTS, n_customers=DEMO_CUSTOMERS, seed=7)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "caja.db"
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    require("postgres", bin_dir is not None, "PostgreSQL's binaries (initdb)", "apt-get install -y postgresql")
    assert bin_dir is not None
    server = PostgresServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer) -> str:
    postgres.create_db("caja_template")
    _seed(postgres.url("caja_template"))
    return "caja_template"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "caja.db"
        shutil.copy(template, target)
        yield f"sqlite:///{target}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"t{next(_counter)}"
    server.create_db(name, template=template_name)
    try:
        yield server.url(name)
    finally:
        server.drop_db(name)


@pytest.fixture
def erp(db_url: str, tmp_path: Path) -> Iterator[Erp]:
    harness = Erp(db_url, tmp_path)
    try:
        yield harness
    finally:
        harness.close()
