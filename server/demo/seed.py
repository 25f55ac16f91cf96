"""Seed the demo shop: deterministic (same seed → same rows), fast enough for 200,000 products.

What it is for: `caja demo`, the tests and the benchmarks. One shop, branch, warehouse, three price lists
(Público with tax, Mayoreo with tax, Neto without tax), products with barcodes, prices, stock and a little
price history, customers (about one in five with complete fiscal data), and terminal T01 (series R and F).
What it must not do: compute taxes or totals (poscore's job): prices here are just made-up numbers.
Speed: rows are built in Python and written in chunks with executemany, one transaction.
"""
from __future__ import annotations

import random
import re
import string
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from server.db import changes
from server.db.engine import utcnow
from server.db.schema import (
    branches,
    customers,
    price_lists,
    products,
    shops,
    warehouses,
)
from server.demo import words
from server.terminals import create_terminal

CHUNK = 20_000


def ean13(body12: str) -> str:
    """Append the GS1 check digit to 12 digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def is_empty(conn: Connection) -> bool:
    return conn.execute(select(func.count()).select_from(shops)).scalar_one() == 0


def _chunks(rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    buf: list[dict[str, Any]] = []
    for r in rows:
        buf.append(r)
        if len(buf) >= CHUNK:
            yield buf
            buf = []
    if buf:
        yield buf


def _insert(conn: Connection, table: Table, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        conn.execute(table.insert(), chunk)


def _db_time(conn: Connection, value: datetime) -> Any:
    """A UTC time as the dialect's DateTime column stores it (SQLite: SQLAlchemy's text format)."""
    if conn.dialect.name == "sqlite":
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _bulk(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    for start in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sql, rows[start:start + CHUNK])


def _product_specs(rng: random.Random, n: int) -> list[tuple[str, str, str | None, str, str, tuple[int, int]]]:
    """n (name, iva, ieps, unit, group, price range), realistic combinations first, then variants."""
    base = []
    for group, iva, ieps, unit, items in words.CATEGORIES:
        for item, sizes, prange in items:
            for size in sizes:
                for brand in words.BRANDS:
                    name = f"{item} {brand}" + (f" {size}" if size else "")
                    base.append((name, iva, ieps, unit, group, prange))
    rng.shuffle(base)
    out: list[tuple[str, str, str | None, str, str, tuple[int, int]]] = []
    v = 0
    while len(out) < n:
        suffix = words.VARIANTS[v] if v < len(words.VARIANTS) else f" presentación {v}"
        for name, iva, ieps, unit, group, prange in base:
            if len(out) >= n:
                break
            out.append((name + suffix, iva, ieps, unit, group, prange))
        v += 1
    # Keep the shop's mix: exentos and bulk items are few; the shuffle spreads them, the cut keeps the ratio.
    return out


def _cuota(name: str, group: str) -> tuple[str | None, str | None]:
    """Flavoured drinks pay IEPS per litre (LIEPS art. 2 fr. I inciso G; words.IEPS_CUOTA), not a rate: the cuota
    and the litres of one bottle read from its size ("600 ml", "2 L"); water and other groups keep their rate."""
    if group != "bebidas" or name.startswith(words.NO_CUOTA):
        return None, None
    found = _SIZE.search(name)
    if found is None:
        return None, None
    amount = Decimal(found.group(1)) / (1000 if found.group(2) == "ml" else 1)
    return words.IEPS_CUOTA, format(amount.normalize(), "f")


_SIZE = re.compile(r"\b([0-9]+(?:\.[0-9]+)?) (ml|L)\b")


def _rfc_persona(rng: random.Random, first: str, last1: str, last2: str) -> str:
    def letters(s: str) -> str:
        return "".join(c for c in s.upper().translate(str.maketrans("ÁÉÍÓÚÑÜ", "AEIOUXU")) if c.isalpha())
    a, b, c = letters(last1), letters(last2), letters(first)
    vowel = next((ch for ch in a[1:] if ch in "AEIOU"), "X")
    date = f"{rng.randint(60, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    homo = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(2)) + rng.choice("0123456789A")
    return a[0] + vowel + b[0] + c[0] + date + homo


def _rfc_moral(rng: random.Random, name: str) -> str:
    initials = "".join(w[0] for w in name.upper().translate(str.maketrans("ÁÉÍÓÚÑ", "AEIOUX")).split()
                       if w[0].isalpha())[:3].ljust(3, "X")
    date = f"{rng.randint(90, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    homo = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(2)) + rng.choice("0123456789A")
    return initials + date + homo


def _customers(rng: random.Random, n: int, version: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        complete = rng.random() < 0.2
        moral = complete and rng.random() < 0.3
        first, l1, l2 = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES), rng.choice(words.LAST_NAMES)
        if moral:
            name = f"{rng.choice(words.COMPANY_WORDS)} {rng.choice(words.COMPANY_NAMES)} SA de CV"
        else:
            name = f"{first} {l1} {l2}"
        cp, _city = rng.choice(words.PLACES)
        row: dict[str, Any] = {
            "id": i + 1, "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "name": name,
            "rfc": None, "regimen_fiscal": None, "codigo_postal": None, "uso_cfdi": None, "email": None,
            "price_list_id": None, "active": True, "version": version, "created_by_terminal_id": None,
        }
        if complete:
            row.update(
                rfc=_rfc_moral(rng, name) if moral else _rfc_persona(rng, first, l1, l2),
                regimen_fiscal="601" if moral else rng.choice(["612", "626", "605"]),
                codigo_postal=cp,
                email=f"facturas{i + 1}@{rng.choice(words.EMAIL_DOMAINS)}",
                price_list_id=2 if moral else None,  # businesses buy at Mayoreo
            )
            # c_UsoCFDI: a salaried person (605) cannot take G03; S01 is what the SAT allows them here.
            row["uso_cfdi"] = "S01" if row["regimen_fiscal"] == "605" else "G03"
        elif rng.random() < 0.3:
            row["email"] = f"cliente{i + 1}@{rng.choice(words.EMAIL_DOMAINS)}"
        yield row


def seed(conn: Connection, *, n_products: int = 2000, n_customers: int = 500, seed: int = 1) -> dict[str, int]:
    """Write the demo shop into an empty, migrated database (inside the caller's transaction)."""
    if not is_empty(conn):
        raise ValueError("la base de datos ya tiene datos")
    rng = random.Random(seed)
    now = utcnow()
    version = changes.bump(conn)
    conn.execute(shops.insert().values(id=1, name="Abarrotes La Esperanza", rfc="EKU9003173C9", regimen_fiscal="601",
                                       address="Av. Juárez 123, Col. Centro, Guadalajara, Jal.",
                                       codigo_postal="44100"))
    conn.execute(branches.insert().values(id=1, shop_id=1, name="Sucursal Centro"))
    conn.execute(warehouses.insert().values(id=1, branch_id=1, name="Almacén Centro"))
    conn.execute(price_lists.insert(), [
        {"id": 1, "name": "Público", "includes_tax": True},
        {"id": 2, "name": "Mayoreo", "includes_tax": True},
        {"id": 3, "name": "Neto", "includes_tax": False},
    ])

    specs = _product_specs(rng, n_products)
    # Big tables go through the driver's executemany with plain tuples: SQLAlchemy's per-row parameter
    # processing was most of the time for 200,000 products. Money is in cents, stock in thousandths
    # (the storage of server.db.types.Scaled), times as the dialect stores them.
    ts = _db_time(conn, now)
    prod_rows: list[tuple[Any, ...]] = []
    code_rows: list[tuple[Any, ...]] = []
    price_rows: list[tuple[Any, ...]] = []
    hist_rows: list[tuple[Any, ...]] = []
    stock_rows: list[tuple[Any, ...]] = []
    barcode_no = 0
    for i, (name, iva, ieps, unit, group, (lo, hi)) in enumerate(specs, start=1):
        # ~0.5 % inactive, to show deactivations
        active = rng.random() >= 0.005
        cuota, litres = _cuota(name, group)
        prod_rows.append((i, f"SKU{i:06d}", name, unit, iva, None if cuota else ieps, cuota, litres, active, version))
        if unit == "pieza" or rng.random() < 0.3:
            for _ in range(2 if rng.random() < 0.05 else 1):
                barcode_no += 1
                code_rows.append((i, ean13(f"750{barcode_no:09d}")))
        # Shelf prices end in .00 or .50, as in a real abarrotes.
        publico = rng.randint(lo * 2, hi * 2) * 50
        # ~1 % without a Público price and ~1 % without stock: the POS shows them as not sellable
        if rng.random() >= 0.01:
            price_rows.append((1, i, publico, ts))
            if rng.random() < 0.03:  # yesterday's price, still accepted from offline terminals
                hist_rows.append((1, i, publico + 100, _db_time(conn, now - timedelta(days=40)),
                                  _db_time(conn, now - timedelta(days=1))))
        price_rows.append((2, i, publico * 92 // 100, ts))
        price_rows.append((3, i, publico * 80 // 100, ts))
        if rng.random() >= 0.01:
            stock_rows.append((1, i, rng.randint(0, 40_000) if unit == "kg" else rng.randint(0, 120) * 1000))

    _bulk(conn, "products", ("id", "sku", "name", "unit", "iva", "ieps", "ieps_cuota", "litres", "active", "version"),
          prod_rows)
    _bulk(conn, "product_barcodes", ("product_id", "barcode"), code_rows)
    _bulk(conn, "prices", ("price_list_id", "product_id", "price", "valid_from"), price_rows)
    _bulk(conn, "price_history", ("price_list_id", "product_id", "price", "valid_from", "valid_to"), hist_rows)
    _bulk(conn, "stock", ("warehouse_id", "product_id", "qty"), stock_rows)
    _insert(conn, customers, _customers(rng, n_customers, version))
    create_terminal(conn, code="T01", name="Caja 1", branch_id=1, warehouse_id=1, price_list_id=1,
                    series_remision="R", series_factura="F")
    _fix_sequences(conn)
    return {"products": len(prod_rows), "customers": n_customers}


def _fix_sequences(conn: Connection) -> None:
    """PostgreSQL: rows were inserted with explicit ids, so move each serial sequence past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in (shops, branches, warehouses, price_lists, products, customers):
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))
