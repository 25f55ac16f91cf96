"""Cajeros and Turnos pages: an admin creates a cashier, resets the PIN, changes the role and deactivates;
a contador reads and cannot change; Turnos shows each corte's expected, counted and difference, and who
authorized what."""
from __future__ import annotations

from datetime import UTC, datetime

from poscore.pin import PinVerifier, check_pin
from server.cashiers import create_cashier
from server.db.engine import write_tx
from tests.server.backoffice_helpers import create_user, login, post_form, signed_in
from tests.server.harness import Erp

WHEN = "2026-12-01T20:00:00-06:00"


def _verifier(erp: Erp, name: str) -> PinVerifier:
    return PinVerifier.from_text(erp.scalar("SELECT pin_hash FROM users WHERE username = :n", n=name))


def test_admin_manages_cashiers(erp: Erp) -> None:
    client = signed_in(erp)
    r = post_form(client, "/erp/cajeros", {"username": "<Ana>", "role": "cajero", "pin": "1111"})
    assert r.status_code == 400 and "demasiado fácil" in r.text and "&lt;Ana&gt;" in r.text
    assert erp.scalar("SELECT count(*) FROM users WHERE role = 'cajero'") == 0
    r = post_form(client, "/erp/cajeros", {"username": "<Ana>", "role": "cajero", "pin": "4821"})
    assert r.status_code == 303, r.text
    page = client.get("/erp/cajeros").text
    assert "&lt;Ana&gt;" in page and "4821" not in page and "pbkdf2" not in page
    assert check_pin("4821", _verifier(erp, "<Ana>"))
    uid = erp.scalar("SELECT id FROM users WHERE username = '<Ana>'")
    assert post_form(client, f"/erp/cajeros/{uid}", {"action": "pin", "pin": "90210"},
                     page_url="/erp/cajeros").status_code == 303
    assert check_pin("90210", _verifier(erp, "<Ana>")) and not check_pin("4821", _verifier(erp, "<Ana>"))
    assert post_form(client, f"/erp/cajeros/{uid}", {"action": "role", "role": "supervisor"},
                     page_url="/erp/cajeros").status_code == 303
    assert post_form(client, f"/erp/cajeros/{uid}", {"action": "deactivate"}, page_url="/erp/cajeros").status_code == 303
    assert erp.sql("SELECT role, active FROM users WHERE id = :i", i=uid)[0] == ("supervisor", False)
    assert erp.scalar("SELECT deactivated_at FROM users WHERE id = :i", i=uid) is not None
    # Not a cashier (the admin itself): not found, nothing changed.
    admin = erp.scalar("SELECT id FROM users WHERE role = 'admin'")
    assert post_form(client, f"/erp/cajeros/{admin}", {"action": "deactivate"},
                     page_url="/erp/cajeros").status_code == 404


def test_contador_reads_only(erp: Erp) -> None:
    create_user(erp, "conta", "una-clave-larga-9", role="contador")
    assert login(erp.client, "conta", "una-clave-larga-9").status_code == 303
    page = erp.client.get("/erp/cajeros").text
    assert "Nuevo cajero" not in page
    r = post_form(erp.client, "/erp/cajeros", {"username": "eva", "role": "cajero", "pin": "4821"})
    assert r.status_code == 403
    assert erp.scalar("SELECT count(*) FROM users WHERE username = 'eva'") == 0


def test_shifts_page_shows_corte_and_authorizations(erp: Erp) -> None:
    with write_tx(erp.engine) as conn:
        ana = create_cashier(conn, "ana", "cajero", 1, "4821", datetime.now(UTC), iterations=1000)
        sup = create_cashier(conn, "sofia", "supervisor", 1, "73915", datetime.now(UTC), iterations=1000)
    h = erp.pair()
    for kind, item in (
        ("shifts", {"uuid": "s-1", "cashier_id": ana, "opened_at": "2026-12-01T08:00:00-06:00",
                    "opening_float": "500.00"}),
        ("cash_movements", {"uuid": "m-1", "shift_uuid": "s-1", "cashier_id": ana, "kind": "salida",
                            "amount": "80.50", "reason": "Hielo <bolsa>", "at": WHEN}),
        ("cortes", {"uuid": "c-1", "shift_uuid": "s-1", "cashier_id": ana, "kind": "Z", "at": WHEN,
                    "expected": {"efectivo": "862.07"}, "counted": {"efectivo": "850.00"}}),
        ("authorizations", {"uuid": "a-1", "supervisor_id": sup, "cashier_id": ana, "action": "open_drawer",
                            "at": WHEN}),
    ):
        r = erp.client.post(f"/api/{kind}", json={kind: [item]}, headers=h)
        assert r.json()["results"][0]["status"] == "accepted", r.text
    client = signed_in(erp)
    page = client.get("/erp/turnos").text
    # No sale reached the ERP: its own expected cash is the float minus the salida, shown beside the till's.
    for expected in ("T01", "ana", "$500.00", "Cerrado", "Corte Z", "$862.07", "$850.00", "-$12.07", "$419.50",
                     "Hielo &lt;bolsa&gt;", "sofia", "Abrir cajón"):
        assert expected in page, expected
    csv = client.get("/erp/turnos.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.lstrip("\ufeff").splitlines()
    assert rows[0].startswith("terminal,cajero,apertura,corte")
    assert rows[1] == "T01,ana,01/12/2026 08:00:00,Z,01/12/2026 20:00:00,efectivo,862.07,850.00,-12.07,"
    assert "Corte Z" in client.get("/erp/turnos?dia=2026-12-01&terminal=1").text
    assert "Corte Z" not in client.get("/erp/turnos?dia=2026-12-02").text
    assert "Corte Z" not in client.get(f"/erp/turnos?cajero={sup}").text
    assert client.get("/erp/turnos?dia=<script>&terminal=x&cajero=99999999999").status_code == 200
