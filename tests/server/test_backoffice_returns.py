"""Back office: cancel a synced remisión or factura (SAT motive through the PAC for a stamped one), stock back;
a sale with returns cannot be cancelled; the audit list of cancellations and returns with who did them."""
from __future__ import annotations

from typing import Any

from server.fiscal import jobs
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.backoffice_helpers import create_user, login, post_form, signed_in
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable
from tests.server.returns_helpers import a_return, post_returns
from tests.server.test_fiscal_jobs import CUSTOMER


def _sync(erp: Erp, *sales: dict[str, Any]) -> tuple[dict[str, str], list[int]]:
    h = erp.pair()
    assert [r["status"] for r in post_sales(erp, h, *sales)] == ["accepted"] * len(sales)
    ids = [erp.scalar("SELECT id FROM sales WHERE uuid = :u", u=s["uuid"]) for s in sales]
    return h, ids


def _stock(erp: Erp, pid: int) -> int:
    return int(erp.scalar("SELECT qty FROM stock WHERE warehouse_id = 1 AND product_id = :p", p=pid))


def test_cancel_a_remision_puts_stock_back_and_is_audited(erp: Erp) -> None:
    items = sellable(catalog_items(erp, erp.pair()), unit="pieza")[:2]
    sale, other = make_sale(items, 1, qty="2"), make_sale(items, 2, qty="3")
    h, (sale_id, other_id) = _sync(erp, sale, other)
    pid = items[0]["id"]
    stock = _stock(erp, pid)
    client = signed_in(erp)
    url = f"/erp/ventas/venta/{sale_id}"
    r = post_form(client, f"{url}/cancelar", {"motivo": ""}, page_url=url)
    assert r.status_code == 400 and erp.scalar("SELECT status FROM sales WHERE id = :i", i=sale_id) == "accepted"
    r = post_form(client, f"{url}/cancelar", {"motivo": "Venta capturada dos veces"}, page_url=url)
    assert r.status_code == 200, r.text
    assert erp.scalar("SELECT status FROM sales WHERE id = :i", i=sale_id) == "cancelada"
    assert _stock(erp, pid) == stock + 2000
    assert 'id="cancellation"' in r.text and "Venta capturada dos veces" in r.text
    # Cancelled: no return of it, no second cancellation.
    [refused] = post_returns(erp, h, a_return(sale, {0: "1"}))
    assert refused["error"] == "sale_cancelled"
    r = post_form(client, f"{url}/cancelar", {"motivo": "otra vez"}, page_url=f"/erp/ventas/venta/{other_id}")
    assert r.status_code == 400 and _stock(erp, pid) == stock + 2000
    # A sale with a return cannot be cancelled until the return is undone.
    assert post_returns(erp, h, a_return(other, {1: "1"}))[0]["status"] == "accepted"
    other_url = f"/erp/ventas/venta/{other_id}"
    page = client.get(other_url).text
    assert 'id="returns"' in page and "D-1" in page and "Supervisora" in page and 'id="cancel-sale"' not in page
    r = post_form(client, f"{other_url}/cancelar", {"motivo": "error"}, page_url=f"/erp/ventas/venta/{sale_id}")
    assert r.status_code == 400 and "devoluciones" in r.text
    assert erp.scalar("SELECT status FROM sales WHERE id = :i", i=other_id) == "accepted"
    audit = client.get("/erp/ventas-devoluciones")
    assert audit.status_code == 200
    rows = audit.text.split('id="audit"')[1]
    assert "Devolución" in rows and "Cancelación" in rows and "admin" in rows and "Cajero 2" in rows
    assert rows.index("Devolución") < rows.index("Cancelación")  # newest first


def test_a_read_only_user_cannot_cancel(erp: Erp) -> None:
    items = sellable(catalog_items(erp, erp.pair()), unit="pieza")[:1]
    _h, (sale_id,) = _sync(erp, make_sale(items, 1))
    create_user(erp, "contadora", "contraseña-segura-2", role="contador")
    login(erp.client, "contadora", "contraseña-segura-2")
    url = f"/erp/ventas/venta/{sale_id}"
    r = post_form(erp.client, f"{url}/cancelar", {"motivo": "x"}, page_url=url)
    assert r.status_code == 403
    assert erp.scalar("SELECT status FROM sales WHERE id = :i", i=sale_id) == "accepted"


