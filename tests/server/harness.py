"""The test harness for one ERP: an app on a fresh database, an in-process client, and shortcuts.

What it is for: `Erp(db_url, tmp)` → `.client` (FastAPI TestClient), `.engine`, `.pair()` → bearer headers,
`.sql(...)` for assertions straight on the database. Must not bypass the API for what a test is exercising.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from server.app import create_app
from server.db.engine import write_tx
from server.settings import Settings
from server.terminals import new_pairing_code, terminal_id_by_code

SECRET = "test-secret-key"


class Erp:
    def __init__(self, db_url: str, tmp: Path) -> None:
        self.settings = Settings(database_url=db_url, secret_key=SECRET)
        self.app = create_app(self.settings)
        self.engine = self.app.state.engine
        self.client = TestClient(self.app)

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()

    def pairing_code(self, terminal: str = "T01") -> str:
        with write_tx(self.engine) as conn:
            tid = terminal_id_by_code(conn, terminal)
            assert tid is not None
            return new_pairing_code(conn, SECRET, tid, 60)

    def pair(self, terminal: str = "T01") -> dict[str, str]:
        r = self.client.post("/api/pair", json={"code": self.pairing_code(terminal), "device": "pytest"})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(query), params).all())

    def scalar(self, query: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(query), params).scalar()


def catalog_items(erp: Erp, headers: dict[str, str], since: int = 0) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        r = erp.client.get("/api/catalog", params={"since": since, "after": after, "limit": 50}, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        items.extend(body["items"])
        if body["next_after"] is None:
            return items
        after = body["next_after"]


def post_sales(erp: Erp, headers: dict[str, str], *sales: dict[str, Any]) -> list[dict[str, Any]]:
    """POST /api/sales with these sales in one batch; the per-sale results (the request itself must succeed)."""
    r = erp.client.post("/api/sales", json={"sales": list(sales)}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["results"]  # type: ignore[no-any-return]


def sellable(items: list[dict[str, Any]], unit: str | None = None) -> list[dict[str, Any]]:
    return [p for p in items if p["sellable"] and (unit is None or p["unit"] == unit)]


def make_sale(products: list[dict[str, Any]], seq: int, *, qty: str = "1", sale_type: str = "remision",
              customer: dict[str, Any] | None = None, terminal: str = "T01", uuid: str | None = None,
              price_list_id: int = 1, prices_include_tax: bool = True) -> dict[str, Any]:
    """A valid SALE made exactly as the POS makes it: poscore's Cart and complete_sale."""
    import uuid as uuidlib

    from poscore.cart import Cart
    from poscore.catalog import Product
    from poscore.customer import Customer
    from poscore.sale import complete_sale

    cart = Cart(prices_include_tax, False, price_list_id=price_list_id)
    for p in products:
        cart.add(Product.from_json(p), qty)
    total = cart.totals().total
    sale = complete_sale(cart, [{"method": "efectivo", "sat_code": "01", "amount": str(total), "reference": None}],
                         uuid or str(uuidlib.uuid4()), terminal, seq, "2026-11-27T16:14:00-06:00", sale_type,
                         None if customer is None else Customer.from_json(customer), "Cajero 1")
    return sale.to_json()  # type: ignore[no-any-return]
