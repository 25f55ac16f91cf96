"""Autofacturación in the database: a remisión turned into its customer's own CFDI ingreso from the public page.

What it is for: `request(engine, sale_id, customer, now)` records a pendiente `autofactura` CFDI for the sale with
the receptor the customer typed and covers the remisión (`cfdi_sales`), so no global takes it afterwards;
`comprobante(conn, emisor, cfdi_id, now)` is what the job seals (the same builder as a factura sale: Serie/Folio
= the remisión's folio, every amount from the stored sale).
`find_sale(conn, code, total)` finds the remisión a ticket code names (poscore computes the code on both sides).
What it must not do: decide what happens to a ticket already in a global, or the deadline (the page does).
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from satcfdi.create.cfd import cfdi40
from sqlalchemy import Connection, Engine, exists, select
from sqlalchemy.exc import IntegrityError

from poscore.autofactura import same_code, ticket_code
from poscore.customer import Customer
from poscore.numbering import folio_label
from poscore.sale import Sale
from server.db.engine import write_tx
from server.db.schema import cfdi_sales, cfdis, products, sales, terminals, voids

from .build import Emisor, build_cfdi
from .global_build import Ticket, build_egreso
from .periods import parse_key


class AlreadyInvoiced(ValueError):
    pass


def customer_json(c: Customer) -> str:
    return json.dumps({"name": c.name, "rfc": c.rfc, "regimen_fiscal": c.regimen_fiscal,
                       "codigo_postal": c.codigo_postal, "uso_cfdi": c.uso_cfdi, "email": c.email})


def find_sale(conn: Connection, code: str, total: Decimal) -> Any | None:
    """The synced remisión whose ticket code (poscore.autofactura, recomputed with its terminal's key) is ``code``
    and whose total is ``total``; None otherwise, whatever the reason (not synced yet, wrong code or total,
    cancelled at the till): the page must not tell them apart. Candidates are the few sales of that exact total
    (ix_sales_total), each checked in constant time."""
    voided = select(voids.c.id).where(voids.c.sale_uuid == sales.c.uuid)
    rows = conn.execute(select(sales.c.id, sales.c.uuid, sales.c.number, sales.c.total, sales.c.device_time,
                               terminals.c.code.label("terminal"), terminals.c.ticket_key)
                        .join(terminals, terminals.c.id == sales.c.terminal_id)
                        .where(sales.c.total == total, sales.c.type == "remision", ~exists(voided)))
    found = None
    for r in rows:
        if r.ticket_key and same_code(ticket_code(r.ticket_key, r.uuid, r.terminal, r.number, r.total), code):
            found = r
    return found


def cover_of(conn: Connection, sale_id: int) -> Any | None:
    """The live CFDI covering the remisión (kind, state, receptor), or None."""
    return conn.execute(select(cfdis.c.id, cfdis.c.kind, cfdis.c.state, cfdis.c.receptor)
                        .join(cfdi_sales, cfdi_sales.c.cfdi_id == cfdis.c.id)
                        .where(cfdi_sales.c.sale_id == sale_id, cfdi_sales.c.released_at.is_(None))).first()


def request(engine: Engine, sale_id: int, customer: Customer, now: datetime) -> int:
    """The pendiente CFDI's id; raises ``AlreadyInvoiced`` when another live CFDI covers the remisión (the
    partial unique index of cfdi_sales decides under concurrency)."""
    try:
        with write_tx(engine) as conn:
            cfdi_id = int(conn.execute(cfdis.insert().values(
                kind="autofactura", sale_id=sale_id, receptor=customer_json(customer), state="pendiente",
                attempts=0, created_at=now, updated_at=now)).inserted_primary_key[0])  # type: ignore[index]
            conn.execute(cfdi_sales.insert().values(cfdi_id=cfdi_id, sale_id=sale_id))
            return cfdi_id
    except IntegrityError:
        raise AlreadyInvoiced() from None


def request_after_global(engine: Engine, sale_id: int, global_id: int, customer: Customer, now: datetime) -> int:
    """A ticket already in a stamped global: an egreso E/01 against the global for that ticket (pendiente), and
    the customer's CFDI waiting for it (the job seals it once the egreso is stamped). The global's cover of the
    ticket is released in the same transaction, so the customer's CFDI becomes its one live cover."""
    try:
        with write_tx(engine) as conn:
            state = conn.execute(select(cfdis.c.state).where(cfdis.c.id == global_id, cfdis.c.kind == "global")).scalar()
            if state != "timbrada":
                raise AlreadyInvoiced()
            released = conn.execute(cfdi_sales.update().where(
                cfdi_sales.c.cfdi_id == global_id, cfdi_sales.c.sale_id == sale_id,
                cfdi_sales.c.released_at.is_(None)).values(released_at=now)).rowcount
            if released != 1:
                raise AlreadyInvoiced()
            egreso_id = int(conn.execute(cfdis.insert().values(
                kind="egreso", related_id=global_id, state="pendiente", attempts=0, created_at=now,
                updated_at=now)).inserted_primary_key[0])  # type: ignore[index]
            cfdi_id = int(conn.execute(cfdis.insert().values(
                kind="autofactura", sale_id=sale_id, related_id=egreso_id, receptor=customer_json(customer),
                state="pendiente", attempts=0, created_at=now, updated_at=now)).inserted_primary_key[0])  # type: ignore[index]
            conn.execute(cfdi_sales.insert().values(cfdi_id=cfdi_id, sale_id=sale_id))
            return cfdi_id
    except IntegrityError:
        raise AlreadyInvoiced() from None


