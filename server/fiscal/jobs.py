"""The CFDI job: one row per CFDI in `cfdis` (a factura sale's, a self-invoiced remisión's, a period's global, an
egreso against a global), moved pendiente → sellada → timbrada (or rechazada) in the background, retried with
backoff while the PAC is unreachable, never stamped twice for the same sale. Each kind is built by its own module
(build, autofactura_cfdi, global_cfdi; a factura's return, egreso related 03, by egreso); a replaced global is
cancelled (01) once its substitute is stamped, a stamped ingreso is mailed to its customer (delivery), and the
pass issues the closed periods' globals when the shop asked for that (global_schedule).

What it is for: `run_once(engine, secret, now)` does one pass (the tests call it; `Worker` calls it in a
thread); `retry(engine, cfdi_id)` after the admin fixed the customer; `cancel(...)` with a SAT motive.
Idempotency: one ingreso per sale (a partial unique index on `cfdis.sale_id`) and one egreso per return, a row is leased before work, and a sealed XML is kept and re-sent
as is, so a stamp whose answer was lost is asked again with the same sello and the PAC hands the same UUID.
What it must not do: run inside the sync request (sync never waits for the PAC), or compute amounts.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from satcfdi.models import Signer
from sqlalchemy import Connection, Engine, and_, or_, select
from sqlalchemy.exc import IntegrityError

from poscore.customer import Customer, factura_ready
from poscore.sale import Sale
from server.db.engine import utcnow, write_tx
from server.db.schema import cfdis, customers, products, sales

from . import autofactura_cfdi, delivery, egreso, global_cfdi, global_returns, global_schedule, queue, store
from . import pac as pacmod
from .build import CfdiError, Emisor, build_cfdi, seal, zone_of

log = logging.getLogger("caja.fiscal")
LEASE = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
BATCH = 50
SWEEP_EVERY = timedelta(hours=1)
# Under the PAC's 72 hours, with room for the retries of a PAC that is down.
RESEAL_AFTER = timedelta(hours=60)
_FECHA = re.compile(r' Fecha="([0-9T:-]{19})"')
_LUGAR = re.compile(r' LugarExpedicion="([0-9]{5})"')


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at an hour: a PAC outage is retried without hammering it."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def enqueue(engine: Engine, now: datetime, sweep: bool = True) -> int:
    """A `pendiente` row for each return that now needs an egreso and, when `sweep`, for every factura sale that
    has none yet (the intake queues new ones itself: queue.py); idempotent by the unique sale_id and return_id.
    Reads first, so a pass with nothing new takes no write lock."""
    def missing(conn: Connection) -> list[dict[str, Any]]:
        # Ingresos first, then the egresos of returns whose ingreso is stamped (TipoRelacion 03 needs its UUID),
        # then returns of remisiones after their global was issued (an egreso E/01 to the stamped global).
        rows = [{"return_id": None, "related_id": None, **m}
                for m in (queue.ingreso_rows(queue.missing_ingresos(conn), now) if sweep else [])]
        rows += [{"kind": "factura", "related_id": None, **m} for m in egreso.pending_egresos(conn)]
        rows += global_returns.pending(conn)
        return rows

    with engine.connect() as conn:
        if not missing(conn):
            return 0
    try:
        with write_tx(engine) as conn:
            rows = missing(conn)
            if rows:
                conn.execute(cfdis.insert(), [{"state": "pendiente", "attempts": 0, "created_at": now,
                                               "updated_at": now, **m} for m in rows])
    except IntegrityError:
        return 0  # another ERP process enqueued them first
    return len(rows)


def _lease(engine: Engine, cfdi_id: int, now: datetime) -> bool:
    with write_tx(engine) as conn:
        res = conn.execute(cfdis.update().where(
            cfdis.c.id == cfdi_id, or_(cfdis.c.lease_until.is_(None), cfdis.c.lease_until < now))
            .values(lease_until=now + LEASE))
        return res.rowcount == 1


def _finish(engine: Engine, cfdi_id: int, now: datetime, **values: Any) -> None:
    with write_tx(engine) as conn:
        conn.execute(cfdis.update().where(cfdis.c.id == cfdi_id).values(lease_until=None, updated_at=now, **values))


def _due(engine: Engine, now: datetime, states: list[str]) -> list[Any]:
    if not states:
        return []
    with engine.connect() as conn:
        return list(conn.execute(select(cfdis.c.id, cfdis.c.state, cfdis.c.kind).where(
            cfdis.c.state.in_(states),
            or_(cfdis.c.next_attempt_at.is_(None), cfdis.c.next_attempt_at <= now),
            or_(cfdis.c.lease_until.is_(None), cfdis.c.lease_until < now)).order_by(cfdis.c.id).limit(BATCH)))


def _sale_of(engine: Engine, cfdi_id: int) -> tuple[Sale, str, int, dict[int, tuple[str | None, str | None]]]:
    with engine.connect() as conn:
        row = conn.execute(select(sales.c.body, sales.c.series, sales.c.folio, sales.c.customer_id)
                           .join(cfdis, cfdis.c.sale_id == sales.c.id).where(cfdis.c.id == cfdi_id)).one()
        sale = Sale.from_json(json.loads(row.body))
        if row.customer_id is not None:
            # The customer as the back office has it now: fixing a rejected customer and retrying must work.
            c = conn.execute(select(customers).where(customers.c.id == row.customer_id)).one()
            sale = _with_customer(sale, Customer(c.name, id=c.id, uuid=c.uuid, rfc=c.rfc,
                                                 regimen_fiscal=c.regimen_fiscal, codigo_postal=c.codigo_postal,
                                                 uso_cfdi=c.uso_cfdi, email=c.email,
                                                 ieps_breakdown=bool(c.ieps_breakdown)))
        ids = [line.product_id for line in sale.lines]
        claves = {r.id: (r.sat_clave_prod_serv, r.sat_clave_unidad) for r in conn.execute(
            select(products.c.id, products.c.sat_clave_prod_serv, products.c.sat_clave_unidad)
            .where(products.c.id.in_(ids)))}
    return sale, row.series, int(row.folio), claves


def _with_customer(sale: Sale, customer: Customer) -> Sale:
    return replace(sale, customer=customer)


def _comprobante(engine: Engine, emisor: Emisor, cfdi_id: int, kind: str, now: datetime) -> Any:
    if kind == "global":
        with engine.connect() as conn:
            return global_cfdi.comprobante(conn, emisor, cfdi_id, now)
    if kind == "autofactura":
        with engine.connect() as conn:
            return autofactura_cfdi.comprobante(conn, emisor, cfdi_id, now)
    if kind == "egreso":
        with engine.connect() as conn:
            # A return of a remisión after its global, or a ticket leaving a global for its own factura.
            made = global_returns.comprobante(conn, emisor, cfdi_id, now)
            return made if made is not None else autofactura_cfdi.egreso_comprobante(conn, emisor, cfdi_id, now)
    sale, series, folio, claves = _sale_of(engine, cfdi_id)
    problems = factura_ready(sale.customer)
    if problems:
        raise CfdiError(f"Datos fiscales del cliente: {', '.join(problems)}")
    with engine.connect() as conn:
        source = egreso.egreso_source(conn, cfdi_id)
    if source is not None:  # a return of a factura: egreso E, related 03 to the sale's stamped ingreso
        return egreso.build_egreso(sale, source.ret, source.series, source.folio, emisor, claves,
                                   source.related_uuid, now)
    return build_cfdi(sale, series, folio, emisor, claves, now)


def _seal_one(engine: Engine, emisor: Emisor, signer: Signer, cfdi_id: int, now: datetime,
              kind: str = "factura") -> None:
    with engine.connect() as conn:
        emisor = store.emisor_for_cfdi(conn, emisor, cfdi_id)  # the branch's LugarExpedicion
    try:
        xml = seal(_comprobante(engine, emisor, cfdi_id, kind, now), signer)
    except autofactura_cfdi.WaitForEgreso:
        _finish(engine, cfdi_id, now, next_attempt_at=now + BACKOFF_FIRST, error_code="egreso",
                error_message="Espera a que se timbre el egreso de la factura global")
        return
    except CfdiError as exc:
        _finish(engine, cfdi_id, now, state="rechazada", error_code="local", error_message=str(exc)[:1000])
        return
    _finish(engine, cfdi_id, now, state="sellada", xml=xml.decode(), error_code=None, error_message=None,
            attempts=0, next_attempt_at=None)


NO_CSD = "Faltan los datos fiscales del emisor o el CSD: se sellará al configurarlos"
CSD_UNREADABLE = ("El CSD se guardó con otra clave del servidor (CAJA_SECRET_KEY cambió): vuelva a cargarlo en "
                  "Datos fiscales")


def _say_no_csd(engine: Engine, now: datetime, message: str) -> None:
    """Without emisor or CSD nothing can be sealed: the pending CFDIs say why, written once, not every pass."""
    waiting = and_(cfdis.c.state == "pendiente", cfdis.c.error_code.is_(None))
    with engine.connect() as conn:
        if conn.execute(select(cfdis.c.id).where(waiting).limit(1)).first() is None:
            return
    with write_tx(engine) as conn:
        conn.execute(cfdis.update().where(waiting).values(
            error_code="sin_csd", updated_at=now, error_message=message))


def _stale(xml: str, now: datetime) -> bool:
    """The PAC refuses a Fecha more than 72 hours old (Anexo 20, validación del PAC): a CFDI sealed days ago,
    waiting for a PAC to be configured or to come back, is sealed again with the current time first."""
    found = _FECHA.search(xml)
    if found is None:
        return True
    sealed = datetime.fromisoformat(found.group(1))
    lugar = _LUGAR.search(xml)
    zone = zone_of(lugar.group(1)) if lugar else UTC
    return now - sealed.replace(tzinfo=zone) > RESEAL_AFTER


def _stamp_one(engine: Engine, config: store.PacConfig, cfdi_id: int, now: datetime) -> None:
    with engine.connect() as conn:
        row = conn.execute(select(cfdis.c.xml, cfdis.c.attempts).where(cfdis.c.id == cfdi_id)).one()
    if _stale(row.xml, now):
        _finish(engine, cfdi_id, now, state="pendiente", xml=None)  # no UUID was issued for the old sello
        return
    try:
        uuid, stamped = pacmod.stamp(pacmod.make_pac(config), row.xml.encode())
    except pacmod.PacUnreachable as exc:
        attempts = int(row.attempts) + 1
        _finish(engine, cfdi_id, now, attempts=attempts, next_attempt_at=now + backoff(attempts),
                error_code="pac_unreachable", error_message=f"El PAC no responde ({exc}); se reintentará")
        return
    except pacmod.PacPreviousStamp:
        # Stamped before, and the PAC did not send the stamp back: never seal again (that would be a second
        # CFDI for the same sale); the admin recovers the XML from the PAC's portal. Asked again hourly.
        _finish(engine, cfdi_id, now, attempts=int(row.attempts) + 1, next_attempt_at=now + BACKOFF_MAX,
                error_code="307", error_message="El PAC ya timbró este CFDI (timbre previo) y no devolvió el "
                                                "XML timbrado: recupérelo del portal del PAC")
        return
    except pacmod.PacRejected as exc:
        _finish(engine, cfdi_id, now, state="rechazada", attempts=int(row.attempts) + 1,
                error_code=exc.code[:40], error_message=exc.message[:1000])
        return
    mail = _mail_decision(engine, cfdi_id)
    _finish(engine, cfdi_id, now, state="timbrada", uuid=uuid, xml=stamped.decode(), stamped_at=now,
            error_code=None, error_message=None, next_attempt_at=None, **mail)


def _mail_decision(engine: Engine, cfdi_id: int) -> dict[str, Any]:
    """Whether the stamped CFDI goes to its customer by email, written with the stamp. Never in the way of saving
    the stamp: on any surprise the CFDI is simply not mailed."""
    try:
        with engine.connect() as conn:
            return delivery.decide(conn, cfdi_id)
    except Exception:
        log.exception("CFDI %s: email delivery not decided", cfdi_id)
        return {}


def run_once(engine: Engine, secret: str, now: datetime | None = None, sweep: bool = True) -> int:
    """One pass: enqueue what the intake did not (the returns' egresos; with `sweep`, factura sales without an
    ingreso row: see queue.py), seal what is pendiente (when emisor and CSD are set), stamp what is
    sealed (when a PAC is set), mail what is stamped (when SMTP is set). Returns how many CFDIs it worked on."""
    now = now or utcnow()
    enqueue(engine, now, sweep)
    global_schedule.auto_issue(engine, now)
    with engine.connect() as conn:
        try:
            config = store.pac_config(conn, secret)
        except InvalidTag:  # saved under another server secret: the page asks for the PAC password again
            log.warning("PAC credentials unreadable with this server secret")
            config = None
        # Unsealing the CSD key and parsing the certificate only when something waits to be sealed: this pass
        # runs every few seconds in every ERP process, and most passes of a busy day have nothing to seal.
        sealing = conn.execute(select(cfdis.c.id).where(cfdis.c.state == "pendiente").limit(1)).first() is not None
        emisor = store.emisor(conn) if sealing else None
        signer, why = None, NO_CSD
        if sealing:
            try:
                signer = store.signer(conn, secret)
            except InvalidTag:
                why = CSD_UNREADABLE
    if sealing and (emisor is None or signer is None):
        _say_no_csd(engine, now, why)
    states = (["pendiente"] if emisor and signer else []) + (["sellada"] if config else [])
    done = 0
    for row in _due(engine, now, states):
        if not _lease(engine, row.id, now):
            continue  # another worker has it
        try:
            if row.state == "pendiente" and emisor is not None and signer is not None:
                _seal_one(engine, emisor, signer, row.id, now, row.kind)
            elif row.state == "sellada" and config is not None:
                _stamp_one(engine, config, row.id, now)
        except Exception:
            log.exception("CFDI %s failed", row.id)  # never the key nor the XML: ids only
            _finish(engine, row.id, now, next_attempt_at=now + BACKOFF_MAX, error_code="error",
                    error_message="Error inesperado; se reintentará en una hora (ver el registro del servidor)")
        done += 1
    if config is not None:
        done += _finish_replacements(engine, config, now)
    return done + delivery.run_once(engine, secret, now)  # the customers' emails of what is stamped


def _finish_replacements(engine: Engine, config: store.PacConfig, now: datetime) -> int:
    """A global replaced by a stamped substitute is cancelled with motive 01 naming the substitute's UUID (SAT:
    cancellation with relation; the substitute carries TipoRelacion 04 to it)."""
    old = cfdis.alias("old")
    query = (select(old.c.id, old.c.xml, cfdis.c.uuid).join(cfdis, cfdis.c.replaces_id == old.c.id)
             .where(old.c.state == "timbrada", cfdis.c.state == "timbrada"))
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    done = 0
    for row in rows:
        try:
            pacmod.cancel(pacmod.make_pac(config), row.xml.encode(), "01", row.uuid)
        except (pacmod.PacUnreachable, pacmod.PacRejected) as exc:
            log.warning("cancelling replaced global %s: %s", row.id, exc)
            continue
        with write_tx(engine) as conn:
            conn.execute(cfdis.update().where(cfdis.c.id == row.id, cfdis.c.state == "timbrada").values(
                state="cancelada", cancel_motive="01", cancelled_at=now, updated_at=now))
        done += 1
    return done


def retry(engine: Engine, cfdi_id: int, now: datetime | None = None) -> bool:
    """A rejected CFDI goes back to pendiente: rebuilt from the sale with the customer's current data."""
    now = now or utcnow()
    with write_tx(engine) as conn:
        res = conn.execute(cfdis.update().where(cfdis.c.id == cfdi_id, cfdis.c.state == "rechazada").values(
            state="pendiente", xml=None, attempts=0, next_attempt_at=None, error_code=None, error_message=None,
            updated_at=now))
        return res.rowcount == 1


