"""GET /api/catalog and /api/customers: paging, totals, since (deactivations included), shape, gzip."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text

from server.db import changes
from tests.server.conftest import DEMO_CUSTOMERS, DEMO_PRODUCTS
from tests.server.harness import Erp, catalog_items

PRODUCT_KEYS = {"id", "sku", "barcodes", "name", "unit", "iva", "ieps", "price", "stock", "active", "sellable",
                "version"}


def _ean13_ok(code: str) -> bool:
    digits = [int(c) for c in code]
    return len(code) == 13 and sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12])) % 10 == (
        (10 - digits[12]) % 10)


def test_full_catalog_pages_in_id_order_with_total_up_front(erp: Erp) -> None:
    h = erp.pair()
    first = erp.client.get("/api/catalog", params={"limit": 50}, headers=h).json()
    assert first["total"] == DEMO_PRODUCTS
    assert first["price_list"] == {"id": 1, "name": "Público", "includes_tax": True}
    assert first["next_after"] == first["items"][-1]["id"]
    items = catalog_items(erp, h)
    assert len(items) == DEMO_PRODUCTS
    ids = [p["id"] for p in items]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for p in items:
        # Flavoured drinks carry their IEPS per litre (two more keys); nothing else does.
        assert set(p) == PRODUCT_KEYS | ({"ieps_cuota", "litres"} if "ieps_cuota" in p else set())
        assert p["unit"] in ("pieza", "kg") and p["iva"] in ("16", "8", "0", "exento")
        assert p["ieps"] in (None, "8")
        assert p["sellable"] == (p["active"] and p["price"] is not None and p["stock"] is not None)
        assert all(_ean13_ok(b) for b in p["barcodes"])
        if p["price"] is not None:
            assert p["price"].count(".") == 1 and len(p["price"].split(".")[1]) == 2
        if p["stock"] is not None:
            assert len(p["stock"].split(".")[1]) == 3


def test_demo_mix_is_realistic(erp: Erp) -> None:
    items = catalog_items(erp, erp.pair())
    assert any(p["ieps"] == "8" and p["iva"] == "16" for p in items)  # botanas, dulces
    assert any(p.get("ieps_cuota") == "3.0818" and p["ieps"] is None for p in items)  # refrescos: per litre
    assert any(p["iva"] == "0" for p in items)  # básicos
    assert any(p["unit"] == "kg" for p in items)  # a granel


def test_product_without_price_or_stock_is_not_sellable(erp: Erp) -> None:
    h = erp.pair()
    items = catalog_items(erp, h)
    a, b = items[0]["id"], items[1]["id"]
    with erp.engine.begin() as conn:
        # Like every writer, with a new change version: the feed's page cache is keyed by it.
        changes.bump(conn)
        conn.execute(text("DELETE FROM prices WHERE product_id = :a AND price_list_id = 1"), {"a": a})
        conn.execute(text("DELETE FROM stock WHERE product_id = :b"), {"b": b})
    by_id = {p["id"]: p for p in catalog_items(erp, h)}
    assert by_id[a]["price"] is None and by_id[a]["sellable"] is False
    assert by_id[b]["stock"] is None and by_id[b]["sellable"] is False


def test_since_returns_only_changes_including_deactivations(erp: Erp) -> None:
    h = erp.pair()
    first = erp.client.get("/api/catalog", params={"limit": 5000}, headers=h).json()
    since = first["version"]
    assert erp.client.get("/api/catalog", params={"since": since}, headers=h).json()["items"] == []
    pid = first["items"][3]["id"]
    with erp.engine.begin() as conn:
        v = changes.bump(conn)
        conn.execute(text("UPDATE products SET active = false, version = :v WHERE id = :p"), {"v": v, "p": pid})
    page = erp.client.get("/api/catalog", params={"since": since}, headers=h).json()
    assert page["total"] == 1 and page["version"] == since + 1
    assert [(p["id"], p["active"], p["sellable"]) for p in page["items"]] == [(pid, False, False)]


def test_last_page_says_done_even_when_full(erp: Erp) -> None:
    h = erp.pair()
    exact = erp.client.get("/api/catalog", params={"limit": DEMO_PRODUCTS}, headers=h).json()
    assert len(exact["items"]) == DEMO_PRODUCTS and exact["next_after"] is None
    short = erp.client.get("/api/catalog", params={"limit": DEMO_PRODUCTS - 1}, headers=h).json()
    assert short["next_after"] == short["items"][-1]["id"]
    last = erp.client.get("/api/catalog", params={"after": short["next_after"]}, headers=h).json()
    assert len(last["items"]) == 1 and last["next_after"] is None
    custs = erp.client.get("/api/customers", params={"limit": DEMO_CUSTOMERS}, headers=h).json()
    assert len(custs["items"]) == DEMO_CUSTOMERS and custs["next_after"] is None


def test_paging_parameters_are_validated(erp: Erp) -> None:
    h = erp.pair()
    for params in ({"limit": 0}, {"limit": 5001}, {"since": -1}, {"after": "x"}, {"after": 2**31},
                   {"since": 2**63}, {"after": 59122666284728528}):
        for path in ("/api/catalog", "/api/customers"):
            r = erp.client.get(path, params=params, headers=h)
            assert r.status_code == 400 and r.json()["error"] == "invalid_request", (path, params)
    assert erp.client.get("/api/customers", params={"after": 2**31 - 1}, headers=h).json()["items"] == []


def test_catalog_is_gzip_compressed(erp: Erp) -> None:
    h = erp.pair()
    r = erp.client.get("/api/catalog", headers={**h, "Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert r.json()["total"] == DEMO_PRODUCTS


def test_customers_feed_pages_and_has_some_factura_ready(erp: Erp) -> None:
    h = erp.pair()
    seen: list[dict[str, Any]] = []
    after = 0
    while True:
        body = erp.client.get("/api/customers", params={"after": after, "limit": 15}, headers=h).json()
        assert body["total"] == DEMO_CUSTOMERS
        seen.extend(body["items"])
        if body["next_after"] is None:
            break
        after = body["next_after"]
    assert len(seen) == DEMO_CUSTOMERS
    from poscore.customer import Customer, factura_ready
    ready = [c for c in seen if not factura_ready(Customer.from_json(c))]
    assert 0 < len(ready) < len(seen)
    # every RFC the demo made is well-formed, and every customer with one is ready to invoice
    assert [c["rfc"] for c in seen if c["rfc"]] == [c["rfc"] for c in ready]
    assert set(seen[0]) == {"id", "uuid", "name", "rfc", "regimen_fiscal", "codigo_postal", "uso_cfdi", "email",
                            "price_list_id", "active", "version"}


def test_post_customers_is_idempotent_and_validates(erp: Erp) -> None:
    h = erp.pair()
    good = {"uuid": "11111111-2222-4333-8444-555555555555", "name": "Taquería El Güero", "rfc": None,
            "regimen_fiscal": None, "codigo_postal": None, "uso_cfdi": None, "email": None}
    bad = {"uuid": "11111111-2222-4333-8444-666666666666", "name": "Mal RFC", "rfc": "NOPE"}
    r = erp.client.post("/api/customers", json={"customers": [good, bad, "x"]}, headers=h).json()["results"]
    assert r[0]["status"] == "accepted" and isinstance(r[0]["id"], int)
    assert (r[1]["status"], r[1]["error"]) == ("rejected", "invalid_rfc")
    assert (r[2]["status"], r[2]["error"]) == ("rejected", "malformed")
    again = erp.client.post("/api/customers", json={"customers": [good]}, headers=h).json()["results"]
    assert again[0]["id"] == r[0]["id"]
    assert erp.scalar("SELECT count(*) FROM customers WHERE uuid = :u", u=good["uuid"]) == 1
    assert erp.scalar("SELECT count(*) FROM customers WHERE uuid = :u", u=bad["uuid"]) == 0


def test_post_voids_records_audit_idempotently(erp: Erp) -> None:
    h = erp.pair()
    void = {"uuid": "99999999-2222-4333-8444-555555555555", "sale_uuid": "88888888-2222-4333-8444-555555555555",
            "number": "T01-000007", "cancelled_at": "2026-11-27T16:20:00-06:00", "cashier": "Ana",
            "total": "45.50", "reason": "El cliente se arrepintió", "sale": {"v": 1}}
    bad = dict(void, uuid="99999999-2222-4333-8444-000000000000", total="NaN")
    r = erp.client.post("/api/voids", json={"voids": [void, bad]}, headers=h).json()["results"]
    assert [x["status"] for x in r] == ["accepted", "rejected"]
    assert r[1]["error"] == "invalid_amount"
    again = erp.client.post("/api/voids", json={"voids": [void]}, headers=h).json()["results"]
    assert again[0]["status"] == "accepted" and again[0]["duplicate"] is True
    assert erp.scalar("SELECT count(*) FROM voids") == 1
    assert erp.scalar("SELECT count(*) FROM sales") == 0
