"""Back office access: login, sessions that expire, CSRF on every form, throttled failures, token separation."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.backoffice import account, customers, imports, products, sales, terminals
from server.backoffice import login as login_pages
from server.backoffice.auth import SESSION_SECONDS
from server.backoffice.sessions import IDLE_SECONDS
from tests.server.backoffice_helpers import PASSWORD, USER, create_user, csrf_of, login, signed_in
from tests.server.harness import Erp

PAGES = ["/erp/", "/erp/ventas/remisiones", "/erp/ventas/facturas", "/erp/ventas/remisiones.csv",
         "/erp/ventas/venta/1", "/erp/ventas-canceladas", "/erp/ventas-existencia-negativa", "/erp/productos",
         "/erp/productos/nuevo", "/erp/productos/1", "/erp/clientes", "/erp/clientes/nuevo", "/erp/clientes/1",
         "/erp/terminales", "/erp/terminales/nueva", "/erp/terminales/1", "/erp/importar", "/erp/cuenta/contrasena"]


def test_every_page_is_listed_here() -> None:
    """A new page must be added to PAGES (and so to the auth test below)."""
    declared = set()
    for module in (login_pages, account, sales, products, customers, terminals, imports):
        for route in module.router.routes:
            if "GET" in route.methods and route.path != "/erp/login":  # type: ignore[attr-defined]
                declared.add(route.path)  # type: ignore[attr-defined]
    patterns = {p.replace("{tab}", "remisiones").replace("{sale_id}", "1").replace("{product_id}", "1")
                .replace("{customer_id}", "1").replace("{terminal_id}", "1") for p in declared}
    assert patterns <= set(PAGES)


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_a_session(erp: Erp, url: str) -> None:
    r = erp.client.get(url, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/erp/login?next=")


def test_terminal_token_does_not_open_back_office(erp: Erp) -> None:
    headers = erp.pair()
    assert erp.client.get("/api/terminal", headers=headers).status_code == 200
    r = erp.client.get("/erp/ventas/remisiones", headers=headers, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/erp/login")


def test_back_office_session_does_not_authorize_api(erp: Erp) -> None:
    client = signed_in(erp)
    assert client.get("/erp/productos").status_code == 200
    for url in ("/api/terminal", "/api/catalog", "/api/customers"):
        r = client.get(url)
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    r = client.post("/api/sales", json={"sales": []})
    assert r.status_code == 401


def test_login_and_logout(erp: Erp) -> None:
    create_user(erp)
    r = login(erp.client)
    assert r.status_code == 303 and r.headers["location"] == "/erp/ventas/remisiones"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/erp" in cookie and "SameSite=strict" in cookie
    page = erp.client.get("/erp/ventas/remisiones")
    assert page.status_code == 200 and USER in page.text
    token = csrf_of(page.text)
    r = erp.client.post("/erp/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 303


def test_login_redirects_to_next_but_not_off_site(erp: Erp) -> None:
    create_user(erp)
    token = csrf_of(erp.client.get("/erp/login?next=/erp/productos").text)
    r = erp.client.post("/erp/login", data={"username": USER, "password": PASSWORD, "csrf_token": token,
                                            "next": "/erp/productos"}, follow_redirects=False)
    assert r.headers["location"] == "/erp/productos"
    erp.client.cookies.clear()
    token = csrf_of(erp.client.get("/erp/login").text)
    r = erp.client.post("/erp/login", data={"username": USER, "password": PASSWORD, "csrf_token": token,
                                            "next": "//evil.example/erp/"}, follow_redirects=False)
    assert r.headers["location"] == "/erp/ventas/remisiones"


def test_wrong_password_unknown_user_and_inactive_user_fail_alike(erp: Erp) -> None:
    create_user(erp)
    create_user(erp, "baja", PASSWORD, active=False)
    for user, password in ((USER, "otra"), ("nadie", PASSWORD), ("baja", PASSWORD)):
        r = login(erp.client, user, password)
        assert r.status_code == 401
        assert "Usuario o contraseña incorrectos." in r.text
    assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 303


def test_login_without_csrf_is_refused(erp: Erp) -> None:
    create_user(erp)
    erp.client.get("/erp/login")
    r = erp.client.post("/erp/login", data={"username": USER, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    r = erp.client.post("/erp/login", data={"username": USER, "password": PASSWORD, "csrf_token": "forged"},
                        follow_redirects=False)
    assert r.status_code == 403


def test_csrf_token_changes_at_login(erp: Erp) -> None:
    create_user(erp)
    before = csrf_of(erp.client.get("/erp/login").text)
    login(erp.client)
    after = csrf_of(erp.client.get("/erp/productos").text)
    assert before != after
    r = erp.client.post("/erp/logout", data={"csrf_token": before}, follow_redirects=False)
    assert r.status_code == 403


def test_every_form_post_without_csrf_is_403(erp: Erp) -> None:
    client = signed_in(erp)
    for url in ("/erp/logout", "/erp/productos/nuevo", "/erp/productos/1", "/erp/clientes/nuevo",
                "/erp/clientes/1", "/erp/terminales/nueva", "/erp/terminales/1/codigo",
                "/erp/terminales/1/revocar", "/erp/importar"):
        r = client.post(url, data={"name": "x"}, follow_redirects=False)
        assert r.status_code == 403, url
    assert client.get("/erp/productos").status_code == 200  # still signed in: nothing happened


def test_session_expires(erp: Erp) -> None:
    now = [1_000_000.0]
    erp.app.state.backoffice_clock = lambda: now[0]
    signed_in(erp)
    start = now[0]
    assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 200
    # In use all shift long (never idle for IDLE_SECONDS), it lasts SESSION_SECONDS and no more.
    while now[0] + IDLE_SECONDS - 1 < start + SESSION_SECONDS:
        now[0] += IDLE_SECONDS - 1
        assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 200
    now[0] = start + SESSION_SECONDS + 1
    r = erp.client.get("/erp/productos", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/erp/login")


def test_tampered_cookie_is_no_session(erp: Erp) -> None:
    signed_in(erp)
    value = erp.client.cookies.get("caja_erp")
    assert value
    erp.client.cookies.clear()
    erp.client.cookies.set("caja_erp", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), path="/erp")
    assert erp.client.get("/erp/productos", follow_redirects=False).status_code == 303


def test_repeated_failures_are_slowed_per_user_and_ip(erp: Erp) -> None:
    now = [5_000.0]
    erp.app.state.backoffice_clock = lambda: now[0]
    create_user(erp)
    create_user(erp, "otro", PASSWORD)
    for _ in range(3):
        assert login(erp.client, USER, "mal").status_code == 401
    # Now even the right password must wait: the answer does not reveal whether it was right.
    r = login(erp.client, USER, PASSWORD)
    assert r.status_code == 429 and "Espere" in r.text
    # Another username from the same IP is not blocked by this one.
    erp.client.cookies.clear()
    assert login(erp.client, "otro", PASSWORD).status_code == 303
    erp.client.cookies.clear()
    now[0] += 2.5
    assert login(erp.client, USER, "mal").status_code == 401  # 4th failure → longer wait
    now[0] += 3
    assert login(erp.client, USER, PASSWORD).status_code == 429
    now[0] += 2
    assert login(erp.client, USER, PASSWORD).status_code == 303


def test_language_switch_is_remembered(erp: Erp) -> None:
    client = signed_in(erp)
    assert "Productos" in client.get("/erp/productos").text
    assert "Products" in client.get("/erp/productos?lang=en").text
    page = client.get("/erp/productos").text
    assert "Products" in page and 'lang="en"' in page
    assert "Productos" in client.get("/erp/productos?lang=es").text


def test_pages_send_a_strict_csp(erp: Erp) -> None:
    r = erp.client.get("/erp/login")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert erp.client.get("/erp/static/erp.css").status_code == 200


def test_demo_prints_admin_credentials_once_and_they_work(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from server.app import create_app
    from server.settings import Settings
    from tests.server.procs import caja, caja_env

    url = f"sqlite:///{tmp_path / 'caja.db'}"
    env = caja_env(url, tmp_path)
    assert caja("migrate", env=env).returncode == 0
    r = caja("demo", "--products", "20", "--customers", "2", env=env)
    assert r.returncode == 0, r.stderr
    m = re.search(r"usuario admin, contraseña (\S+)", r.stdout)
    assert m, r.stdout
    assert "contraseña" not in caja("demo", "--if-empty", env=env).stdout
    app = create_app(Settings(database_url=url, secret_key="k"))
    with TestClient(app) as client:
        assert login(client, "admin", m.group(1)).status_code == 303
    app.state.engine.dispose()
