"""Customers created offline: create by client uuid (idempotent), validated with poscore.customer.

What it is for: `upsert_customer(conn, data, terminal_id)` used by POST /api/customers and by sales that
carry a new customer. What it must not do: update a customer the ERP already has (the back office owns
edits; a terminal only adds), or decide fiscal validity itself (poscore.customer does).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from poscore.customer import Customer, customer_problems
from server.db import changes
from server.db.schema import customers

from .checks import SaleRejected, text_problem


class CustomerRejected(SaleRejected):
    """A customer refused: a code of poscore.messages and its parameters, like a sale."""


def _valid_uuid(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 36


def upsert_customer(conn: Connection, data: Any, terminal_id: int, version: int | None = None) -> tuple[int, bool]:
    """Return (customer id, created). Raises CustomerRejected for malformed or invalid data.

    `version`: a change version the caller's transaction already took (a sale does, to keep its lock order).
    """
    if not isinstance(data, dict) or not _valid_uuid(data.get("uuid")):
        raise CustomerRejected("malformed", detail="uuid")
    problem = text_problem(data)  # NUL, lone surrogate or megabytes: neither database can take it
    if problem is not None:
        raise CustomerRejected("malformed", detail=problem)
    try:
        c = Customer.from_json(data)
    except ValueError as exc:
        raise CustomerRejected("malformed", detail=str(exc)) from None
    existing = conn.execute(select(customers.c.id).where(customers.c.uuid == c.uuid)).scalar()
    if existing is not None:
        return int(existing), False
    problems = customer_problems(c)
    if problems:
        raise CustomerRejected(problems[0])
    # Every column's length, not only name and email: poscore's "^\d{5}$" lets "44100\n" through, and
    # PostgreSQL refuses a 6-character codigo_postal with an error (a 500), where SQLite would store it.
    for key in ("name", "rfc", "regimen_fiscal", "codigo_postal", "uso_cfdi", "email"):
        value = getattr(c, key)
        if value is not None and len(value) > customers.c[key].type.length:  # type: ignore[attr-defined]
            raise CustomerRejected("malformed", detail=key)
    if version is None:
        version = changes.bump(conn)
    new_id = conn.execute(customers.insert().values(
        uuid=c.uuid, name=c.name.strip(), rfc=c.rfc, regimen_fiscal=c.regimen_fiscal,
        codigo_postal=c.codigo_postal, uso_cfdi=c.uso_cfdi, email=c.email, price_list_id=None,
        active=True, version=version, created_by_terminal_id=terminal_id,
    )).inserted_primary_key[0]  # type: ignore[index]
    return int(new_id), True
