"""Page: Ventas → Factura global — choose a branch and a period, preview the remisiones and totals it takes (those synced
late from earlier periods marked), issue it, see the globals issued (state, UUID, XML/PDF), replace a stamped
one (motive 01; the substitute related 04 leaves out the folios given) or cancel it (02–04), and the settings
(periodicidad, issue automatically). A banner while a closed period has remisiones without a global past the
deadline (regla 2.7.1.21).

What it is for: steering server/fiscal/global_cfdi and global_schedule from the back office.
What it must not do: seal or stamp in the request (the CFDI job does), or choose remisiones itself.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import func, select

from server.db.engine import read_tx, utcnow, write_tx
from server.db.schema import cfdi_sales, cfdis, sales
from server.fiscal import global_cfdi, global_schedule, store
from server.fiscal import worker as fiscal_worker
from server.fiscal.build import CfdiError, zone_of
from server.fiscal.global_cfdi import GlobalError
from server.fiscal.pac import MOTIVES
from server.fiscal.periods import PERIODICIDADES, PeriodError, allowed, period_of

from .auth import User
from .cfdi import cancel_and_show
from .deps import CurrentUser, Db, Form, NotFound, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page, plain

router = make_router()


def overdue_banner(conn: Any, lang: str) -> str | None:
    """The warning shown on Remisiones and here, one sentence per branch that is late, or None."""
    if store.emisor(conn) is None:
        return None
    found = global_schedule.overdue_branches(conn, global_schedule.settings_of(conn).periodicidad, utcnow())
    if not found:
        return None
    several = len(store.branches(conn)) > 1
    return " ".join((f"{branch.name}: " if several else "")
                    + tr("global_overdue", lang, period=period.label(), count=count)
                    for branch, period, count in found)


def _branch(conn: Any, raw: str | None) -> store.Branch | None:
    """The chosen branch (the first one when none is chosen); None for an unknown id."""
    branches = store.branches(conn)
    if not raw:
        return branches[0] if branches else None
    try:
        return next((b for b in branches if b.id == int(raw)), None)
    except ValueError:
        return None


def _issued(conn: Any) -> list[Any]:
    count = (select(func.count()).select_from(cfdi_sales)
             .where(cfdi_sales.c.cfdi_id == cfdis.c.id).scalar_subquery())
    amount = (select(func.coalesce(func.sum(sales.c.total), 0)).select_from(cfdi_sales)
              .join(sales, sales.c.id == cfdi_sales.c.sale_id)
              .where(cfdi_sales.c.cfdi_id == cfdis.c.id).scalar_subquery())
    return list(conn.execute(select(cfdis.c.id, cfdis.c.period_key, cfdis.c.branch_id, cfdis.c.state, cfdis.c.uuid,
                                    cfdis.c.replaces_id,
                                    cfdis.c.error_code, cfdis.c.error_message, count.label("tickets"),
                                    amount.label("amount"))
                             .where(cfdis.c.kind == "global").order_by(cfdis.c.id.desc()).limit(100)))


def _render(request: Request, user: User, engine: Db, status_code: int = 200, **extra: Any) -> Response:
    lang = lang_of(request)
    q = request.query_params
    with read_tx(engine) as conn:
        emisor = store.emisor(conn)
        settings = global_schedule.settings_of(conn)
        preview = None
        kind = q.get("periodicidad") or settings.periodicidad
        branches = store.branches(conn)
        branch = _branch(conn, q.get("sucursal"))
        if emisor is None or branch is None:
            extra.setdefault("error", tr("invalid_emisor", lang))
        else:
            try:
                zone = zone_of(branch.lugar_expedicion)  # the branch's own day boundaries
                day = date.fromisoformat(q["fecha"]) if q.get("fecha") else None
                period = period_of(kind, day) if day else global_schedule.last_closed(kind, utcnow(), zone)
                preview = global_cfdi.preview(conn, period, zone, branch.id)
            except (ValueError, PeriodError, CfdiError):
                extra.setdefault("error", tr("global_bad_period", lang))
        issued = _issued(conn)
        banner = overdue_banner(conn, lang)
    return page(request, "global.html", user, status_code=status_code, tab="global", preview=preview,
                periodicidades=PERIODICIDADES, kind=kind, settings=settings, issued=issued, banner=banner,
                branches=branches, branch=branch, branch_names={b.id: b.name for b in branches},
                motives={k: v for k, v in MOTIVES.items() if k != "01"}, regimen=emisor.regimen_fiscal if emisor else "",
                label_of=lambda key: global_cfdi.parse_key(key).label() if key else "", **extra)


@router.get("/ventas-global")
def global_page(request: Request, user: CurrentUser, engine: Db) -> Response:
    return _render(request, user, engine)


@router.post("/ventas-global/emitir")
def global_issue(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    lang = lang_of(request)
    if not user.is_admin:
        return _render(request, user, engine, status_code=403, error=tr("admin_only", lang))
    with read_tx(engine) as conn:
        emisor = store.emisor(conn)
        branch = _branch(conn, text(form, "sucursal", 12))
    kind = text(form, "periodicidad", 2)
    try:
        if emisor is None or branch is None:
            raise CfdiError(tr("invalid_emisor", lang))
        if not allowed(kind, emisor.regimen_fiscal):
            raise PeriodError(tr("global_bad_period", lang))
        period = period_of(kind, date.fromisoformat(text(form, "fecha", 10)))
        global_cfdi.issue(engine, period, zone_of(branch.lugar_expedicion), utcnow(), branch.id)
    except (ValueError, GlobalError, CfdiError) as exc:
        return _render(request, user, engine, status_code=400, error=str(exc))
    fiscal_worker.wake(request)
    return _render(request, user, engine, notice=tr("global_issued", lang, period=period.label()))


@router.post("/ventas-global/{cfdi_id}/sustituir")
def global_replace(request: Request, cfdi_id: int, user: CurrentUser, engine: Db, form: Form) -> Response:
    lang = lang_of(request)
    if not user.is_admin:
        return _render(request, user, engine, status_code=403, error=tr("admin_only", lang))
    folios = {f.strip().upper() for f in text(form, "excluir", 2000).replace(",", " ").split() if f.strip()}
    with read_tx(engine) as conn:
        rows = conn.execute(select(sales.c.id, sales.c.series, sales.c.folio)
                            .join(cfdi_sales, cfdi_sales.c.sale_id == sales.c.id)
                            .where(cfdi_sales.c.cfdi_id == cfdi_id, cfdi_sales.c.released_at.is_(None)))
        exclude = {int(r.id) for r in rows if f"{r.series}-{r.folio}" in folios}
    try:
        global_cfdi.replace(engine, cfdi_id, exclude, utcnow())
    except GlobalError as exc:
        return _render(request, user, engine, status_code=400, error=str(exc))
    fiscal_worker.wake(request)
    return _render(request, user, engine, notice=tr("global_replaced", lang))


@router.post("/ventas-global/{cfdi_id}/cancelar")
def global_cancel(request: Request, cfdi_id: int, user: CurrentUser, engine: Db, form: Form) -> Response:
    return cancel_and_show(request, cfdi_id, user, engine, form, _render)


@router.post("/ventas-global/ajustes")
def global_settings(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    lang = lang_of(request)
    if not user.is_admin:
        return _render(request, user, engine, status_code=403, error=tr("admin_only", lang))
    with write_tx(engine) as conn:
        emisor = store.emisor(conn)
        ok = emisor is not None and global_schedule.save(conn, text(form, "periodicidad", 2),
                                                         form.get("auto") == "1", emisor.regimen_fiscal,
                                                         text(form, "autofactura_url", 300),
                                                         form.get("egreso") == "1")
    if not ok:
        return _render(request, user, engine, status_code=400, error=tr("global_bad_period", lang))
    fiscal_worker.wake(request)
    return _render(request, user, engine, notice=tr("saved", lang))


def _xml(engine: Db, cfdi_id: int) -> str:
    with read_tx(engine) as conn:
        xml = conn.execute(select(cfdis.c.xml).where(cfdis.c.id == cfdi_id, cfdis.c.kind == "global")).scalar()
    if not xml:
        raise NotFound()
    return str(xml)


@router.get("/ventas-global/{cfdi_id}.xml")
def global_xml(request: Request, cfdi_id: int, user: CurrentUser, engine: Db) -> Response:
    return plain(request, Response(_xml(engine, cfdi_id).encode(), media_type="application/xml",
                                   headers={"Content-Disposition": f'attachment; filename="G-{cfdi_id}.xml"'}))


@router.get("/ventas-global/{cfdi_id}.pdf")
def global_pdf(request: Request, cfdi_id: int, user: CurrentUser, engine: Db) -> Response:
    from satcfdi import render  # weasyprint loads pango: only when a PDF is asked for
    from satcfdi.cfdi import CFDI

    pdf = render.pdf_bytes(CFDI.from_string(_xml(engine, cfdi_id).encode()))
    return plain(request, Response(pdf, media_type="application/pdf",
                                   headers={"Content-Disposition": f'attachment; filename="G-{cfdi_id}.pdf"'}))