class WaitForEgreso(Exception):
    """The customer's CFDI waits: its egreso against the global is not stamped yet."""


def egreso_comprobante(conn: Connection, emisor: Emisor, egreso_id: int, now: datetime) -> cfdi40.Comprobante:
    """The egreso of one ticket: the ticket is the self-invoice's that names this egreso; the period and UUID
    are the global's."""
    g = conn.execute(select(cfdis.c.uuid, cfdis.c.period_key).join(
        egreso := cfdis.alias("e"), egreso.c.related_id == cfdis.c.id).where(egreso.c.id == egreso_id)).one()
    sale_row = conn.execute(select(sales.c.body, sales.c.series, sales.c.folio)
                            .join(cfdis, cfdis.c.sale_id == sales.c.id)
                            .where(cfdis.c.related_id == egreso_id, cfdis.c.kind == "autofactura")).one()
    ticket = Ticket(Sale.from_json(json.loads(sale_row.body)), folio_label(sale_row.series, int(sale_row.folio)))
    return build_egreso(ticket, emisor, parse_key(g.period_key), g.uuid, now, egreso_id)


def comprobante(conn: Connection, emisor: Emisor, cfdi_id: int, now: datetime) -> cfdi40.Comprobante:
    row = conn.execute(select(sales.c.body, sales.c.series, sales.c.folio, cfdis.c.receptor, cfdis.c.related_id)
                       .join(cfdis, cfdis.c.sale_id == sales.c.id).where(cfdis.c.id == cfdi_id)).one()
    if row.related_id is not None and conn.execute(
            select(cfdis.c.state).where(cfdis.c.id == row.related_id)).scalar() != "timbrada":
        raise WaitForEgreso()
    data: dict[str, Any] = json.loads(row.receptor)
    sale = Sale.from_json(json.loads(row.body))
    customer = Customer(data["name"], rfc=data["rfc"], regimen_fiscal=data["regimen_fiscal"],
                        codigo_postal=data["codigo_postal"], uso_cfdi=data["uso_cfdi"], email=data.get("email"))
    ids = [line.product_id for line in sale.lines]
    claves = {r.id: (r.sat_clave_prod_serv, r.sat_clave_unidad) for r in conn.execute(
        select(products.c.id, products.c.sat_clave_prod_serv, products.c.sat_clave_unidad)
        .where(products.c.id.in_(ids)))}
    return build_cfdi(replace(sale, customer=customer), row.series, int(row.folio), emisor, claves, now)
