"""POST /api/cfdis: a till learns the UUID and the SAT verification address of its own stamped facturas (for the
ticket's reprint); not stamped yet, another till's sale or an unknown uuid are simply absent."""
from __future__ import annotations

from server.fiscal import jobs
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable
from tests.server.returns_helpers import second_till
from tests.server.test_fiscal_jobs import CUSTOMER


def test_a_till_gets_the_uuid_of_its_stamped_facturas_only(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h))[:2]
    mine = make_sale(items, 1, sale_type="factura", customer=CUSTOMER)
    assert post_sales(erp, h, mine)[0]["status"] == "accepted"
    other = second_till(erp)
    theirs = make_sale(items, 1, sale_type="factura", customer=CUSTOMER, terminal="T02")
    assert post_sales(erp, other, theirs)[0]["status"] == "accepted"
    ask = {"sales": [mine["uuid"], theirs["uuid"], "no-such-sale"]}
    assert erp.client.post("/api/cfdis", json=ask, headers=h).json() == {"cfdis": []}  # not stamped yet
    configure_csd(erp)
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        jobs.run_once(erp.engine, SECRET)
        jobs.run_once(erp.engine, SECRET)
    uuid = erp.scalar("SELECT c.uuid FROM cfdis c JOIN sales s ON s.id = c.sale_id WHERE s.uuid = :u", u=mine["uuid"])
    [got] = erp.client.post("/api/cfdis", json=ask, headers=h).json()["cfdis"]
    assert got["sale"] == mine["uuid"] and got["uuid"] == uuid
    assert got["qr"].startswith("https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=" + uuid)
    assert "&re=EKU9003173C9&rr=" + CUSTOMER["rfc"] in got["qr"] and "&fe=" in got["qr"]
    assert erp.client.post("/api/cfdis", json={"sales": ["x"] * 201}, headers=h).status_code == 413
    assert erp.client.post("/api/cfdis", json=ask).status_code == 401
