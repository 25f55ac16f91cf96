"""Terminals: creation, one-time pairing codes, bearer tokens, and the TERMINAL JSON of docs/contract.md.

What it is for: everything about who a terminal is and how it proves it. Tokens are random 256-bit strings,
stored as SHA-256 (high entropy, so a fast hash is enough and lookups stay indexed). Pairing codes are twelve
digits shown in groups of four (typed on a tablet's number pad; spaces and dashes are ignored), stored as HMAC
with the server secret; they expire, work once, and share a failure budget: every failed attempt, from any
address, is charged to every live code (a wrong guess could have been aimed at any of them), and a code that
has absorbed PAIRING_MAX_FAILURES is dead. A new code, or revoking the terminal, kills its unused codes.
What it must not do: handle HTTP (server/api/ does) or sales.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from server.db.engine import as_utc, utcnow
from server.db.schema import (
    branches,
    fiscal_settings,
    folio_series,
    pairing_codes,
    price_lists,
    sales,
    shops,
    terminals,
    warehouses,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def code_hash(secret_key: str, code: str) -> str:
    return hmac.new(secret_key.encode(), code.encode(), hashlib.sha256).hexdigest()


def ensure_series(conn: Connection, *series: str) -> None:
    for s in series:
        if conn.execute(select(folio_series.c.series).where(folio_series.c.series == s)).first() is None:
            conn.execute(folio_series.insert().values(series=s, last_folio=0))


def create_terminal(conn: Connection, *, code: str, name: str, branch_id: int, warehouse_id: int,
                    price_list_id: int, series_remision: str, series_factura: str,
                    stock_enforced: bool = False) -> int:
    ensure_series(conn, series_remision, series_factura)
    return int(conn.execute(terminals.insert().values(
        code=code, name=name, branch_id=branch_id, warehouse_id=warehouse_id, price_list_id=price_list_id,
        series_remision=series_remision, series_factura=series_factura, stock_enforced=stock_enforced,
        active=True,
    )).inserted_primary_key[0])  # type: ignore[index]


def terminal_id_by_code(conn: Connection, code: str) -> int | None:
    return conn.execute(select(terminals.c.id).where(terminals.c.code == code)).scalar()


CODE_DIGITS = 12
PAIRING_MAX_FAILURES = 50


def normalize_code(code: str) -> str:
    """What the cashier typed → the digits we hash ('' when it cannot be a code)."""
    digits = "".join(ch for ch in code if ch not in " -\t\r\n")
    return digits if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit() else ""


def show_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _live(now: Any) -> Any:
    return (pairing_codes.c.used_at.is_(None)) & (pairing_codes.c.expires_at > now)


def kill_unused_codes(conn: Connection, terminal_id: int) -> None:
    now = utcnow()
    conn.execute(pairing_codes.update().where(pairing_codes.c.terminal_id == terminal_id, _live(now))
                 .values(expires_at=now))


def new_pairing_code(conn: Connection, secret_key: str, terminal_id: int, ttl_minutes: int) -> str:
    """A fresh code for the terminal, shown grouped ("1234-5678-9012"); its earlier unused codes stop working."""
    kill_unused_codes(conn, terminal_id)
    now = utcnow()
    for _ in range(20):
        code = "".join(str(secrets.randbelow(10)) for _ in range(CODE_DIGITS))
        h = code_hash(secret_key, code)
        # The unique index holds only live codes' hashes in practice; clear an old used/expired twin first.
        old = conn.execute(select(pairing_codes.c.id, pairing_codes.c.used_at, pairing_codes.c.expires_at)
                           .where(pairing_codes.c.code_hash == h)).first()
        if old is not None:
            if old.used_at is None and as_utc(old.expires_at) > now:  # type: ignore[operator]
                continue  # a live code with the same digits: pick another
            conn.execute(pairing_codes.delete().where(pairing_codes.c.id == old.id))
        conn.execute(pairing_codes.insert().values(
            terminal_id=terminal_id, code_hash=h, created_at=now, failures=0,
            expires_at=now + timedelta(minutes=ttl_minutes),
        ))
        return show_code(code)
    raise RuntimeError("could not find a free pairing code")


def charge_failure(conn: Connection) -> None:
    """A failed pairing attempt: every live code absorbs it; codes over budget die."""
    now = utcnow()
    conn.execute(pairing_codes.update().where(_live(now)).values(failures=pairing_codes.c.failures + 1))
    conn.execute(pairing_codes.update().where(_live(now), pairing_codes.c.failures >= PAIRING_MAX_FAILURES)
                 .values(expires_at=now))


def redeem_pairing_code(conn: Connection, secret_key: str, code: str, device: str | None) -> tuple[int, str] | None:
    """Use a code once: returns (terminal_id, new token) or None. The new token replaces the old one."""
    if device is not None and "\x00" in device:
        return None  # PostgreSQL cannot store a NUL (a 500); no real device name has one
    digits = normalize_code(code)
    if not digits:
        return None
    now = utcnow()
    row = conn.execute(select(pairing_codes).where(pairing_codes.c.code_hash == code_hash(secret_key, digits))).first()
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= now:  # type: ignore[operator]
        return None
    # Conditional update: under concurrency only one redeemer wins the code.
    won = conn.execute(pairing_codes.update()
                       .where(pairing_codes.c.id == row.id, pairing_codes.c.used_at.is_(None))
                       .values(used_at=now)).rowcount
    if won != 1:
        return None
    token = secrets.token_urlsafe(32)
    conn.execute(terminals.update().where(terminals.c.id == row.terminal_id).values(
        token_hash=token_hash(token), device=(device or "")[:200], paired_at=now, last_contact_at=now))
    # The key the till signs its tickets' self-invoicing codes with (poscore.autofactura). Kept across pairings:
    # tickets printed by the previous device must still be recognised.
    conn.execute(terminals.update().where(terminals.c.id == row.terminal_id, terminals.c.ticket_key.is_(None))
                 .values(ticket_key=secrets.token_urlsafe(24)))
    return int(row.terminal_id), token


def is_paired(conn: Connection, terminal_id: int) -> bool:
    return conn.execute(select(terminals.c.token_hash).where(terminals.c.id == terminal_id)).scalar() is not None


def terminal_by_token(conn: Connection, token: str) -> Any | None:
    return conn.execute(select(terminals).where(terminals.c.token_hash == token_hash(token),
                                                terminals.c.active.is_(True))).first()


def terminal_json(conn: Connection, terminal_id: int) -> dict[str, Any]:
    t = conn.execute(select(terminals).where(terminals.c.id == terminal_id)).one()
    branch = conn.execute(select(branches).where(branches.c.id == t.branch_id)).one()
    wh = conn.execute(select(warehouses).where(warehouses.c.id == t.warehouse_id)).one()
    pl = conn.execute(select(price_lists).where(price_lists.c.id == t.price_list_id)).one()
    shop = conn.execute(select(shops).where(shops.c.id == branch.shop_id)).one()
    max_seq = conn.execute(select(func.max(sales.c.seq)).where(sales.c.terminal_id == terminal_id)).scalar()
    return {
        "id": t.id,
        "code": t.code,
        "name": t.name,
        "branch": {"id": branch.id, "name": branch.name},
        "warehouse": {"id": wh.id, "name": wh.name},
        "price_list": price_list_json(pl),
        "series": {"remision": t.series_remision, "factura": t.series_factura},
        "stock_enforced": bool(t.stock_enforced),
        "seq_start": int(max_seq or 0) + 1,
        "shop": {"name": shop.name, "rfc": shop.rfc, "regimen_fiscal": shop.regimen_fiscal,
                 "address": shop.address, "codigo_postal": shop.codigo_postal, **_autofactura(conn, t)},
    }


def _autofactura(conn: Connection, t: Any) -> dict[str, str]:
    """What poscore.ticket needs to print the self-invoicing code and QR, when the shop set up the page."""
    url = conn.execute(select(fiscal_settings.c.autofactura_url).where(fiscal_settings.c.id == 1)).scalar()
    if not url or not t.ticket_key:
        return {}
    return {"autofactura_key": t.ticket_key, "autofactura_url": url}


def price_list_json(pl: Any) -> dict[str, Any]:
    return {"id": pl.id, "name": pl.name, "includes_tax": bool(pl.includes_tax)}
