"""Accept synced shift records — shifts, cash movements, cortes, supervisor authorizations — idempotently by uuid.

What it is for: `accept_records(engine, terminal, kind, raws) -> [result dict]` in the order sent (contract:
Shifts). Same guarantees as the sales: each record judged alone (poscore.shift_records validates it, then the
cashier must be one of the terminal's shop, server/sync/cashiers.py), one transaction per record so one bad
record spoils nothing, a replay with the same content (sha256 of its canonical JSON) answers `duplicate: true`,
other content under a known uuid is `uuid_conflict`, and nothing of a rejected record is stored.
What it must not do: recompute a corte from the sales (they may arrive later than the corte), or drop a record
of a deactivated cashier (it is flagged `cashier_inactive` and kept).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.exc import IntegrityError

from poscore.shift import ShiftError, corte
from poscore.shift_records import Authorization, CashMovement, CorteRecord, ShiftOpened
from server.db.engine import utcnow, write_tx
from server.db.schema import authorizations, cash_movements, corte_lines, cortes, shifts

from .cashiers import CashierCheck
from .checks import SaleRejected
from .sale_intake import hash_or_problem, rejected, rejection

ATTEMPTS = 3


@dataclass(frozen=True)
class _Kind:
    table: Table
    parse: Callable[[Any], Any]
    columns: Callable[[Any], dict[str, Any]]
    when: Callable[[Any], str]
    noun: str


KINDS: dict[str, _Kind] = {
    "shifts": _Kind(shifts, ShiftOpened.from_json,
                    lambda r: {"opened_at": r.opened_at, "opening_float": r.opening_float},
                    lambda r: r.opened_at, "turno"),
    "cash_movements": _Kind(cash_movements, CashMovement.from_json,
                            lambda r: {"shift_uuid": r.shift_uuid, "kind": r.kind, "amount": r.amount,
                                       "reason": r.reason, "at": r.at},
                            lambda r: r.at, "movimiento de efectivo"),
    "cortes": _Kind(cortes, CorteRecord.from_json,
                    lambda r: {"shift_uuid": r.shift_uuid, "kind": r.kind, "at": r.at},
                    lambda r: r.at, "corte"),
    "authorizations": _Kind(authorizations, Authorization.from_json,
                            lambda r: {"supervisor_id": r.supervisor_id, "shift_uuid": r.shift_uuid,
                                       "action": r.action, "subject": r.subject, "at": r.at},
                            lambda r: r.at, "autorización"),
}


def accept_records(engine: Engine, terminal: Any, kind: str, raws: list[Any]) -> list[dict[str, Any]]:
    spec = KINDS[kind]
    return [_one(engine, terminal, spec, raw) for raw in raws]


def _one(engine: Engine, terminal: Any, spec: _Kind, raw: Any) -> dict[str, Any]:
    uuid = raw.get("uuid") if isinstance(raw, dict) else None
    if not isinstance(uuid, str) or not 0 < len(uuid) <= 36:
        return rejected(uuid, "malformed", detail="uuid")
    digest, problem = hash_or_problem(raw)
    if problem is not None:
        return rejected(uuid, "malformed", detail=problem)
    try:
        record = spec.parse(raw)
    except ShiftError as exc:
        detail = str(exc).removeprefix(exc.code).lstrip(": ")  # ShiftError("malformed", "state") says "malformed: state"
        return rejected(uuid, exc.code, **({"detail": detail} if exc.code == "malformed" and detail else {}))
    for attempt in range(ATTEMPTS):
        try:
            with write_tx(engine) as conn:
                return _store(conn, terminal, spec, record, raw, digest)
        except SaleRejected as exc:
            return rejection(uuid, exc)
        except IntegrityError:
            # The same uuid sent at once by two requests: the loser retries and finds the winner's row.
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _store(conn: Connection, terminal: Any, spec: _Kind, record: Any, raw: dict[str, Any],
           digest: str) -> dict[str, Any]:
    table = spec.table
    prior = conn.execute(select(table.c.terminal_id, table.c.content_hash, table.c.review)
                         .where(table.c.uuid == record.uuid)).first()
    if prior is not None:
        if prior.terminal_id != terminal.id or prior.content_hash != digest:
            raise SaleRejected("uuid_conflict")
        return _accepted(record.uuid, prior.review, duplicate=True)
    check = CashierCheck(conn, terminal)
    when = spec.when(record)
    flags = [check.review(record.cashier_id, when), _shift_flag(conn, terminal, record)]
    if isinstance(record, Authorization):
        flags.append(check.review(record.supervisor_id, when, supervisor=True))
    review = ",".join(sorted({f for f in flags if f})) or None
    result = conn.execute(table.insert().values(
        uuid=record.uuid, terminal_id=terminal.id, cashier_id=record.cashier_id, content_hash=digest,
        body=json.dumps(raw, ensure_ascii=False), review=review, received_at=utcnow(), **spec.columns(record)))
    if isinstance(record, CorteRecord):
        figures = corte(record.expected, record.counted)
        corte_id = result.inserted_primary_key[0]  # type: ignore[index]
        conn.execute(corte_lines.insert(), [
            {"corte_id": corte_id, "method": x.method, "expected": x.expected, "counted": x.counted,
             "difference": x.difference} for x in figures.lines])
    return _accepted(record.uuid, review, duplicate=False)


def _shift_flag(conn: Connection, terminal: Any, record: Any) -> str | None:
    """A record names its shift by uuid; the shift may not have arrived yet (each outbox entry travels on its
    own), but when it has, it must be this terminal's. A second Corte Z of one shift is kept and flagged."""
    shift_uuid = getattr(record, "shift_uuid", None)
    if shift_uuid is None:
        return None
    owner = conn.execute(select(shifts.c.terminal_id).where(shifts.c.uuid == shift_uuid)).scalar()
    if owner is not None and owner != terminal.id:
        raise SaleRejected("shift_mismatch")
    if isinstance(record, CorteRecord) and record.kind == "Z":
        other = conn.execute(select(cortes.c.id).where(cortes.c.shift_uuid == shift_uuid, cortes.c.kind == "Z",
                                                       cortes.c.uuid != record.uuid)).first()
        if other is not None:
            return "second_z"
    return None


def _accepted(uuid: str, review: str | None, duplicate: bool) -> dict[str, Any]:
    return {"uuid": uuid, "status": "accepted", "duplicate": duplicate, "review": review}