def cancel(engine: Engine, secret: str, cfdi_id: int, motive: str, now: datetime | None = None) -> str | None:
    """Cancel a stamped CFDI through the PAC; None when done, else the reason shown to the admin."""
    now = now or utcnow()
    if motive not in pacmod.MOTIVES:
        return "Motivo de cancelación no válido (01–04)"
    with engine.connect() as conn:
        config = store.pac_config(conn, secret)
        row = conn.execute(select(cfdis.c.xml, cfdis.c.state, cfdis.c.kind).where(cfdis.c.id == cfdi_id)).first()
    if row is None or row.state != "timbrada":
        return "Solo se cancela un CFDI timbrado"
    if row.kind == "global" and motive == "01":
        # Motive 01 needs the substitute's UUID: a global is replaced (Sustituir), then cancelled by the job.
        return "Para el motivo 01 use Sustituir: se emite la factura global sustituta y después se cancela esta"
    if config is None:
        return "No hay PAC configurado"
    try:
        pacmod.cancel(pacmod.make_pac(config), row.xml.encode(), motive)
    except pacmod.PacUnreachable as exc:
        return f"El PAC no responde ({exc}); intente más tarde"
    except pacmod.PacRejected as exc:
        return f"El PAC rechazó la cancelación: {exc.code} {exc.message}"
    with write_tx(engine) as conn:
        conn.execute(cfdis.update().where(and_(cfdis.c.id == cfdi_id, cfdis.c.state == "timbrada")).values(
            state="cancelada", cancel_motive=motive, cancelled_at=now, updated_at=now))
        global_cfdi.release(conn, cfdi_id, now)  # its remisiones can go into another CFDI
    return None


class Worker:
    """The background thread: a pass every `interval` seconds, or at once when `wake()` is called; the sweep for
    factura sales the intake did not queue at the first pass and then every SWEEP_EVERY."""

    def __init__(self, engine: Engine, secret: str, interval: float = 5.0,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._engine, self._secret, self._interval, self._clock = engine, secret, interval, clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="caja-cfdi", daemon=True)
        self._swept: datetime | None = None

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = self._clock()
            sweep = self._swept is None or now - self._swept >= SWEEP_EVERY
            try:
                run_once(self._engine, self._secret, now, sweep)
                if sweep:
                    self._swept = now
            except Exception:
                log.exception("CFDI pass failed")
            self._wake.wait(self._interval)
            self._wake.clear()
