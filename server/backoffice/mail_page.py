"""Page: Datos fiscales → Correo (administrators only) — the shop's outgoing mail server, with which stamped CFDIs
are sent to customers who gave an email address, and a "send a test email" button.

What it is for: host, port, security (STARTTLS, SSL, none), user, password, sender address and name through
server/fiscal/smtp (the password sealed with the server secret, like the CSD key).
What it must not do: show the password again (an empty field keeps it), put it in an error or a log line, send a
password in clear text to another machine (security "none" with a user only to this machine), let a
non-administrator in.
"""
from __future__ import annotations

import re
from typing import Any

from cryptography.exceptions import InvalidTag
from fastapi import Request
from fastapi.responses import Response

from server.db.engine import read_tx, write_tx
from server.fiscal import smtp

from .auth import User
from .deps import CurrentUser, Db, Form, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page

router = make_router()
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,253})$|^\[[0-9A-Fa-f:.]+\]$")
_LOCAL = ("localhost", "127.0.0.1", "[::1]")


def _render(request: Request, user: User, engine: Any, status_code: int = 200, **extra: Any) -> Response:
    if not user.is_admin:
        return page(request, "message.html", user, status_code=403, message=tr("admin_only", lang_of(request)))
    with read_tx(engine) as conn:
        row = smtp.settings_row(conn)
    mail = {"host": row.host if row else "", "port": row.port if row else 587,
            "security": row.security if row else "starttls", "user": (row.username or "") if row else "",
            "sender": row.sender if row else "", "sender_name": (row.sender_name or "") if row else "",
            "has_password": bool(row and row.secret is not None)}
    return page(request, "mail.html", user, status_code=status_code, mail=mail, securities=smtp.SECURITIES,
                **extra)


@router.get("/fiscal/correo")
def mail_page(request: Request, user: CurrentUser, engine: Db) -> Response:
    return _render(request, user, engine)


def _problem(host: str, port: str, security: str, user: str, sender: str) -> str | None:
    if not host:
        return None  # removing the settings
    if not _HOST.match(host) or not port.isdigit() or not 0 < int(port) < 65536 or security not in smtp.SECURITIES:
        return "mail_invalid_server"
    if not smtp.valid_address(sender):
        return "mail_invalid_sender"
    if security == "none" and user and host.lower() not in _LOCAL:
        return "mail_clear_password"  # a password over plain SMTP crosses the network readable
    return None


@router.post("/fiscal/correo")
def save_mail(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    if not user.is_admin:
        return _render(request, user, engine)
    lang = lang_of(request)
    host, port, security = text(form, "host", 255), text(form, "port", 5), text(form, "security", 8)
    login, sender = text(form, "user", 255), text(form, "sender", 254)
    name = " ".join(text(form, "sender_name", 200).split())  # no line breaks into a header
    problem = _problem(host, port, security, login, sender)
    if problem is not None:
        return _render(request, user, engine, status_code=400, error=tr(problem, lang))
    password = form.get("password")
    with write_tx(engine) as conn:
        smtp.save(conn, request.app.state.settings.secret_key, host, int(port or 0), security, login,
                  password if isinstance(password, str) else None, sender, name)
    return _render(request, user, engine, notice=tr("saved", lang))


@router.post("/fiscal/correo/prueba")
def test_mail(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    """Sends one message now, in the request: the admin is waiting for the answer (smtp.TIMEOUT_S at most)."""
    if not user.is_admin:
        return _render(request, user, engine)
    lang = lang_of(request)
    to = text(form, "to", 254)
    try:
        with read_tx(engine) as conn:
            config = smtp.config(conn, request.app.state.settings.secret_key)
    except InvalidTag:
        return _render(request, user, engine, status_code=400, error=tr("mail_unreadable", lang))
    if config is None:
        return _render(request, user, engine, status_code=400, error=tr("mail_missing", lang))
    to = to or config.sender
    if not smtp.valid_address(to):
        return _render(request, user, engine, status_code=400, error=tr("mail_invalid_to", lang))
    try:
        smtp.send(config, smtp.test_message(config, to))
    except smtp.SendFailed as exc:
        return _render(request, user, engine, status_code=502, error=tr("mail_test_failed", lang, reason=exc.message))
    return _render(request, user, engine, notice=tr("mail_test_sent", lang, to=to))
