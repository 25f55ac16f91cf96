"""IEPS per litre and the customer's IEPS breakdown through the ERP: the product form and the CSV import take the
cuota and the litres, the catalog feed gives them to the till, a synced sale is checked against them, the customer
form keeps the breakdown setting, and the CFDI job breaks IEPS out only for a customer who asked for it."""
from __future__ import annotations

from typing import Any

from server.fiscal import jobs
from tests.server.backoffice_helpers import csrf_of, post_form, signed_in
from tests.server.fiscal_setup import configure_csd
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales

DRINK = {"sku": "BEB-1", "name": "Refresco naranja 600 ml", "barcodes": "", "unit": "pieza", "iva": "16",
         "ieps": "", "ieps_cuota": "3.0818", "litres": "0.6", "active": "1", "price_1": "18.50", "price_2": "17",
         "price_3": "", "stock_1": "24"}
CUSTOMER = {"name": "Tienda Kemper", "rfc": "EKU9003173C9", "regimen_fiscal": "601", "codigo_postal": "26015",
            "uso_cfdi": "G01", "email": "", "price_list_id": "", "active": "1"}


def _drink(erp: Erp, h: dict[str, str]) -> dict[str, Any]:
    return next(p for p in catalog_items(erp, h) if p["sku"] == "BEB-1")


def test_product_form_and_feed_carry_the_cuota_and_a_sale_is_checked_against_it(erp: Erp) -> None:
    client = signed_in(erp)
    for bad, why in (({"litres": ""}, "Litros"), ({"ieps": "8"}, "no ambas"), ({"litres": "0.0005"}, "Litros")):
        r = post_form(client, "/erp/productos/nuevo", DRINK | bad, page_url="/erp/productos/nuevo")
        assert r.status_code == 400 and why in r.text, bad
    r = post_form(client, "/erp/productos/nuevo", DRINK, page_url="/erp/productos/nuevo")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert 'value="3.0818"' in page and 'value="0.6"' in page
    assert "$3.0818/L" in client.get("/erp/productos", params={"q": "BEB-1"}).text
    h = erp.pair()
    drink = _drink(erp, h)
    assert (drink["ieps"], drink["ieps_cuota"], drink["litres"]) == (None, "3.0818", "0.6")
    sale = make_sale([drink], 1, qty="2")
    assert sale["lines"][0]["taxes"][0] == {"tax": "IEPS", "rate": "3.0818/L", "base": "1.2", "amount": "3.70"}
    assert post_sales(erp, h, sale)[0]["status"] == "accepted"
    other = make_sale([drink | {"litres": "0.5"}], 2)  # a till with stale litres
    result = post_sales(erp, h, other)[0]
    assert result["status"] == "rejected" and result["error"] == "tax_mismatch"


def test_csv_import_takes_the_cuota_columns(erp: Erp) -> None:
    client = signed_in(erp)
    csv = (b"sku;nombre;unidad;iva;ieps;ieps_cuota;litros_por_unidad\n"
           b"BEB-2;Agua de sabor 1 L;pieza;16;;1,6451;1\nGAL-1;Galletas;pieza;16;8;;\n")
    token = csrf_of(client.get("/erp/importar").text)
    r = client.post("/erp/importar", data={"csrf_token": token, "accion": "aplicar"},
                    files={"archivo": ("p.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text
    rows = dict(erp.sql("SELECT sku, ieps_cuota || '|' || litres FROM products WHERE sku IN ('BEB-2', 'GAL-1')"))
    assert rows == {"BEB-2": "1.6451|1", "GAL-1": None}
    bad = b"sku,nombre,unidad,iva,ieps,ieps_cuota\nBEB-3,X,pieza,16,8,3\n"
    token = csrf_of(client.get("/erp/importar").text)
    r = client.post("/erp/importar", data={"csrf_token": token, "accion": "aplicar"},
                    files={"archivo": ("p.csv", bad, "text/csv")})
    assert "no ambas" in r.text
    assert erp.scalar("SELECT count(*) FROM products WHERE sku = 'BEB-3'") == 0


def _customer(erp: Erp, client: Any, h: dict[str, str], breakdown: bool, rfc: str) -> dict[str, Any]:
    form = CUSTOMER | {"rfc": rfc, "name": f"Cliente {rfc}"} | ({"ieps_breakdown": "1"} if breakdown else {})
    r = post_form(client, "/erp/clientes/nuevo", form, page_url="/erp/clientes/nuevo")
    assert r.status_code == 303, r.text
    assert ('name="ieps_breakdown" value="1" checked' in client.get(r.headers["location"]).text) == breakdown
    feed = erp.client.get("/api/customers", headers=h).json()["items"]
    return next(c for c in feed if c["rfc"] == rfc)


def test_cfdi_breaks_ieps_out_only_for_a_customer_who_asked(erp: Erp) -> None:
    configure_csd(erp)
    client = signed_in(erp)
    assert post_form(client, "/erp/productos/nuevo", DRINK, page_url="/erp/productos/nuevo").status_code == 303
    h = erp.pair()
    asked = _customer(erp, client, h, True, "EKU9003173C9")
    plain = _customer(erp, client, h, False, "PEPJ800101AB1") | {"regimen_fiscal": "612", "uso_cfdi": "G03"}
    assert asked["ieps_breakdown"] is True and "ieps_breakdown" not in plain
    drink = _drink(erp, h)
    for seq, customer in ((1, asked), (2, plain)):
        sale = make_sale([drink], seq, qty="2", sale_type="factura", customer=customer)
        assert post_sales(erp, h, sale)[0]["status"] == "accepted"
    jobs.run_once(erp.engine, SECRET)
    broken, folded = (x for (x,) in erp.sql("SELECT xml FROM cfdis ORDER BY sale_id"))
    assert 'TipoFactor="Cuota"' in broken and 'TasaOCuota="3.081800"' in broken and 'SubTotal="28.20"' in broken
    assert 'Impuesto="003"' not in folded and 'SubTotal="31.90"' in folded
    assert 'Total="37.00"' in broken and 'Total="37.00"' in folded
