"""Back-office access: argon2 password checks, the signed session cookie, CSRF tokens, login throttling.

What it is for: who is using /erp. The session is a cookie signed with the server secret (itsdangerous)
holding the user id, a session id (a row of user_sessions, see sessions.py: signing out, a password change or
an idle pause ends it on the server), an absolute expiry, the CSRF token and the language; every page
re-reads the user and the session row, so a deactivated user or an ended session is out at once.
A "contador" user may read every page but change nothing: `current_user` refuses its POSTs with 403. Every POST under /erp must carry the session's CSRF token (form field
`csrf_token` or header `X-CSRF-Token`) — even the login form, which gets an anonymous session first.
What it must not do: accept terminal bearer tokens (those only open /api), or be used by /api routes.
Failed logins are slowed per (username, IP) with an exponential wait kept in this process's memory: several
workers each keep their own, which still bounds guessing to a few tries per minute per worker.
"""
from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection, select

from server.db.schema import users
from server.peer import client_address

from .sessions import check, open_session, refresh

COOKIE = "caja_erp"
COOKIE_PATH = "/erp"
SESSION_SECONDS = 8 * 3600  # one shift
_hasher = PasswordHasher()
# Verifying against a dummy hash for unknown users keeps their answer as slow as a wrong password's.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginRequired(Exception):
    """Raised by `current_user`; the app answers with a redirect to the login page."""


class CsrfFailed(Exception):
    """Raised on a POST without the session's CSRF token; the app answers 403."""


class ReadOnly(Exception):
    """Raised by `current_user` when a read-only user tries to change something; the app answers 403."""


READ_ONLY_ROLES = frozenset({"contador"})
ROLES = ("admin", "contador")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    is_admin: bool
    role: str = "admin"

    @property
    def read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES


@dataclass
class Session:
    uid: int | None
    exp: float
    csrf: str
    lang: str
    sid: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"uid": self.uid, "exp": self.exp, "csrf": self.csrf, "lang": self.lang, "sid": self.sid}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def ensure_demo_admin(conn: Connection, now: Any) -> str | None:
    """For `caja demo`: when there is no user yet, create `admin` with a random password and return it
    (printed once by the CLI; only its hash is stored). Returns None when users exist."""
    if conn.execute(select(users.c.id).limit(1)).first() is not None:
        return None
    password = secrets.token_urlsafe(12)
    conn.execute(users.insert().values(username="admin", password_hash=hash_password(password), is_admin=True,
                                       active=True, created_at=now))
    return password


def check_password(conn: Connection, username: str, password: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username == username, users.c.active.is_(True))).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    return _user(row)


def clock(request: Request) -> Callable[[], float]:
    """The time source (tests replace app.state.backoffice_clock instead of sleeping)."""
    return getattr(request.app.state, "backoffice_clock", time.time)  # type: ignore[no-any-return]


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.settings.secret_key, salt="caja-erp-session")


