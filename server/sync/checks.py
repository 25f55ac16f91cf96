"""The ERP's own checks of a synced sale, beyond poscore.check_sale: what only the database knows.

Every product exists and is active, each line's tax scheme is the product's, the price list is the
terminal's (or the customer's) and includes tax as the sale says, and each unit price is the list price now
or one it had within CAJA_PRICE_GRACE_DAYS (a terminal that was offline sells at the price it knew).
What it must not do: arithmetic on amounts (poscore.check_sale recomputes them), or write anything.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, select

from poscore.messages import t
from poscore.sale import Sale
from poscore.tax import TaxScheme
from server.db.engine import utcnow
from server.db.schema import customers, price_history, price_lists, prices, products

# A sale, customer or void of the POS is a few kilobytes (a 500-line sale, about 200,000 characters); one of
# millions of characters is an attack on storage, refused before it is hashed or stored.
MAX_ITEM_CHARS = 1_000_000


def text_problem(value: Any, max_chars: int = MAX_ITEM_CHARS) -> str | None:
    """Why the database cannot take this JSON value's text, else None (iterative: any nesting depth).

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
                return "carácter nulo en el texto"
            if not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    return "texto que no es UTF-8 válido"
        if size > max_chars:
            return "demasiado grande"
    return None


class SaleRejected(Exception):
    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(code)
        self.code, self.message = code, message or t(code)


def check_price_list(conn: Connection, sale: Sale, terminal_price_list_id: int) -> None:
    allowed = {terminal_price_list_id}
    c = sale.customer
    if c is not None and c.id is not None:
        own = conn.execute(select(customers.c.price_list_id).where(customers.c.id == c.id)).scalar()
        if own is not None:
            allowed.add(int(own))
    pl = conn.execute(select(price_lists).where(price_lists.c.id == sale.price_list_id)).first()
    if pl is None or pl.id not in allowed:
        raise SaleRejected("price_list_mismatch", "La lista de precios no corresponde a la terminal ni al cliente")
    if bool(pl.includes_tax) != sale.prices_include_tax:
        raise SaleRejected("price_list_mismatch", "La venta no indica si los precios incluyen impuestos "
                                                  "como su lista de precios")


def check_lines(conn: Connection, sale: Sale, grace_days: int) -> dict[int, Any]:
    """Products of the sale by id, after checking each line against them. Raises SaleRejected."""
    ids = sorted({line.product_id for line in sale.lines})
    rows = {r.id: r for r in conn.execute(select(products).where(products.c.id.in_(ids)))}
    current = {r.product_id: r.price for r in conn.execute(
        select(prices.c.product_id, prices.c.price)
        .where(prices.c.price_list_id == sale.price_list_id, prices.c.product_id.in_(ids)))}
    for i, line in enumerate(sale.lines, start=1):
        p = rows.get(line.product_id)
        if p is None:
            raise SaleRejected("product_not_found", f"{t('product_not_found')} (línea {i}, id {line.product_id})")
        if not p.active:
            raise SaleRejected("product_inactive", f"{t('product_inactive')} (línea {i}: {p.name})")
        if line.unit != p.unit:
            raise SaleRejected("unit_mismatch", f"Unidad distinta a la del producto (línea {i}: {p.name})")
        if line.tax != TaxScheme(p.iva, p.ieps):
            raise SaleRejected("tax_mismatch", f"Impuestos distintos a los del producto (línea {i}: {p.name})")
        if current.get(p.id) != line.unit_price and not _recent_price(conn, sale.price_list_id, p.id,
                                                                       line.unit_price, grace_days):
            raise SaleRejected("price_mismatch", f"Precio no vigente en la lista (línea {i}: {p.name}, "
                                                 f"precio {line.unit_price})")
    return rows


def _recent_price(conn: Connection, price_list_id: int, product_id: int, price: Decimal, grace_days: int) -> bool:
    since = utcnow() - timedelta(days=grace_days)
    return conn.execute(
        select(price_history.c.id).where(and_(
            price_history.c.price_list_id == price_list_id, price_history.c.product_id == product_id,
            price_history.c.price == price, price_history.c.valid_to >= since)).limit(1)
    ).first() is not None


def check_customer_ref(conn: Connection, sale: Sale) -> None:
    c = sale.customer
    if (c is not None and c.id is not None
            and conn.execute(select(customers.c.id).where(customers.c.id == c.id)).first() is None):
        raise SaleRejected("customer_not_found", "Cliente desconocido en el ERP")
