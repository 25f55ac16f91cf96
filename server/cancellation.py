"""Cancel a synced sale from the back office (and undo a return, which a cancellation needs first): its stock back, its status 'cancelada', who and why recorded;
for a factura, its CFDI cancelled first (a stamped one through the PAC with the SAT motive, server/fiscal/jobs).

What it is for: `cancel_sale(engine, secret, sale_id, user_id, reason, motive) -> None | refusal` (a poscore.messages
`CodedError`, which the back office renders in its reader's language), `undo_return` likewise, and
`audit_rows(conn)`: every cancellation and return with who did it (the back-office user; for a return, the
till's cashier and the supervisor who authorized it, when the till said so).
Rules: a sale with returns cannot be cancelled (the returns would give back goods and money twice): they are
undone first. A stamped factura needs a SAT motive (01–04, Anexo 20 cancelación); an ingreso not stamped yet
has no fiscal life, so its row is just marked cancelada and the job never stamps it.
What it must not do: delete a sale (it stays, cancelled, as the record of what happened) or compute amounts.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, literal, or_, select, union_all

from poscore.messages import CodedError
from server.db import changes
from server.db.engine import utcnow, write_tx
from server.db.schema import (
    cfdis,
    return_lines,
    returns,
    sale_cancellations,
    sale_lines,
    sales,
    terminals,
    users,
)
from server.fiscal import jobs
from server.fiscal.pac import MOTIVES
from server.sync.returns import put_back

CANCELLED = "cancelada"
REASON_MAX = 500


def _has_returns(conn: Connection, sale_id: int) -> bool:
    return conn.execute(select(returns.c.id).where(returns.c.sale_id == sale_id, returns.c.undone_at.is_(None))
                        .limit(1)).first() is not None


def _ingreso(conn: Connection, sale_id: int) -> Any:
    return conn.execute(select(cfdis.c.id, cfdis.c.state).where(
        cfdis.c.sale_id == sale_id, cfdis.c.return_id.is_(None))).first()


def cancel_sale(engine: Engine, secret: str, sale_id: int, user_id: int, reason: str,
                motive: str | None) -> CodedError | None:
    """Cancel the sale; None when done, else why not (shown to the admin)."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        return CodedError("cancel_reason_required")
    with engine.connect() as conn:
        sale = conn.execute(select(sales.c.type, sales.c.status).where(sales.c.id == sale_id)).first()
        if sale is None:
            return CodedError("sale_not_found")
        if sale.status == CANCELLED:
            return CodedError("sale_already_cancelled")
        if _has_returns(conn, sale_id):
            return CodedError("sale_has_returns")
        cfdi = _ingreso(conn, sale_id) if sale.type == "factura" else None
    if cfdi is not None and cfdi.state == "timbrada":
        if motive not in MOTIVES:
            return CodedError("sat_motive_required")
        problem = jobs.cancel(engine, secret, int(cfdi.id), motive)
        if problem is not None:  # the PAC's own words, shown as written
            return CodedError("cfdi_cancel_failed", detail=problem)
    elif sale.type == "factura":
        motive = None  # nothing stamped: no SAT motive applies
    return _cancel_in_tx(engine, sale_id, user_id, reason, motive)


def _cancel_in_tx(engine: Engine, sale_id: int, user_id: int, reason: str, motive: str | None) -> CodedError | None:
    now = utcnow()
    with write_tx(engine) as conn:
        version = changes.lock_next(conn)
        # The sale's row lock orders this after (or before) any return of it being synced (server/sync/returns).
        row = conn.execute(select(sales.c.status, sales.c.terminal_id).where(sales.c.id == sale_id)
                           .with_for_update()).one()
        if row.status == CANCELLED:
            return CodedError("sale_already_cancelled")
        if _has_returns(conn, sale_id):
            return CodedError("sale_has_returns")
        # An ingreso not stamped yet must never be: its row is closed (a leased one is left to finish first).
        conn.execute(cfdis.update().where(
            cfdis.c.sale_id == sale_id, cfdis.c.return_id.is_(None),
            cfdis.c.state.in_(("pendiente", "sellada", "rechazada")),
            or_(cfdis.c.lease_until.is_(None), cfdis.c.lease_until < now)).values(
            state="cancelada", cancelled_at=now, updated_at=now))
        conn.execute(sales.update().where(sales.c.id == sale_id).values(status=CANCELLED))
        conn.execute(sale_cancellations.insert().values(sale_id=sale_id, user_id=user_id, reason=reason,
                                                        sat_motive=motive, cancelled_at=now))
        warehouse = conn.execute(select(terminals.c.warehouse_id).where(terminals.c.id == row.terminal_id)).scalar_one()
        units: dict[int, Decimal] = defaultdict(Decimal)
        for line in conn.execute(select(sale_lines.c.product_id, sale_lines.c.qty)
                                 .where(sale_lines.c.sale_id == sale_id)):
            units[int(line.product_id)] += line.qty
        put_back(conn, int(warehouse), units, version)
        if changes.bump(conn) != version:
            raise AssertionError("change counter moved under its lock")
    return None


