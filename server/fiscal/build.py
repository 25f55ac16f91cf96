"""A factura sale → its CFDI 4.0 ingreso (satcfdi `cfdi40.Comprobante`), sealed and validated against the XSD.

What it is for: `build_cfdi(sale, folio, emisor, claves, issued_at)` and `seal(cfdi, signer)` →
`xml_bytes(cfdi)` (validated). Every amount comes from the stored sale as poscore computed it, so the
CFDI's Total is what the customer paid, to the cent:
* Concepto Importe = the line's subtotal (before discount, without tax), with ValorUnitario = Importe /
  Cantidad to 6 decimals (Anexo 20: ValorUnitario up to 6 decimals; Importe = Cantidad × ValorUnitario within
  the PAC's bounds, CFDI40167), Descuento = the line's discount.
* Each traslado carries poscore's own Base and Importe: IEPS (003) on the net amount, IVA (002) on the net
  plus IEPS (the IVA base includes IEPS, LIVA art. 18). poscore rounds each line's tax once, in cents, and
  that stays inside the PAC's range for Base × TasaOCuota (CFDI40180), so no amount is recomputed here.
* The summary per (Impuesto, TipoFactor, TasaOCuota) sums the concepts' values (CFDI40195-type rules), so
  SubTotal − Descuento + TotalImpuestosTrasladados = the sale's total.
* IEPS per litre is TipoFactor "Cuota": TasaOCuota = pesos per litre (six decimals), Base = the litres, Importe
  = poscore's cents (Anexo 20, c_TasaOCuota for IEPS Cuota).
* IEPS is broken out only for a customer who asked for it (LIEPS art. 19 fr. II; the customer's setting);
  otherwise the concept carries it in its price (poscore.tax.fold_ieps: Importe grows by the IEPS, only IVA is
  transferred, on the same base) — the rule the ticket and the till follow too.
What it must not do: compute a tax itself, read the database, or talk to a PAC.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from lxml import etree
from satcfdi.catalogs import select as catalog_row
from satcfdi.create.cfd import cfdi40
from satcfdi.models import Signer
from satcfdi.transform import SCHEMA_ROOT, SchemaCollector, cfdi_schemas
from satcfdi.utils import parser as satcfdi_parser

from poscore.sale import Sale, SaleLine, ieps_broken_out
from poscore.tax import LineAmounts, cuota_of, fold_ieps, is_cuota

SIX = Decimal("0.000001")
# c_ClaveUnidad defaults by caja's unit; c_ClaveProdServ 01010101 ("No existe en el catálogo") only when the
# product has no key of its own.
CLAVE_UNIDAD = {"pieza": "H87", "kg": "KGM"}
UNIDAD = {"pieza": "Pieza", "kg": "Kilogramo"}
FALLBACK_PROD_SERV = "01010101"
CASH_SAT = "01"
_SCHEMA_LOCK = threading.Lock()
# c_CodigoPostal's "Huso horario" → IANA zone. satcfdi maps "Tiempo del Noroeste" (Baja California, UTC-8 with
# the US summer time) to America/Matamoros (UTC-6), two hours off; the border strips keep the US summer time
# (Ley de los Husos Horarios, 2022), the rest of the country has none.
_ZONES = {
    "Tiempo del Centro": "America/Mexico_City",
    "Tiempo del Centro en Frontera": "America/Matamoros",
    "Tiempo del Noroeste": "America/Tijuana",
    "Tiempo del Pacífico": "America/Mazatlan",
    "Tiempo del Sureste": "America/Cancun",
}


class CfdiError(ValueError):
    """The sale cannot become a valid CFDI (no customer, an amount the XSD refuses...): kept with a message."""


@dataclass(frozen=True)
class Emisor:
    rfc: str
    name: str
    regimen_fiscal: str
    lugar_expedicion: str  # the branch's CP


def forma_pago(sale: Sale) -> str:
    """SAT FormaPago: the method that paid the largest amount (Anexo 20 guía de llenado). Cash counts what it
    settled, not what was handed over (the change went back); on a tie the first method of the sale wins."""
    applied: dict[str, Decimal] = {}
    for p in sale.payments:
        applied[p.sat_code] = applied.get(p.sat_code, Decimal(0)) + p.amount
    if CASH_SAT in applied:
        applied[CASH_SAT] -= sale.totals.change
    if not applied:  # a sale discounted to zero was paid with nothing; efectivo is the honest answer
        return CASH_SAT
    return max(applied, key=lambda code: applied[code])  # max keeps the first of equal values


def fecha(issued_at: datetime, lugar_expedicion: str) -> datetime:
    """Fecha: local time of the LugarExpedicion's CP (Anexo 20), without offset; the PAC refuses one older
    than 72 hours, so it is the time the CFDI is issued, not the (maybe days old, offline) sale's time."""
    return issued_at.astimezone(zone_of(lugar_expedicion)).replace(tzinfo=None, microsecond=0)


