"""Datos fiscales and Ventas → CFDI pages: admin only, CSD upload with its refusals, "sin timbrar" said
plainly, the key never shown, downloads (XML, PDF with the SAT QR), filter by state, retry and cancel."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.db.engine import write_tx
from server.db.schema import users
from server.fiscal import jobs
from server.fiscal.testcert import make_csd
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.backoffice_helpers import csrf_of, post_form, signed_in
from tests.server.fiscal_setup import SHOP_RFC, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable

CUSTOMER = {"id": None, "uuid": "7a7a7a7a-1111-4222-8333-555555555555", "name": "Juan Pérez Pérez",
            "rfc": "PEPJ800101AB1", "regimen_fiscal": "612", "codigo_postal": "06000", "uso_cfdi": "G03",
            "email": None}


def _upload(client, cer: bytes, key: bytes, password: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/erp/fiscal").text)
    return client.post("/erp/fiscal/csd", data={"password": password, "csrf_token": token},
                       files={"cer": ("csd.cer", cer), "key": ("csd.key", key)})


def test_fiscal_page_uploads_a_csd_and_refuses_fiel_expired_and_other_rfc(erp: Erp) -> None:
    client = signed_in(erp)
    page = client.get("/erp/fiscal")
    assert page.status_code == 200 and "sin timbrar" in page.text and "No hay CSD" in page.text
    r = _upload(client, *make_csd(SHOP_RFC, "ABARROTES", fiel=True))
    assert r.status_code == 400 and "e.firma (FIEL)" in r.text
    r = _upload(client, *make_csd(SHOP_RFC, "ABARROTES", not_before=datetime.now(UTC) - timedelta(days=900),
                                  days=365))
    assert r.status_code == 400 and "venció" in r.text
    r = _upload(client, *make_csd("AAA010101AAA", "OTRA"))
    assert r.status_code == 400 and "AAA010101AAA" in r.text
    cer, key, password = make_csd(SHOP_RFC, "ABARROTES", days=20)
    r = _upload(client, cer, key, password)
    assert r.status_code == 200 and "30001000000500003416" in r.text
    assert 'id="csd-warning"' in r.text  # 20 days left: the 30-day warning shows
    stored = erp.scalar("SELECT csd_key FROM fiscal_settings")
    assert key not in bytes(stored) and password.encode() not in bytes(stored)
    assert password not in client.get("/erp/fiscal").text


def test_fiscal_page_is_admin_only(erp: Erp) -> None:
    client = signed_in(erp)
    with write_tx(erp.engine) as conn:
        conn.execute(users.update().values(is_admin=False))
    assert client.get("/erp/fiscal").status_code == 403


def test_fiscal_emisor_form_checks_rfc_and_cp(erp: Erp) -> None:
    client = signed_in(erp)
    r = post_form(client, "/erp/fiscal/emisor", {"rfc": "XYZ", "nombre": "X", "regimen": "601", "cp": "44100"},
                  page_url="/erp/fiscal")
    assert r.status_code == 400
    r = post_form(client, "/erp/fiscal/emisor", {"rfc": SHOP_RFC, "nombre": "Abarrotes La Esperanza",
                                                 "regimen": "601", "cp": "00001"}, page_url="/erp/fiscal")
    assert r.status_code == 400  # not a CP of the SAT's catalogue
    r = post_form(client, "/erp/fiscal/emisor", {"rfc": SHOP_RFC, "nombre": "Abarrotes La Esperanza",
                                                 "regimen": "601", "cp": "44100"}, page_url="/erp/fiscal")
    assert r.status_code == 200 and "ABARROTES LA ESPERANZA" in r.text


@pytest.mark.slow
def test_fiscal_cfdi_tab_downloads_filters_retries_and_cancels(erp: Erp) -> None:
    client = signed_in(erp)
    assert _upload(client, *make_csd(SHOP_RFC, "ABARROTES")).status_code == 200
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    assert post_sales(erp, h, make_sale(items[:2], 1, sale_type="factura", customer=CUSTOMER))[0]["folio"] == 1
    jobs.run_once(erp.engine, SECRET)
    listing = client.get("/erp/ventas-cfdi")
    assert "Sellada, sin timbrar" in listing.text and 'id="pac-missing"' in listing.text
    cfdi_id = erp.scalar("SELECT id FROM cfdis")
    xml = client.get(f"/erp/ventas-cfdi/{cfdi_id}.xml")
    assert xml.status_code == 200 and b'Serie="F"' in xml.content
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        jobs.run_once(erp.engine, SECRET)
        uuid = erp.scalar("SELECT uuid FROM cfdis")
        assert uuid and uuid in client.get("/erp/ventas-cfdi?estado=timbrada").text
        assert uuid not in client.get("/erp/ventas-cfdi?estado=rechazada").text
        pdf = client.get(f"/erp/ventas-cfdi/{cfdi_id}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert b"/Subtype /Image" in pdf.content or b"/Image" in pdf.content  # the SAT verification QR
        token = csrf_of(client.get("/erp/ventas-cfdi").text)
        r = client.post(f"/erp/ventas-cfdi/{cfdi_id}/cancelar", data={"motivo": "03", "csrf_token": token})
        assert r.status_code == 200 and pac.cancelled == {uuid: "03"}
        assert "Cancelada" in client.get("/erp/ventas-cfdi?estado=cancelada").text


def test_fiscal_facturas_tab_shows_cfdi_state_uuid_downloads_and_filters(erp: Erp) -> None:
    client = signed_in(erp)
    assert _upload(client, *make_csd(SHOP_RFC, "ABARROTES")).status_code == 200
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    post_sales(erp, h, make_sale(items[:1], 1, sale_type="factura", customer=CUSTOMER))
    jobs.run_once(erp.engine, SECRET)
    cfdi_id = erp.scalar("SELECT id FROM cfdis")
    page = client.get("/erp/ventas/facturas").text
    assert "Sellada, sin timbrar" in page and f"/erp/ventas-cfdi/{cfdi_id}.pdf" in page
    assert "F-1" in client.get("/erp/ventas/facturas?cfdi=sellada").text
    assert "F-1" not in client.get("/erp/ventas/facturas?cfdi=timbrada").text
    assert client.get("/erp/ventas/remisiones").status_code == 200
