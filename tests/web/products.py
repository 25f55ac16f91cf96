"""Contract PRODUCT/CUSTOMER dicts for the glue tests."""
from __future__ import annotations


def product(pid: int, price: str = "10.00", stock: str | None = "5.000", unit: str = "pieza",
            version: int = 1, name: str | None = None) -> dict:
    return {"id": pid, "sku": f"SKU{pid:04d}", "barcodes": [f"750{pid:010d}"], "name": name or f"Producto {pid}",
            "unit": unit, "iva": "16", "ieps": None, "price": price, "stock": stock, "active": True,
            "sellable": stock is not None, "version": version}


TERMINAL = {"id": 1, "code": "T01", "name": "Caja 1", "price_list": {"id": 1, "name": "Público", "includes_tax": True},
            "series": {"remision": "R", "factura": "F"}, "stock_enforced": True, "seq_start": 7}