def zone_of(codigo_postal: str) -> ZoneInfo:
    """The time zone of a CP from the SAT's c_CodigoPostal; raises ``CfdiError`` for an unknown CP."""
    row = catalog_row("C756_c_CodigoPostal", codigo_postal)
    if not row or row[4] not in _ZONES:
        raise CfdiError(f"Código postal desconocido para el SAT: {codigo_postal}")
    return ZoneInfo(_ZONES[row[4]])


def _tasa(rate: str) -> Decimal:
    return (Decimal(rate) / 100).quantize(SIX)


def _traslados(amounts: LineAmounts) -> list[cfdi40.Traslado]:
    out = []
    for t in amounts.taxes:
        if t.tax == "IEPS" and is_cuota(t.rate):
            out.append(cfdi40.Traslado(impuesto="003", tipo_factor="Cuota", tasa_o_cuota=cuota_of(t.rate).quantize(SIX),
                                       base=t.base, importe=t.amount))
        elif t.tax == "IEPS":
            out.append(cfdi40.Traslado(impuesto="003", tipo_factor="Tasa", tasa_o_cuota=_tasa(t.rate),
                                       base=t.base, importe=t.amount))
        elif t.rate == "exento":
            # Exento: TipoFactor Exento with neither TasaOCuota nor Importe (Anexo 20).
            out.append(cfdi40.Traslado(impuesto="002", tipo_factor="Exento", base=t.base))
        else:
            out.append(cfdi40.Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=_tasa(t.rate),
                                       base=t.base, importe=t.amount))
    return out


def shown_amounts(line: SaleLine, breakdown: bool) -> LineAmounts:
    """The line's amounts as its CFDI states them: IEPS broken out, or folded into the price."""
    return line.amounts if breakdown else fold_ieps(line.amounts)


def _concepto(line: SaleLine, claves: Mapping[int, tuple[str | None, str | None]],
              breakdown: bool = True) -> cfdi40.Concepto:
    prod_serv, unidad = claves.get(line.product_id, (None, None))
    amounts = shown_amounts(line, breakdown)
    importe = amounts.subtotal
    valor_unitario = (importe / line.qty).quantize(SIX) if line.qty else Decimal(0)
    # The concept's Importe must be the line's subtotal exactly (satcfdi computes it as Cantidad × ValorUnitario
    # rounded): with 6 decimals this holds for any quantity a till sells; check rather than assume.
    if round(line.qty * valor_unitario, 2) != importe:
        raise CfdiError(f"La línea {line.sku} no se puede expresar con ValorUnitario de 6 decimales")
    discount = amounts.discount
    # Every Base must be above zero (XSD): a line discounted to nothing has none (a cuota's litres and the IVA
    # on it still do).
    taxed = bool(amounts.taxes) and all(t.base > 0 for t in amounts.taxes)
    return cfdi40.Concepto(
        clave_prod_serv=prod_serv or FALLBACK_PROD_SERV, cantidad=line.qty,
        clave_unidad=unidad or CLAVE_UNIDAD.get(line.unit, "H87"), unidad=UNIDAD.get(line.unit),
        descripcion=line.name, valor_unitario=valor_unitario, no_identificacion=line.sku or None,
        descuento=discount if discount else None,
        # A line discounted to nothing has no tax base, and the XSD wants Base > 0: it is then "01 No objeto de
        # impuesto", which forbids the Impuestos node (Anexo 20, ObjetoImp); otherwise "02" with its traslados.
        objeto_imp="02" if taxed else "01",
        impuestos=cfdi40.Impuestos(traslados=_traslados(amounts)) if taxed else None,
    )


