"""Valid sales for the load generator and the offline-sync measure, built exactly as the POS builds them:
poscore's Cart and complete_sale over products as the catalog feed served them.

What it is for: `make_sales(items, terminal, n, seq_start)` → SALE dicts (contract) with 1–4 lines each, cash
paid, sequential local numbers; `sale_record(sale)` → the POS's `sales` store record (web/caja_pos/services/till.py's shape).
What it must NOT do: compute any amount itself (poscore does), or invent prices (only the feed's prices).
"""
from __future__ import annotations

import random
import uuid as uuidlib
from typing import Any

from poscore.cart import Cart
from poscore.catalog import Product
from poscore.sale import complete_sale


def make_sales(items: list[dict[str, Any]], terminal: dict[str, Any], n: int, seq_start: int,
               seed: int = 8) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    sellable = [p for p in items if p["sellable"] and p["unit"] == "pieza"]
    products = [Product.from_json(p) for p in sellable[:5000]]
    pl = terminal["price_list"]
    out = []
    for i in range(n):
        cart = Cart(pl["includes_tax"], False, price_list_id=pl["id"])
        for p in rng.sample(products, rng.randint(1, 4)):
            cart.add(p, str(rng.randint(1, 3)))
        total = cart.totals().total
        uid = str(uuidlib.UUID(int=rng.getrandbits(128), version=4))
        sale = complete_sale(cart, [{"method": "efectivo", "sat_code": "01", "amount": str(total), "reference": None}],
                             uid, terminal["code"], seq_start + i, "2026-11-27T16:14:00-06:00", "remision", None,
                             "Bench")
        out.append(sale.to_json())
    return out


def sale_record(sale: dict[str, Any], created_at: str = "2026-11-27T16:14:00-06:00") -> dict[str, Any]:
    return {"uuid": sale["uuid"], "seq": sale["seq"], "number": sale["number"], "state": "pending",
            "created_at": created_at, "type": sale["type"], "total": sale["totals"]["total"],
            "customer_name": None, "sale": sale}
