"""The till's in-memory state between screens: terminal settings, catalog and customer indexes, local stock
deltas, the cart, the chosen customer and sale type; and the glue that turns a paid cart into the records
stored by one IndexedDB transaction.

Every rule is poscore's (Cart, complete_sale, local_number, factura_ready…): this module only wires them to
the terminal's settings and the device's unsynced stock decrements. Must not touch the DOM, IndexedDB or the
network (browser-free, tested in tests/web).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from poscore.cart import Cart
from poscore.catalog import CatalogIndex, Product
from poscore.customer import Customer, CustomerIndex
from poscore.lifecycle import PENDING
from poscore.money import ZERO, to_decimal
from poscore.payment import Payment
from poscore.sale import Sale, complete_sale


class Till:
    def __init__(self, terminal: dict) -> None:
        self.terminal = terminal
        self.catalog = CatalogIndex()
        self.customers = CustomerIndex()
        # product id -> sum of local decrements not yet reflected in the catalog's stock
        self.deltas: dict[int, Decimal] = {}
        self.customer: Customer | None = None
        self.sale_type = "remision"
        self.cart = self._new_cart()
        # Make the sale ahead with these payments and return it (services/sales.py sets it: Sales.prepare); the
        # payment screen calls it as the payments change, so "Confirmar cobro" finds the sale made.
        self.prepare: Callable[[list[Payment]], Sale | None] = lambda payments: None

    # ---- terminal settings ----
    @property
    def code(self) -> str:
        return str(self.terminal["code"])

    @property
    def price_list(self) -> dict:
        return self.terminal.get("price_list") or {}

    def _new_cart(self) -> Cart:
        return Cart(
            bool(self.price_list.get("includes_tax", True)),
            bool(self.terminal.get("stock_enforced", True)),
            catalog=self.catalog,
            price_list_id=self.price_list.get("id"),
            stock_of=self.stock_of,
        )

    # ---- stock ----
    def stock_of(self, product: Product) -> Decimal | None:
        """The catalog's stock minus this device's unsynced sales (None when the product has no stock record)."""
        if product.stock is None:
            return None
        return product.stock + self.deltas.get(product.id, ZERO)

    def set_deltas(self, records: Iterable[dict]) -> None:
        """Rebuild from the stored `stock` records ({sale_uuid, deltas: {product_id: "-qty"}})."""
        self.deltas = {}
        for record in records:
            self._add_deltas(record.get("deltas") or {})

    def _add_deltas(self, deltas: dict) -> None:
        for pid, amount in deltas.items():
            key = int(pid)
            self.deltas[key] = self.deltas.get(key, ZERO) + to_decimal(amount)

    # ---- numbering ----
    def next_seq(self, last_used: int) -> int:
        """Next local sequence: after the last one used here and never below the ERP's seq_start."""
        start = int(self.terminal.get("seq_start") or 1)
        return max(last_used + 1, start)

    # ---- the sale ----
    def build_sale(self, payments: list[Payment], uuid: str, seq: int, device_time: datetime | str,
                   cashier: str | None = None) -> Sale:
        """Freeze the cart into a Sale (raises poscore's SaleError; the cart is untouched)."""
        return complete_sale(self.cart, payments, uuid, self.code, seq, device_time, self.sale_type,
                             self.customer, cashier)

    @staticmethod
    def stock_decrement(sale: Sale) -> dict[int, str]:
        out: dict[int, Decimal] = {}
        for line in sale.lines:
            out[line.product_id] = out.get(line.product_id, ZERO) - line.qty
        return {pid: str(q) for pid, q in out.items()}

    @staticmethod
    def sale_record(sale: Sale, created_at: str) -> dict:
        """The `sales` store record: the SALE JSON plus the local state and what the Ventas list shows."""
        data = sale.to_json()
        return {
            "uuid": sale.uuid,
            "seq": sale.seq,
            "number": sale.number,
            "state": PENDING,
            "created_at": created_at,
            "type": sale.type,
            "total": data["totals"]["total"],
            "customer_name": sale.customer.name if sale.customer else None,
            "sale": data,
        }

    def committed(self, sale: Sale) -> None:
        """After the commit: the local stock goes down and a fresh cart starts (público en general)."""
        self._add_deltas(self.stock_decrement(sale))
        self.cart = self._new_cart()
        self.customer = None
        self.sale_type = "remision"
