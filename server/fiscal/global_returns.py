"""Returns of remisiones and the factura global: netted out of the global that covers them, or, when they come after
it, a CFDI egreso E/01 related to that global.

What it is for: `netted_tickets(conn, cfdi_id)` (the global's tickets with what was returned of them taken out,
for `global_cfdi.comprobante`), `returned_totals(conn, sale_ids)` (the preview's net amounts), `pending(conn)`
(the `cfdis` rows the job enqueues) and `comprobante(conn, emisor, cfdi_id, now)` (the egreso the job seals).
The rule, one cut per global, decided by the database and not by a clock race: a return received before the
global was issued (its row's `created_at`) is netted out of it, whatever the global's state when it is sealed; a
return received after it waits for the global to be stamped and gets an egreso (SAT "Guía de llenado del CFDI
global", apéndice 2, caso I: público en general, RFC XAXX010101000, régimen 616, UsoCFDI G02, TipoRelacion 01 to
the global's UUID, ClaveProdServ 84111506, ClaveUnidad ACT, NoIdentificacion = the remisión's folio, FormaPago
the refund's). A return with an egreso of its own is never netted again.
What it must not do: compute an amount (poscore.returns did), talk to a PAC, or cover a remisión (global_cfdi does).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from satcfdi.create.cfd import cfdi40
from sqlalchemy import Connection, and_, exists, func, select

from poscore.numbering import folio_label
from poscore.payment import METHODS
from poscore.returns import Return, remaining_lines
from poscore.sale import Sale, SaleTotals
from poscore.tax import sum_lines
from server.db.schema import cfdi_sales, cfdis, returns, sales

from .build import CfdiError, Emisor
from .global_build import Ticket, build_egreso

RETURN_CONCEPT = "Devolución de mercancías"


@dataclass(frozen=True)
class _Netted:
    sale: Sale
    returns: list[Return]


def _has_egreso() -> Any:
    own = cfdis.alias("own")  # an alias: the queries below also join the global's own cfdis row
    return exists(select(own.c.id).where(own.c.return_id == returns.c.id).correlate(returns))


def _sale_with(sale: Sale, lines: tuple[Any, ...]) -> Sale:
    """The sale reduced to ``lines`` (its totals summed again the way poscore sums them); payments kept."""
    t = sum_lines(x.amounts for x in lines)
    return replace(sale, lines=lines, totals=SaleTotals(t.subtotal, t.discount, t.taxes, t.tax_total, t.total,
                                                        sale.totals.paid, sale.totals.change))


def netted_tickets(conn: Connection, cfdi_id: int) -> list[Ticket]:
    """The global's remisiones less the returns received before the global was issued (none with an egreso)."""
    cut = conn.execute(select(cfdis.c.created_at).where(cfdis.c.id == cfdi_id)).scalar_one()
    rows = list(conn.execute(select(sales.c.id, sales.c.body, sales.c.series, sales.c.folio)
                             .join(cfdi_sales, cfdi_sales.c.sale_id == sales.c.id)
                             .where(cfdi_sales.c.cfdi_id == cfdi_id, cfdi_sales.c.released_at.is_(None))
                             .order_by(sales.c.id)))
    back: dict[int, list[Return]] = defaultdict(list)
    if rows:
        for r in conn.execute(select(returns.c.sale_id, returns.c.body).where(
                returns.c.sale_id.in_([row.id for row in rows]), returns.c.undone_at.is_(None),
                returns.c.received_at <= cut, ~_has_egreso()).order_by(returns.c.id)):
            back[int(r.sale_id)].append(Return.from_json(json.loads(r.body)))
    out = []
    for row in rows:
        sale = Sale.from_json(json.loads(row.body))
        done = back.get(int(row.id))
        out.append(Ticket(_sale_with(sale, remaining_lines(sale, done)) if done else sale,
                          folio_label(row.series, int(row.folio))))
    return out


def returned_totals(conn: Connection, sale_ids: list[int]) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """sale id → (total, subtotal − discount, tax) returned so far (not undone): what a global issued now nets."""
    if not sale_ids:
        return {}
    rows = conn.execute(select(returns.c.sale_id, func.sum(returns.c.total).label("total"),
                               func.sum(returns.c.subtotal).label("subtotal"),
                               func.sum(returns.c.discount).label("discount"),
                               func.sum(returns.c.tax_total).label("tax"))
                        .where(returns.c.sale_id.in_(sale_ids), returns.c.undone_at.is_(None))
                        .group_by(returns.c.sale_id))
    return {int(r.sale_id): (Decimal(r.total), Decimal(r.subtotal) - Decimal(r.discount), Decimal(r.tax))
            for r in rows}


def pending(conn: Connection) -> list[dict[str, Any]]:
    """Egresos to create: returns of remisiones covered by a stamped global, received after it was issued, with no
    CFDI of their own yet."""
    query = (select(returns.c.id, cfdis.c.id.label("global_id"))
             .join(cfdi_sales, and_(cfdi_sales.c.sale_id == returns.c.sale_id, cfdi_sales.c.released_at.is_(None)))
             .join(cfdis, and_(cfdis.c.id == cfdi_sales.c.cfdi_id, cfdis.c.kind == "global",
                               cfdis.c.state == "timbrada"))
             .where(returns.c.undone_at.is_(None), returns.c.received_at > cfdis.c.created_at, ~_has_egreso())
             .order_by(returns.c.id).limit(500))
    return [{"kind": "egreso", "sale_id": None, "return_id": r.id, "related_id": r.global_id}
            for r in conn.execute(query)]


def comprobante(conn: Connection, emisor: Emisor, cfdi_id: int, now: datetime) -> cfdi40.Comprobante | None:
    """The egreso of a return against its global (None for an egreso row that is not a return's)."""
    row = conn.execute(select(cfdis.c.return_id, cfdis.c.related_id).where(cfdis.c.id == cfdi_id)).one()
    if row.return_id is None:
        return None
    ret_row = conn.execute(select(returns.c.body, returns.c.series, returns.c.folio, sales.c.body.label("sale"),
                                  sales.c.series.label("sale_series"), sales.c.folio.label("sale_folio"))
                           .join(sales, sales.c.id == returns.c.sale_id).where(returns.c.id == row.return_id)).one()
    global_uuid = conn.execute(select(cfdis.c.uuid).where(cfdis.c.id == row.related_id,
                                                          cfdis.c.state == "timbrada")).scalar()
    if not global_uuid:
        raise CfdiError("La factura global de la remisión devuelta no está timbrada")
    ret = Return.from_json(json.loads(ret_row.body))
    sale = Sale.from_json(json.loads(ret_row.sale))
    if not ret.lines or ret.refund <= 0:
        raise CfdiError("La devolución no devuelve dinero: no lleva CFDI de egreso")
    returned = tuple(replace(sale.lines[x.line], qty=x.qty, amounts=x.amounts) for x in ret.lines)
    ticket = Ticket(_sale_with(sale, returned), folio_label(ret_row.sale_series, int(ret_row.sale_folio)))
    return build_egreso(ticket, emisor, None, str(global_uuid), now, int(ret_row.folio), serie=ret_row.series,
                        descripcion=RETURN_CONCEPT, forma=METHODS[ret.refund_method])
