"""The ERP's own checks of a synced sale, beyond poscore.check_sale: what only the database knows.

Every product exists and is active, each line's tax scheme is the product's, the price list is the
terminal's (or the customer's) and includes tax as the sale says, and each unit price is the list price now
or one it had within CAJA_PRICE_GRACE_DAYS (a terminal that was offline sells at the price it knew).
What it must not do: arithmetic on amounts (poscore.check_sale recomputes them), or write anything.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select

from poscore.messages import CodedError, render, t
from poscore.sale import Sale
from poscore.tax import TaxScheme
from server.db.bulk import ByValues
from server.db.engine import utcnow
from server.db.schema import customers, price_history, price_lists, prices, products
from server.db.types import Money

# A sale, customer or void of the POS is a few kilobytes (a 500-line sale, about 200,000 characters); one of
# millions of characters is an attack on storage, refused before it is hashed or stored.
MAX_ITEM_CHARS = 1_000_000


def text_problem(value: Any, max_chars: int = MAX_ITEM_CHARS) -> str | None:
    """Why the database cannot take this JSON value's text (a `detail_*` code of poscore.messages), else None
    (iterative: any nesting depth).

    A NUL character (PostgreSQL text refuses it), a lone UTF-16 surrogate (JSON's "\\ud800" parses to one;
    it cannot be encoded as UTF-8 for either database), or more than `max_chars` characters and items.
    """
    stack, size = [value], 0
    while stack:
        v = stack.pop()
        size += 1
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str):
            size += len(v)
            if "\x00" in v:
                return "detail_nul"
            if not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    return "detail_not_utf8"
        if size > max_chars:
            return "detail_too_large"
    return None


class SaleRejected(Exception):
    """A synced record refused: a `code` of poscore.messages and its `params` (never words); `message` is the
    Spanish text the contract keeps, rendered from them."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params

    @property
    def message(self) -> str:
        return render(self.code, "es", self.params)

    @classmethod
    def of(cls, exc: CodedError) -> SaleRejected:
        """poscore's refusal as the ERP's: its code and parameters, and its free detail (a field, a parser's
        complaint) as the `detail` parameter, without the catalogue's own words poscore may have put before it."""
        params = dict(exc.params)
        if exc.detail is not None:
            detail = exc.detail.removeprefix(t(exc.code)).lstrip(": ")
            if detail:
                params["detail"] = detail
        return cls(exc.code, **params)



# Built once (SQLAlchemy caches compiled SQL, not statement construction) and run with each batch's ids.
_PRODUCTS = ByValues(lambda where: select(
    products.c.id, products.c.name, products.c.active, products.c.unit, products.c.iva, products.c.ieps,
    products.c.ieps_cuota, products.c.litres).where(where(products.c.id, "ids")))
_PRICES = ByValues(lambda where: select(prices.c.product_id, prices.c.price).where(
    prices.c.price_list_id == bindparam("pl"), where(prices.c.product_id, "ids")))
_PRICE_LISTS = ByValues(lambda where: select(price_lists.c.id, price_lists.c.includes_tax).where(
    where(price_lists.c.id, "ids")))
_CUSTOMERS = ByValues(lambda where: select(customers.c.id, customers.c.price_list_id).where(
    where(customers.c.id, "ids")))
_RECENT_PRICE = select(price_history.c.id).where(
    price_history.c.price_list_id == bindparam("pl"), price_history.c.product_id == bindparam("p"),
    price_history.c.price == bindparam("price", type_=Money()), price_history.c.valid_to >= bindparam("since"),
).limit(1)
# Well under SQLite's 32,766 host parameters: a batch of 500 sales can carry far more product ids.
CHUNK = 1000


def chunks(values: Sequence[Any], size: int | None = None) -> Iterator[Sequence[Any]]:
    size = size or CHUNK
    for i in range(0, len(values), size):
        yield values[i:i + size]


class BatchChecks:
    """The checks of a batch's sales, with what they read fetched once per batch (a query per sale and line
    was most of the time of an ingest). Build it inside the batch's write transaction, after its first lock
    (the terminal's row), so it reads what that transaction would have read sale by sale: sales never
    change products, prices or price lists, and a customer id not fetched is looked up again.
    """

    def __init__(self, conn: Connection, sales: list[Sale], grace_days: int) -> None:
        self.conn = conn
        self.since = utcnow() - timedelta(days=grace_days)
        ids = sorted({line.product_id for s in sales for line in s.lines})
        self.products = {r.id: r for part in chunks(ids) for r in conn.execute(_PRODUCTS(conn), {"ids": part})}
        by_list: dict[int, set[int]] = {}
        for s in sales:
            by_list.setdefault(s.price_list_id, set()).update(line.product_id for line in s.lines)
        self.prices = {(pl, r.product_id): r.price for pl, pids in by_list.items()
                       for part in chunks(sorted(pids)) for r in conn.execute(_PRICES(conn), {"pl": pl, "ids": part})}
        self.price_lists = {r.id: r for part in chunks(sorted(by_list))
                            for r in conn.execute(_PRICE_LISTS(conn), {"ids": part})}
        cids = sorted({s.customer.id for s in sales if s.customer is not None and s.customer.id is not None})
        self.customers: dict[int, Any] = {r.id: r.price_list_id for part in chunks(cids)
                                          for r in conn.execute(_CUSTOMERS(conn), {"ids": part})}

    def _customer_list(self, customer_id: int) -> tuple[bool, Any]:
        """(exists, its own price list id or None)."""
        if customer_id not in self.customers:
            row = self.conn.execute(_CUSTOMERS(self.conn), {"ids": [customer_id]}).first()
            if row is None:
                return False, None
            self.customers[customer_id] = row.price_list_id
        return True, self.customers[customer_id]

    def check(self, sale: Sale, terminal_price_list_id: int) -> None:
        """Raises SaleRejected for the first problem: customer, then price list, then lines."""
        c = sale.customer
        allowed = {terminal_price_list_id}
        if c is not None and c.id is not None:
            exists, own = self._customer_list(c.id)
            if not exists:
                raise SaleRejected("customer_not_found")
            if own is not None:
                allowed.add(int(own))
        pl = self.price_lists.get(sale.price_list_id)
        if pl is None or pl.id not in allowed:
            raise SaleRejected("price_list_mismatch", detail="detail_not_terminal_or_customer")
        if bool(pl.includes_tax) != sale.prices_include_tax:
            raise SaleRejected("price_list_mismatch", detail="detail_includes_tax")
        self._check_lines(sale)

    def _check_lines(self, sale: Sale) -> None:
        for i, line in enumerate(sale.lines, start=1):
            p = self.products.get(line.product_id)
            if p is None:
                raise SaleRejected("product_not_found", line=i, product=f"id {line.product_id}")
            if not p.active:
                raise SaleRejected("product_inactive", line=i, product=p.name)
            if line.unit != p.unit:
                raise SaleRejected("unit_mismatch", line=i, product=p.name)
            if line.tax != TaxScheme(p.iva, p.ieps, p.ieps_cuota, p.litres):
                raise SaleRejected("tax_mismatch", line=i, product=p.name)
            if (self.prices.get((sale.price_list_id, p.id)) != line.unit_price
                    and not self._recent_price(sale.price_list_id, p.id, line.unit_price)):
                raise SaleRejected("price_mismatch", line=i, product=p.name, price=str(line.unit_price))

    def _recent_price(self, price_list_id: int, product_id: int, price: Decimal) -> bool:
        return self.conn.execute(_RECENT_PRICE, {"pl": price_list_id, "p": product_id, "price": price,
                                                 "since": self.since}).first() is not None