def test_cancel_a_stamped_factura_needs_the_sat_motive_and_goes_through_the_pac(erp: Erp) -> None:
    items = sellable(catalog_items(erp, erp.pair()), unit="pieza")[:1]
    _h, (sale_id,) = _sync(erp, make_sale(items, 1, sale_type="factura", customer=CUSTOMER))
    configure_csd(erp)
    client = signed_in(erp)
    url = f"/erp/ventas/venta/{sale_id}"
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        jobs.run_once(erp.engine, SECRET)
        jobs.run_once(erp.engine, SECRET)
        uuid = erp.scalar("SELECT uuid FROM cfdis WHERE sale_id = :i", i=sale_id)
        assert uuid
        r = post_form(client, f"{url}/cancelar", {"motivo": "Cliente no la quiso"}, page_url=url)
        assert r.status_code == 400 and erp.scalar("SELECT status FROM sales WHERE id = :i", i=sale_id) == "accepted"
        r = post_form(client, f"{url}/cancelar", {"motivo": "Cliente no la quiso", "motivo_sat": "02"}, page_url=url)
        assert r.status_code == 200, r.text
        assert pac.cancelled == {uuid: "02"}
    assert erp.scalar("SELECT state FROM cfdis WHERE sale_id = :i", i=sale_id) == "cancelada"
    assert "Cancelada" in client.get("/erp/ventas-cfdi").text
    assert erp.scalar("SELECT sat_motive FROM sale_cancellations") == "02"
    assert erp.scalar("SELECT status FROM sales WHERE id = :i", i=sale_id) == "cancelada"


def test_an_unstamped_factura_is_cancelled_without_the_pac_and_never_stamped(erp: Erp) -> None:
    items = sellable(catalog_items(erp, erp.pair()), unit="pieza")[:1]
    _h, (sale_id,) = _sync(erp, make_sale(items, 1, sale_type="factura", customer=CUSTOMER))
    client = signed_in(erp)
    url = f"/erp/ventas/venta/{sale_id}"
    r = post_form(client, f"{url}/cancelar", {"motivo": "Error de captura"}, page_url=url)
    assert r.status_code == 200, r.text
    configure_csd(erp)  # a pendiente ingreso would now be sealed
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        for _ in range(2):
            jobs.run_once(erp.engine, SECRET)
    # Its ingreso, queued with the sale, is closed unsealed: no XML, no UUID, never picked by the job again.
    assert erp.sql("SELECT state, xml, uuid FROM cfdis") == [("cancelada", None, None)]


def test_undo_a_return_then_cancel_the_sale(erp: Erp) -> None:
    items = sellable(catalog_items(erp, erp.pair()), unit="pieza")[:1]
    sale = make_sale(items, 1, qty="3")
    h, (sale_id,) = _sync(erp, sale)
    pid = items[0]["id"]
    after_sale = _stock(erp, pid)
    assert post_returns(erp, h, a_return(sale, {0: "2"}))[0]["status"] == "accepted"
    assert _stock(erp, pid) == after_sale + 2000
    return_id = erp.scalar("SELECT id FROM returns")
    client = signed_in(erp)
    url = f"/erp/ventas/venta/{sale_id}"
    r = post_form(client, f"{url}/devolucion/{return_id}/deshacer", {"motivo": "Capturada por error"}, page_url=url)
    assert r.status_code == 200, r.text
    assert _stock(erp, pid) == after_sale
    assert 'id="cancel-sale"' in r.text  # no live return any more
    # An undone return counts no more: the units can be returned again, then undone again.
    assert post_returns(erp, h, a_return(sale, {0: "3"}))[0]["status"] == "accepted"
    second = erp.scalar("SELECT max(id) FROM returns")
    r = post_form(client, f"{url}/devolucion/{second}/deshacer", {"motivo": "Otra vez"}, page_url=url)
    assert r.status_code == 200 and _stock(erp, pid) == after_sale
    r = post_form(client, f"{url}/cancelar", {"motivo": "Venta de prueba"}, page_url=url)
    assert r.status_code == 200, r.text
    assert _stock(erp, pid) == after_sale + 3000
    audit = client.get("/erp/ventas-devoluciones").text.split('id="audit"')[1]
    assert audit.count("Devolución deshecha") == 2 and "Cancelación" in audit and "Capturada por error" in audit
