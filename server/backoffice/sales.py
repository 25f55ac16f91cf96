"""Pages: Ventas — Remisiones and Facturas tabs, sale detail, CSV export, offline voids, negative stock.

What it is for: showing what the terminals synced, filtered (dates, terminal, customer, folio or local
number), newest first, with the totals of the filtered set. What it must not do: change sales (a sale is
the record of what happened) or recompute their amounts.
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from poscore.numbering import folio_label
from poscore.sale import Sale, SaleError
from server import cancellation
from server.db.engine import read_tx
from server.db.schema import cfdis
from server.fiscal import global_cfdi
from server.fiscal.pac import MOTIVES

from . import sales_query as q
from .csv_safe import SafeWriter
from .deps import CurrentUser, Db, NotFound, int_or_none
from .deps import router as make_router
from .global_page import overdue_banner
from .i18n import local_dt
from .render import lang_of, page, plain

router = make_router()
TABS = {"remisiones": "remision", "facturas": "factura"}
CSV_COLUMNS = ("serie", "folio", "fecha", "terminal", "numero_local", "cliente", "rfc", "subtotal", "descuento",
               "impuestos", "total", "estado")


def _tab(tab: str) -> str:
    if tab not in TABS:
        raise NotFound()
    return TABS[tab]


# Before the listing route: "/ventas/{tab}" would otherwise take "remisiones.csv" as a tab.
@router.get("/ventas/{tab}.csv")
def sale_csv(request: Request, tab: str, user: CurrentUser, engine: Db) -> Response:
    f = q.SaleFilter.from_query(_tab(tab), request.query_params)

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        out = SafeWriter(buf)
        buf.write("\ufeff")  # Excel opens UTF-8 correctly only with a BOM
        out.writerow(CSV_COLUMNS)
        with read_tx(engine) as conn:
            for n, r in enumerate(q.sale_rows(conn, f), start=1):
                out.writerow((r.series, r.folio, local_dt(r.received_at), r.terminal, r.number, r.customer or "",
                              r.rfc or "", r.subtotal, r.discount, r.tax_total, r.total, r.status))
                if n % 500 == 0:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
        yield buf.getvalue()

    response = StreamingResponse(rows(), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{tab}.csv"'})
    return plain(request, response)


@router.get("/ventas/{tab}")
def sale_list(request: Request, tab: str, user: CurrentUser, engine: Db) -> Response:
    f = q.SaleFilter.from_query(_tab(tab), request.query_params)
    with read_tx(engine) as conn:
        rows, totals = q.sale_page(conn, f)
        terminals = q.terminal_choices(conn)
        # Remisiones: which CFDI (a global, or the customer's own) covers each one, and the overdue warning.
        covering = global_cfdi.covering(conn, [r.id for r in rows]) if tab == "remisiones" else {}
        banner = overdue_banner(conn, lang_of(request)) if tab == "remisiones" else None
    return page(request, "sales.html", user, tab=tab, rows=rows, totals=totals, f=f, terminals=terminals,
                pages=q.pages(totals.count), folio=folio_label, covering=covering, banner=banner,
                query=request.url.query)


@router.get("/ventas/venta/{sale_id}")
def sale_view(request: Request, sale_id: int, user: CurrentUser, engine: Db) -> Response:
    return sale_page(request, sale_id, user, engine)


def sale_page(request: Request, sale_id: int, user: CurrentUser, engine: Db, status_code: int = 200,
              **extra: object) -> Response:
    """The sale with its returns and, when cancelled, who cancelled it and why (also after a cancel form)."""
    with read_tx(engine) as conn:
        row = q.sale_detail(conn, sale_id)
        rets = cancellation.returns_of(conn, sale_id)
        cancelled = cancellation.cancellation_of(conn, sale_id)
        stamped = conn.execute(select(cfdis.c.id).where(cfdis.c.sale_id == sale_id, cfdis.c.return_id.is_(None),
                                                         cfdis.c.state == "timbrada")).first() is not None
        stamped_egresos = {r.return_id for r in conn.execute(select(cfdis.c.return_id).where(
            cfdis.c.sale_id == sale_id, cfdis.c.return_id.is_not(None), cfdis.c.state == "timbrada"))}
    if row is None:
        raise NotFound()
    body: dict[str, Any] = json.loads(row.body)
    try:
        sale: Sale | None = Sale.from_json(body)
    except SaleError:
        sale = None  # stored before a format change: still show the header and the raw fields we have
    return page(request, "sale.html", user, status_code=status_code, s=row, sale=sale,
                folio=folio_label(row.series, row.folio), tab="facturas" if row.type == "factura" else "remisiones",
                returns=rets, folio_of=folio_label, cancellation=cancelled, stamped=stamped, stamped_egresos=stamped_egresos, motives=MOTIVES, **extra)


@router.get("/ventas-canceladas")
def void_list(request: Request, user: CurrentUser, engine: Db) -> Response:
    pg = max(1, int_or_none(request.query_params.get("pagina")) or 1)
    terminal_id = int_or_none(request.query_params.get("terminal"))
    with read_tx(engine) as conn:
        rows, count = q.void_page(conn, pg, terminal_id)
        terminals = q.terminal_choices(conn)
    return page(request, "voids.html", user, tab="canceladas", rows=rows, count=count, pg=pg, pages=q.pages(count),
                terminals=terminals, terminal_id=terminal_id)


@router.get("/ventas-existencia-negativa")
def negative_stock(request: Request, user: CurrentUser, engine: Db) -> Response:
    pg = max(1, int_or_none(request.query_params.get("pagina")) or 1)
    with read_tx(engine) as conn:
        rows, count = q.negative_stock_page(conn, pg)
    return page(request, "negative_stock.html", user, tab="negativa", rows=rows, count=count, pg=pg,
                pages=q.pages(count), folio=folio_label)
