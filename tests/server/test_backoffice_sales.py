"""Ventas pages: Remisiones/Facturas listings with filters, search, totals, CSV export; detail; voids; negative stock."""
from __future__ import annotations

import csv
import io
import re
import uuid
from decimal import Decimal
from typing import Any

from poscore.money import format_mxn
from tests.server.backoffice_helpers import signed_in
from tests.server.harness import Erp, catalog_items, make_sale, sellable


def _sync(erp: Erp, headers: dict[str, str], sales: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = erp.client.post("/api/sales", json={"sales": sales}, headers=headers)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert all(x["status"] == "accepted" for x in results), results
    return results  # type: ignore[no-any-return]


def _factura_customer(erp: Erp, headers: dict[str, str]) -> dict[str, Any]:
    r = erp.client.get("/api/customers", headers=headers)
    return next(c for c in r.json()["items"]
                if c["rfc"] and c["regimen_fiscal"] and c["codigo_postal"] and c["uso_cfdi"] and c["price_list_id"] is None)


def _shop(erp: Erp) -> tuple[dict[str, str], list[dict[str, Any]]]:
    headers = erp.pair()
    items = sellable(catalog_items(erp, headers), "pieza")
    return headers, items


def _folios(html: str) -> list[str]:
    return re.findall(r'class="folio">([^<]+)<', html)


def test_remisiones_newest_first_with_totals_and_detail(erp: Erp) -> None:
    headers, items = _shop(erp)
    sales = [make_sale(items[i:i + 2], seq=i + 1) for i in range(3)]
    _sync(erp, headers, sales)
    client = signed_in(erp)
    page = client.get("/erp/ventas/remisiones")
    assert page.status_code == 200
    assert _folios(page.text) == ["R-3", "R-2", "R-1"]
    assert "T01-000001" in page.text and "Aceptada" in page.text
    total = sum((Decimal(s["totals"]["total"]) for s in sales), Decimal(0))
    assert format_mxn(total) in page.text
    assert '<dd id="total-count">3</dd>' in page.text
    # The factura tab does not list remisiones.
    assert _folios(client.get("/erp/ventas/facturas").text) == []

    sale_id = erp.scalar("SELECT id FROM sales WHERE folio = 1 AND series = 'R'")
    detail = client.get(f"/erp/ventas/venta/{sale_id}").text
    s = sales[0]
    assert "R-1" in detail and s["number"] in detail
    for line in s["lines"]:
        assert line["sku"] in detail
    for tax in s["totals"]["taxes"]:
        assert f'{tax["tax"]}</td><td>{tax["rate"]} %' in detail
    assert "Efectivo" in detail and format_mxn(Decimal(s["totals"]["total"])) in detail
    assert "27/11/2026 16:14:00" in detail  # the terminal's time on the shop's clock (it was taken at -06:00)
    assert "Recibida en el ERP" in detail


def test_factura_tab_and_fiscal_data(erp: Erp) -> None:
    headers, items = _shop(erp)
    customer = _factura_customer(erp, headers)
    _sync(erp, headers, [make_sale(items[:1], seq=1), make_sale(items[1:2], seq=2, sale_type="factura",
                                                                customer=customer)])
    client = signed_in(erp)
    page = client.get("/erp/ventas/facturas").text
    assert _folios(page) == ["F-1"]
    assert customer["name"] in page
    sale_id = erp.scalar("SELECT id FROM sales WHERE series = 'F'")
    detail = client.get(f"/erp/ventas/venta/{sale_id}").text
    assert "Datos fiscales del cliente" in detail
    assert customer["rfc"] in detail and customer["uso_cfdi"] in detail and customer["codigo_postal"] in detail


def test_filters_search_and_pagination(erp: Erp) -> None:
    headers, items = _shop(erp)
    _sync(erp, headers, [make_sale(items[i:i + 1], seq=i + 1) for i in range(55)])
    client = signed_in(erp)
    first = client.get("/erp/ventas/remisiones").text
    assert len(_folios(first)) == 50 and "Página 1 de 2" in first
    second = client.get("/erp/ventas/remisiones?pagina=2").text
    assert _folios(second) == ["R-5", "R-4", "R-3", "R-2", "R-1"]

    assert _folios(client.get("/erp/ventas/remisiones?q=R-7").text) == ["R-7"]
    assert _folios(client.get("/erp/ventas/remisiones?q=r7").text) == ["R-7"]
    assert _folios(client.get("/erp/ventas/remisiones?q=T01-000012").text) == ["R-12"]
    by_search = client.get("/erp/ventas/remisiones?q=T01-000012").text
    assert '<dd id="total-count">1</dd>' in by_search

    tid = erp.scalar("SELECT id FROM terminals WHERE code = 'T01'")
    assert '<dd id="total-count">55</dd>' in client.get(f"/erp/ventas/remisiones?terminal={tid}").text
    assert '<dd id="total-count">0</dd>' in client.get(f"/erp/ventas/remisiones?terminal={tid + 99}").text
    # Received today (UTC now) is inside a wide range, and outside a range in the past.
    assert '<dd id="total-count">55</dd>' in client.get("/erp/ventas/remisiones?desde=2020-01-01&hasta=2099-12-31").text
    assert '<dd id="total-count">0</dd>' in client.get("/erp/ventas/remisiones?desde=2020-01-01&hasta=2020-12-31").text
    assert client.get("/erp/ventas/remisiones?desde=basura&pagina=x").status_code == 200


def test_customer_filter(erp: Erp) -> None:
    headers, items = _shop(erp)
    customer = _factura_customer(erp, headers)
    _sync(erp, headers, [make_sale(items[:1], seq=1), make_sale(items[:1], seq=2, customer=customer)])
    client = signed_in(erp)
    word = customer["name"].split()[0]
    assert _folios(client.get("/erp/ventas/remisiones", params={"cliente": word}).text) == ["R-2"]
    assert _folios(client.get("/erp/ventas/remisiones", params={"cliente": customer["rfc"].lower()}).text) == ["R-2"]


def test_csv_export_of_the_filtered_set(erp: Erp) -> None:
    headers, items = _shop(erp)
    sales = [make_sale(items[i:i + 1], seq=i + 1) for i in range(4)]
    _sync(erp, headers, sales)
    client = signed_in(erp)
    r = client.get("/erp/ventas/remisiones.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["folio"] for row in rows] == ["4", "3", "2", "1"]
    assert rows[-1]["numero_local"] == "T01-000001" and rows[-1]["total"] == sales[0]["totals"]["total"]
    filtered = client.get("/erp/ventas/remisiones.csv?q=R-2").content.decode("utf-8-sig")
    assert [row["folio"] for row in csv.DictReader(io.StringIO(filtered))] == ["2"]
    # The export button carries the page's filters.
    assert 'href="/erp/ventas/remisiones.csv?q=R-2"' in client.get("/erp/ventas/remisiones?q=R-2").text


def test_unknown_tab_and_sale_are_404(erp: Erp) -> None:
    client = signed_in(erp)
    assert client.get("/erp/ventas/otras").status_code == 404
    assert client.get("/erp/ventas/venta/999999").status_code == 404


def test_voids_view(erp: Erp) -> None:
    headers, items = _shop(erp)
    sale = make_sale(items[:1], seq=1)
    void = {"uuid": str(uuid.uuid4()), "sale_uuid": sale["uuid"], "number": sale["number"],
            "cancelled_at": "2026-11-27T17:00:00-06:00", "cashier": "Cajero 1", "total": sale["totals"]["total"],
            "reason": "<b>cliente</b> se arrepintió", "sale": sale}
    r = erp.client.post("/api/voids", json={"voids": [void]}, headers=headers)
    assert r.json()["results"][0]["status"] == "accepted"
    page = signed_in(erp).get("/erp/ventas-canceladas").text
    assert "T01-000001" in page and "Cajero 1" in page
    assert "&lt;b&gt;cliente&lt;/b&gt; se arrepintió" in page
    assert format_mxn(Decimal(sale["totals"]["total"])) in page


def test_negative_stock_view(erp: Erp) -> None:
    headers, items = _shop(erp)
    product = next(p for p in items if Decimal(p["stock"]) < 50)
    sale = make_sale([product], seq=1, qty="60")
    _sync(erp, headers, [sale])
    page = signed_in(erp).get("/erp/ventas-existencia-negativa").text
    assert product["sku"] in page and "R-1" in page
    left = Decimal(product["stock"]) - 60
    assert f">{left.quantize(Decimal(1))}<" in page
