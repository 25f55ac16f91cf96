"""The `caja` command as a real process: migrate, demo, pairing-code, create-admin, and `caja serve`
(starts, prints a pairing code that works, answers /api/health, stops cleanly on SIGTERM). Then several
server processes (`--workers 2` plus a second `caja serve`) on one PostgreSQL keep folios exact.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.concurrency import assert_exactly_once, sale_pool, send_overlapping
from tests.server.pg import PostgresServer
from tests.server.procs import Served, caja, caja_env

pytestmark = pytest.mark.slow


def test_cli_migrate_demo_pairing_code_and_admin(tmp_path: Path) -> None:
    env = caja_env(f"sqlite:///{tmp_path / 'caja.db'}", tmp_path)
    assert caja("migrate", env=env).returncode == 0
    assert caja("migrate", env=env).returncode == 0  # idempotent
    r = caja("demo", "--products", "300", "--customers", "20", "--seed", "3", env=env)
    assert r.returncode == 0, r.stderr
    assert caja("demo", "--if-empty", env=env).returncode == 0
    assert caja("demo", env=env).returncode != 0  # refuses to seed twice
    r = caja("pairing-code", "--terminal", "T01", env=env)
    assert r.returncode == 0
    code = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", code), code
    assert caja("pairing-code", "--terminal", "T99", env=env).returncode != 0
    r = caja("create-admin", "--username", "admin", "--password-stdin", env=env, stdin="s3creta-larga\n")
    assert r.returncode == 0, r.stderr
    assert caja("create-admin", "--username", "admin", "--password", "s3creta-larga", env=env).returncode == 2
    short = caja("create-admin", "--username", "admin", "--password-stdin", env=env, stdin="corta\n")
    assert short.returncode == 1 and "10" in short.stderr
    common = caja("create-admin", "--username", "admin", "--password-stdin", env=env, stdin="Contraseña123\n")
    assert common.returncode == 1 and "común" in common.stderr
    import sqlite3
    with sqlite3.connect(tmp_path / "caja.db") as db:
        (h,) = db.execute("SELECT password_hash FROM users WHERE username = 'admin'").fetchone()
    assert h.startswith("$argon2") and "s3creta" not in h


def test_serve_prints_a_working_code_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = caja_env(f"sqlite:///{tmp_path / 'caja.db'}", tmp_path)
    assert caja("migrate", env=env).returncode == 0
    assert caja("demo", "--products", "50", "--customers", "5", env=env).returncode == 0
    served = Served(env)
    try:
        line = served.wait_line("código de vinculación para T01")
        served.wait_healthy()
        code = line.strip().split()[-1]
        r = httpx.post(served.url + "/api/pair", json={"code": code, "device": "pytest"})
        assert r.status_code == 200 and r.json()["terminal"]["code"] == "T01"
        token = r.json()["token"]
        cat = httpx.get(served.url + "/api/catalog", headers={"Authorization": f"Bearer {token}"})
        assert cat.status_code == 200 and cat.json()["total"] == 50
        # No proxy is trusted by default: X-Forwarded-For from loopback does not give each guess a fresh budget.
        answers = [httpx.post(served.url + "/api/pair", json={"code": f"{n:012d}"},
                              headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(11)]
        assert answers == [400] * 10 + [429], answers
    finally:
        rc = served.stop()
    assert rc == 0, "".join(served.output)
    # T01 is paired now: a restart prints no fresh code that could take it over.
    again = Served(env)
    try:
        again.wait_healthy()
    finally:
        assert again.stop() == 0
    assert not any("código de vinculación" in line for line in again.output), again.output


def test_serve_believes_forwarded_for_only_from_a_named_proxy(tmp_path: Path) -> None:
    env = caja_env(f"sqlite:///{tmp_path / 'caja.db'}", tmp_path)
    env["CAJA_TRUSTED_PROXIES"] = "127.0.0.1"  # the tests' loopback plays the shop's reverse proxy
    assert caja("migrate", env=env).returncode == 0
    served = Served(env)
    try:
        served.wait_healthy()

        def guess(n: int, client: str) -> int:
            return httpx.post(served.url + "/api/pair", json={"code": f"{n:012d}"},
                              headers={"X-Forwarded-For": client}).status_code

        # Each client behind the proxy has its own budget; one client alone is stopped at its eleventh try.
        assert [guess(n, f"203.0.113.{n}") for n in range(12)] == [400] * 12
        assert [guess(n, "198.51.100.7") for n in range(11)] == [400] * 10 + [429]
    finally:
        assert served.stop() == 0


@pytest.mark.postgres
def test_several_server_processes_on_one_postgres(postgres: PostgresServer, postgres_template: str,
                                                  tmp_path: Path) -> None:
    postgres.create_db("multiproc", template=postgres_template)
    env = caja_env(postgres.url("multiproc"), tmp_path)
    servers = [Served(env, "--workers", "2"), Served(env)]
    try:
        for s in servers:
            s.wait_healthy()
        code = caja("pairing-code", env=env).stdout.strip().splitlines()[-1]
        token = httpx.post(servers[0].url + "/api/pair", json={"code": code}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        items = httpx.get(servers[1].url + "/api/catalog", headers=headers).json()["items"]
        products = [p for p in items if p["sellable"] and p["unit"] == "pieza"]
        customers = httpx.get(servers[1].url + "/api/customers", headers=headers).json()["items"]
        from poscore.customer import Customer, factura_ready
        customer = next(c for c in customers if c["price_list_id"] is None and not factura_ready(Customer.from_json(c)))
        pool = sale_pool(products, customer, 40)
        turn = iter(range(10**9))

        def post(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
            url = servers[next(turn) % len(servers)].url
            r = httpx.post(url + "/api/sales", json={"sales": batch}, headers=headers, timeout=60)
            assert r.status_code == 200, r.text
            return r.json()["results"]  # type: ignore[no-any-return]

        answers = send_overlapping(post, pool, senders=6, batch=8)
        from server.db.engine import make_engine
        engine = make_engine(postgres.url("multiproc"))
        try:
            assert_exactly_once(engine, pool, answers)
        finally:
            engine.dispose()
    finally:
        codes = [s.stop() for s in servers]
        postgres.drop_db("multiproc")
    assert codes == [0, 0], ["".join(s.output) for s in servers]
