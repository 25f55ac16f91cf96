"""The cart: the lines of the sale being rung up, and the rules for what may be added.

Products are added by barcode, SKU or id (through a ``CatalogIndex``) or as a ``Product``;
adding a product already in the cart adds to its line. A product is refused with
``NotSellable(code, message)`` when it is inactive, has no price, has no stock where stock is
enforced, or the quantity would exceed the stock; quantities must be positive and finite and get
the scale of the product's unit (``money.qty``). Line amounts come from ``tax.compute_line``.

Must not: take payments or make the sale (``sale.complete_sale`` does), or touch storage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .catalog import CatalogIndex, Product
from .messages import CodedError
from .money import ZERO, InvalidNumber, InvalidQuantity, format_qty, percent, qty
from .tax import InvalidTax, LineAmounts, Totals, compute_line, sum_lines


class NotSellable(CodedError):
    """A cart refusal (codes: see ``messages``)."""


@dataclass(frozen=True, slots=True)
class CartLine:
    """One line: a product, its quantity, a discount percentage and the computed amounts."""

    product: Product
    qty: Decimal
    discount_pct: Decimal
    amounts: LineAmounts

    @property
    def product_id(self) -> int:
        return self.product.id

    @property
    def unit_price(self) -> Decimal:
        assert self.product.price is not None  # the cart never holds a product without price
        return self.product.price

    @property
    def total(self) -> Decimal:
        return self.amounts.total


class Cart:
    """The sale being rung up. Lines are keyed by product id, in the order first added.

    ``prices_include_tax`` comes from the terminal's price list; ``stock_enforced`` from the
    terminal. ``stock_of(product)`` may be given to account for local stock deltas not yet in the
    catalog (default: the product's ``stock``). ``catalog`` is needed only to add by code or id.
    """

    def __init__(
        self,
        prices_include_tax: bool,
        stock_enforced: bool,
        *,
        catalog: CatalogIndex | None = None,
        price_list_id: int | None = None,
        stock_of: Callable[[Product], Decimal | None] | None = None,
    ) -> None:
        self.prices_include_tax = prices_include_tax
        self.stock_enforced = stock_enforced
        self.catalog = catalog
        self.price_list_id = price_list_id
        self._stock_of = stock_of or (lambda p: p.stock)
        self._lines: dict[int, CartLine] = {}

    @property
    def lines(self) -> list[CartLine]:
        return list(self._lines.values())

    def __len__(self) -> int:
        return len(self._lines)

    def __bool__(self) -> bool:
        return bool(self._lines)

    def line(self, product_id: int) -> CartLine:
        """The line of this product; ``NotSellable("line_not_found")`` if absent."""
        try:
            return self._lines[product_id]
        except KeyError:
            raise NotSellable("line_not_found") from None

    def _resolve(self, product: Product | str | int) -> Product:
        if isinstance(product, Product):
            return product
        found = None
        if self.catalog is not None:
            if isinstance(product, int) and not isinstance(product, bool):
                found = self.catalog.get(product)
            elif isinstance(product, str):
                found = self.catalog.by_code(product)
        if found is None:
            raise NotSellable("product_not_found")
        return found

    def _check(self, product: Product, quantity: Decimal | str | int) -> Decimal:
        """The canonical quantity if ``product`` may be sold in it, else ``NotSellable``."""
        if not product.active:
            raise NotSellable("product_inactive")
        if product.price is None:
            raise NotSellable("no_price")
        try:
            q = qty(quantity, product.unit)
        except InvalidQuantity:
            raise NotSellable("invalid_quantity") from None
        if self.stock_enforced:
            stock = self._stock_of(product)
            if stock is None or stock <= ZERO:
                raise NotSellable("out_of_stock")
            if q > stock:
                raise NotSellable("insufficient_stock", available=format_qty(stock, product.unit))
        if not product.sellable:
            # The ERP's own verdict (e.g. no stock record in this warehouse).
            raise NotSellable("not_sellable")
        return q

    def _compute(self, product: Product, q: Decimal, discount_pct: Decimal) -> CartLine:
        assert product.price is not None
        try:
            amounts = compute_line(product.price, q, discount_pct, product.tax, self.prices_include_tax)
        except InvalidTax:  # the price left would not cover the IEPS per litre the line owes
            raise NotSellable("invalid_discount") from None
        return CartLine(product, q, discount_pct, amounts)

    def add(self, product: Product | str | int, quantity: Decimal | str | int = 1) -> CartLine:
        """Add a ``Product``, or a barcode/SKU (str) or product id (int) looked up in the catalog.

        If the product is already in the cart its quantity grows (the stock check sees the sum).
        Returns the resulting line. Raises ``NotSellable``.
        """
        p = self._resolve(product)
        existing = self._lines.get(p.id)
        if existing is not None:
            # Re-check the sum with the freshest product data (the catalog may have been updated).
            try:
                added = qty(quantity, p.unit)
            except InvalidQuantity:
                raise NotSellable("invalid_quantity") from None
            q = self._check(p, existing.qty + added)
            line = self._compute(p, q, existing.discount_pct)
        else:
            line = self._compute(p, self._check(p, quantity), ZERO)
        self._lines[p.id] = line
        return line

    def set_qty(self, product_id: int, quantity: Decimal | str | int) -> CartLine:
        """Replace a line's quantity (must be positive; use ``remove`` to drop it)."""
        old = self.line(product_id)
        q = self._check(old.product, quantity)
        line = self._lines[product_id] = self._compute(old.product, q, old.discount_pct)
        return line

    def set_discount(self, product_id: int, discount_pct: Decimal | str | int) -> CartLine:
        """Set a line discount in percent, 0 to 100. Raises ``NotSellable("invalid_discount")``."""
        old = self.line(product_id)
        try:
            pct = percent(discount_pct)
        except InvalidNumber:
            raise NotSellable("invalid_discount") from None
        line = self._lines[product_id] = self._compute(old.product, old.qty, pct)
        return line

    def remove(self, product_id: int) -> None:
        """Drop a line (no error if it is not there: a double tap must not crash the POS)."""
        self._lines.pop(product_id, None)

    def clear(self) -> None:
        self._lines.clear()

    def totals(self) -> Totals:
        """Sums of the rounded line amounts and the tax breakdown (``tax.sum_lines``)."""
        return sum_lines(line.amounts for line in self._lines.values())
