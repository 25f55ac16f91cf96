"""A factura's return issues a CFDI egreso (E, TipoRelacion 03 to the stamped ingreso) through the CFDI job,
on SQLite and PostgreSQL; a remisión's return issues none."""
from __future__ import annotations

from typing import Any

from lxml import etree
from sqlalchemy import select

from server import cancellation
from server.db.schema import cfdis
from server.fiscal import jobs
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.backoffice_helpers import create_user
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable
from tests.server.returns_helpers import a_return, post_returns
from tests.server.test_fiscal_jobs import CUSTOMER

NS = {"cfdi": "http://www.sat.gob.mx/cfd/4"}


def _rows(erp: Erp) -> list[Any]:
    with erp.engine.connect() as conn:
        return list(conn.execute(select(cfdis).order_by(cfdis.c.id)).all())


def test_factura_return_is_an_egreso_related_03_to_the_stamped_uuid(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h), unit="pieza")[:2]
    sale = make_sale(items, 1, qty="2", sale_type="factura", customer=CUSTOMER)
    remision = make_sale(items, 2, qty="2")
    assert [r["status"] for r in post_sales(erp, h, sale, remision)] == ["accepted", "accepted"]
    ret = a_return(sale, {0: "1", 1: "2"}, method="tarjeta_debito")
    assert [r["status"] for r in post_returns(erp, h, ret, a_return(remision, {0: "1"}))] == ["accepted"] * 2
    configure_csd(erp)
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        jobs.run_once(erp.engine, SECRET)  # the ingreso is sealed; the egreso waits for its UUID
        assert len(_rows(erp)) == 1
        jobs.run_once(erp.engine, SECRET)  # ingreso stamped
        jobs.run_once(erp.engine, SECRET)  # egreso enqueued and sealed
        jobs.run_once(erp.engine, SECRET)  # egreso stamped
        ingreso, egreso = _rows(erp)
        assert ingreso.state == egreso.state == "timbrada", (egreso.error_code, egreso.error_message)
        assert egreso.sale_id == ingreso.sale_id and egreso.return_id is not None
        root = etree.fromstring(egreso.xml.encode())
        assert root.get("TipoDeComprobante") == "E"
        assert (root.get("Serie"), root.get("Folio")) == ("D", "1")
        assert root.get("Total") == ret["totals"]["total"]
        assert (root.get("FormaPago"), root.get("MetodoPago")) == ("28", "PUE")
        rel = root.find("cfdi:CfdiRelacionados", NS)
        assert rel.get("TipoRelacion") == "03"
        assert [x.get("UUID") for x in rel.findall("cfdi:CfdiRelacionado", NS)] == [ingreso.uuid]
        assert root.find("cfdi:Receptor", NS).get("UsoCFDI") == "G02"
        assert [c.get("Cantidad") for c in root.findall("cfdi:Conceptos/cfdi:Concepto", NS)] == ["1", "2"]
        assert jobs.run_once(erp.engine, SECRET) == 0
        assert len(_rows(erp)) == 2  # the remisión's return has no CFDI of its own
        # Undoing the factura's return cancels its stamped egreso through the PAC, with the SAT motive.
        create_user(erp, "jefa")
        user_id = erp.scalar("SELECT id FROM users WHERE username = 'jefa'")
        assert cancellation.undo_return(erp.engine, SECRET, egreso.return_id, user_id, "error", None)
        assert cancellation.undo_return(erp.engine, SECRET, egreso.return_id, user_id, "error", "02") is None
        assert pac.cancelled == {egreso.uuid: "02"}
        assert _rows(erp)[1].state == "cancelada"
        assert erp.scalar("SELECT undone_by FROM returns WHERE id = :i", i=egreso.return_id) == user_id
    client = erp.client
    from tests.server.backoffice_helpers import login
    assert login(client, "jefa").status_code == 303
    listing = client.get("/erp/ventas-cfdi").text
    assert "Devolución D-1 (E)" in listing and f"{ret['totals']['total']}" in listing.replace(",", "")
