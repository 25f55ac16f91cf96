"""POST /api/sales: acceptance, folios, idempotency, the ERP's own checks, stock, and batch behaviour."""
from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from server.db.engine import utcnow
from tests.server.harness import Erp, catalog_items, make_sale, sellable
from tests.server.harness import post_sales as post


@pytest.fixture
def shop(erp: Erp) -> tuple[Erp, dict[str, str], list[dict[str, Any]]]:
    headers = erp.pair()
    return erp, headers, sellable(catalog_items(erp, headers))


def test_accepted_sale_gets_folio_and_is_stored(shop: Any) -> None:
    erp, h, items = shop
    sale = make_sale(items[:3], 1)
    [res] = post(erp, h, sale)
    assert res["status"] == "accepted" and res["uuid"] == sale["uuid"]
    assert (res["type"], res["series"], res["folio"], res["duplicate"]) == ("remision", "R", 1, False)
    assert res["received_at"].endswith("+00:00")
    assert erp.scalar("SELECT count(*) FROM sales") == 1
    assert erp.scalar("SELECT count(*) FROM sale_lines") == 3
    assert erp.scalar("SELECT count(*) FROM sale_payments") == 1
    assert erp.scalar("SELECT total FROM sales") == int(sale["totals"]["total"].replace(".", ""))


def test_replay_returns_original_folio_and_creates_nothing(shop: Any) -> None:
    erp, h, items = shop
    sale = make_sale(items[:2], 1)
    [first] = post(erp, h, sale)
    [again] = post(erp, h, sale)
    assert again == {**first, "duplicate": True}
    assert erp.scalar("SELECT count(*) FROM sales") == 1
    assert erp.scalar("SELECT last_folio FROM folio_series WHERE series = 'R'") == 1


def test_same_uuid_other_content_is_uuid_conflict_and_original_kept(shop: Any) -> None:
    erp, h, items = shop
    sale = make_sale(items[:2], 1)
    [first] = post(erp, h, sale)
    other = make_sale(items[2:4], 1, uuid=sale["uuid"])
    [res] = post(erp, h, other)
    assert res["status"] == "rejected" and res["error"] == "uuid_conflict" and res["message"]
    assert erp.scalar("SELECT count(*) FROM sales") == 1
    assert erp.scalar("SELECT count(*) FROM sale_lines") == 2
    [again] = post(erp, h, sale)
    assert again["folio"] == first["folio"] and again["duplicate"] is True


def test_folios_are_per_series_and_contiguous(shop: Any) -> None:
    erp, h, items = shop
    client = erp.scalar("SELECT id FROM customers WHERE rfc IS NOT NULL AND regimen_fiscal IS NOT NULL "
                        "AND price_list_id IS NULL ORDER BY id LIMIT 1")
    customer = next(c for c in erp.client.get("/api/customers", headers=h).json()["items"] if c["id"] == client)
    sales = []
    for seq in range(1, 9):
        kind = "factura" if seq % 3 == 0 else "remision"
        sales.append(make_sale(items[seq:seq + 1], seq, sale_type=kind,
                               customer=customer if kind == "factura" else None))
    res = post(erp, h, *sales)
    assert all(r["status"] == "accepted" for r in res), res
    assert [(r["series"], r["folio"]) for r in res] == [
        ("R", 1), ("R", 2), ("F", 1), ("R", 3), ("R", 4), ("F", 2), ("R", 5), ("R", 6)]
    # the next terminal session continues after the highest sequence the ERP has seen
    assert erp.client.get("/api/terminal", headers=h).json()["terminal"]["seq_start"] == 9


def test_one_bad_sale_does_not_block_the_batch_and_leaves_nothing(shop: Any) -> None:
    erp, h, items = shop
    good1, bad, good2 = make_sale(items[:1], 1), make_sale(items[1:2], 2), make_sale(items[2:3], 3)
    bad["totals"]["total"] = "0.01"
    res = post(erp, h, good1, bad, good2)
    assert [r["status"] for r in res] == ["accepted", "rejected", "accepted"]
    assert res[1]["error"] == "totals_mismatch" and res[1]["uuid"] == bad["uuid"]
    assert [r["folio"] for r in (res[0], res[2])] == [1, 2]
    assert erp.scalar("SELECT count(*) FROM sales WHERE uuid = :u", u=bad["uuid"]) == 0
    assert erp.scalar("SELECT count(*) FROM sale_lines") == 2


