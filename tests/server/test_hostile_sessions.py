"""Back-office sessions and logins under attack: a saved cookie after logout, a password change or an idle
pause opens nothing; concurrent wrong passwords cannot outrun the throttle; a login flood is turned away
quickly instead of holding argon2's memory per request; a read-only user is refused on every POST route.
"""
from __future__ import annotations

import importlib
import pkgutil
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter
from fastapi.testclient import TestClient
from starlette.routing import Route

from server import backoffice
from server.backoffice import auth
from server.backoffice.sessions import IDLE_SECONDS
from server.cli import build_parser, cmd_create_admin
from tests.server.backoffice_helpers import PASSWORD, USER, create_user, csrf_of, login, signed_in
from tests.server.harness import Erp


def _backoffice_routes() -> list[Route]:
    """Every route of every back-office page module (a new module is found without editing this test)."""
    found = []
    for info in pkgutil.iter_modules(backoffice.__path__):
        router = getattr(importlib.import_module(f"server.backoffice.{info.name}"), "router", None)
        if isinstance(router, APIRouter):
            found += [r for r in router.routes if isinstance(r, Route)]
    return found


def _replay(erp: Erp, cookie: str) -> TestClient:
    other = TestClient(erp.app)
    other.cookies.set("caja_erp", cookie, path="/erp")
    return other


