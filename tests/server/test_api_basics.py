"""Health, pairing, terminal identity, auth and the error shape of /api."""
from __future__ import annotations

from tests.server.harness import Erp


def test_health_needs_no_token(erp: Erp) -> None:
    r = erp.client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["ok"] is True and r.json()["version"]


def test_pair_returns_token_and_terminal(erp: Erp) -> None:
    code = erp.pairing_code()
    r = erp.client.post("/api/pair", json={"code": code, "device": "Caja tablet 1"})
    assert r.status_code == 200
    body = r.json()
    t = body["terminal"]
    assert t["code"] == "T01"
    assert t["series"] == {"remision": "R", "factura": "F"}
    assert t["price_list"] == {"id": 1, "name": "Público", "includes_tax": True}
    assert t["seq_start"] == 1
    assert set(t["shop"]) == {"name", "rfc", "regimen_fiscal", "address", "codigo_postal"}
    assert set(t) >= {"id", "name", "branch", "warehouse", "stock_enforced"}
    # the token works, and the token is not stored in clear
    me = erp.client.get("/api/terminal", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["terminal"] == t
    assert erp.scalar("SELECT count(*) FROM terminals WHERE token_hash = :t", t=body["token"]) == 0


def test_pairing_code_works_once(erp: Erp) -> None:
    code = erp.pairing_code()
    assert erp.client.post("/api/pair", json={"code": code}).status_code == 200
    again = erp.client.post("/api/pair", json={"code": code})
    assert again.status_code == 400
    assert again.json()["error"] == "pairing_code_invalid"


def test_unknown_and_expired_codes_are_refused(erp: Erp) -> None:
    r = erp.client.post("/api/pair", json={"code": "000000x"})
    assert r.status_code == 400 and r.json()["error"] == "pairing_code_invalid"
    code = erp.pairing_code()
    with erp.engine.begin() as conn:
        from sqlalchemy import text
        conn.execute(text("UPDATE pairing_codes SET expires_at = created_at"))
    r = erp.client.post("/api/pair", json={"code": code})
    assert r.status_code == 400 and r.json()["error"] == "pairing_code_invalid"


def test_re_pairing_revokes_the_old_token(erp: Erp) -> None:
    old = erp.pair()
    new = erp.pair()
    assert erp.client.get("/api/terminal", headers=new).status_code == 200
    r = erp.client.get("/api/terminal", headers=old)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"


def test_missing_or_wrong_token_is_401_json(erp: Erp) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        for path in ("/api/terminal", "/api/catalog", "/api/customers"):
            r = erp.client.get(path, headers=headers)
            assert r.status_code == 401, (path, headers)
            assert r.json()["error"] == "unauthorized" and r.json()["message"]


def test_malformed_json_and_missing_fields_are_400_json(erp: Erp) -> None:
    r = erp.client.post("/api/pair", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"
    r = erp.client.post("/api/pair", json={"device": "x"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request" and "code" in r.json()["message"]


def test_unknown_api_path_is_json_404(erp: Erp) -> None:
    r = erp.client.get("/api/nothing-here")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_body_limit_is_413(erp: Erp) -> None:
    erp.app.state.settings  # noqa: B018 - the limit comes from settings, 16 MiB by default
    r = erp.client.post("/api/pair", content=b"x" * (16 * 1024 * 1024 + 1),
                        headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"


def test_openapi_json_is_served_and_no_cdn_docs(erp: Erp) -> None:
    r = erp.client.get("/api/openapi.json")
    assert r.status_code == 200 and "/api/sales" in r.text or "/api/catalog" in r.text
    assert erp.client.get("/docs").status_code in (404, 405) or "cdn" not in erp.client.get("/docs").text


def test_guessing_pairing_codes_is_throttled(erp: Erp) -> None:
    for _ in range(10):
        r = erp.client.post("/api/pair", json={"code": "000000"})
        assert r.status_code == 400
    good = erp.pairing_code()
    r = erp.client.post("/api/pair", json={"code": good})
    assert r.status_code == 429 and r.json()["error"] == "too_many_attempts"
