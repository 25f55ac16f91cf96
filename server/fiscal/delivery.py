"""Email delivery of a stamped CFDI to its customer: one message with the PDF and the XML, from the CFDI job.

What it is for: `decide(conn, cfdi_id)` is called by the job in the same write that marks a CFDI timbrada and
says whether it is to be mailed (a factura sale's ingreso, and the egreso of a return of it, to its customer's
address; a self-invoice to the address the customer typed; `sin_correo` without one, `sin_smtp` when the shop has no mail server then);
`run_once(engine, secret, now)` sends what is due, retried with the job's backoff; `resend(engine, cfdi_id)`
after the admin fixed the mail server.
Never twice: a row is leased before sending and `mail_sent_at` is written as soon as the server accepted the
message; a row with `mail_sent_at` is never picked again.
What it must not do: send from a request (the job does), send a CFDI that is not stamped, or log the password.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from cryptography.exceptions import InvalidTag
from lxml import etree
from sqlalchemy import Connection, Engine, and_, or_, select

from server.db.engine import write_tx
from server.db.schema import cfdis, customers, sales

from . import smtp

log = logging.getLogger("caja.fiscal.mail")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 20  # with the job's backoff (30 s doubling to 1 h) about half a day of retries
BATCH = 20
_NS = {"cfdi": "http://www.sat.gob.mx/cfd/4", "tfd": "http://www.sat.gob.mx/TimbreFiscalDigital"}
STATES = ("pendiente", "enviado", "error", "sin_correo", "sin_smtp")


def recipient(conn: Connection, cfdi_id: int) -> tuple[bool, str | None]:
    """(mailed at all, the address): a factura sale's ingreso and the egresos (credit notes) of its returns go to
    the sale's customer, a self-invoice to the address typed; globals and their egresos (público en general) not."""
    row = conn.execute(select(cfdis.c.kind, cfdis.c.return_id, cfdis.c.receptor, customers.c.email)
                       .select_from(cfdis).outerjoin(sales, sales.c.id == cfdis.c.sale_id)
                       .outerjoin(customers, customers.c.id == sales.c.customer_id)
                       .where(cfdis.c.id == cfdi_id)).first()
    if row is None or row.kind not in ("factura", "autofactura"):
        return False, None
    if row.kind == "autofactura":
        address = json.loads(row.receptor or "{}").get("email")
    else:
        address = row.email
    return True, (address or "").strip() or None


def decide(conn: Connection, cfdi_id: int) -> dict[str, Any]:
    """The mail columns to write with the stamp: decided once, so configuring SMTP later sends nothing old."""
    mailed, address = recipient(conn, cfdi_id)
    if not mailed:
        return {}
    if address is None:
        return {"mail_state": "sin_correo"}
    if not smtp.configured(conn):
        return {"mail_state": "sin_smtp", "mail_to": address[:254]}
    return {"mail_state": "pendiente", "mail_to": address[:254], "mail_attempts": 0, "mail_next_at": None}


def _due(engine: Engine, now: datetime) -> list[int]:
    retrying = and_(cfdis.c.mail_state == "error", cfdis.c.mail_next_at <= now)
    fresh = and_(cfdis.c.mail_state == "pendiente",
                 or_(cfdis.c.mail_next_at.is_(None), cfdis.c.mail_next_at <= now))
    with engine.connect() as conn:
        return [r.id for r in conn.execute(select(cfdis.c.id).where(
            or_(fresh, retrying), cfdis.c.state == "timbrada", cfdis.c.mail_sent_at.is_(None),
            or_(cfdis.c.lease_until.is_(None), cfdis.c.lease_until < now)).order_by(cfdis.c.id).limit(BATCH))]


def _claim(engine: Engine, cfdi_id: int, now: datetime) -> bool:
    with write_tx(engine) as conn:
        return conn.execute(cfdis.update().where(
            cfdis.c.id == cfdi_id, cfdis.c.mail_sent_at.is_(None), cfdis.c.state == "timbrada",
            or_(cfdis.c.lease_until.is_(None), cfdis.c.lease_until < now))
            .values(lease_until=now + LEASE)).rowcount == 1


def _done(engine: Engine, cfdi_id: int, **values: Any) -> None:
    with write_tx(engine) as conn:
        conn.execute(cfdis.update().where(cfdis.c.id == cfdi_id).values(lease_until=None, **values))


def file_stem(xml: bytes) -> str:
    """`<Serie>-<Folio>_<UUID>`, the names the customer sees on the attachments."""
    root = etree.fromstring(xml)
    uuid = root.find("cfdi:Complemento/tfd:TimbreFiscalDigital", _NS).get("UUID")
    serie, folio = root.get("Serie") or "", root.get("Folio") or ""
    label = f"{serie}-{folio}" if serie and folio else (serie or folio)
    return f"{label}_{uuid}" if label else str(uuid)


