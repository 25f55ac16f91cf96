"""The factura global in the database: which remisiones a period's global takes, its preview, issuing it, the
replacement of a stamped one, and the CFDI the job seals for it.

What it is for: `preview(conn, period, zone, branch_id)` and `issue(engine, period, zone, now, branch_id)` for the
page and the CLI (a global per branch: the remisiones of that branch's tills, the branch's CP and zone);
`replace(engine, old_id, exclude, now)` for a cancellation with substitution (motive 01, the new one related
04); `comprobante(conn, emisor, cfdi_id, now)` for the job (server/fiscal/jobs.py). Rules kept here:
* A remisión is in at most one live CFDI (`cfdi_sales` with a partial unique index; issuing twice at once
  loses on that index and covers nothing twice), so issuing a period again covers only what is not covered.
* A sale cancelled at the till (a `voids` row names its uuid) is never included.
* A remisión that reaches the ERP after its period's global was issued (a till offline for days) goes into
  the next global issued: a period's global takes every uncovered remisión up to its last day, and the
  preview counts those from earlier periods.
What it must not do: talk to the PAC (jobs does), compute amounts (global_build sums poscore's).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from satcfdi.create.cfd import cfdi40
from sqlalchemy import Connection, Engine, and_, exists, select
from sqlalchemy.exc import IntegrityError

from poscore.numbering import folio_label
from server.db.engine import write_tx
from server.db.schema import cfdi_sales, cfdis, sales, terminals, voids

from . import global_returns
from .build import CfdiError, Emisor
from .global_build import build_global
from .periods import Period, local_day, parse_key


class GlobalError(ValueError):
    """Said to the admin as is (Spanish)."""


@dataclass
class Preview:
    period: Period
    tickets: list[Any] = field(default_factory=list)  # rows: id, series, folio, total, device_time, late
    late: int = 0
    total: Decimal = Decimal(0)
    subtotal: Decimal = Decimal(0)
    tax_total: Decimal = Decimal(0)


def uncovered_query(branch_id: int | None = None) -> Any:
    """Remisiones no live CFDI covers, not voided; of one branch's tills when ``branch_id`` is given."""
    live = select(cfdi_sales.c.id).where(cfdi_sales.c.sale_id == sales.c.id, cfdi_sales.c.released_at.is_(None))
    own = select(cfdis.c.id).where(cfdis.c.sale_id == sales.c.id, cfdis.c.state != "cancelada")
    voided = select(voids.c.id).where(voids.c.sale_uuid == sales.c.uuid)
    query = (select(sales.c.id, sales.c.series, sales.c.folio, sales.c.total, sales.c.subtotal,
                    sales.c.discount, sales.c.tax_total, sales.c.device_time, terminals.c.branch_id)
             .join(terminals, terminals.c.id == sales.c.terminal_id)
             .where(sales.c.type == "remision", ~exists(live), ~exists(own), ~exists(voided))
             .order_by(sales.c.id))
    return query if branch_id is None else query.where(terminals.c.branch_id == branch_id)


def uncovered(conn: Connection, period: Period, zone: ZoneInfo, branch_id: int | None = None) -> list[Any]:
    """The remisiones a global for ``period`` takes: uncovered, not voided, made on or before its last day.
    The day is the sale's own (device time in the branch's zone), not the day it reached the ERP."""
    return [r for r in conn.execute(uncovered_query(branch_id)) if local_day(r.device_time, zone) <= period.last]


def preview(conn: Connection, period: Period, zone: ZoneInfo, branch_id: int | None = None) -> Preview:
    out = Preview(period)
    rows = uncovered(conn, period, zone, branch_id)
    back = global_returns.returned_totals(conn, [r.id for r in rows])  # what returns take out of each remisión
    for r in rows:
        late = local_day(r.device_time, zone) < period.first
        total, net, tax = back.get(r.id, (Decimal(0), Decimal(0), Decimal(0)))
        out.tickets.append({"id": r.id, "folio": folio_label(r.series, int(r.folio)), "total": r.total - total,
                            "returned": total, "device_time": r.device_time, "late": late})
        out.late += late
        out.total += r.total - total
        out.subtotal += r.subtotal - r.discount - net
        out.tax_total += r.tax_total - tax
    return out


