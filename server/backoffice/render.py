"""Rendering back-office pages: the Jinja2 environment (autoescape on), page/redirect helpers, headers.

What it is for: every /erp response goes through `page()` or `redirect()`, so each one gets the session
cookie when it changed, the language, the CSRF token for forms, and a strict Content-Security-Policy (the
back office runs no script at all). What it must not do: query the database or decide access.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from poscore.money import format_mxn, format_qty
from server.shop_time import zone_label

from .auth import User, ensure_session, write_cookie
from .i18n import LANGS, device_dt, local_dt, tr

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")

# autoescape for every template whatever its extension: a product named <script> is shown as text.
_env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(default=True),
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["mxn"] = lambda v: "" if v is None else format_mxn(Decimal(v))
_env.filters["qty"] = lambda v, unit="kg": "" if v is None else format_qty(Decimal(v), unit)
_env.filters["local_dt"] = local_dt
_env.filters["device_dt"] = device_dt
_env.globals["shop_zone_label"] = zone_label  # called per page: the header names the zone every time shown is in
templates = Jinja2Templates(env=_env)


def lang_of(request: Request) -> str:
    """?lang=en|es switches and is remembered in the session; otherwise the session's, Spanish by default."""
    s = ensure_session(request)
    wanted = request.query_params.get("lang")
    if wanted in LANGS and wanted != s.lang:
        s.lang = wanted
        request.state.erp_session_dirty = True
    return s.lang


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def page(request: Request, template: str, user: User | None, status_code: int = 200, **context: Any) -> Response:
    lang = lang_of(request)
    s = ensure_session(request)

    def t(key: str, **params: object) -> str:
        return tr(key, lang, **params)

    def url_with(**changes: Any) -> str:
        """The current URL with some query parameters replaced (pagination keeps the filters)."""
        params = {k: v for k, v in request.query_params.items() if k != "lang"}
        params.update({k: str(v) for k, v in changes.items() if v is not None})
        return f"{request.url.path}?{urlencode(params)}"

    response = templates.TemplateResponse(request, template, {
        "user": user, "lang": lang, "t": t, "csrf_token": s.csrf, "path": request.url.path,
        "url_with": url_with, **context}, status_code=status_code)
    write_cookie(request, response)
    return _secure(response)


def redirect(request: Request, url: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    write_cookie(request, response)
    return _secure(response)


def plain(request: Request, response: Response) -> Response:
    write_cookie(request, response)
    return _secure(response)
