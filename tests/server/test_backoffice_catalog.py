"""Catálogo pages: products (search, create, edit, prices with history, stock, version bumps, escaping) and
customers (search, create, edit, RFC validation, offline-created customers)."""
from __future__ import annotations

import uuid
from typing import Any

from tests.server.backoffice_helpers import post_form, signed_in
from tests.server.harness import Erp, catalog_items

XSS = "<script>alert(1)</script>"


def _product_form(**changes: Any) -> dict[str, Any]:
    data = {"sku": "NUEVO-1", "name": "Galletas de prueba", "barcodes": "7509999999996, 7509999999989",
            "unit": "pieza", "iva": "16", "ieps": "8", "active": "1", "price_1": "18.50", "price_2": "17",
            "price_3": "", "stock_1": "24"}
    data.update(changes)
    return data


def _create(client: Any, **changes: Any) -> int:
    r = post_form(client, "/erp/productos/nuevo", _product_form(**changes))
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[-1].split("?")[0])


def test_create_product_reaches_the_terminal_feed(erp: Erp) -> None:
    headers = erp.pair()
    since = erp.client.get("/api/catalog?limit=1", headers=headers).json()["version"]
    client = signed_in(erp)
    pid = _create(client)
    page = client.get(f"/erp/productos/{pid}?guardado=1").text
    assert "Cambios guardados." in page and "7509999999989" in page
    assert 'name="price_1" value="18.50"' in page and 'name="stock_1" value="24"' in page
    items = catalog_items(erp, headers, since=since)
    assert [p["sku"] for p in items] == ["NUEVO-1"]
    p = items[0]
    assert p["price"] == "18.50" and p["stock"] == "24.000" and p["iva"] == "16" and p["ieps"] == "8"
    assert p["barcodes"] == ["7509999999996", "7509999999989"] and p["sellable"]
    assert erp.scalar("SELECT price FROM prices WHERE product_id = :p AND price_list_id = 2", p=pid) == 1700
    assert erp.scalar("SELECT count(*) FROM prices WHERE product_id = :p AND price_list_id = 3", p=pid) == 0


def test_edit_bumps_version_and_keeps_price_history(erp: Erp) -> None:
    headers = erp.pair()
    client = signed_in(erp)
    pid = _create(client)
    before = erp.scalar("SELECT version FROM products WHERE id = :p", p=pid)
    since = erp.client.get("/api/catalog?limit=1", headers=headers).json()["version"]
    r = post_form(client, f"/erp/productos/{pid}", _product_form(price_1="19.00", active=""))
    assert r.status_code == 303
    assert erp.scalar("SELECT version FROM products WHERE id = :p", p=pid) > before
    history = erp.sql("SELECT price, price_list_id FROM price_history WHERE product_id = :p", p=pid)
    assert [(h.price, h.price_list_id) for h in history] == [(1850, 1)]  # the replaced price, in cents
    items = catalog_items(erp, headers, since=since)
    assert [(p["sku"], p["price"], p["active"], p["sellable"]) for p in items] == [("NUEVO-1", "19.00", False, False)]


def test_product_validation_and_uniqueness(erp: Erp) -> None:
    client = signed_in(erp)
    existing_sku = erp.scalar("SELECT sku FROM products WHERE id = 1")
    existing_code = erp.scalar("SELECT barcode FROM product_barcodes ORDER BY id LIMIT 1")
    for changes, message in (({"sku": ""}, "Falta el SKU"), ({"name": " "}, "Falta el nombre"),
                             ({"iva": "15"}, "IVA inválido"), ({"unit": "litro"}, "Unidad inválida"),
                             ({"price_1": "18.505"}, "Precio inválido"), ({"price_1": "-3"}, "Precio inválido"),
                             ({"price_1": "NaN"}, "Precio inválido"), ({"stock_1": "1.0001"}, "Existencia inválida"),
                             ({"ieps": "-1"}, "IEPS inválido"), ({"sku": existing_sku}, "El SKU ya existe"),
                             ({"barcodes": existing_code}, "El código de barras ya es de otro producto")):
        r = post_form(client, "/erp/productos/nuevo", _product_form(**changes))
        assert r.status_code == 400, changes
        assert message in r.text, (changes, r.text[-2000:])
    assert erp.scalar("SELECT count(*) FROM products WHERE sku = 'NUEVO-1'") == 0


