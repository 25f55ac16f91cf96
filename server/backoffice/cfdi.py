"""Pages: Ventas → CFDI — each factura's CFDI state, UUID, the PAC's code and message, XML and PDF downloads,
a filter by state, Reintentar after fixing the customer, Cancelar with the SAT motive (01–04), and whether the
CFDI went to the customer by email (enviado, error with the reason, sin correo) with Reenviar after a failure.

What it is for: showing and steering server/fiscal/jobs from the back office. The PDF is satcfdi's rendering
of the stored XML (with the SAT verification QR once stamped).
What it must not do: build or stamp CFDIs in the request (the background job does), or change the sale.
"""
from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import func, or_, select

from poscore.numbering import folio_label
from server.db.engine import read_tx
from server.db.schema import cfdis, customers, returns, sales
from server.fiscal import delivery, jobs, store
from server.fiscal import worker as fiscal_worker
from server.fiscal.pac import MOTIVES

from .deps import CurrentUser, Db, Form, NotFound, int_or_none, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page, plain

router = make_router()
STATES = ("pendiente", "sellada", "timbrada", "rechazada", "cancelada")
PAGE = 50


def _listing(request: Request, user: CurrentUser, engine: Db, status_code: int = 200, **extra: object) -> Response:
    state = request.query_params.get("estado") or ""
    pg = max(1, int_or_none(request.query_params.get("pagina")) or 1)
    query = (select(cfdis.c.id, cfdis.c.state, cfdis.c.uuid, cfdis.c.error_code, cfdis.c.error_message,
                    cfdis.c.updated_at, cfdis.c.mail_state, cfdis.c.mail_to, cfdis.c.mail_error,
                    cfdis.c.mail_next_at, cfdis.c.mail_sent_at, sales.c.id.label("sale_id"), sales.c.series, sales.c.folio,
                    func.coalesce(returns.c.total, sales.c.total).label("total"),
                    customers.c.name.label("customer"), customers.c.rfc,
                    returns.c.series.label("return_series"), returns.c.folio.label("return_folio"))
             .select_from(cfdis).outerjoin(returns, returns.c.id == cfdis.c.return_id)
             # A return's egreso against a global names no sale of its own: its return's sale is the one shown.
             .join(sales, sales.c.id == func.coalesce(cfdis.c.sale_id, returns.c.sale_id))
             .outerjoin(customers, customers.c.id == sales.c.customer_id))
    listed = or_(cfdis.c.sale_id.is_not(None), cfdis.c.return_id.is_not(None))
    count = select(func.count()).select_from(cfdis).where(listed)
    if state in STATES:
        query = query.where(cfdis.c.state == state)
        count = count.where(cfdis.c.state == state)
    with read_tx(engine) as conn:
        rows = list(conn.execute(query.order_by(cfdis.c.id.desc()).limit(PAGE).offset((pg - 1) * PAGE)))
        total = int(conn.execute(count).scalar_one())
        # The globals have their own tab (Factura global); these counts are the listing's, sales' CFDIs only.
        counts: dict[str, int] = dict(conn.execute(select(cfdis.c.state, func.count()).where(
            listed).group_by(cfdis.c.state)).all())
        pac_missing = store.pac_config_missing(conn)
    return page(request, "cfdis.html", user, status_code=status_code, tab="cfdi", rows=rows, state=state,
                states=STATES, counts=counts, pg=pg, pages=max(1, -(-total // PAGE)), folio=folio_label,
                motives=MOTIVES, pac_missing=pac_missing, **extra)


@router.get("/ventas-cfdi")
def cfdi_list(request: Request, user: CurrentUser, engine: Db) -> Response:
    return _listing(request, user, engine)


def _xml(engine: Db, cfdi_id: int) -> tuple[str, str]:
    with read_tx(engine) as conn:
        row = conn.execute(select(cfdis.c.xml, sales.c.series, sales.c.folio).select_from(cfdis)
                           .outerjoin(returns, returns.c.id == cfdis.c.return_id)
                           .join(sales, sales.c.id == func.coalesce(cfdis.c.sale_id, returns.c.sale_id))
                           .where(cfdis.c.id == cfdi_id)).first()
    if row is None or not row.xml:
        raise NotFound()
    return row.xml, f"{row.series}{row.folio}"


@router.get("/ventas-cfdi/{cfdi_id}.xml")
def cfdi_xml(request: Request, cfdi_id: int, user: CurrentUser, engine: Db) -> Response:
    xml, name = _xml(engine, cfdi_id)
    return plain(request, Response(xml.encode(), media_type="application/xml",
                                   headers={"Content-Disposition": f'attachment; filename="{name}.xml"'}))


@router.get("/ventas-cfdi/{cfdi_id}.pdf")
def cfdi_pdf(request: Request, cfdi_id: int, user: CurrentUser, engine: Db) -> Response:
    from satcfdi import render  # weasyprint loads pango: only when a PDF is asked for
    from satcfdi.cfdi import CFDI

    xml, name = _xml(engine, cfdi_id)
    pdf = render.pdf_bytes(CFDI.from_string(xml.encode()))
    return plain(request, Response(pdf, media_type="application/pdf",
                                   headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'}))


@router.post("/ventas-cfdi/{cfdi_id}/reintentar")
def cfdi_retry(request: Request, cfdi_id: int, user: CurrentUser, engine: Db) -> Response:
    lang = lang_of(request)
    if not jobs.retry(engine, cfdi_id):
        raise NotFound()
    fiscal_worker.wake(request)
    return _listing(request, user, engine, notice=tr("retry_done", lang))


def cancel_and_show(request: Request, cfdi_id: int, user: CurrentUser, engine: Db, form: Form,
                    show: Callable[..., Response]) -> Response:
    """Cancelar from any page that lists CFDIs (this one, Factura global): admins only, the SAT motive from the
    form, then `show` renders the calling page with the refusal or the notice."""
    lang = lang_of(request)
    if not user.is_admin:
        return show(request, user, engine, status_code=403, error=tr("admin_only", lang))
    problem = jobs.cancel(engine, request.app.state.settings.secret_key, cfdi_id, text(form, "motivo", 2))
    if problem is not None:
        return show(request, user, engine, status_code=400, error=problem)
    return show(request, user, engine, notice=tr("cancel_done", lang))


@router.post("/ventas-cfdi/{cfdi_id}/cancelar")
def cfdi_cancel(request: Request, cfdi_id: int, user: CurrentUser, engine: Db, form: Form) -> Response:
    return cancel_and_show(request, cfdi_id, user, engine, form, _listing)


@router.post("/ventas-cfdi/{cfdi_id}/reenviar")
def cfdi_resend(request: Request, cfdi_id: int, user: CurrentUser, engine: Db) -> Response:
    if not delivery.resend(engine, cfdi_id):
        raise NotFound()
    fiscal_worker.wake(request)
    return _listing(request, user, engine, notice=tr("mail_resend_done", lang_of(request)))
