"""Many senders syncing overlapping batches at once: every uuid stored once, folios contiguous per series.

In-process (threads, each with its own client on one app) on SQLite and PostgreSQL; the multi-process
version (several `caja serve` workers on one PostgreSQL) is in test_serve.py.
"""
from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.server.concurrency import assert_exactly_once, sale_pool, send_overlapping
from tests.server.harness import Erp, catalog_items, sellable


def factura_customer(erp: Erp, headers: dict[str, str]) -> dict[str, Any]:
    from poscore.customer import Customer, factura_ready

    items = erp.client.get("/api/customers", headers=headers).json()["items"]
    return next(c for c in items if c["price_list_id"] is None and not factura_ready(Customer.from_json(c)))


def test_threads_with_overlapping_batches(erp: Erp) -> None:
    h = erp.pair()
    products = sellable(catalog_items(erp, h), unit="pieza")
    pool = sale_pool(products, factura_customer(erp, h), 60)
    stock_before = erp.scalar("SELECT sum(qty) FROM stock")

    def post(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with TestClient(erp.app) as client:
            r = client.post("/api/sales", json={"sales": batch}, headers=h)
        assert r.status_code == 200, r.text
        return r.json()["results"]  # type: ignore[no-any-return]

    answers = send_overlapping(post, pool, senders=6, batch=7)
    assert_exactly_once(erp.engine, pool, answers)
    # stock moved once per sale (qty 1 each, stored in thousandths)
    assert erp.scalar("SELECT sum(qty) FROM stock") == stock_before - 1000 * len(pool)
    with erp.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sale_lines")).scalar() == len(pool)