def _reject(erp: Erp, h: dict[str, str], sale: dict[str, Any]) -> str:
    before = erp.scalar("SELECT count(*) FROM sales")
    stock_before = erp.sql("SELECT product_id, qty FROM stock ORDER BY product_id")
    [res] = post(erp, h, sale)
    assert res["status"] == "rejected", res
    assert res["message"]
    assert erp.scalar("SELECT count(*) FROM sales") == before
    assert erp.sql("SELECT product_id, qty FROM stock ORDER BY product_id") == stock_before
    assert erp.scalar("SELECT last_folio FROM folio_series WHERE series = 'R'") == before
    return res["error"]  # type: ignore[no-any-return]


def test_unknown_and_inactive_products_are_rejected(shop: Any) -> None:
    erp, h, items = shop
    ghost = dict(items[0], id=999_999)
    assert _reject(erp, h, make_sale([ghost], 1)) == "product_not_found"
    with erp.engine.begin() as conn:
        conn.execute(text("UPDATE products SET active = false WHERE id = :i"), {"i": items[1]["id"]})
    assert _reject(erp, h, make_sale(items[1:2], 1)) == "product_inactive"


def test_price_must_be_current_or_recent(shop: Any) -> None:
    erp, h, items = shop
    p = items[0]
    cheaper = dict(p, price="1.00")
    assert _reject(erp, h, make_sale([cheaper], 1)) == "price_mismatch"
    now = utcnow()
    with erp.engine.begin() as conn:
        conn.execute(text("INSERT INTO price_history (price_list_id, product_id, price, valid_from, valid_to) "
                          "VALUES (1, :p, 100, :f, :t)"),
                     {"p": p["id"], "f": now - timedelta(days=30), "t": now - timedelta(days=2)})
        conn.execute(text("INSERT INTO price_history (price_list_id, product_id, price, valid_from, valid_to) "
                          "VALUES (1, :p, 200, :f, :t)"),
                     {"p": p["id"], "f": now - timedelta(days=60), "t": now - timedelta(days=30)})
    # 1.00 two days ago: within the 7-day grace; 2.00 a month ago: not any more
    [ok] = post(erp, h, make_sale([cheaper], 1))
    assert ok["status"] == "accepted"
    assert _reject(erp, h, make_sale([dict(p, price="2.00")], 2)) == "price_mismatch"


def test_tax_scheme_must_be_the_products(shop: Any) -> None:
    erp, h, items = shop
    p = next(x for x in items if x["iva"] == "16" and x["ieps"] is None)
    assert _reject(erp, h, make_sale([dict(p, iva="0")], 1)) == "tax_mismatch"


def test_price_list_must_match(shop: Any) -> None:
    erp, h, items = shop
    assert _reject(erp, h, make_sale(items[:1], 1, price_list_id=3)) == "price_list_mismatch"
    assert _reject(erp, h, make_sale(items[:1], 1, prices_include_tax=False)) == "price_list_mismatch"


@pytest.mark.parametrize("field,value,code", [
    ("qty", "0", "invalid_quantity"),
    ("qty", "-1", "invalid_quantity"),
    ("qty", "NaN", "invalid_quantity"),
    ("qty", "Infinity", "invalid_quantity"),
    ("unit_price", "-5.00", "invalid_price"),
    ("unit_price", "NaN", "invalid_price"),
])
def test_non_finite_zero_negative_inputs_are_rejected(shop: Any, field: str, value: str, code: str) -> None:
    erp, h, items = shop
    sale = make_sale(items[:1], 1)
    sale["lines"][0][field] = value
    assert _reject(erp, h, sale) == code


def test_missing_fields_and_wrong_shapes_are_rejected_per_sale(shop: Any) -> None:
    erp, h, items = shop
    good = make_sale(items[:1], 1)
    no_lines = copy.deepcopy(good)
    no_lines["uuid"] = "aaaaaaaa-0000-4000-8000-000000000001"
    del no_lines["lines"]
    res = post(erp, h, "not a sale", {"uuid": 5}, no_lines, good)
    assert [r["status"] for r in res] == ["rejected", "rejected", "rejected", "accepted"]
    assert res[0]["error"] == res[1]["error"] == res[2]["error"] == "malformed"


def test_sale_of_another_terminal_is_rejected(shop: Any) -> None:
    erp, h, items = shop
    assert _reject(erp, h, make_sale(items[:1], 1, terminal="T02")) == "terminal_mismatch"


