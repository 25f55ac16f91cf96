"""The feed cache with several app processes on one PostgreSQL (`caja serve --workers 2` plus a second server, as
a larger chain runs them behind a reverse proxy): every process answers a page with the same bytes and validator,
a validator from one process is a 304 in another, and a write through any process is seen by all of them."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.harness import make_sale
from tests.server.pg import PostgresServer
from tests.server.procs import Served, caja, caja_env


def _page(url: str, h: dict[str, str], etag: str | None = None) -> httpx.Response:
    extra = {"If-None-Match": etag} if etag else {}
    return httpx.get(url + "/api/catalog", params={"limit": 40}, headers={**h, **extra}, timeout=60)


@pytest.mark.postgres
def test_processes_share_validators_and_see_each_others_writes(postgres: PostgresServer, postgres_template: str,
                                                              tmp_path: Path) -> None:
    postgres.create_db("feedprocs", template=postgres_template)
    env = caja_env(postgres.url("feedprocs"), tmp_path)
    servers = [Served(env, "--workers", "2"), Served(env)]
    try:
        for s in servers:
            s.wait_healthy()
        code = caja("pairing-code", env=env).stdout.strip().splitlines()[-1]
        token = httpx.post(servers[0].url + "/api/pair", json={"code": code}).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        # Several requests per server: with two workers behind one port, both get some.
        first = [_page(s.url, h) for s in servers for _ in range(4)]
        assert all(r.status_code == 200 for r in first)
        assert len({r.headers["etag"] for r in first}) == 1 and len({r.content for r in first}) == 1
        tag = first[0].headers["etag"]
        assert all(_page(s.url, h, tag).status_code == 304 for s in servers for _ in range(4))
        items: list[dict[str, Any]] = first[0].json()["items"]
        product = next(p for p in items if p["sellable"] and p["unit"] == "pieza")
        r = httpx.post(servers[1].url + "/api/sales", json={"sales": [make_sale([product], 1)]}, headers=h,
                       timeout=60)
        assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
        for s in servers:
            for _ in range(4):
                after = _page(s.url, h, tag)
                assert after.status_code == 200 and after.headers["etag"] != tag
                stock = {p["id"]: p["stock"] for p in after.json()["items"]}[product["id"]]
                assert Decimal(stock) == Decimal(product["stock"]) - 1
    finally:
        codes = [s.stop() for s in servers]
        postgres.drop_db("feedprocs")
    assert codes == [0, 0], ["".join(s.output) for s in servers]
