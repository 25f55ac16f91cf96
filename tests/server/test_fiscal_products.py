"""Products carry SAT ClaveProdServ and ClaveUnidad, checked against the SAT catalogues, from the product form
and from the CSV import's two optional columns; the CFDI uses them (defaults by unit otherwise)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text

from server.fiscal import jobs
from tests.server.backoffice_helpers import csrf_of, post_form, signed_in
from tests.server.fiscal_setup import configure_csd
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable

FORM = {"sku": "SAT-1", "name": "Refresco cola 600 ml", "barcodes": "", "unit": "pieza", "iva": "16", "ieps": "8",
        "active": "1", "price_1": "18.50", "price_2": "17", "price_3": "", "stock_1": "24"}


def _keys(erp: Erp, sku: str) -> tuple[Any, Any]:
    [row] = erp.sql("SELECT sat_clave_prod_serv, sat_clave_unidad FROM products WHERE sku = :s", s=sku)
    return tuple(row)  # type: ignore[return-value]


def test_fiscal_product_form_checks_sat_keys_against_the_catalogue(erp: Erp) -> None:
    client = signed_in(erp)
    r = post_form(client, "/erp/productos/nuevo", FORM | {"sat_prod_serv": "99999999", "sat_unidad": ""},
                  page_url="/erp/productos/nuevo")
    assert r.status_code == 400 and "catálogo del SAT" in r.text
    r = post_form(client, "/erp/productos/nuevo", FORM | {"sat_prod_serv": "50202306", "sat_unidad": "zzz"},
                  page_url="/erp/productos/nuevo")
    assert r.status_code == 400 and "unidad" in r.text
    r = post_form(client, "/erp/productos/nuevo", FORM | {"sat_prod_serv": "50202306", "sat_unidad": "h87"},
                  page_url="/erp/productos/nuevo")
    assert r.status_code == 303
    assert _keys(erp, "SAT-1") == ("50202306", "H87")
    assert 'value="50202306"' in client.get(r.headers["location"]).text


def test_fiscal_csv_import_takes_the_two_optional_columns(erp: Erp) -> None:
    client = signed_in(erp)
    csv = ("sku,nombre,unidad,iva,clave_prod_serv,clave_unidad\n"
           "SAT-2,Manzana,kg,0,50301700,KGM\nSAT-3,Jabón,pieza,16,,\n").encode()
    token = csrf_of(client.get("/erp/importar").text)
    r = client.post("/erp/importar", data={"csrf_token": token, "accion": "aplicar"},
                    files={"archivo": ("p.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text
    assert _keys(erp, "SAT-2") == ("50301700", "KGM")
    assert _keys(erp, "SAT-3") == (None, None)
    bad = b"sku,nombre,unidad,iva,clave_prod_serv\nSAT-4,X,pieza,16,1234\n"
    token = csrf_of(client.get("/erp/importar").text)
    r = client.post("/erp/importar", data={"csrf_token": token, "accion": "aplicar"},
                    files={"archivo": ("p.csv", bad, "text/csv")})
    assert "catálogo del SAT" in r.text
    assert erp.scalar("SELECT count(*) FROM products WHERE sku = 'SAT-4'") == 0


def test_fiscal_cfdi_uses_the_product_keys(erp: Erp) -> None:
    configure_csd(erp)
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    first = items[0]
    with erp.engine.begin() as conn:
        conn.execute(text("UPDATE products SET sat_clave_prod_serv = '50202306' WHERE id = :i"), {"i": first["id"]})
    customer = {"id": None, "uuid": None, "name": "Juan Pérez", "rfc": "PEPJ800101AB1", "regimen_fiscal": "612",
                "codigo_postal": "06000", "uso_cfdi": "G03", "email": None}
    assert post_sales(erp, h, make_sale(items[:2], 1, sale_type="factura", customer=customer))[0]["status"] == \
        "accepted"
    jobs.run_once(erp.engine, SECRET)
    xml = erp.scalar("SELECT xml FROM cfdis")
    assert 'ClaveProdServ="50202306"' in xml and 'ClaveProdServ="01010101"' in xml
