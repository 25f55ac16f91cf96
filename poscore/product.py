"""``Product``: one product as the terminal sees it (the contract's PRODUCT, decimals parsed).

Must not: know about indexes or search (catalog.py), fetch anything, or decide prices (the ERP sends them).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .money import UNITS, to_decimal
from .tax import TaxScheme


@dataclass(frozen=True, slots=True)
class Product:
    """A product as the terminal sees it (contract PRODUCT), with decimals parsed."""

    id: int
    sku: str
    barcodes: tuple[str, ...]
    name: str
    unit: str
    tax: TaxScheme
    price: Decimal | None
    stock: Decimal | None
    active: bool = True
    sellable: bool = True
    version: int = 0

    @property
    def iva(self) -> str:
        return self.tax.iva

    @property
    def ieps(self) -> str | None:
        return self.tax.ieps

    @classmethod
    def from_json(cls, data: dict) -> Product:
        """Read a contract PRODUCT; raises ``ValueError`` when a field is missing or malformed."""
        try:
            pid = data["id"]
            if isinstance(pid, bool) or not isinstance(pid, int):
                raise TypeError(f"bad product id: {pid!r}")
            unit = data["unit"]
            if unit not in UNITS:
                raise ValueError(f"bad unit: {unit!r}")
            price = data.get("price")
            stock = data.get("stock")
            return cls(
                id=pid,
                sku=str(data["sku"]),
                barcodes=tuple(str(b) for b in data.get("barcodes") or ()),
                name=str(data["name"]),
                unit=unit,
                tax=TaxScheme.from_json(data["iva"], data.get("ieps"), data.get("ieps_cuota"), data.get("litres")),
                price=None if price is None else to_decimal(price),
                stock=None if stock is None else to_decimal(stock),
                active=bool(data.get("active", True)),
                sellable=bool(data.get("sellable", True)),
                version=int(data.get("version") or 0),
            )
        except (KeyError, TypeError, ValueError) as exc:  # InvalidNumber/InvalidTax are ValueErrors
            raise ValueError(f"malformed product: {exc}") from exc

    def to_json(self) -> dict:
        """Back to the contract PRODUCT shape (decimal strings)."""
        return {"id": self.id, "sku": self.sku, "barcodes": list(self.barcodes), "name": self.name,
                "unit": self.unit, "iva": self.tax.iva, "ieps": self.tax.ieps, **self.tax.cuota_json(),
                "price": None if self.price is None else str(self.price),
                "stock": None if self.stock is None else str(self.stock),
                "active": self.active, "sellable": self.sellable, "version": self.version}