def test_factura_needs_complete_fiscal_customer(shop: Any) -> None:
    erp, h, items = shop
    sale = make_sale(items[:1], 1, sale_type="factura", customer={
        "id": None, "uuid": None, "name": "Juan Pérez", "rfc": "PEJJ800101AB1", "regimen_fiscal": "612",
        "codigo_postal": "44100", "uso_cfdi": "G03", "email": None})
    sale["customer"]["uso_cfdi"] = None
    assert _reject(erp, h, sale) == "factura_customer_incomplete"


def test_offline_customer_travels_in_the_sale_and_is_created_once(shop: Any) -> None:
    erp, h, items = shop
    customer = {"id": None, "uuid": "0f0f0f0f-1111-4222-8333-444444444444", "name": "Cocina Doña Tere",
                "rfc": "TEDT700101AB1", "regimen_fiscal": "626", "codigo_postal": "44100", "uso_cfdi": "G03",
                "email": "tere@correo.mx"}
    s1 = make_sale(items[:1], 1, sale_type="factura", customer=customer)
    s2 = make_sale(items[1:2], 2, customer=customer)
    res = post(erp, h, s1, s2)
    assert [(r["series"], r["folio"]) for r in res] == [("F", 1), ("R", 1)]
    rows = erp.sql("SELECT id FROM customers WHERE uuid = :u", u=customer["uuid"])
    assert len(rows) == 1
    assert erp.scalar("SELECT count(DISTINCT customer_id) FROM sales") == 1
    # and it reaches every terminal through the customers feed
    feed = erp.client.get("/api/customers", params={"since": 1}, headers=h).json()
    assert [c["uuid"] for c in feed["items"]] == [customer["uuid"]]


def test_stock_decrements_negative_is_flagged_and_catalog_since_carries_it(shop: Any) -> None:
    erp, h, items = shop
    p = next(x for x in items if x["unit"] == "pieza")
    since = erp.client.get("/api/catalog", params={"limit": 1}, headers=h).json()["version"]
    qty = int(float(p["stock"])) + 2
    [res] = post(erp, h, make_sale([p], 1, qty=str(qty)))
    assert res["status"] == "accepted"
    changed = catalog_items(erp, h, since=since)
    assert [x["id"] for x in changed] == [p["id"]]
    assert changed[0]["stock"] == "-2.000"
    assert erp.scalar("SELECT count(*) FROM stock_negative WHERE product_id = :p", p=p["id"]) == 1


def test_kg_quantities_keep_three_decimals(shop: Any) -> None:
    erp, h, items = shop
    p = next(x for x in items if x["unit"] == "kg")
    before = erp.scalar("SELECT qty FROM stock WHERE product_id = :p", p=p["id"])
    [res] = post(erp, h, make_sale([p], 1, qty="0.375"))
    assert res["status"] == "accepted"
    assert erp.scalar("SELECT qty FROM stock WHERE product_id = :p", p=p["id"]) == before - 375


def test_batch_over_500_is_413_and_nothing_stored(shop: Any) -> None:
    erp, h, items = shop
    sale = make_sale(items[:1], 1)
    r = erp.client.post("/api/sales", json={"sales": [sale] * 501}, headers=h)
    assert r.status_code == 413 and r.json()["error"] == "batch_too_large"
    assert erp.scalar("SELECT count(*) FROM sales") == 0


def test_envelope_errors_are_400(shop: Any) -> None:
    erp, h, _ = shop
    for body in ({}, {"sales": 5}, []):
        r = erp.client.post("/api/sales", json=body, headers=h)
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", body
    r = erp.client.post("/api/sales", content=b'{"sales": [', headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"
    assert erp.client.post("/api/sales", json={"sales": []}).status_code == 401


def test_persistent_database_conflict_is_503_retry_later(shop: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import IntegrityError

    import server.sync.sales as sync_sales

    erp, h, items = shop
    calls = []

    def always_conflicts(*args: Any) -> Any:
        calls.append(1)
        raise IntegrityError("INSERT ...", {}, Exception("unique violation"))

    monkeypatch.setattr(sync_sales, "_accept_in_tx", always_conflicts)
    r = erp.client.post("/api/sales", json={"sales": [make_sale(items[:1], 1)]}, headers=h)
    assert r.status_code == 503 and r.json()["error"] == "retry_later" and r.json()["message"]
    assert len(calls) == sync_sales.ATTEMPTS
    assert erp.scalar("SELECT count(*) FROM sales") == 0
