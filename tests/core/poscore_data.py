"""Test data builders shared by the poscore tests (contract PRODUCT dicts, carts, sales)."""

from __future__ import annotations

from decimal import Decimal

from poscore.cart import Cart
from poscore.catalog import CatalogIndex, Product
from poscore.payment import Payment
from poscore.sale import Sale, complete_sale

WHEN = "2026-11-27T16:14:00-06:00"


def product_json(pid: int = 1, *, name: str = "Refresco Cola 600 ml", price: str | None = "18.50",
                 iva: str = "16", ieps: str | None = None, unit: str = "pieza",
                 stock: str | None = "24.000", active: bool = True, sellable: bool = True,
                 sku: str | None = None, barcodes: list[str] | None = None, version: int = 1) -> dict:
    return {"id": pid, "sku": sku or f"SKU-{pid}", "barcodes": barcodes if barcodes is not None else [f"750{pid:010d}"],
            "name": name, "unit": unit, "iva": iva, "ieps": ieps, "price": price, "stock": stock,
            "active": active, "sellable": sellable, "version": version}


def product(pid: int = 1, **kw: object) -> Product:
    return Product.from_json(product_json(pid, **kw))  # type: ignore[arg-type]


def index_of(*items: dict) -> CatalogIndex:
    idx = CatalogIndex()
    idx.add(list(items))
    return idx


def cash(amount: str) -> Payment:
    return Payment("efectivo", Decimal(amount))


def simple_sale(prices_include_tax: bool = True, *, seq: int = 123, pay: str = "500.00", **kw: object) -> Sale:
    cart = Cart(prices_include_tax, False, price_list_id=1)
    cart.add(product(1, ieps="8"), 2)
    cart.add(product(2, name="Jamón de pavo", unit="kg", price="129.90", iva="0"), "0.755")
    cart.add(product(3, name="Jabón de tocador", price="35.00"), 3)
    cart.set_discount(3, "10")
    return complete_sale(cart, [cash(pay)], "9b2f1f0e-0000-4000-8000-000000000001", "T01", seq, WHEN, **kw)  # type: ignore[arg-type]
