"""Page: Datos fiscales (administrators only) — the emisor, each branch's LugarExpedicion (its CP, which fixes
its time zone), the CSD upload and the PAC settings.

What it is for: the shop's fiscal set-up through server/fiscal (check_csd refuses a FIEL, another RFC, an
expired certificate, a wrong password or a foreign key with a plain message; store keeps the key encrypted).
What it must not do: show, export or log the private key, its password or the PAC's secret; let a
non-administrator in.
"""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from poscore.customer import REGIMENES_FISCALES, normalize_rfc, validate_rfc
from server.db.engine import read_tx, utcnow, write_tx
from server.fiscal import store
from server.fiscal import worker as fiscal_worker
from server.fiscal.build import CfdiError, zone_of
from server.fiscal.certificate import CsdRefused, check_csd
from server.fiscal.pac import PACS

from .auth import User
from .deps import CurrentUser, Db, Form, text
from .deps import router as make_router
from .i18n import local_dt, tr
from .render import lang_of, page

router = make_router()
MAX_FILE = 64 * 1024  # a .cer or .key is about 1–2 KB


def _render(request: Request, user: User, engine: Any, status_code: int = 200, **extra: Any) -> Response:
    lang = lang_of(request)
    if not user.is_admin:
        return page(request, "message.html", user, status_code=403, message=tr("admin_only", lang))
    now = utcnow()
    with read_tx(engine) as conn:
        emisor = store.emisor(conn)
        csd = store.csd_status(conn)
        row = store.settings_row(conn)
        branches = [(b, _zone_name(b.lugar_expedicion)) for b in store.branches(conn)]
    warning = None
    if csd is not None:
        if csd.not_after < now:
            warning = tr("csd_expired", lang, date=local_dt(csd.not_after))
        elif (csd.not_after - now).days < 30:
            warning = tr("csd_expires_soon", lang, date=local_dt(csd.not_after))
    pac = {"name": row.pac if row else "", "user": (row.pac_user or "") if row else "",
           "production": bool(row.pac_production) if row else False, "url": (row.pac_url or "") if row else "",
           "configured": bool(row and row.pac and row.pac_secret)}
    return page(request, "fiscal.html", user, status_code=status_code, emisor=emisor, csd=csd, warning=warning,
                pac=pac, pacs=PACS, regimenes=sorted(REGIMENES_FISCALES), branches=branches, **extra)


def _zone_name(cp: str) -> str:
    try:
        return zone_of(cp).key if cp else ""
    except CfdiError:
        return ""


@router.get("/fiscal")
def fiscal_page(request: Request, user: CurrentUser, engine: Db) -> Response:
    return _render(request, user, engine)


@router.post("/fiscal/emisor")
def save_emisor(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    if not user.is_admin:
        return _render(request, user, engine)
    lang = lang_of(request)
    rfc = normalize_rfc(text(form, "rfc", 13))
    name, regimen, cp = text(form, "nombre", 300), text(form, "regimen", 3), text(form, "cp", 5)
    try:
        zone_of(cp)  # the CP must exist in the SAT's c_CodigoPostal (it fixes the CFDI's time zone)
    except CfdiError:
        cp = ""
    if validate_rfc(rfc) or not name or regimen not in REGIMENES_FISCALES or not cp:
        return _render(request, user, engine, status_code=400, error=tr("invalid_emisor", lang))
    with write_tx(engine) as conn:
        store.save_emisor(conn, rfc, name.upper(), regimen, cp)
    return _render(request, user, engine, notice=tr("saved", lang))


@router.post("/fiscal/sucursal")
def save_branch(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    """A branch's CP of issue; empty = the shop's. It must be in the SAT's c_CodigoPostal (its time zone)."""
    if not user.is_admin:
        return _render(request, user, engine)
    lang = lang_of(request)
    cp = text(form, "cp", 5)
    try:
        branch_id = int(text(form, "sucursal", 12))
        if cp:
            zone_of(cp)
    except (ValueError, CfdiError):
        return _render(request, user, engine, status_code=400, error=tr("invalid_branch_cp", lang))
    with write_tx(engine) as conn:
        if not store.save_branch_cp(conn, branch_id, cp or None):
            return _render(request, user, engine, status_code=400, error=tr("invalid_branch_cp", lang))
    return _render(request, user, engine, notice=tr("saved", lang))


def _file(form: FormData, name: str) -> bytes:
    upload = form.get(name)
    if isinstance(upload, UploadFile) and upload.filename:
        return upload.file.read(MAX_FILE + 1)[:MAX_FILE + 1]
    return b""


@router.post("/fiscal/csd")
def upload_csd(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    if not user.is_admin:
        return _render(request, user, engine)
    lang = lang_of(request)
    secret: str = request.app.state.settings.secret_key
    cer, key = _file(form, "cer"), _file(form, "key")
    password = form.get("password")
    with read_tx(engine) as conn:
        emisor = store.emisor(conn)
    if emisor is None:
        return _render(request, user, engine, status_code=400, error=tr("invalid_emisor", lang))
    try:
        info, der = check_csd(cer, key, password if isinstance(password, str) else "", emisor.rfc)
    except CsdRefused as exc:
        return _render(request, user, engine, status_code=400, error=exc.message)
    with write_tx(engine) as conn:
        store.save_csd(conn, secret, info, cer, der)
    return _render(request, user, engine,
                   notice=tr("csd_saved", lang, number=info.number, date=local_dt(info.not_after)))


@router.post("/fiscal/pac")
def save_pac(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    if not user.is_admin:
        return _render(request, user, engine)
    lang = lang_of(request)
    name = text(form, "pac", 20)
    if name and name not in PACS:
        name = ""
    url = text(form, "url", 300)
    if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        url = ""  # credentials travel only over TLS, or to this machine
    secret_value = form.get("secret")
    with write_tx(engine) as conn:
        store.save_pac(conn, request.app.state.settings.secret_key, name, text(form, "user", 200),
                       secret_value if isinstance(secret_value, str) else None, form.get("production") == "1", url)
    fiscal_worker.wake(request)
    return _render(request, user, engine, notice=tr("saved", lang))