def test_logout_ends_the_session_on_the_server(erp: Erp) -> None:
    client = signed_in(erp)
    saved = client.cookies.get("caja_erp")
    token = csrf_of(client.get("/erp/productos").text)
    assert saved and client.post("/erp/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    with _replay(erp, saved) as thief:
        assert thief.get("/erp/productos", follow_redirects=False).status_code == 303
        r = thief.post("/erp/clientes/nuevo", data={"csrf_token": token, "name": "X"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/erp/login")
    assert erp.scalar("SELECT count(*) FROM customers WHERE name = 'X'") == 0


def test_a_password_change_ends_every_session_of_the_user(erp: Erp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    signed_in(erp)
    saved = erp.client.cookies.get("caja_erp")
    assert saved and _replay(erp, saved).get("/erp/productos", follow_redirects=False).status_code == 200
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("otra-contraseña-larga\n"))
    args = build_parser().parse_args(["create-admin", "--username", USER, "--password-stdin"])
    assert cmd_create_admin(erp.settings, args) == 0
    assert _replay(erp, saved).get("/erp/productos", follow_redirects=False).status_code == 303
    erp.client.cookies.clear()
    assert login(erp.client, USER, "otra-contraseña-larga").status_code == 303


def test_an_idle_session_ends(erp: Erp) -> None:
    now = [2_000_000.0]
    erp.app.state.backoffice_clock = lambda: now[0]
    signed_in(erp)
    now[0] += IDLE_SECONDS - 5
    assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 200
    now[0] += IDLE_SECONDS + 1
    assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 303


def test_a_cookie_without_a_server_session_opens_nothing(erp: Erp) -> None:
    signed_in(erp)
    with erp.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM user_sessions")
    assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 303


def test_concurrent_wrong_passwords_cannot_outrun_the_throttle(erp: Erp) -> None:
    create_user(erp)
    token = csrf_of(erp.client.get("/erp/login").text)
    cookie = erp.client.cookies.get("caja_erp")

    def attempt(_: int) -> int:
        with _replay(erp, cookie or "") as c:
            return c.post("/erp/login", data={"username": USER, "password": "mal", "csrf_token": token},
                          follow_redirects=False).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(attempt, range(24)))
    assert codes.count(401) <= auth.LoginThrottle.FREE, codes
    assert codes.count(429) >= 24 - auth.LoginThrottle.FREE - 1


def test_a_login_flood_is_turned_away_quickly_when_hashing_is_busy(erp: Erp) -> None:
    create_user(erp)
    taken = 0
    while auth.hash_slots.acquire(blocking=False):  # every slot busy, as under a flood
        taken += 1
    try:
        started = time.monotonic()
        for _ in range(auth.LoginThrottle.FREE + 2):  # a busy answer is not counted as a failed try
            r = login(erp.client, USER, PASSWORD)
            assert r.status_code == 503 and r.headers["Retry-After"].isdigit()
        assert time.monotonic() - started < 15
    finally:
        for _ in range(taken):
            auth.hash_slots.release()
    assert login(erp.client, USER, PASSWORD).status_code == 303


def test_the_forwarded_header_does_not_pick_the_login_throttle_key(erp: Erp) -> None:
    create_user(erp)
    token = csrf_of(erp.client.get("/erp/login").text)
    for n in range(auth.LoginThrottle.FREE):
        erp.client.post("/erp/login", data={"username": USER, "password": "mal", "csrf_token": token},
                        headers={"X-Forwarded-For": f"203.0.113.{n}"}, follow_redirects=False)
    r = erp.client.post("/erp/login", data={"username": USER, "password": PASSWORD, "csrf_token": token},
                        headers={"X-Forwarded-For": "203.0.113.200"}, follow_redirects=False)
    assert r.status_code == 429


def test_a_read_only_user_gets_403_on_every_post_route(erp: Erp) -> None:
    create_user(erp, "contadora", "libros-en-orden-2026", role="contador")
    assert login(erp.client, "contadora", "libros-en-orden-2026").status_code == 303
    assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 200
    assert erp.client.get("/erp/ventas/remisiones.csv", follow_redirects=False).status_code == 200
    token = csrf_of(erp.client.get("/erp/productos").text)
    before = erp.sql("SELECT count(*) FROM products UNION ALL SELECT count(*) FROM customers "
                     "UNION ALL SELECT count(*) FROM pairing_codes UNION ALL SELECT count(*) FROM terminals")
    posts = sorted(r.path for r in _backoffice_routes()
                   if "POST" in (r.methods or ())
                   # the customer's own invoicing page is public (no session at all): the role does not apply
                   and r.path not in ("/erp/login", "/erp/logout", "/erp/cuenta/contrasena", "/erp/autofactura"))
    assert len(posts) >= 8, posts
    for path in posts:
        url = path.replace("{product_id}", "1").replace("{customer_id}", "1").replace("{terminal_id}", "1")
        for name in ("{sale_id}", "{tab}"):
            url = url.replace(name, "1")
        r = erp.client.post(url, data={"csrf_token": token, "name": "Z", "sku": "Z1"}, follow_redirects=False)
        assert r.status_code == 403, (url, r.status_code)
    after = erp.sql("SELECT count(*) FROM products UNION ALL SELECT count(*) FROM customers "
                    "UNION ALL SELECT count(*) FROM pairing_codes UNION ALL SELECT count(*) FROM terminals")
    assert before == after
    assert erp.client.post("/erp/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303


def test_changing_ones_password_ends_the_other_sessions_only(erp: Erp) -> None:
    client = signed_in(erp)
    with TestClient(erp.app) as tablet:
        assert login(tablet).status_code == 303
        assert tablet.get("/erp/productos", follow_redirects=False).status_code == 200
        form = client.get("/erp/cuenta/contrasena").text
        for new, again, why in (("corta", "corta", "10 caracteres"), ("contraseña123", "contraseña123", "común"),
                                ("otra-clave-larga-1", "otra-clave-larga-2", "no coinciden")):
            r = client.post("/erp/cuenta/contrasena", data={"csrf_token": csrf_of(form), "actual": PASSWORD,
                                                            "nueva": new, "repetir": again})
            assert r.status_code == 400 and why in r.text
        r = client.post("/erp/cuenta/contrasena", data={"csrf_token": csrf_of(form), "actual": "mal",
                                                        "nueva": "otra-clave-larga", "repetir": "otra-clave-larga"})
        assert r.status_code == 400
        r = client.post("/erp/cuenta/contrasena", data={"csrf_token": csrf_of(form), "actual": PASSWORD,
                                                        "nueva": "otra-clave-larga", "repetir": "otra-clave-larga"})
        assert r.status_code == 200 and "se cerraron" in r.text
        assert tablet.get("/erp/productos", follow_redirects=False).status_code == 303
    assert client.get("/erp/productos", follow_redirects=False).status_code == 200
    client.cookies.clear()
    assert login(client, USER, "otra-clave-larga").status_code == 303
