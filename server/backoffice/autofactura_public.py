"""Page: the public self-invoicing page (no login) at /erp/autofactura — a customer types the ticket's code (or
arrives from its QR with it filled in) and the total, then RFC, name, CP, régimen and UsoCFDI, and gets the
CFDI of that purchase, PDF and XML, on a page that waits for the stamp.

What it is for: turning a remisión into its customer's factura (server/fiscal/autofactura_cfdi; the CFDI job seals
and stamps it). The customer's data is checked with poscore's rules (RFC shape, régimen–UsoCFDI matrix of SAT's
c_UsoCFDI) and the CP against the SAT catalogue. A wrong code or total, a ticket not synced yet or cancelled at
the till all get the same answer, so the page tells nothing about any ticket; attempts are throttled per client
address (server/peer.py) and per code. The deadline is the sale's calendar month. A ticket already in a stamped
global gets an egreso E/01 against the global for that ticket and then its factura when the shop's setting says
so; otherwise (and while the global is not stamped yet) a clear refusal.
What it must not do: show anything of a sale but its own CFDI, or give a CFDI's files without its link's token.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from poscore.autofactura import normalize_code
from poscore.customer import REGIMENES_FISCALES, USOS_CFDI, Customer, factura_ready, normalize_rfc
from poscore.messages import t as poscore_t
from poscore.money import InvalidNumber
from poscore.typed import parse_typed
from server.api.throttle import FailureLimiter
from server.db.engine import read_tx, utcnow
from server.db.schema import cfdis
from server.fiscal import autofactura_cfdi, global_schedule, smtp, store
from server.fiscal import worker as fiscal_worker
from server.fiscal.build import CfdiError, zone_of
from server.fiscal.periods import local_day
from server.peer import client_address

from .deps import Db, Form, NotFound, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page, plain

router = make_router()
_lock = threading.Lock()


def _limiters(request: Request) -> tuple[FailureLimiter, FailureLimiter]:
    """Per app (tests run several apps in one process): by client address, and by ticket code."""
    state = request.app.state
    with _lock:
        if getattr(state, "autofactura_limiters", None) is None:
            state.autofactura_limiters = (FailureLimiter(10, 600.0), FailureLimiter(5, 3600.0))
        return state.autofactura_limiters  # type: ignore[no-any-return]


def link_token(secret: str, cfdi_id: int) -> str:
    """The capability in a self-invoiced CFDI's link: only who asked for it (or got the link) can download it."""
    return hmac.new(secret.encode(), f"autofactura|{cfdi_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _form_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    values = {"c": request.query_params.get("c", "")[:20], **extra.pop("values", {})}
    with read_tx(request.app.state.engine) as conn:
        mails = smtp.configured(conn)  # without a mail server the form says the files are downloaded here
    return page(request, "autofactura.html", None, status_code=status_code, values=values,
                regimenes=sorted(REGIMENES_FISCALES), usos=sorted(USOS_CFDI), mails=mails, **extra)


@router.get("/autofactura")
def autofactura_form(request: Request) -> Response:
    return _form_page(request)


@router.post("/autofactura")
def autofactura_submit(request: Request, engine: Db, form: Form) -> Response:
    lang = lang_of(request)
    values = {k: text(form, k, 300) for k in ("c", "total", "rfc", "nombre", "cp", "regimen", "uso", "email")}
    by_address, by_code = _limiters(request)
    address = client_address(request)
    code = normalize_code(values["c"])
    if not by_address.attempt(address) or (code is not None and by_code.blocked(code)):
        return _form_page(request, 429, values=values, error=tr("af_throttled", lang))
    try:
        total = parse_typed(values["total"])  # the rule the till and the other forms read amounts by
        if total != total.quantize(Decimal("0.01")) or total <= 0 or total >= Decimal(10) ** 12:
            raise InvalidOperation
    except (InvalidNumber, InvalidOperation):
        total = None  # type: ignore[assignment]
    rfc = normalize_rfc(values["rfc"])
    customer = Customer(values["nombre"].upper(), rfc=rfc or None, regimen_fiscal=values["regimen"] or None,
                        codigo_postal=values["cp"] or None, uso_cfdi=values["uso"] or None,
                        email=values["email"] or None)
    problems = [poscore_t(p, lang) for p in factura_ready(customer)]
    try:
        if customer.codigo_postal:
            zone_of(customer.codigo_postal)
    except CfdiError:
        problems.append(tr("af_bad_cp", lang))
    if customer.email and not smtp.valid_address(customer.email):
        problems.append(tr("af_bad_email", lang))  # it would only fail later, when the factura is mailed
    if problems:
        by_address.succeeded(address)  # a typo in the customer's own data is not a guess at a ticket
        return _form_page(request, 400, values=values, error="; ".join(problems))
    with read_tx(engine) as conn:
        sale = autofactura_cfdi.find_sale(conn, code, total) if code and total else None
        emisor = store.emisor(conn)
        cover = autofactura_cfdi.cover_of(conn, sale.id) if sale is not None else None
    if sale is None or emisor is None:
        if code is not None:
            by_code.fail(code)
        return _form_page(request, 404, values=values, error=tr("af_not_found", lang))
    by_address.succeeded(address)
    zone = zone_of(emisor.lugar_expedicion)
    sold, today = local_day(sale.device_time, zone), utcnow().astimezone(zone).date()
    if (sold.year, sold.month) != (today.year, today.month):
        return _form_page(request, 400, values=values, error=tr("af_too_late", lang))
    secret: str = request.app.state.settings.secret_key
    if cover is not None:
        if cover.kind == "autofactura" and cover.receptor and f'"rfc": "{rfc}"' in cover.receptor:
            return _status(request, engine, cover.id, link_token(secret, cover.id))  # asked again: same CFDI
        with read_tx(engine) as conn:
            egreso = global_schedule.settings_of(conn).autofactura_egreso
        if not (cover.kind == "global" and cover.state == "timbrada" and egreso):
            key = "af_in_global" if cover.kind == "global" else "af_already"
            return _form_page(request, 409, values=values, error=tr(key, lang))
    try:
        if cover is not None:  # in a stamped global, and the shop takes it out with an egreso E/01
            cfdi_id = autofactura_cfdi.request_after_global(engine, sale.id, cover.id, customer, utcnow())
        else:
            cfdi_id = autofactura_cfdi.request(engine, sale.id, customer, utcnow())
    except autofactura_cfdi.AlreadyInvoiced:
        return _form_page(request, 409, values=values, error=tr("af_already", lang))
    fiscal_worker.wake(request)
    return _status(request, engine, cfdi_id, link_token(secret, cfdi_id))


def _row(request: Request, engine: Db, cfdi_id: int, token: str) -> Any:
    if not hmac.compare_digest(token, link_token(request.app.state.settings.secret_key, cfdi_id)):
        raise NotFound()
    with read_tx(engine) as conn:
        row = conn.execute(select(cfdis.c.id, cfdis.c.state, cfdis.c.uuid, cfdis.c.xml, cfdis.c.error_message,
                                  cfdis.c.mail_state, cfdis.c.mail_to)
                           .where(cfdis.c.id == cfdi_id, cfdis.c.kind == "autofactura")).first()
    if row is None:
        raise NotFound()
    return row


def _status(request: Request, engine: Db, cfdi_id: int, token: str) -> Response:
    row = _row(request, engine, cfdi_id, token)
    return page(request, "autofactura_status.html", None, row=row, token=token)


@router.get("/autofactura/{cfdi_id}/{token}")
def autofactura_status(request: Request, cfdi_id: int, token: str, engine: Db) -> Response:
    return _status(request, engine, cfdi_id, token[:64])


@router.get("/autofactura/{cfdi_id}/{token}/factura.xml")
def autofactura_xml(request: Request, cfdi_id: int, token: str, engine: Db) -> Response:
    row = _row(request, engine, cfdi_id, token[:64])
    if row.state != "timbrada":
        raise NotFound()
    return plain(request, Response(row.xml.encode(), media_type="application/xml",
                                   headers={"Content-Disposition": f'attachment; filename="{row.uuid}.xml"'}))


@router.get("/autofactura/{cfdi_id}/{token}/factura.pdf")
def autofactura_pdf(request: Request, cfdi_id: int, token: str, engine: Db) -> Response:
    from satcfdi import render  # weasyprint loads pango: only when a PDF is asked for
    from satcfdi.cfdi import CFDI

    row = _row(request, engine, cfdi_id, token[:64])
    if row.state != "timbrada":
        raise NotFound()
    pdf = render.pdf_bytes(CFDI.from_string(row.xml.encode()))
    return plain(request, Response(pdf, media_type="application/pdf",
                                   headers={"Content-Disposition": f'attachment; filename="{row.uuid}.pdf"'}))