def undo_return(engine: Engine, secret: str, return_id: int, user_id: int, reason: str,
                motive: str | None) -> CodedError | None:
    """Undo a return (its stock taken out again, its egreso cancelled: through the PAC with the SAT motive when
    stamped); None when done, else why not. The row stays, marked, for the audit."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        return CodedError("undo_reason_required")
    with engine.connect() as conn:
        ret = conn.execute(select(returns.c.undone_at).where(returns.c.id == return_id)).first()
        if ret is None:
            return CodedError("return_not_found")
        if ret.undone_at is not None:
            return CodedError("return_already_undone")
        cfdi = conn.execute(select(cfdis.c.id, cfdis.c.state).where(cfdis.c.return_id == return_id)).first()
    if cfdi is not None and cfdi.state == "timbrada":
        if motive not in MOTIVES:
            return CodedError("egreso_motive_required")
        problem = jobs.cancel(engine, secret, int(cfdi.id), motive)
        if problem is not None:  # the PAC's own words, shown as written
            return CodedError("cfdi_cancel_failed", detail=problem)
    now = utcnow()
    with write_tx(engine) as conn:
        version = changes.lock_next(conn)
        row = conn.execute(select(returns.c.sale_id, returns.c.warehouse_id, returns.c.undone_at)
                           .where(returns.c.id == return_id)).one()
        conn.execute(select(sales.c.id).where(sales.c.id == row.sale_id).with_for_update()).one()
        if row.undone_at is not None:
            return CodedError("return_already_undone")
        conn.execute(cfdis.update().where(
            cfdis.c.return_id == return_id, cfdis.c.state.in_(("pendiente", "sellada", "rechazada")),
            or_(cfdis.c.lease_until.is_(None), cfdis.c.lease_until < now)).values(
            state="cancelada", cancelled_at=now, updated_at=now))
        conn.execute(returns.update().where(returns.c.id == return_id).values(
            undone_at=now, undone_by=user_id, undo_reason=reason))
        units: dict[int, Decimal] = defaultdict(Decimal)
        for line in conn.execute(select(return_lines.c.product_id, return_lines.c.qty)
                                 .where(return_lines.c.return_id == return_id)):
            units[int(line.product_id)] -= line.qty  # the goods leave the warehouse again
        put_back(conn, int(row.warehouse_id), units, version)
        if changes.bump(conn) != version:
            raise AssertionError("change counter moved under its lock")
    return None


def audit_rows(conn: Connection, limit: int = 200, offset: int = 0) -> list[Any]:
    """Cancellations and returns, newest first: kind, when, the sale's series and folio, amount, reason, who."""
    cancelled = (select(literal("cancelacion").label("kind"), sale_cancellations.c.cancelled_at.label("at"),
                        sales.c.id.label("sale_id"), sales.c.series, sales.c.folio,
                        literal(None).label("return_series"), literal(None).label("return_folio"),
                        sales.c.total.label("amount"), sale_cancellations.c.reason,
                        sale_cancellations.c.sat_motive.label("detail"), users.c.username.label("who"),
                        literal(None).label("authorizer"))
                 .join(sales, sales.c.id == sale_cancellations.c.sale_id)
                 .join(users, users.c.id == sale_cancellations.c.user_id))
    returned = (select(literal("devolucion").label("kind"), returns.c.received_at.label("at"),
                       sales.c.id.label("sale_id"), sales.c.series, sales.c.folio,
                       returns.c.series.label("return_series"), returns.c.folio.label("return_folio"),
                       returns.c.total.label("amount"), returns.c.reason,
                       returns.c.refund_method.label("detail"),
                       func.coalesce(returns.c.cashier, terminals.c.code).label("who"), returns.c.authorizer)
                .join(sales, sales.c.id == returns.c.sale_id)
                .join(terminals, and_(terminals.c.id == returns.c.terminal_id)))
    undone = (select(literal("deshecha").label("kind"), returns.c.undone_at.label("at"),
                     sales.c.id.label("sale_id"), sales.c.series, sales.c.folio,
                     returns.c.series.label("return_series"), returns.c.folio.label("return_folio"),
                     returns.c.total.label("amount"), returns.c.undo_reason.label("reason"),
                     literal(None).label("detail"), users.c.username.label("who"), literal(None).label("authorizer"))
              .join(sales, sales.c.id == returns.c.sale_id).join(users, users.c.id == returns.c.undone_by))
    both = union_all(cancelled, returned, undone).subquery()
    return list(conn.execute(select(both).order_by(both.c.at.desc()).limit(limit).offset(offset)))


def returns_of(conn: Connection, sale_id: int) -> list[Any]:
    """The returns of one sale, oldest first, with the till that made them (the sale page lists them)."""
    return list(conn.execute(
        select(returns, terminals.c.code.label("terminal_code")).join(terminals, terminals.c.id == returns.c.terminal_id)
        .where(returns.c.sale_id == sale_id).order_by(returns.c.id)))


def cancellation_of(conn: Connection, sale_id: int) -> Any:
    return conn.execute(select(sale_cancellations, users.c.username).join(
        users, users.c.id == sale_cancellations.c.user_id).where(sale_cancellations.c.sale_id == sale_id)).first()
