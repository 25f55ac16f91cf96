"""Sales batches are written `sales_at_once` at a time per process; the others wait for a turn and then are
answered (none refused, none lost). The batch writer is replaced by one that blocks until the test releases it,
so the test sees how many run at once; the requests are real ones through the app (auth, body, answer)."""
from __future__ import annotations

import asyncio
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.api import sales as sales_api
from server.app import create_app
from server.settings import Settings
from tests.server.harness import SECRET, Erp

REQUESTS = 5


class _Blocking:
    """Stands in for accept_sales: counts callers inside, holds them until released."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.lock = threading.Lock()
        self.release = threading.Event()

    def __call__(self, _engine: Any, _terminal: Any, raws: list[Any], _grace: int) -> list[dict[str, Any]]:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            assert self.release.wait(30), "never released"
            return [{"uuid": r["uuid"], "status": "rejected", "error": "malformed"} for r in raws]
        finally:
            with self.lock:
                self.inside -= 1


async def _crowd(app: Any, headers: dict[str, str], fake: _Blocking, expect_inside: int) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://caja.test") as client:
        tasks = [asyncio.create_task(client.post("/api/sales", json={"sales": [{"uuid": f"u{k}"}]}, headers=headers))
                 for k in range(REQUESTS)]
        deadline = time.monotonic() + 20
        while fake.inside < expect_inside:
            assert time.monotonic() < deadline, f"only {fake.inside} batches got in"
            await asyncio.sleep(0.01)  # polling a counter
        # Give any batch beyond the limit the time to get in, if the gate let it.
        settle = time.monotonic() + 0.3
        while time.monotonic() < settle:
            await asyncio.sleep(0.01)
        inside = fake.inside
        fake.release.set()
        answers = await asyncio.gather(*tasks)
    assert inside == expect_inside
    return answers


@pytest.mark.parametrize("at_once", [2, REQUESTS])
def test_sales_batches_take_turns(at_once: int, sqlite_template: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "caja.db"
    shutil.copy(sqlite_template, db)
    erp = Erp(f"sqlite:///{db}", tmp_path)
    try:
        headers = erp.pair()
        app = create_app(Settings(database_url=erp.settings.database_url, secret_key=SECRET, sales_at_once=at_once))
        fake = _Blocking()
        monkeypatch.setattr(sales_api, "accept_sales", fake)
        answers = asyncio.run(_crowd(app, headers, fake, at_once))
        app.state.engine.dispose()
    finally:
        erp.close()
    assert fake.most == at_once
    assert [r.status_code for r in answers] == [200] * REQUESTS
    assert sorted(r.json()["results"][0]["uuid"] for r in answers) == [f"u{k}" for k in range(REQUESTS)]


def test_sales_at_once_from_env(tmp_path: Path) -> None:
    env = {"CAJA_SECRET_KEY": "k", "CAJA_SALES_AT_ONCE": "5"}
    assert Settings.from_env(env, var_dir=tmp_path).sales_at_once == 5
    assert Settings.from_env({"CAJA_SECRET_KEY": "k"}, var_dir=tmp_path).sales_at_once == 3
