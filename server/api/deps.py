"""Request dependencies: the engine and settings from app.state, and the bearer-token terminal.

Must not do more than identify the caller: permissions per route live in the routes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import Engine

from server.db.engine import as_utc, read_once, utcnow, write_tx
from server.db.schema import terminals
from server.settings import Settings
from server.terminals import terminal_by_token

from .errors import ApiError

# Recording "last contact" is a write; once a minute per terminal is enough for the back office.
CONTACT_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class TerminalRef:
    id: int
    code: str
    branch_id: int
    warehouse_id: int
    price_list_id: int
    series_remision: str
    series_factura: str
    stock_enforced: bool


def engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def bearer_token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", detail="token")
    return token.strip()


def current_terminal(request: Request) -> TerminalRef:
    token = bearer_token(request)
    eng = engine(request)
    with read_once(eng) as conn:  # one statement: on PostgreSQL no BEGIN/COMMIT round trips around it
        row = terminal_by_token(conn, token)
    return admit(request, eng, row)


def admit(request: Request, eng: Engine, row: Any | None) -> TerminalRef:
    """The terminal of a token lookup's row (None: refused), recording its contact when that is due."""
    if row is None:
        raise ApiError(401, "unauthorized")
    now = utcnow()
    last = as_utc(row.last_contact_at)
    version = request.headers.get("x-caja-version")
    if version and "\x00" not in version:  # PostgreSQL text cannot hold NUL (a 500 on every request)
        version = version[:40]
    else:
        version = None
    # "1"/"0" from the POS (contract: X-Caja-Secure-Context); anything else is "not reported".
    secure = {"1": True, "0": False}.get(request.headers.get("x-caja-secure-context", ""))
    # A new app version or a change of secure context is recorded at once (right after a deploy, a pairing or
    # a move to https), the rest once a minute.
    if (last is None or now - last > CONTACT_EVERY or (version is not None and version != row.app_version)
            or (secure is not None and secure != row.secure_context)):
        pending = request.headers.get("x-caja-pending", "")
        values: dict[str, object] = {"last_contact_at": now}
        # ASCII digits only, and few of them: str.isdigit() is true for "²" (int() refuses it) and for
        # 30-digit numbers no Integer column holds.
        if pending.isascii() and pending.isdigit() and len(pending) <= 9:
            values["reported_pending"] = int(pending)
        if version is not None:
            values["app_version"] = version
        if secure is not None:
            values["secure_context"] = secure
        with write_tx(eng) as conn:
            conn.execute(terminals.update().where(terminals.c.id == row.id).values(**values))
    return TerminalRef(id=row.id, code=row.code, branch_id=row.branch_id, warehouse_id=row.warehouse_id,
                       price_list_id=row.price_list_id, series_remision=row.series_remision,
                       series_factura=row.series_factura, stock_enforced=bool(row.stock_enforced))