def read_session(request: Request) -> Session | None:
    cached = getattr(request.state, "erp_session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw)
        sid = data.get("sid")
        s = Session(uid=data["uid"], exp=float(data["exp"]), csrf=str(data["csrf"]), lang=str(data["lang"]),
                    sid=sid if isinstance(sid, str) else None)
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if s.exp <= clock(request)():
        return None
    request.state.erp_session = s
    return s


def ensure_session(request: Request) -> Session:
    """The current session, or a fresh anonymous one (so the login form has a CSRF token too)."""
    s = read_session(request)
    if s is None:
        s = Session(uid=None, exp=clock(request)() + SESSION_SECONDS, csrf=secrets.token_urlsafe(24), lang="es")
        request.state.erp_session = s
        request.state.erp_session_dirty = True
    return s


def mark_dirty(request: Request) -> None:
    request.state.erp_session_dirty = True


def start_session(request: Request, conn: Connection, user: User) -> Session:
    """After a good login: a new session (new CSRF token: a token seen before login is not reused)."""
    old = read_session(request)
    now = clock(request)()
    sid = open_session(conn, user.id, now, SESSION_SECONDS)
    s = Session(uid=user.id, exp=now + SESSION_SECONDS, csrf=secrets.token_urlsafe(24),
                lang=old.lang if old else "es", sid=sid)
    request.state.erp_session = s
    request.state.erp_session_dirty = True
    return s


def write_cookie(request: Request, response: Response) -> None:
    """Set the cookie if this request created or changed the session."""
    if not getattr(request.state, "erp_session_dirty", False):
        return
    s: Session = request.state.erp_session
    response.set_cookie(COOKIE, _serializer(request).dumps(s.to_dict()), max_age=int(s.exp - clock(request)()),
                        path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH)


def current_user(request: Request) -> User:
    """FastAPI dependency for every back-office page except the login page."""
    s = read_session(request)
    if s is None or s.uid is None or s.sid is None:
        raise LoginRequired()
    from server.api.deps import engine  # the same engine the API uses; no terminal logic is involved
    from server.db.engine import read_tx, write_tx

    now = clock(request)()
    with read_tx(engine(request)) as conn:
        row = conn.execute(select(users).where(users.c.id == s.uid, users.c.active.is_(True))).first()
        live = None if row is None else check(conn, s.sid, row.id, now)
    if row is None or live is None:
        raise LoginRequired()
    if live:  # the idle clock is written at most once a minute, so reading pages seldom writes
        with write_tx(engine(request)) as conn:
            refresh(conn, live, now)
    user = _user(row)
    if user.read_only and request.method not in ("GET", "HEAD", "OPTIONS") and request.url.path not in _OWN_ACCOUNT:
        raise ReadOnly()
    return user


# What a read-only user may still POST: signing out and changing their own password (no shop data changes).
_OWN_ACCOUNT = frozenset({"/erp/logout", "/erp/cuenta/contrasena"})


def _user(row: Any) -> User:
    return User(id=row.id, username=row.username, is_admin=bool(row.is_admin), role=str(row.role))


async def csrf_guard(request: Request) -> AsyncIterator[None]:
    """Router-wide dependency: any state-changing request must carry the session's CSRF token.

    It also closes the parsed form (uploaded files are temporary files) once the response is sent.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        yield
        return
    form = await request.form()
    try:
        s = read_session(request)
        sent = request.headers.get("x-csrf-token")
        if not sent:
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        if s is None or not sent or not hmac.compare_digest(sent, s.csrf):
            raise CsrfFailed()
        yield
    finally:
        await form.close()


class LoginThrottle:
    """Exponential wait after repeated failures of one (username, IP): 3 free tries, then 2, 4, 8 … 300 s.

    `begin` counts the attempt as a failure before the password is checked (argon2 is the slow step, and
    concurrent requests must not all pass the check before the first failure lands); `succeeded` clears it.
    """

    FREE = 3
    MAX_WAIT = 300.0
    MAX_KEYS = 10_000

    def __init__(self) -> None:
        self._state: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, key: tuple[str, str], now: float) -> float:
        """Seconds before this key may try again (0 when it may)."""
        with self._lock:
            _failures, until = self._state.get(key, (0, 0.0))
        return max(0.0, until - now)

    def begin(self, key: tuple[str, str], now: float) -> float:
        """0 and the attempt counted, or the seconds to wait (nothing counted)."""
        with self._lock:
            _failures, until = self._state.get(key, (0, 0.0))
            if until > now:
                return until - now
            self._failed(key, now)
            return 0.0

    def failed(self, key: tuple[str, str], now: float) -> None:
        with self._lock:
            self._failed(key, now)

    def _failed(self, key: tuple[str, str], now: float) -> None:
        failures, _ = self._state.pop(key, (0, 0.0))
        failures += 1
        wait = 0.0 if failures < self.FREE else min(self.MAX_WAIT, 2.0 ** (failures - self.FREE + 1))
        self._state[key] = (failures, now + wait)
        while len(self._state) > self.MAX_KEYS:  # bounded memory under a spray of usernames
            self._state.popitem(last=False)

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._state.pop(key, None)

    def not_tried(self, key: tuple[str, str], now: float) -> None:
        """Give back an attempt counted by `begin` whose password was never checked (server busy)."""
        with self._lock:
            failures, _ = self._state.pop(key, (0, 0.0))
            if failures > 1:
                self._state[key] = (failures - 2, 0.0)
                self._failed(key, now)


def throttle_key(request: Request, username: str) -> tuple[str, str]:
    return (username.strip().lower(), client_address(request))


class HashBusy(Exception):
    """All password-hashing slots are taken; the login page answers 503 at once."""


# Each argon2 verification holds its memory cost (64 MiB by default) while it runs; a flood of logins on the
# thread pool would hold dozens at once. A few slots keep memory bounded; the rest are turned away quickly.
HASH_SLOTS = max(2, min(4, os.cpu_count() or 2))
hash_slots = threading.BoundedSemaphore(HASH_SLOTS)


def check_password_bounded(conn: Connection, username: str, password: str) -> User | None:
    if not hash_slots.acquire(timeout=0.5):
        raise HashBusy()
    try:
        return check_password(conn, username, password)
    finally:
        hash_slots.release()
