"""Shared moves of the fault scenarios: sell one item through the real screens, routes that break sync calls."""
from __future__ import annotations

import json
from typing import Any

from tests.e2e import payment, selling


def sell(page: Any, product: dict) -> str:
    """Scan one item and pay it exact; returns the number shown on "Venta guardada"."""
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    return payment.pay_cash_exact(page)


def is_sales_post(request: Any) -> bool:
    return request.method == "POST" and request.url.endswith("/api/sales")


def uuids_of(request: Any) -> list[str]:
    return [s["uuid"] for s in json.loads(request.post_data)["sales"]]


def local_records(page: Any) -> list[dict]:
    """The `sales` store as the device holds it (through the page's own idb.js)."""
    return json.loads(page.evaluate("async () => (await import('/pos/idb.js')).salesAll()"))
