"""Server-side back-office sessions: the signed cookie carries a random session id, and its hash is a row of
`user_sessions`. Signing out deletes the row, a password change deletes the user's other rows, and a session
unused for IDLE_SECONDS is over (OWASP ASVS V3.3: sessions end on logout and after inactivity).

What it is for: `open_session`, `check` (is this id still a live session of this user? and is its idle
clock due a `refresh`), `close_session`, `end_user_sessions`. What it must not do: read cookies or answer HTTP (auth.py does).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select, update

from server.db.engine import as_utc
from server.db.schema import user_sessions

IDLE_SECONDS = 30 * 60
# last_seen_at is rewritten at most this often, so reading pages does not write on every request.
_TOUCH_EVERY = 60


def _at(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(conn: Connection, user_id: int, now: float, lifetime_s: float) -> str:
    sid = secrets.token_urlsafe(32)
    conn.execute(user_sessions.insert().values(token_hash=_hash(sid), user_id=user_id, created_at=_at(now),
                                               last_seen_at=_at(now), expires_at=_at(now + lifetime_s)))
    # Rows of sessions that ended by time alone are cleared here, where a row is written anyway.
    conn.execute(delete(user_sessions).where(user_sessions.c.user_id == user_id,
                                             (user_sessions.c.expires_at <= _at(now))
                                             | (user_sessions.c.last_seen_at <= _at(now - IDLE_SECONDS))))
    return sid


def check(conn: Connection, sid: str, user_id: int, now: float) -> int | None:
    """The row id of this live session of this user, or None; `refresh` it when `due` says so."""
    row = conn.execute(select(user_sessions).where(user_sessions.c.token_hash == _hash(sid),
                                                   user_sessions.c.user_id == user_id)).first()
    if row is None or as_utc(row.expires_at) <= _at(now):  # type: ignore[operator]
        return None
    seen = as_utc(row.last_seen_at)
    if seen is None or seen <= _at(now - IDLE_SECONDS):
        return None
    return int(row.id) if seen <= _at(now - _TOUCH_EVERY) else 0


def refresh(conn: Connection, row_id: int, now: float) -> None:
    conn.execute(update(user_sessions).where(user_sessions.c.id == row_id).values(last_seen_at=_at(now)))


def close_session(conn: Connection, sid: str) -> None:
    conn.execute(delete(user_sessions).where(user_sessions.c.token_hash == _hash(sid)))


def end_user_sessions(conn: Connection, user_id: int, keep_sid: str | None = None) -> None:
    """After a password change: every session of the user ends, except the one that made the change."""
    q = delete(user_sessions).where(user_sessions.c.user_id == user_id)
    if keep_sid is not None:
        q = q.where(user_sessions.c.token_hash != _hash(keep_sid))
    conn.execute(q)

