"""Pages: cancel a synced sale (remisión or factura, with the SAT motive for a stamped factura), and Ventas →
Devoluciones y cancelaciones, the audit list of every cancellation and return with who did it.

What it is for: steering server/cancellation.py from the back office. What it must not do: cancel or change
anything itself (server/cancellation.py does, in one transaction), or let a read-only user cancel.
"""
from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import func, select

from poscore.numbering import folio_label
from server import cancellation
from server.db.engine import read_tx
from server.db.schema import returns, sale_cancellations

from .deps import CurrentUser, Db, Form, int_or_none, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page
from .sales import sale_page

router = make_router()
PAGE = 100


@router.post("/ventas/venta/{sale_id}/cancelar")
def sale_cancel(request: Request, sale_id: int, user: CurrentUser, engine: Db, form: Form) -> Response:
    lang = lang_of(request)
    if not user.is_admin:
        return sale_page(request, sale_id, user, engine, status_code=403, error=tr("admin_only_cancel", lang))
    problem = cancellation.cancel_sale(engine, request.app.state.settings.secret_key, sale_id, user.id,
                                       text(form, "motivo", cancellation.REASON_MAX), text(form, "motivo_sat", 2) or None)
    if problem is not None:
        return sale_page(request, sale_id, user, engine, status_code=400, error=problem.text(lang))
    return sale_page(request, sale_id, user, engine, notice=tr("sale_cancelled", lang))


@router.post("/ventas/venta/{sale_id}/devolucion/{return_id}/deshacer")
def return_undo(request: Request, sale_id: int, return_id: int, user: CurrentUser, engine: Db,
                form: Form) -> Response:
    lang = lang_of(request)
    if not user.is_admin:
        return sale_page(request, sale_id, user, engine, status_code=403, error=tr("admin_only_cancel", lang))
    problem = cancellation.undo_return(engine, request.app.state.settings.secret_key, return_id, user.id,
                                       text(form, "motivo", cancellation.REASON_MAX), text(form, "motivo_sat", 2) or None)
    if problem is not None:
        return sale_page(request, sale_id, user, engine, status_code=400, error=problem.text(lang))
    return sale_page(request, sale_id, user, engine, notice=tr("return_undone", lang))


@router.get("/ventas-devoluciones")
def audit_list(request: Request, user: CurrentUser, engine: Db) -> Response:
    pg = max(1, int_or_none(request.query_params.get("pagina")) or 1)
    with read_tx(engine) as conn:
        rows = cancellation.audit_rows(conn, PAGE, (pg - 1) * PAGE)
        count = int(conn.execute(select(func.count()).select_from(returns)).scalar_one()) + int(
            conn.execute(select(func.count()).select_from(sale_cancellations)).scalar_one())
    return page(request, "returns.html", user, tab="devoluciones", rows=rows, count=count, pg=pg,
                pages=max(1, -(-count // PAGE)), folio=folio_label)
