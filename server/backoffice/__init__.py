"""The back office under /erp/: server-rendered pages for sales, catalog, customers, terminals and CSV import.

What it is for: `mount_backoffice(app)` includes the page routers, the stylesheet and icon at /erp/static/ (and /favicon.ico), and the
handlers that turn "not signed in" into a redirect to the login page and a missing CSRF token into 403.
Called by create_app before the POS static mount (which answers every path not taken earlier).
What it must not do: serve or authorize /api (terminal endpoints never look at the back-office session),
or compute money and taxes (poscore does; pages only format with poscore.money).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from server.shop_time import shop_zone

from . import (
    account,
    autofactura_public,
    cashiers,
    certificate,
    cfdi,
    customers,
    fiscal,
    global_page,
    imports,
    login,
    mail_page,
    products,
    returns,
    sales,
    terminals,
)
from .auth import CsrfFailed, LoginRequired, ReadOnly
from .deps import NotFound
from .i18n import tr
from .render import lang_of, page, redirect

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def mount_backoffice(app: FastAPI) -> None:
    shop_zone()  # a misspelt CAJA_TIMEZONE stops the server at start, not on the first page with a time
    for module in (login, account, sales, returns, products, customers, terminals, cashiers, certificate, imports,
                   fiscal, mail_page, cfdi, global_page, autofactura_public):
        app.include_router(module.router)
    app.mount("/erp/static", StaticFiles(directory=STATIC_DIR), name="erp-static")

    # Browsers ask for /favicon.ico at the origin's root whatever the page says; the POS names its own icon.
    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, "/erp/login?next=" + quote(target, safe=""))

    @app.exception_handler(CsrfFailed)
    async def _csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        return page(request, "message.html", None, status_code=403, message=tr("csrf_failed", lang_of(request)))

    @app.exception_handler(ReadOnly)
    async def _read_only(request: Request, _exc: ReadOnly) -> Response:
        return page(request, "message.html", None, status_code=403, message=tr("read_only", lang_of(request)))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, _exc: NotFound) -> Response:
        return page(request, "message.html", None, status_code=404, message=tr("not_found", lang_of(request)))
