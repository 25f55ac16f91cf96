"""`caja demo` seeds a cashier and a supervisor the till can sign in with (their demo PINs printed), or none with
`--no-cashiers`; `caja cashier add|list|deactivate` manages them with the PIN read from stdin, never argv."""
from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from poscore.pin import PinVerifier, check_pin
from server.app import create_app
from server.settings import Settings
from tests.server.procs import caja, caja_env


def _till_cashiers(env: dict[str, str]) -> list[dict]:
    code = caja("pairing-code", env=env).stdout.strip().splitlines()[-1].strip()
    with TestClient(create_app(Settings.from_env(env))) as client:
        token = client.post("/api/pair", json={"code": code, "device": "pytest"}).json()["token"]
        answer = client.get("/api/cashiers", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["cashiers"]


def _pin_opens(cashier: dict, pin: str) -> bool:
    v = cashier["pin"]
    text = f"pbkdf2_sha256${v['iterations']}${v['salt']}${v['hash']}"
    return check_pin(pin, PinVerifier.from_text(text))


def test_demo_cashiers_sign_in_with_their_printed_pins_and_the_cli_manages_cashiers(tmp_path: Path) -> None:
    env = caja_env(f"sqlite:///{tmp_path / 'caja.db'}", tmp_path)
    assert caja("migrate", env=env).returncode == 0
    r = caja("demo", "--products", "20", "--customers", "2", env=env)
    assert r.returncode == 0, r.stderr
    assert "POS: cajero Ana, PIN 2580" in r.stdout and "POS: supervisor Beto, PIN 4826" in r.stdout
    staff = {c["name"]: c for c in _till_cashiers(env)}
    assert staff["Ana"]["role"] == "cajero" and _pin_opens(staff["Ana"], "2580")
    assert staff["Beto"]["role"] == "supervisor" and _pin_opens(staff["Beto"], "4826")
    assert not _pin_opens(staff["Ana"], "4826")

    added = caja("cashier", "add", "Carla", "--role", "supervisor", "--pin-stdin", env=env, stdin="7391\n")
    assert added.returncode == 0, added.stderr
    weak = caja("cashier", "add", "Dani", "--pin-stdin", env=env, stdin="1234\n")
    assert weak.returncode == 1 and "demasiado fácil" in weak.stderr
    listing = caja("cashier", "list", env=env).stdout
    assert "Carla\tsupervisor" in listing and "Dani" not in listing and "7391" not in listing
    assert caja("cashier", "deactivate", "Ana", env=env).returncode == 0
    names = {c["name"] for c in _till_cashiers(env)}
    assert names == {"Beto", "Carla"}  # a deactivated cashier disappears from the till's list


def test_demo_without_cashiers_leaves_the_till_without_shifts(tmp_path: Path) -> None:
    env = caja_env(f"sqlite:///{tmp_path / 'caja.db'}", tmp_path)
    assert caja("migrate", env=env).returncode == 0
    r = caja("demo", "--products", "20", "--customers", "2", "--no-cashiers", env=env)
    assert r.returncode == 0 and "PIN" not in r.stdout
    assert _till_cashiers(env) == []
