"""The shop's outgoing mail server: its settings (`mail_settings` row 1) and sending one message through it.

What it is for: `save(conn, secret, ...)`, `settings_row(conn)` (what a page may show), `config(conn, secret)` for
whoever sends, `send(config, message)` over SMTP with STARTTLS, implicit TLS (SSL) or neither, and
`test_message(config, to)` for the back office's "send a test email". Python's smtplib and email only.
What it must not do: show, return to a page or log the password (it is sealed with the server secret like the
CSD key, `vault.py`); put the password in an error text; let a refusal after the server accepted the message
look like a failure (that would send it twice).
"""
from __future__ import annotations

import base64
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from sqlalchemy import Connection, select

from server.db.engine import utcnow
from server.db.schema import mail_settings

from .vault import open_key, seal_key

ROW_ID = 1
SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT_S = 20.0
# One plain address, nothing a header could be split on (CR/LF, commas, angle brackets).
_ADDRESS = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def valid_address(address: str | None) -> bool:
    return bool(address) and len(address or "") <= 254 and _ADDRESS.match(address or "") is not None


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls, ssl, none
    user: str
    password: str
    sender: str
    sender_name: str

    def __repr__(self) -> str:  # a config in a traceback or a log line never carries the password
        return f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security!r}, user={self.user!r})"


class SendFailed(Exception):
    """The message was not accepted. `permanent`: the server refused the recipient for good (5xx)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.message, self.permanent = message, permanent


def settings_row(conn: Connection) -> Any:
    return conn.execute(select(mail_settings).where(mail_settings.c.id == ROW_ID)).first()


def configured(conn: Connection) -> bool:
    row = settings_row(conn)
    return row is not None and bool(row.host) and bool(row.sender)


def save(conn: Connection, secret: str, host: str, port: int, security: str, user: str, password: str | None,
         sender: str, sender_name: str) -> None:
    """An empty password keeps the stored one (it is never shown back); an empty host removes the settings."""
    if not host:
        conn.execute(mail_settings.delete().where(mail_settings.c.id == ROW_ID))
        return
    values: dict[str, Any] = {"host": host, "port": port, "security": security, "username": user or None,
                              "sender": sender, "sender_name": sender_name or None, "updated_at": utcnow()}
    if password:
        values["secret"] = seal_key(secret, password.encode())
    if not user:
        values["secret"] = None  # no user: no login, so no password kept
    if settings_row(conn) is None:
        conn.execute(mail_settings.insert().values(id=ROW_ID, **values))
    else:
        conn.execute(mail_settings.update().where(mail_settings.c.id == ROW_ID).values(**values))


def config(conn: Connection, secret: str) -> SmtpConfig | None:
    """None without settings. Raises ``cryptography.exceptions.InvalidTag`` when the password was sealed under
    another server secret."""
    row = settings_row(conn)
    if row is None or not row.host or not row.sender:
        return None
    password = open_key(secret, bytes(row.secret)).decode() if row.secret is not None else ""
    return SmtpConfig(row.host, int(row.port), row.security, row.username or "", password, row.sender,
                      row.sender_name or "")


def new_message(config: SmtpConfig, to: str, subject: str, body: str, message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((config.sender_name, config.sender)) if config.sender_name else config.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    # A Message-ID fixed per CFDI: should a message ever be sent again (a crash between the server's "250 OK" and
    # our commit), mail systems that collapse duplicates by Message-ID show it once.
    msg["Message-ID"] = message_id or make_msgid(domain=config.sender.rpartition("@")[2] or None)
    msg.set_content(body)
    return msg


def _clean(text: str, config: SmtpConfig) -> str:
    return (text.replace(config.password, "***") if config.password else text)[:280]


def send(config: SmtpConfig, msg: EmailMessage) -> None:
    """Hands the message to the server; raises SendFailed (the reason without the password) unless accepted."""
    context = ssl.create_default_context()
    try:
        if config.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT_S, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_S)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(_clean(f"No se pudo conectar con {config.host}:{config.port}: {exc}", config)) from None
    try:
        if config.security == "starttls":
            smtp.starttls(context=context)
        if config.user:
            _login(smtp, config.user, config.password)
        refused = smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        reason = "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values())
        raise SendFailed(_clean(f"El servidor rechazó la dirección: {reason}", config),
                         permanent=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendFailed(_clean(f"Usuario o contraseña de correo rechazados ({exc.smtp_code})", config)) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise SendFailed(_clean(f"El servidor de correo respondió {exc.smtp_code} {text}", config)) from None
    except (OSError, smtplib.SMTPException, ssl.SSLError, UnicodeError) as exc:
        raise SendFailed(_clean(f"Error con el servidor de correo: {exc}", config)) from None
    finally:
        _quit(smtp)
    if refused:  # only with several recipients; we send to one
        raise SendFailed(_clean(f"El servidor rechazó: {refused}", config), permanent=True)


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    try:
        smtp.login(user, password)
    except UnicodeEncodeError:
        # smtplib encodes credentials as ASCII; AUTH PLAIN is UTF-8 (RFC 4616), so a password with "ñ" is sent
        # that way by hand.
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply) from None


def _quit(smtp: smtplib.SMTP) -> None:
    """QUIT after the message was accepted: whatever it answers, the message is sent."""
    try:
        smtp.quit()
    except (TimeoutError, OSError, smtplib.SMTPException):
        smtp.close()


def test_message(config: SmtpConfig, to: str) -> EmailMessage:
    return new_message(config, to, "Prueba de correo de caja",
                       "Este es un correo de prueba de caja: el servidor de correo está bien configurado.\n"
                       "This is a test email from caja: the mail server is set up correctly.\n")
