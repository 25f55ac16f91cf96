"""The CFDI global built from poscore sales: for any mix of tickets (IVA 16/8/0/exento, IEPS, kg, discounts,
prices with or without tax) the Total is the sum of the tickets to the cent, every XML passes the SAT XSD, every
traslado stays inside the PAC's range for Base × TasaOCuota, FormaPago is the largest ticket's; and the periods
(diaria … bimestral) with their Meses."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from poscore.tax import TaxScheme
from server.fiscal.build import seal
from server.fiscal.global_build import Ticket, build_global
from server.fiscal.periods import allowed, parse_key, period_of
from tests.fiscal.fixtures import EMISOR, factura, signer

NS = {"cfdi": "http://www.sat.gob.mx/cfd/4"}
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
DAY = period_of("01", date(2026, 11, 27))

line = st.tuples(st.sampled_from(["pieza", "kg"]), st.integers(1, 5000), st.integers(1, 99999),
                 st.sampled_from([0, 0, 5, 10, 100]), st.sampled_from(["16", "8", "0", "exento"]),
                 st.sampled_from([None, None, "8", "26.5"]))
ticket = st.tuples(st.lists(line, min_size=1, max_size=6), st.booleans(),
                   st.sampled_from(["efectivo", "tarjeta_debito", "transferencia"]))


def _sale(spec: tuple, n: int):  # type: ignore[no-untyped-def]
    lines, include_tax, method = spec
    made = [(unit, Decimal(q) / 1000 if unit == "kg" else Decimal(q % 12 + 1), Decimal(p) / 100, Decimal(d),
             TaxScheme(iva, ieps)) for unit, q, p, d, iva, ieps in lines]
    sale = factura(made, include_tax)
    if method != "efectivo" and sale.totals.total:
        sale = factura(made, include_tax, [{"method": method, "amount": str(sale.totals.total)}])
    return Ticket(sale, f"R-{n}")


def _cents(v: str | None) -> Decimal:
    return Decimal(v or "0")


@settings(max_examples=25, deadline=None)
@given(st.lists(ticket, min_size=1, max_size=8))
def test_fiscal_global_total_is_the_tickets_to_the_cent(specs: list) -> None:  # type: ignore[type-arg]
    tickets = [_sale(s, n) for n, s in enumerate(specs, start=1)]
    tickets = [t for t in tickets if t.sale.totals.subtotal]
    if not tickets:
        return
    xml = seal(build_global(tickets, EMISOR, DAY, NOW, 1), signer())  # seal() validates against the XSD
    root = etree.fromstring(xml)
    assert Decimal(root.get("Total")) == sum(t.sale.totals.total for t in tickets)
    for tr in root.iterfind(".//cfdi:Concepto//cfdi:Traslado", NS):
        if tr.get("TipoFactor") == "Exento":
            continue
        base, tasa, amount = Decimal(tr.get("Base")), Decimal(tr.get("TasaOCuota")), Decimal(tr.get("Importe"))
        low = ((base - Decimal("0.005")) * tasa).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        high = ((base + Decimal("0.005")) * tasa).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
        assert low <= amount <= high  # CFDI40180
    biggest = max(tickets, key=lambda t: t.sale.totals.total)
    # Tickets discounted to nothing were paid with nothing (no payment to name): efectivo then.
    assert biggest.sale.totals.total == 0 or root.get("FormaPago") == biggest.sale.payments[0].sat_code


def test_fiscal_global_periods_and_meses() -> None:
    week = period_of("02", date(2026, 12, 2))  # Monday 30 Nov – Sunday 6 Dec, cut at the month's start
    assert (week.first, week.last, week.meses) == (date(2026, 12, 1), date(2026, 12, 6), "12")
    q = period_of("03", date(2026, 2, 20))
    assert (q.first, q.last) == (date(2026, 2, 16), date(2026, 2, 28))
    bi = period_of("05", date(2026, 12, 31))
    assert (bi.first, bi.last, bi.meses, bi.anio) == (date(2026, 11, 1), date(2026, 12, 31), "18", 2026)
    assert period_of("05", date(2026, 2, 1)).meses == "13"
    assert parse_key(period_of("04", date(2026, 11, 9)).key) == period_of("04", date(2026, 11, 30))
    assert allowed("05", "621") and not allowed("05", "601") and allowed("01", "601")


def test_fiscal_egreso_for_one_ticket_of_a_global() -> None:
    from server.fiscal.global_build import build_egreso

    [ticket] = [_sale(([("pieza", 3, 1999, 10, "16", "8"), ("kg", 750, 4990, 0, "exento", None)], True,
                       "tarjeta_debito"), 7)]
    xml = seal(build_egreso(ticket, EMISOR, DAY, "5FB2822E-396D-4725-8521-CDC4BDD20CCF", NOW, 3), signer())
    root = etree.fromstring(xml)
    assert (root.get("TipoDeComprobante"), root.get("Serie"), root.get("FormaPago")) == ("E", "E", "28")
    assert Decimal(root.get("Total")) == ticket.sale.totals.total
    rel = root.find("cfdi:CfdiRelacionados", NS)
    assert rel.get("TipoRelacion") == "01"
    assert root.find("cfdi:Receptor", NS).get("UsoCFDI") == "G02"
    assert {c.get("ClaveProdServ") for c in root.iterfind(".//cfdi:Concepto", NS)} == {"84111506"}
    assert {c.get("NoIdentificacion") for c in root.iterfind(".//cfdi:Concepto", NS)} == {"R-7"}