def build_cfdi(sale: Sale, series: str, folio: int, emisor: Emisor,
               claves: Mapping[int, tuple[str | None, str | None]], issued_at: datetime) -> cfdi40.Comprobante:
    """The CFDI 4.0 ingreso of a stored factura sale (not yet sealed)."""
    c = sale.customer
    if c is None or not (c.rfc and c.regimen_fiscal and c.codigo_postal and c.uso_cfdi):
        raise CfdiError("La venta no tiene un cliente con datos fiscales completos")
    cfdi = cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=emisor.rfc, nombre=emisor.name, regimen_fiscal=emisor.regimen_fiscal),
        lugar_expedicion=emisor.lugar_expedicion,
        # Nombre as the SAT registers it (upper case; CFDI40145 compares it with the RFC's registry entry).
        receptor=cfdi40.Receptor(rfc=c.rfc, nombre=c.name.upper(), domicilio_fiscal_receptor=c.codigo_postal,
                                 regimen_fiscal_receptor=c.regimen_fiscal, uso_cfdi=c.uso_cfdi),
        conceptos=[_concepto(line, claves, ieps_broken_out(sale)) for line in sale.lines],
        serie=series, folio=str(folio), forma_pago=forma_pago(sale), metodo_pago="PUE",
        exportacion="01", moneda="MXN", tipo_de_comprobante="I",
        fecha=fecha(issued_at, emisor.lugar_expedicion),
    )
    if cfdi["Total"] != sale.totals.total:
        raise CfdiError(f"El total del CFDI ({cfdi['Total']}) no es el de la venta ({sale.totals.total})")
    return cfdi


def seal(cfdi: cfdi40.Comprobante, signer: Signer) -> bytes:
    """Sello, NoCertificado, Certificado (cadena original, RSA-SHA256), then the XML validated against the
    SAT's cfdv40.xsd; raises ``CfdiError`` with lxml's message when the XSD refuses it."""
    cfdi.sign(signer)
    return xml_bytes(cfdi)


def xml_bytes(cfdi: cfdi40.Comprobante) -> bytes:
    """The XML, validated against the SAT's schemas for the nodes it has (cfdv40.xsd, catCFDI.xsd, tdCFDI.xsd,
    and a complement's own, such as the TimbreFiscalDigital's). satcfdi compiles the schemas again on every
    validation, which costs far more than building and sealing; the compiled schema is kept here instead."""
    xml = cfdi.to_xml(validate=False, include_schema_location=True)
    collector = SchemaCollector()
    cfdi_schemas[cfdi.tag](collector, cfdi)
    schema = _schema(tuple(collector.base))
    with _SCHEMA_LOCK:  # one compiled schema shared by the worker thread and the pages
        valid = schema.validate(xml)
        errors = str(schema.error_log)
    if not valid:
        raise CfdiError(f"El XML no cumple el esquema del SAT: {errors}")
    return bytes(etree.tostring(xml, xml_declaration=True, encoding="UTF-8"))


@lru_cache(maxsize=16)
def _schema(bases: tuple[str, ...]) -> etree.XMLSchema:
    # The same wrapper schema satcfdi's validate_xsd builds: an import of each base schema, resolved from the
    # schemas shipped in the wheel.
    root = etree.fromstring('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>',
                            base_url=os.path.join(SCHEMA_ROOT, "schema.xsd"), parser=satcfdi_parser)
    for base in bases:
        etree.SubElement(root, "{http://www.w3.org/2001/XMLSchema}import",
                         attrib={"namespace": "", "schemaLocation": base})
    return etree.XMLSchema(root)