def issue(engine: Engine, period: Period, zone: ZoneInfo, now: datetime, branch_id: int | None = None) -> int:
    """A pendiente global over the period's uncovered remisiones (of ``branch_id``'s tills when given: the job
    issues it from that branch's CP); its id. Raises ``GlobalError`` when there is nothing to cover."""
    try:
        with write_tx(engine) as conn:
            rows = uncovered(conn, period, zone, branch_id)
            if not rows:
                raise GlobalError(f"No hay remisiones sin CFDI hasta el {period.last:%d/%m/%Y}")
            return _insert(conn, period.key, [r.id for r in rows], now, None, branch_id)
    except IntegrityError:
        # Another issue (a second click, the scheduler) covered some of them first: nothing is covered twice.
        raise GlobalError("Otra factura global tomó estas remisiones al mismo tiempo; vuelva a intentarlo") from None


def _insert(conn: Connection, period_key: str, sale_ids: list[int], now: datetime, replaces: int | None,
            branch_id: int | None) -> int:
    cfdi_id = int(conn.execute(cfdis.insert().values(
        kind="global", period_key=period_key, replaces_id=replaces, branch_id=branch_id, state="pendiente", attempts=0,
        created_at=now, updated_at=now)).inserted_primary_key[0])  # type: ignore[index]
    conn.execute(cfdi_sales.insert(), [{"cfdi_id": cfdi_id, "sale_id": i} for i in sale_ids])
    return cfdi_id


def replace(engine: Engine, old_id: int, exclude: set[int], now: datetime) -> int:
    """Cancellation with substitution: the stamped global's remisiones are released and a new global (related
    04 to it) takes them but ``exclude`` (e.g. a ticket whose customer wants a factura, motive 04 then goes on
    that factura's own relation). The job cancels the old one with motive 01 once the new one is stamped."""
    with write_tx(engine) as conn:
        old = conn.execute(select(cfdis.c.state, cfdis.c.kind, cfdis.c.period_key, cfdis.c.branch_id)
                           .where(cfdis.c.id == old_id)).first()
        if old is None or old.kind != "global" or old.state != "timbrada":
            raise GlobalError("Solo se sustituye una factura global timbrada")
        if conn.execute(select(cfdis.c.id).where(cfdis.c.replaces_id == old_id,
                                                 cfdis.c.state != "rechazada")).first() is not None:
            raise GlobalError("Esta factura global ya tiene una sustituta")
        ids = [int(r.sale_id) for r in conn.execute(select(cfdi_sales.c.sale_id).where(
            cfdi_sales.c.cfdi_id == old_id, cfdi_sales.c.released_at.is_(None)))]
        release(conn, old_id, now)
        keep = [i for i in ids if i not in exclude]
        if not keep:
            raise GlobalError("La sustituta no tendría remisiones: cancele con motivo 02")
        return _insert(conn, old.period_key, keep, now, old_id, old.branch_id)


def release(conn: Connection, cfdi_id: int, now: datetime) -> None:
    """The CFDI no longer covers its remisiones (cancelled, or replaced): they can be covered again."""
    conn.execute(cfdi_sales.update().where(cfdi_sales.c.cfdi_id == cfdi_id, cfdi_sales.c.released_at.is_(None))
                 .values(released_at=now))


def covering(conn: Connection, sale_ids: list[int]) -> dict[int, Any]:
    """sale id → the live CFDI covering it (id, kind, state, uuid, folio) for the Remisiones page."""
    if not sale_ids:
        return {}
    rows = conn.execute(select(cfdi_sales.c.sale_id, cfdis.c.id, cfdis.c.kind, cfdis.c.state, cfdis.c.uuid)
                        .join(cfdis, cfdis.c.id == cfdi_sales.c.cfdi_id)
                        .where(and_(cfdi_sales.c.sale_id.in_(sale_ids), cfdi_sales.c.released_at.is_(None))))
    return {int(r.sale_id): r for r in rows}


def comprobante(conn: Connection, emisor: Emisor, cfdi_id: int, now: datetime) -> cfdi40.Comprobante:
    """The global's CFDI as the job seals it: folio G-<id>, the period of its row, related 04 to the global it
    replaces."""
    row = conn.execute(select(cfdis.c.period_key, cfdis.c.replaces_id).where(cfdis.c.id == cfdi_id)).one()
    period = parse_key(row.period_key)
    replaces = None
    if row.replaces_id is not None:
        replaces = conn.execute(select(cfdis.c.uuid).where(cfdis.c.id == row.replaces_id)).scalar()
        if not replaces:
            raise CfdiError("La factura global sustituida no tiene UUID")
    # Returns received before the global was issued net out of it; later ones get an egreso (global_returns).
    return build_global(global_returns.netted_tickets(conn, cfdi_id), emisor, period, now, cfdi_id, replaces)
