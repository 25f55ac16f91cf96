"""Cashiers: back-office users with a till role (cajero, supervisor), a shop and a PIN.

What it is for: create one, set or reset the PIN (poscore.pin's policy and PBKDF2 verifier, salted here with
`secrets`), change the role, deactivate (recording since when), and list a shop's active cashiers with their
verifier material for the till (`GET /api/cashiers`).
What it must not do: keep or return a PIN, or let a cashier sign in to the back office (their password hash
is unusable: the back office's password check refuses it).
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from poscore.pin import ITERATIONS, SALT_BYTES, PinVerifier, make_verifier, pin_problem
from server.db.schema import users

TILL_ROLES = ("cajero", "supervisor")
UNUSABLE_PASSWORD = "!"  # not an argon2 hash: verification fails, so no back-office sign-in


class CashierError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _verifier_text(pin: str, iterations: int) -> str:
    problem = pin_problem(pin)
    if problem is not None:
        raise CashierError(problem)
    return make_verifier(pin, secrets.token_bytes(SALT_BYTES), iterations).to_text()


def create_cashier(conn: Connection, username: str, role: str, shop_id: int, pin: str, now: datetime,
                   iterations: int = ITERATIONS) -> int:
    name = username.strip()
    if not name or len(name) > 100:
        raise CashierError("invalid_name")
    if role not in TILL_ROLES:
        raise CashierError("invalid_role")
    if conn.execute(select(users.c.id).where(users.c.username == name)).first() is not None:
        raise CashierError("name_taken")
    result = conn.execute(users.insert().values(
        username=name, password_hash=UNUSABLE_PASSWORD, is_admin=False, active=True, created_at=now, role=role,
        shop_id=shop_id, pin_hash=_verifier_text(pin, iterations)))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _cashier(conn: Connection, user_id: int) -> Any:
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.role.in_(TILL_ROLES))).first()
    if row is None:
        raise CashierError("not_found")
    return row


def set_pin(conn: Connection, user_id: int, pin: str, iterations: int = ITERATIONS) -> None:
    _cashier(conn, user_id)
    conn.execute(users.update().where(users.c.id == user_id).values(pin_hash=_verifier_text(pin, iterations)))


def set_role(conn: Connection, user_id: int, role: str) -> None:
    if role not in TILL_ROLES:
        raise CashierError("invalid_role")
    _cashier(conn, user_id)
    conn.execute(users.update().where(users.c.id == user_id).values(role=role))


def set_active(conn: Connection, user_id: int, active: bool, now: datetime) -> None:
    _cashier(conn, user_id)
    conn.execute(users.update().where(users.c.id == user_id).values(
        active=active, deactivated_at=None if active else now))


def list_cashiers(conn: Connection, shop_id: int | None = None) -> list[Any]:
    q = select(users.c.id, users.c.username, users.c.role, users.c.active, users.c.shop_id,
               users.c.deactivated_at).where(users.c.role.in_(TILL_ROLES)).order_by(users.c.username)
    if shop_id is not None:
        q = q.where(users.c.shop_id == shop_id)
    return list(conn.execute(q))


def till_cashiers(conn: Connection, shop_id: int) -> list[dict[str, Any]]:
    """The active cashiers of a shop as the till needs them: id, name, role and the PIN verifier (never the
    PIN). A cashier without a usable verifier is left out: nobody could sign in as them."""
    rows = conn.execute(select(users.c.id, users.c.username, users.c.role, users.c.pin_hash).where(
        users.c.shop_id == shop_id, users.c.role.in_(TILL_ROLES), users.c.active.is_(True)).order_by(users.c.id))
    out = []
    for r in rows:
        try:
            verifier = PinVerifier.from_text(r.pin_hash or "")
        except ValueError:
            continue
        out.append({"id": r.id, "name": r.username, "role": r.role, "pin": verifier.to_json()})
    return out
