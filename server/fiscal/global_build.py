"""Remisiones → the CFDI 4.0 global to the público en general (satcfdi `cfdi40.Comprobante`), not yet sealed.

What it is for: `build_global(tickets, emisor, period, issued_at, folio, replaces)`. SAT "Guía de llenado del
CFDI global" (rev. 2023-03-08) and the matriz de errores CFDI40130–40159:
* InformacionGlobal (Periodicidad, Meses, Año) because the receptor is XAXX010101000 PUBLICO EN GENERAL on an
  ingreso; DomicilioFiscalReceptor = LugarExpedicion, RegimenFiscalReceptor 616, UsoCFDI S01.
* One Concepto per ticket: ClaveProdServ 01010101, Cantidad 1, ClaveUnidad ACT, Descripcion "Venta",
  NoIdentificacion = the ticket's folio, ValorUnitario = the ticket's amount before tax, Descuento its discount;
  a ticket mixing tax sets (IVA 16 and exento, IEPS...) is split into one concept per set (the folio repeats).
* Each traslado carries the sum of the ticket lines' own Base and Importe as poscore rounded them, so the
  global's Total is the tickets' totals to the cent. A sum of per-line rounded taxes can drift past the range the
  PAC accepts for Base × TasaOCuota (CFDI40180: lower bound truncated, upper rounded up, with half a cent of
  base either side); such a group is split line by line, where poscore's rounding is always inside the range.
* FormaPago of the largest ticket, MetodoPago PUE, no CondicionesDePago, no retenciones.
* A replacement of a cancelled global relates to it with TipoRelacion 04 (sustitución de los CFDI previos).
What it must not do: read the database, choose the tickets (that is `globals_`'s job) or compute a tax.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from satcfdi.create.cfd import cfdi40

from poscore.sale import Sale, SaleLine
from poscore.tax import fold_ieps

from .build import CfdiError, Emisor, fecha, forma_pago
from .periods import Period

PUBLICO_RFC = "XAXX010101000"
PUBLICO_NAME = "PUBLICO EN GENERAL"
SIX = Decimal("0.000001")
CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")


@dataclass(frozen=True)
class Ticket:
    sale: Sale
    folio: str  # "R-123": NoIdentificacion


def _tax_set(line: SaleLine) -> tuple[tuple[str, str], ...]:
    if not line.amounts.net:
        return ()  # discounted to nothing: "01 No objeto de impuesto", no Impuestos node
    return tuple(sorted((t.tax, t.rate) for t in line.amounts.taxes))


def _tasa(rate: str) -> Decimal:
    return (Decimal(rate) / 100).quantize(SIX)


def _sums(lines: Sequence[SaleLine]) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    out: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for line in lines:
        for t in line.amounts.taxes:
            base, amount = out.get((t.tax, t.rate), (Decimal(0), Decimal(0)))
            out[(t.tax, t.rate)] = (base + t.base, amount + t.amount)
    return out


def _in_range(base: Decimal, rate: str, amount: Decimal) -> bool:
    if rate == "exento":
        return True
    tasa = _tasa(rate)
    low = ((base - HALF_CENT) * tasa).quantize(CENT, rounding=ROUND_FLOOR)
    high = ((base + HALF_CENT) * tasa).quantize(CENT, rounding=ROUND_CEILING)
    return low <= amount <= high


def _traslados(lines: Sequence[SaleLine]) -> list[cfdi40.Traslado]:
    out = []
    for (tax, rate), (base, amount) in sorted(_sums(lines).items(), key=lambda kv: kv[0][0] != "IEPS"):
        if tax == "IEPS":
            out.append(cfdi40.Traslado(impuesto="003", tipo_factor="Tasa", tasa_o_cuota=_tasa(rate),
                                       base=base, importe=amount))
        elif rate == "exento":
            out.append(cfdi40.Traslado(impuesto="002", tipo_factor="Exento", base=base))
        else:
            out.append(cfdi40.Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=_tasa(rate),
                                       base=base, importe=amount))
    return out


def _concepto(folio: str, lines: Sequence[SaleLine], clave: str = "01010101",
              descripcion: str = "Venta") -> cfdi40.Concepto:
    importe = sum((x.amounts.subtotal for x in lines), Decimal(0))
    discount = sum((x.amounts.discount for x in lines), Decimal(0))
    taxed = any(x.amounts.net for x in lines)
    return cfdi40.Concepto(
        clave_prod_serv=clave, cantidad=Decimal(1), clave_unidad="ACT", descripcion=descripcion,
        no_identificacion=folio, valor_unitario=importe, descuento=discount if discount else None,
        objeto_imp="02" if taxed else "01",
        impuestos=cfdi40.Impuestos(traslados=_traslados(lines)) if taxed else None,
    )


def conceptos_of(ticket: Ticket, clave: str = "01010101", descripcion: str = "Venta") -> list[cfdi40.Concepto]:
    groups: dict[tuple[tuple[str, str], ...], list[SaleLine]] = {}
    # The público en general never asks for IEPS broken out (LIEPS art. 19 fr. II): it is in the prices.
    for line in (replace(x, amounts=fold_ieps(x.amounts)) for x in ticket.sale.lines):
        if line.amounts.subtotal:  # a line at price zero adds nothing and the PAC wants ValorUnitario > 0
            groups.setdefault(_tax_set(line), []).append(line)
    out = []
    for lines in groups.values():
        sums = _sums(lines)
        if all(_in_range(base, rate, amount) for (_, rate), (base, amount) in sums.items()):
            out.append(_concepto(ticket.folio, lines, clave, descripcion))
        else:
            out.extend(_concepto(ticket.folio, [line], clave, descripcion) for line in lines)
    return out


def largest_forma_pago(tickets: Sequence[Ticket]) -> str:
    """FormaPago of the global: that of the ticket with the largest total (Guía de llenado del CFDI global)."""
    biggest = max(tickets, key=lambda t: t.sale.totals.total)  # max keeps the first of equal totals
    return forma_pago(biggest.sale)


def build_global(tickets: Sequence[Ticket], emisor: Emisor, period: Period, issued_at: datetime, folio: int,
                 replaces: str | None = None) -> cfdi40.Comprobante:
    if not tickets:
        raise CfdiError("No hay remisiones por facturar en el periodo")
    conceptos = [c for t in tickets for c in conceptos_of(t)]
    if not conceptos:
        raise CfdiError("Las remisiones del periodo no tienen importe")
    cfdi = cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=emisor.rfc, nombre=emisor.name, regimen_fiscal=emisor.regimen_fiscal),
        lugar_expedicion=emisor.lugar_expedicion,
        receptor=cfdi40.Receptor(rfc=PUBLICO_RFC, nombre=PUBLICO_NAME,
                                 domicilio_fiscal_receptor=emisor.lugar_expedicion,
                                 regimen_fiscal_receptor="616", uso_cfdi="S01"),
        informacion_global=cfdi40.InformacionGlobal(periodicidad=period.periodicidad, meses=period.meses,
                                                    ano=period.anio),
        cfdi_relacionados=cfdi40.CfdiRelacionados(tipo_relacion="04", cfdi_relacionado=replaces) if replaces else None,
        conceptos=conceptos, serie="G", folio=str(folio), forma_pago=largest_forma_pago(tickets),
        metodo_pago="PUE", exportacion="01", moneda="MXN", tipo_de_comprobante="I",
        fecha=fecha(issued_at, emisor.lugar_expedicion),
    )
    expected = sum((t.sale.totals.total for t in tickets), Decimal(0))
    if cfdi["Total"] != expected:
        raise CfdiError(f"El total del CFDI global ({cfdi['Total']}) no es el de las remisiones ({expected})")
    return cfdi


def build_egreso(ticket: Ticket, emisor: Emisor, period: Period | None, global_uuid: str, issued_at: datetime,
                 folio: int, *, serie: str = "E", descripcion: str = "Nota de crédito de la venta",
                 forma: str | None = None) -> cfdi40.Comprobante:
    """The egreso that takes one ticket (or what was returned of it) back out of a stamped global (CFDI-NOTES
    "Egresos", from the SAT's Guía de llenado del CFDI global, apéndice 2): TipoDeComprobante E related 01 (nota de
    crédito) to the global's UUID, público en general with UsoCFDI G02 (devoluciones, descuentos o
    bonificaciones), ClaveProdServ 84111506 (servicios de facturación), ACT, NoIdentificacion = the folio, the
    same amounts and taxes as the ticket's concepts in the global. InformacionGlobal is required only on an
    ingreso to the público en general (matriz de errores CFDI40130) and optional here: given with ``period``
    (a ticket leaving for its own factura, as before), left out without it (a return, as the guía's own example
    of a devolución against a global shows it). ``forma``: FormaPago of the refund (default: the ticket's)."""
    cfdi = cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=emisor.rfc, nombre=emisor.name, regimen_fiscal=emisor.regimen_fiscal),
        lugar_expedicion=emisor.lugar_expedicion,
        receptor=cfdi40.Receptor(rfc=PUBLICO_RFC, nombre=PUBLICO_NAME,
                                 domicilio_fiscal_receptor=emisor.lugar_expedicion,
                                 regimen_fiscal_receptor="616", uso_cfdi="G02"),
        informacion_global=None if period is None else cfdi40.InformacionGlobal(
            periodicidad=period.periodicidad, meses=period.meses, ano=period.anio),
        cfdi_relacionados=cfdi40.CfdiRelacionados(tipo_relacion="01", cfdi_relacionado=global_uuid),
        conceptos=conceptos_of(ticket, "84111506", descripcion), serie=serie, folio=str(folio),
        forma_pago=forma or forma_pago(ticket.sale), metodo_pago="PUE", exportacion="01", moneda="MXN",
        tipo_de_comprobante="E", fecha=fecha(issued_at, emisor.lugar_expedicion),
    )
    if cfdi["Total"] != ticket.sale.totals.total:
        raise CfdiError(f"El total del egreso ({cfdi['Total']}) no es el del ticket ({ticket.sale.totals.total})")
    return cfdi
