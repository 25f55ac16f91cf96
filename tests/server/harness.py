"""The test harness for one ERP: an app on a fresh database, an in-process client, and shortcuts.

What it is for: `Erp(db_url, tmp)` → `.client` (FastAPI TestClient), `.engine`, `.pair()` → bearer headers,
`.sql(...)` for assertions straight on the database. Must not bypass the API for what a test is exercising.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from server.app import create_app
from server.db.engine import write_tx
from server.settings import Settings
from server.terminals import new_pairing_code, terminal_id_by_code

SECRET = "test-secret-key"


class Erp:
    def __init__(self, db_url: str, tmp: Path) -> None:
        self.settings = Settings(database_url=db_url, secret_key=SECRET)
        self.app = create_app(self.settings)
        self.engine = self.app.state.engine
        self.client = TestClient(self.app)

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()

    def pairing_code(self, terminal: str = "T01") -> str:
        with write_tx(self.engine) as conn:
            tid = terminal_id_by_code(conn, terminal)
            assert tid is not None
            return new_pairing_code(conn, SECRET, tid, 60)

    def pair(self, terminal: str = "T01") -> dict[str, str]:
        r = self.client.post("/api/pair", json={"code": self.pairing_code(terminal), "device": "pytest"})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(query), params).all())

    def scalar(self, query: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(query), params).scalar()
