"""Helpers for the back-office tests: an admin user, signing in through the login form, CSRF tokens.

What it is for: tests/server/test_backoffice_*.py. Must not bypass the pages a test exercises (signing in goes
through GET/POST /erp/login like a browser; only the user row is written directly, as `caja create-admin` does).
"""
from __future__ import annotations

import re
from typing import Any

from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from server.db.engine import utcnow, write_tx
from server.db.schema import users
from tests.server.harness import Erp

USER, PASSWORD = "admin", "contraseña-segura-1"
# Cheap parameters for test users only (verification reads them from the hash); production uses the defaults.
_FAST = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_user(erp: Erp, username: str = USER, password: str = PASSWORD, active: bool = True,
                role: str = "admin") -> None:
    with write_tx(erp.engine) as conn:
        conn.execute(users.insert().values(username=username, password_hash=_FAST.hash(password),
                                           is_admin=role == "admin", role=role, active=active, created_at=utcnow()))


def csrf_of(html: str) -> str:
    m = _CSRF_RE.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: TestClient, username: str = USER, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/erp/login").text)
    return client.post("/erp/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def signed_in(erp: Erp) -> TestClient:
    """The harness client, signed in as a fresh admin."""
    create_user(erp)
    r = login(erp.client)
    assert r.status_code == 303, r.text
    return erp.client


def post_form(client: TestClient, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST like the browser does: first GET the page for its CSRF token."""
    page_url = kwargs.pop("page_url", url)
    token = csrf_of(client.get(page_url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False, **kwargs)
