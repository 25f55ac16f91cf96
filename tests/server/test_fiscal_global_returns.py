"""Returns of remisiones and the factura global, on SQLite and PostgreSQL: a return received before the global is
issued nets out of it (preview and CFDI); one received after the global is stamped becomes a CFDI egreso E/01
related to the global (público en general, 616, G02, 84111506 / ACT, NoIdentificacion = the remisión's folio,
without InformacionGlobal, as the SAT's guía shows it), sealed, XSD-valid and stamped through the same job."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from server.db.engine import utcnow
from server.fiscal import global_cfdi, jobs
from server.fiscal.build import zone_of
from server.fiscal.periods import period_of
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.backoffice_helpers import signed_in
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable
from tests.server.returns_helpers import a_return, post_returns

NS = {"cfdi": "http://www.sat.gob.mx/cfd/4"}
DAY = period_of("01", date(2026, 11, 27))


def test_returns_net_out_before_the_global_and_are_egresos_after_it(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h), unit="pieza")[:3]
    sales = [make_sale(items[i:i + 2], i + 1, qty="2") for i in range(3)]
    assert all(r["status"] == "accepted" for r in post_sales(erp, h, *sales))
    before = a_return(sales[0], {0: "1"})
    assert post_returns(erp, h, before)[0]["status"] == "accepted"
    zone = zone_of(erp.scalar("SELECT codigo_postal FROM shops WHERE id = 1"))
    full = sum(Decimal(s["totals"]["total"]) for s in sales)
    net = full - Decimal(before["totals"]["total"])
    with erp.engine.connect() as conn:
        preview = global_cfdi.preview(conn, DAY, zone)
    assert preview.total == net and preview.tickets[0]["returned"] == Decimal(before["totals"]["total"])
    client = signed_in(erp)
    page = client.get("/erp/ventas-global?periodicidad=01&fecha=2026-11-27").text
    assert "neto de devoluciones por" in page and f"{net:,.2f}" in page
    configure_csd(erp)
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        global_id = global_cfdi.issue(erp.engine, DAY, zone, utcnow())
        jobs.run_once(erp.engine, SECRET)
        jobs.run_once(erp.engine, SECRET)
        state, uuid, xml = erp.sql("SELECT state, uuid, xml FROM cfdis WHERE id = :i", i=global_id)[0]
        assert state == "timbrada"
        root = etree.fromstring(xml.encode())
        assert Decimal(root.get("Total")) == net  # the return came before the global: netted out
        # After the global: a return of the second remisión is an egreso related 01 to the stamped global.
        after = a_return(sales[1], {0: "2"}, method="transferencia")
        assert post_returns(erp, h, after)[0]["status"] == "accepted"
        for _ in range(2):
            jobs.run_once(erp.engine, SECRET)  # enqueued and sealed, then stamped
        [egreso] = erp.sql("SELECT state, kind, related_id, sale_id, error_message, xml FROM cfdis "
                           "WHERE return_id IS NOT NULL")
        assert egreso[:4] == ("timbrada", "egreso", global_id, None), egreso[4]
        _is_the_sat_egreso(etree.fromstring(egreso[5].encode()), uuid, after)
        assert jobs.run_once(erp.engine, SECRET) == 0  # never twice
        listing = client.get("/erp/ventas-cfdi").text  # listed with its return's folio
        assert "D-2" in listing and uuid not in listing
        # The first return, netted out of the global, never gets an egreso of its own.
        assert erp.scalar("SELECT count(*) FROM cfdis WHERE return_id IS NOT NULL") == 1


def _is_the_sat_egreso(root: Any, global_uuid: str, ret: dict[str, Any]) -> None:
    assert (root.get("TipoDeComprobante"), root.get("Serie"), root.get("Folio")) == ("E", "D", "2")
    assert (root.get("FormaPago"), root.get("MetodoPago")) == ("03", "PUE")
    assert root.get("Total") == ret["totals"]["total"]
    rel = root.find("cfdi:CfdiRelacionados", NS)
    assert rel.get("TipoRelacion") == "01" and rel.find("cfdi:CfdiRelacionado", NS).get("UUID") == global_uuid
    receptor = root.find("cfdi:Receptor", NS)
    assert (receptor.get("Rfc"), receptor.get("Nombre"), receptor.get("RegimenFiscalReceptor"),
            receptor.get("UsoCFDI")) == ("XAXX010101000", "PUBLICO EN GENERAL", "616", "G02")
    assert receptor.get("DomicilioFiscalReceptor") == root.get("LugarExpedicion")
    assert root.find("cfdi:InformacionGlobal", NS) is None  # required only on an ingreso (CFDI40130)
    conceptos = root.findall("cfdi:Conceptos/cfdi:Concepto", NS)
    assert {(c.get("ClaveProdServ"), c.get("ClaveUnidad"), c.get("NoIdentificacion"), c.get("Cantidad"))
            for c in conceptos} == {("84111506", "ACT", "R-2", "1")}
