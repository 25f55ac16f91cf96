"""Pages: sign in and sign out of the back office (GET/POST /erp/login, POST /erp/logout), and /erp/ itself.

What it is for: turning a username and password into a session, slowed after repeated failures.
What it must not do: create users (`caja create-admin` does) or accept terminal tokens.
"""
from __future__ import annotations

import math
import threading

from fastapi import Request
from fastapi.responses import Response

from server.db.engine import read_tx, write_tx

from .auth import (
    HashBusy,
    LoginThrottle,
    check_password_bounded,
    clear_cookie,
    clock,
    ensure_session,
    read_session,
    start_session,
    throttle_key,
)
from .deps import CurrentUser, Db, Form, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page, redirect
from .sessions import close_session

router = make_router()


_throttle_lock = threading.Lock()


def _throttle(request: Request) -> LoginThrottle:
    state = request.app.state
    with _throttle_lock:  # the first concurrent logins must share one throttle, not each make their own
        if not hasattr(state, "login_throttle"):
            state.login_throttle = LoginThrottle()
        return state.login_throttle  # type: ignore[no-any-return]


def _safe_next(value: str) -> str:
    # Only our own pages: an absolute or protocol-relative URL here would be an open redirect.
    return value if value.startswith("/erp/") and not value.startswith("//") else "/erp/ventas/remisiones"


@router.get("/")
def home(request: Request, user: CurrentUser) -> Response:
    return redirect(request, "/erp/ventas/remisiones")


@router.get("/login")
def login_form(request: Request) -> Response:
    ensure_session(request)
    return page(request, "login.html", None, next=_safe_next(request.query_params.get("next", "")))


@router.post("/login")
def login(request: Request, form: Form, engine: Db) -> Response:
    username, password = text(form, "username", 100), form.get("password")
    nxt = _safe_next(text(form, "next", 400))
    lang = lang_of(request)
    now = clock(request)()
    throttle, key = _throttle(request), throttle_key(request, username)
    wait = throttle.begin(key, now)
    if wait > 0:
        # Refused before checking the password, so waiting is the only way to try again.
        return page(request, "login.html", None, status_code=429, next=nxt, username=username,
                    error=tr("login_throttled", lang, seconds=math.ceil(wait)))
    user = None
    if username and isinstance(password, str) and password:
        try:
            with read_tx(engine) as conn:
                user = check_password_bounded(conn, username, password)
        except HashBusy:
            throttle.not_tried(key, now)
            busy = page(request, "login.html", None, status_code=503, next=nxt, username=username,
                        error=tr("login_busy", lang))
            busy.headers["Retry-After"] = "2"
            return busy
    if user is None:
        return page(request, "login.html", None, status_code=401, next=nxt, username=username,
                    error=tr("login_failed", lang))
    throttle.succeeded(key)
    with write_tx(engine) as conn:
        start_session(request, conn, user)
    return redirect(request, nxt)


@router.post("/logout")
def logout(request: Request, user: CurrentUser, engine: Db) -> Response:
    s = read_session(request)
    if s is not None and s.sid is not None:
        # Ended on the server: a copy of the cookie saved elsewhere opens nothing afterwards.
        with write_tx(engine) as conn:
            close_session(conn, s.sid)
    request.state.erp_session_dirty = False  # the cookie is deleted, not rewritten
    response = redirect(request, "/erp/login")
    clear_cookie(response)
    return response