def message(config: smtp.SmtpConfig, to: str, xml: bytes, pdf: bytes) -> EmailMessage:
    root = etree.fromstring(xml)
    emisor = root.find("cfdi:Emisor", _NS)
    uuid = root.find("cfdi:Complemento/tfd:TimbreFiscalDigital", _NS).get("UUID")
    stem = file_stem(xml)
    name = emisor.get("Nombre") if emisor is not None else ""
    # An egreso is the credit note of a return: the customer needs it for their own books as much as the factura.
    credit = root.get("TipoDeComprobante") == "E"
    what, en = ("nota de crédito", "credit note") if credit else ("factura", "invoice")
    body = (f"Hola:\n\nAdjuntamos su {what} (CFDI 4.0) de {name}: el PDF y el XML.\n\n"
            f"Folio: {stem.rpartition('_')[0] or '-'}\nFolio fiscal (UUID): {uuid}\nTotal: ${root.get('Total')} "
            f"{root.get('Moneda') or 'MXN'}\n\nPuede verificarla en https://verificacfdi.facturaelectronica.sat.gob.mx/"
            f"\n\nYour {en} (CFDI) is attached as PDF and XML.\n")
    domain = config.sender.rpartition("@")[2] or "caja"
    subject = f"{what.capitalize()} {stem.rpartition('_')[0] or uuid} · {name}"
    msg = smtp.new_message(config, to, subject, body,
                           message_id=f"<cfdi.{str(uuid).lower()}@{domain}>")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{stem}.pdf")
    msg.add_attachment(xml, maintype="application", subtype="xml", filename=f"{stem}.xml")
    return msg


def _pdf(xml: bytes) -> bytes:
    from satcfdi import render  # weasyprint loads pango: only when a PDF is made
    from satcfdi.cfdi import CFDI

    return bytes(render.pdf_bytes(CFDI.from_string(xml)))


def _send_one(engine: Engine, config: smtp.SmtpConfig, cfdi_id: int, now: datetime) -> None:
    from .jobs import backoff  # the job imports this module: the same backoff as the PAC's retries

    with engine.connect() as conn:
        row = conn.execute(select(cfdis.c.xml, cfdis.c.mail_to, cfdis.c.mail_attempts)
                           .where(cfdis.c.id == cfdi_id)).one()
    attempts = int(row.mail_attempts) + 1
    if not smtp.valid_address(row.mail_to):
        _done(engine, cfdi_id, mail_state="error", mail_attempts=attempts, mail_next_at=None,
              mail_error="Dirección de correo no válida")
        return
    try:
        msg = message(config, row.mail_to, row.xml.encode(), _pdf(row.xml.encode()))
        smtp.send(config, msg)
    except smtp.SendFailed as exc:
        final = exc.permanent or attempts >= MAX_ATTEMPTS
        _done(engine, cfdi_id, mail_state="error", mail_attempts=attempts, mail_error=exc.message[:300],
              mail_next_at=None if final else now + backoff(attempts))
        log.warning("mail of CFDI %s not sent (attempt %s): %s", cfdi_id, attempts, exc.message)
        return
    _done(engine, cfdi_id, mail_state="enviado", mail_sent_at=now, mail_attempts=attempts, mail_error=None,
          mail_next_at=None)


def run_once(engine: Engine, secret: str, now: datetime) -> int:
    """Sends every due CFDI's email; returns how many it tried. Nothing without a mail server."""
    due = _due(engine, now)
    if not due:
        return 0  # the usual pass: one indexed read, the password not even unsealed
    with engine.connect() as conn:
        try:
            config = smtp.config(conn, secret)
        except InvalidTag:
            log.warning("SMTP password unreadable with this server secret: set it again in Correo")
            return 0
    if config is None:
        return 0
    done = 0
    for cfdi_id in due:
        if not _claim(engine, cfdi_id, now):
            continue  # another worker has it, or it was sent meanwhile
        try:
            _send_one(engine, config, cfdi_id, now)
        except Exception:
            log.exception("mail of CFDI %s failed", cfdi_id)  # ids only: never the XML nor the password
            _done(engine, cfdi_id, mail_state="error", mail_next_at=now + timedelta(hours=1),
                  mail_error="Error inesperado; se reintentará en una hora (ver el registro del servidor)")
        done += 1
    return done


def resend(engine: Engine, cfdi_id: int) -> bool:
    """An email that failed for good, or waited for SMTP, is tried again; one already sent never is."""
    with write_tx(engine) as conn:
        return conn.execute(cfdis.update().where(
            cfdis.c.id == cfdi_id, cfdis.c.mail_sent_at.is_(None), cfdis.c.state == "timbrada",
            cfdis.c.mail_state.in_(("error", "sin_smtp")), cfdis.c.mail_to.is_not(None))
            .values(mail_state="pendiente", mail_attempts=0, mail_next_at=None, mail_error=None)).rowcount == 1
