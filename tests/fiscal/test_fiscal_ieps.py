"""IEPS on the CFDI, each case sealed and validated against the SAT XSD with totals to the cent: a rate or a cuota
per litre (TipoFactor Cuota, Base = litres), broken out for a customer who asked for it, folded into the prices
otherwise (LIEPS art. 19 fr. II), and always folded on the global to the público en general."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from poscore.tax import TaxScheme
from server.fiscal.build import build_cfdi, seal
from server.fiscal.global_build import Ticket, build_global
from server.fiscal.periods import period_of

from .fixtures import CUSTOMER, CUSTOMER_DESGLOSE, EMISOR, factura, signer

NS = {"cfdi": "http://www.sat.gob.mx/cfd/4"}
ISSUED = datetime(2026, 11, 28, 18, 30, 5, tzinfo=UTC)
DRINK = TaxScheme("16", ieps_cuota="3.0818", litres="0.6")
RATE = TaxScheme("16", "8")


def _root(sale) -> etree._Element:  # type: ignore[no-untyped-def]
    return etree.fromstring(seal(build_cfdi(sale, "F", 9, EMISOR, {}, ISSUED), signer()))  # XSD-validated


def _traslados(concepto: etree._Element) -> list[tuple[str | None, ...]]:
    return [(t.get("Impuesto"), t.get("TipoFactor"), t.get("TasaOCuota"), t.get("Base"), t.get("Importe"))
            for t in concepto.iterfind("cfdi:Impuestos/cfdi:Traslados/cfdi:Traslado", NS)]


def _summary(root: etree._Element) -> list[tuple[str | None, ...]]:
    return [(t.get("Impuesto"), t.get("TipoFactor"), t.get("TasaOCuota"), t.get("Base"), t.get("Importe"))
            for t in root.iterfind("cfdi:Impuestos/cfdi:Traslados/cfdi:Traslado", NS)]


def _adds_up(root: etree._Element, total: Decimal) -> None:
    sub, desc = Decimal(root.get("SubTotal")), Decimal(root.get("Descuento") or "0")
    trasl = Decimal(root.find("cfdi:Impuestos", NS).get("TotalImpuestosTrasladados") or "0")
    assert Decimal(root.get("Total")) == total == sub - desc + trasl


@pytest.mark.parametrize("include_tax", [True, False])
def test_cuota_broken_out(include_tax: bool) -> None:
    # 2 drinks of 0.6 L: $18.50 with tax → IEPS 3.70 on 1.2 L, IVA 5.10 on 31.90, net 28.20; $15.00 without tax →
    # net 30.00, IEPS 3.70, IVA on 33.70 = 5.39.
    price = Decimal("18.50") if include_tax else Decimal("15.00")
    sale = factura([("pieza", Decimal(2), price, Decimal(0), DRINK)], include_tax, customer=CUSTOMER_DESGLOSE)
    root = _root(sale)
    [concepto] = root.iterfind("cfdi:Conceptos/cfdi:Concepto", NS)
    net, iva_base, iva = ("28.20", "31.90", "5.10") if include_tax else ("30.00", "33.70", "5.39")
    assert concepto.get("Importe") == net
    assert _traslados(concepto) == [("003", "Cuota", "3.081800", "1.2", "3.70"), ("002", "Tasa", "0.160000",
                                                                                  iva_base, iva)]
    assert _summary(root) == [("003", "Cuota", "3.081800", "1.2", "3.70"), ("002", "Tasa", "0.160000", iva_base, iva)]
    _adds_up(root, sale.totals.total)


def test_cuota_and_rate_folded_for_a_customer_who_did_not_ask() -> None:
    # The drinks' IEPS 3.70 and the cookies' 8 % go into the prices: Importe 31.90 (= the IVA base) and 18.97;
    # only IVA is transferred, on the same bases as when broken out.
    sale = factura([("pieza", Decimal(2), Decimal("18.50"), Decimal(0), DRINK),
                    ("pieza", Decimal(1), Decimal("22.00"), Decimal(0), RATE)], customer=CUSTOMER)
    root = _root(sale)
    drinks, cookies = root.iterfind("cfdi:Conceptos/cfdi:Concepto", NS)
    assert drinks.get("Importe") == "31.90" and drinks.get("ValorUnitario") == "15.950000"
    assert _traslados(drinks) == [("002", "Tasa", "0.160000", "31.90", "5.10")]
    assert cookies.get("Importe") == "18.97" and _traslados(cookies) == [("002", "Tasa", "0.160000", "18.97", "3.03")]
    assert _summary(root) == [("002", "Tasa", "0.160000", "50.87", "8.13")]
    _adds_up(root, Decimal("59.00"))


def test_folded_with_a_discount_keeps_the_discount_apart() -> None:
    # 2 × $18.50 with 10 % off: total 33.30; folded Importe 31.90 (the undiscounted IVA base), Descuento 3.19.
    sale = factura([("pieza", Decimal(2), Decimal("18.50"), Decimal(10), DRINK)])
    root = _root(sale)
    [concepto] = root.iterfind("cfdi:Conceptos/cfdi:Concepto", NS)
    assert (concepto.get("Importe"), concepto.get("Descuento")) == ("31.90", "3.19")
    assert _traslados(concepto) == [("002", "Tasa", "0.160000", "28.71", "4.59")]
    _adds_up(root, Decimal("33.30"))


def test_the_global_folds_ieps_into_each_ticket() -> None:
    with_drinks = factura([("pieza", Decimal(2), Decimal("18.50"), Decimal(0), DRINK),
                           ("pieza", Decimal(1), Decimal("22.00"), Decimal(0), RATE)], customer=CUSTOMER_DESGLOSE)
    root = etree.fromstring(seal(build_global([Ticket(with_drinks, "R-1")], EMISOR,
                                              period_of("01", date(2026, 11, 27)), ISSUED, 1), signer()))
    [concepto] = root.iterfind("cfdi:Conceptos/cfdi:Concepto", NS)
    assert concepto.get("ValorUnitario") == "50.87" and concepto.get("NoIdentificacion") == "R-1"
    assert _traslados(concepto) == [("002", "Tasa", "0.160000", "50.87", "8.13")]
    _adds_up(root, Decimal("59.00"))
