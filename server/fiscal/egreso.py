"""A factura's return → its CFDI 4.0 egreso (TipoDeComprobante E), related 03 to the stamped ingreso's UUID.

What it is for: `build_egreso(sale, ret, series, folio, emisor, claves, related_uuid, issued_at)` (not yet
sealed: `build.seal` seals and validates it against the XSD like an ingreso) and `egreso_source(conn, cfdi_id)`
for the CFDI job. The conceptos are the returned units with the amounts poscore.returns gave back, built by the
ingreso's own concepto rules, so Total is the refund to the cent.
SAT rules (Anexo 20 and its guía de llenado):
* CfdiRelacionados TipoRelacion 03 "Devolución de mercancía sobre facturas o traslados previos", with the
  UUID of the ingreso it returns (a return without a stamped ingreso waits: the job enqueues it later).
* UsoCFDI G02 "Devoluciones, descuentos o bonificaciones" for the receptor of an egreso.
* MetodoPago PUE and FormaPago the refund's method (c_FormaPago: efectivo 01, transferencia 03 ...).
What it must not do: compute an amount, talk to a PAC, or issue the E/01 of a remisión already in a stamped
global (that belongs with the factura global's builder).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from satcfdi.create.cfd import cfdi40
from sqlalchemy import Connection, and_, select

from poscore.payment import METHODS
from poscore.returns import Return
from poscore.sale import Sale
from server.db.schema import cfdis, returns

from .build import CfdiError, Emisor, _concepto, fecha

USO_EGRESO = "G02"
RELACION_DEVOLUCION = "03"


@dataclass(frozen=True)
class EgresoSource:
    ret: Return
    series: str
    folio: int
    related_uuid: str


def build_egreso(sale: Sale, ret: Return, series: str, folio: int, emisor: Emisor,
                 claves: Mapping[int, tuple[str | None, str | None]], related_uuid: str,
                 issued_at: datetime) -> cfdi40.Comprobante:
    """The CFDI 4.0 egreso of a stored return of a factura sale (not yet sealed)."""
    c = sale.customer
    if c is None or not (c.rfc and c.regimen_fiscal and c.codigo_postal):
        raise CfdiError("La venta devuelta no tiene un cliente con datos fiscales completos")
    if not ret.lines or ret.refund <= 0:
        raise CfdiError("La devolución no devuelve dinero: no lleva CFDI de egreso")
    lines = [replace(sale.lines[x.line], qty=x.qty, amounts=x.amounts) for x in ret.lines]
    cfdi = cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=emisor.rfc, nombre=emisor.name, regimen_fiscal=emisor.regimen_fiscal),
        lugar_expedicion=emisor.lugar_expedicion,
        receptor=cfdi40.Receptor(rfc=c.rfc, nombre=c.name.upper(), domicilio_fiscal_receptor=c.codigo_postal,
                                 regimen_fiscal_receptor=c.regimen_fiscal, uso_cfdi=USO_EGRESO),
        conceptos=[_concepto(line, claves, c.ieps_breakdown) for line in lines],
        cfdi_relacionados=[cfdi40.CfdiRelacionados(tipo_relacion=RELACION_DEVOLUCION,
                                                   cfdi_relacionado=[related_uuid])],
        serie=series, folio=str(folio), forma_pago=METHODS[ret.refund_method], metodo_pago="PUE",
        exportacion="01", moneda="MXN", tipo_de_comprobante="E",
        fecha=fecha(issued_at, emisor.lugar_expedicion),
    )
    if cfdi["Total"] != ret.refund:
        raise CfdiError(f"El total del egreso ({cfdi['Total']}) no es el reembolso ({ret.refund})")
    return cfdi


def egreso_source(conn: Connection, cfdi_id: int) -> EgresoSource | None:
    """The return, folio and related ingreso UUID of an egreso's `cfdis` row; None for an ingreso's row."""
    row = conn.execute(select(cfdis.c.return_id, cfdis.c.sale_id).where(cfdis.c.id == cfdi_id)).one()
    if row.return_id is None:
        return None
    ret = conn.execute(select(returns.c.body, returns.c.series, returns.c.folio)
                       .where(returns.c.id == row.return_id)).one()
    related = conn.execute(select(cfdis.c.uuid).where(and_(
        cfdis.c.sale_id == row.sale_id, cfdis.c.return_id.is_(None), cfdis.c.state == "timbrada"))).scalar()
    if related is None:
        raise CfdiError("El CFDI de la venta devuelta no está timbrado")
    return EgresoSource(Return.from_json(json.loads(ret.body)), ret.series, int(ret.folio), str(related))


def pending_egresos(conn: Connection) -> list[dict[str, Any]]:
    """`cfdis` rows to create: returns of factura sales whose ingreso is stamped and that have no egreso yet."""
    ingreso = cfdis.alias("ingreso")
    egreso = cfdis.alias("egreso")
    query = (select(returns.c.id, returns.c.sale_id)
             .join(ingreso, and_(ingreso.c.sale_id == returns.c.sale_id, ingreso.c.return_id.is_(None),
                                 ingreso.c.state == "timbrada"))
             .outerjoin(egreso, egreso.c.return_id == returns.c.id)
             .where(egreso.c.id.is_(None), returns.c.undone_at.is_(None)).order_by(returns.c.id).limit(500))
    return [{"sale_id": r.sale_id, "return_id": r.id} for r in conn.execute(query)]
