"""`caja demo` tells the admin at the console both things a first try needs: the back-office login and a code
that pairs the demo terminal."""
from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.server.procs import caja, caja_env


def test_demo_prints_a_pairing_code_that_pairs_the_demo_terminal(tmp_path: Path) -> None:
    env = caja_env(f"sqlite:///{tmp_path / 'caja.db'}", tmp_path)
    assert caja("migrate", env=env).returncode == 0
    r = caja("demo", "--products", "20", "--customers", "2", env=env)
    assert r.returncode == 0, r.stderr
    assert re.search(r"usuario admin, contraseña \S+", r.stdout), r.stdout
    m = re.search(r"^POS /pos/: código de vinculación de la terminal T01 \(vence en \d+ min[^)]*\): (.+)$",
                  r.stdout, re.MULTILINE)
    assert m, r.stdout
    with TestClient(create_app(Settings.from_env(env))) as client:
        answer = client.post("/api/pair", json={"code": m.group(1).strip(), "device": "pytest"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["token"]