def test_product_name_is_escaped_everywhere(erp: Erp) -> None:
    client = signed_in(erp)
    pid = _create(client, name=XSS, sku="XSS-1")
    for url in ("/erp/productos?q=XSS", f"/erp/productos/{pid}"):
        html = client.get(url).text
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_product_search_by_sku_name_and_barcode(erp: Erp) -> None:
    client = signed_in(erp)
    _create(client)
    for q in ("nuevo-1", "galletas de", "7509999999989"):
        page = client.get("/erp/productos", params={"q": q}).text
        assert "NUEVO-1" in page, q
    assert "NUEVO-1" not in client.get("/erp/productos", params={"q": "zzzz-nada"}).text
    assert client.get("/erp/productos/999999").status_code == 404


def _customer_form(**changes: Any) -> dict[str, Any]:
    data = {"name": "Ferretería López SA de CV", "rfc": "flo-990101-ab1", "regimen_fiscal": "601",
            "codigo_postal": "44100", "uso_cfdi": "G03", "email": "compras@lopez.mx", "price_list_id": "2",
            "active": "1"}
    data.update(changes)
    return data


def test_customer_create_edit_and_feed(erp: Erp) -> None:
    headers = erp.pair()
    since = erp.client.get("/api/customers?limit=1", headers=headers).json()["version"]
    client = signed_in(erp)
    r = post_form(client, "/erp/clientes/nuevo", _customer_form())
    assert r.status_code == 303, r.text
    cid = int(r.headers["location"].split("/")[-1].split("?")[0])
    feed = erp.client.get(f"/api/customers?since={since}", headers=headers).json()["items"]
    assert [(c["name"], c["rfc"], c["price_list_id"]) for c in feed] == [("Ferretería López SA de CV", "FLO990101AB1", 2)]
    r = post_form(client, f"/erp/clientes/{cid}", _customer_form(name=XSS, rfc=""))
    assert r.status_code == 303
    page = client.get("/erp/clientes", params={"q": "script"}).text
    assert XSS not in page and "&lt;script&gt;" in page
    assert erp.scalar("SELECT rfc FROM customers WHERE id = :c", c=cid) is None


def test_customer_rfc_and_fiscal_validation(erp: Erp) -> None:
    client = signed_in(erp)
    for changes, message in (({"rfc": "ABC123"}, "RFC no válido"), ({"rfc": "FLO991301AB1"}, "RFC no válido"),
                             ({"name": ""}, "Falta el nombre"), ({"codigo_postal": "4410"}, "no válido"),
                             ({"email": "sin-arroba"}, "Dato fiscal inválido")):
        r = post_form(client, "/erp/clientes/nuevo", _customer_form(**changes))
        assert r.status_code == 400, changes
        assert message in r.text, changes
    assert erp.scalar("SELECT count(*) FROM customers WHERE email = 'compras@lopez.mx'") == 0


def test_customers_created_offline_appear(erp: Erp) -> None:
    headers = erp.pair()
    offline = {"uuid": str(uuid.uuid4()), "name": "Cliente de mostrador Ñandú", "rfc": None, "regimen_fiscal": None,
               "codigo_postal": None, "uso_cfdi": None, "email": None}
    r = erp.client.post("/api/customers", json={"customers": [offline]}, headers=headers)
    assert r.json()["results"][0]["status"] == "accepted"
    page = signed_in(erp).get("/erp/clientes", params={"q": "mostrador"}).text
    assert "Cliente de mostrador Ñandú" in page
    assert "T01" in page  # the terminal that created it
