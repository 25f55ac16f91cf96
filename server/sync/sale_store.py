"""Writing a batch's accepted sales inside the sync's transaction: their folios, the sale rows with their lines
and payments, and the stock they took.

What it is for: `store(conn, new, now)` gives each `New` its folio and id and writes the sale rows; then, as
the transaction's last statement, `move_stock(conn, new, warehouse_id, now, version)` takes the stock. A fixed
handful of statements whatever the batch's size (a statement per sale and line was most of the ingest time; a
multi-row INSERT is one statement, not one per row). Folios:
`UPDATE folio_series SET last_folio = last_folio + n ... RETURNING` once per series: the batch's sales get the
n numbers ending there, in the order sent, with no gaps and no duplicates (a transaction that fails gives them
all back). The change counter's row lock is the one lock every writer of versions waits for, so it is taken
last and held for one statement and the commit: on PostgreSQL the counter's bump, the products' versions, the
stock (an upsert: a product without a stock row gets one below zero) and the flags of the sales that left a
product below zero are ONE statement (data-modifying WITH clauses, the counter first), with nothing read
back but the version, sent in one round trip with the COMMIT (`engine.commit_with`); each extra round trip under
that lock, and each wait for the request's thread to run again, was time every other batch waited for.
On SQLite the transaction is BEGIN IMMEDIATE (one writer): plain statements there.
What it must not do: judge a sale (sale_intake and checks did), write anything of a rejected one, or commit
anywhere but in `move_stock` on PostgreSQL (the caller's transaction commits otherwise, and nothing of the batch is
written after `move_stock`).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select

from poscore.sale import Sale
from server.db import changes
from server.db.bulk import insert_rows
from server.db.engine import commit_with
from server.db.schema import folio_series, products, sale_lines, sale_payments, sales, stock, stock_negative
from server.db.schema_fiscal import cfdis
from server.db.types import Qty
from server.fiscal import queue

from .checks import chunks

# Built once: building Core statements costs more than running them on SQLite (SQLAlchemy caches the compiled
# SQL, not the construction).
_TAKE_FOLIOS = (folio_series.update().where(folio_series.c.series == bindparam("s"))
                .values(last_folio=folio_series.c.last_folio + bindparam("n")).returning(folio_series.c.last_folio))
_QTY = Qty()
# PostgreSQL: everything under the counter's lock in one statement. The main SELECT reads `v` first, so the
# counter's row is locked before any product or stock row (the order every writer of versions follows, so the
# row locks taken after it are never contended and cannot deadlock); the other WITH clauses run to completion
# after it. Stock left below zero is flagged per sale: `later` is what the batch's later sales took of the
# product, so the stock a sale left is the final figure plus `later`.
_PG_FINISH = (
    "WITH v AS (UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value),"
    " sold AS (SELECT * FROM unnest(CAST(%(pids)s AS integer[]), CAST(%(qtys)s AS bigint[])) AS s(product_id, qty)),"
    " changed AS (UPDATE products SET version = v.value FROM v WHERE products.id = ANY(CAST(%(pids)s AS integer[]))),"
    " moved AS (INSERT INTO stock (warehouse_id, product_id, qty) SELECT %(w)s, sold.product_id, -sold.qty FROM sold, v"
    "  ON CONFLICT (warehouse_id, product_id) DO UPDATE SET qty = stock.qty + excluded.qty"
    "  RETURNING stock.product_id, stock.qty),"
    " flagged AS (INSERT INTO stock_negative (warehouse_id, product_id, sale_id, qty_after, created_at)"
    "  SELECT %(w)s, f.product_id, f.sale_id, moved.qty + f.later, CAST(%(now)s AS timestamptz)"
    "  FROM unnest(CAST(%(fsale)s AS integer[]), CAST(%(fpid)s AS integer[]), CAST(%(flater)s AS bigint[]))"
    "   AS f(sale_id, product_id, later) JOIN moved ON moved.product_id = f.product_id"
    "  WHERE moved.qty + f.later < 0 ORDER BY f.sale_id, f.product_id)"
    " SELECT value FROM v")
_TAKE_STOCK = (stock.update().where(stock.c.warehouse_id == bindparam("w"), stock.c.product_id == bindparam("p"))
               .values(qty=stock.c.qty - bindparam("q", type_=Qty())))
_STOCK_LEFT = select(stock.c.product_id, stock.c.qty).where(
    stock.c.warehouse_id == bindparam("w"), stock.c.product_id.in_(bindparam("ids", expanding=True)))
_PRODUCTS_CHANGED = products.update().where(products.c.id.in_(bindparam("ids", expanding=True))).values(
    version=bindparam("v"))


@dataclass
class New:
    """A sale accepted in this batch; its folio and id are given when the batch is stored."""
    uuid: str
    terminal_id: int
    content_hash: str
    type: str
    series: str
    received_at: datetime
    sale: Sale
    raw: dict[str, Any]
    customer_id: int | None
    folio: int = 0
    id: int = 0
    review: str | None = None
    cashier_id: int | None = None
    shift_uuid: str | None = None
    cashier_flag: str | None = None
    body: str = ""  # the sale's JSON text as hashed (sale_intake.digest_and_text); else encoded here


def store(conn: Connection, new: list[New], now: datetime) -> None:
    """Write the batch's accepted sales (folios, rows, lines, payments); the stock is `move_stock`'s."""
    _take_folios(conn, new)
    rows = insert_rows(conn, sales, [{
        "uuid": n.uuid, "terminal_id": n.terminal_id, "seq": n.sale.seq, "number": n.sale.number, "type": n.type,
        "customer_id": n.customer_id, "cashier": (n.sale.cashier or None) and n.sale.cashier[:100],
        "price_list_id": n.sale.price_list_id, "device_time": n.sale.device_time[:40], "received_at": now,
        "series": n.series, "folio": n.folio, "subtotal": n.sale.totals.subtotal, "discount": n.sale.totals.discount,
        "tax_total": n.sale.totals.tax_total, "total": n.sale.totals.total, "status": "accepted",
        "content_hash": n.content_hash, "body": n.body or json.dumps(n.raw, ensure_ascii=False), "review": n.review,
        "cashier_id": n.cashier_id, "shift_uuid": n.shift_uuid,
    } for n in new], returning=("uuid", "id"))
    ids = {r.uuid: r.id for r in rows}
    for n in new:
        n.id = int(ids[n.uuid])
    insert_rows(conn, sale_lines, [{
        "sale_id": n.id, "line_no": i, "product_id": line.product_id, "qty": line.qty,
        "unit_price": line.unit_price, "discount_pct": line.discount_pct, "subtotal": line.amounts.subtotal,
        "discount": line.amounts.discount, "total": line.amounts.total,
    } for n in new for i, line in enumerate(n.sale.lines, start=1)])
    payments = [{"sale_id": n.id, "method": p.method, "sat_code": p.sat_code, "amount": p.amount,
                 "reference": (p.reference or None) and p.reference[:100]} for n in new for p in n.sale.payments]
    insert_rows(conn, sale_payments, payments)
    # A factura's CFDI is queued with its sale: the job then never scans all sales for new ones.
    insert_rows(conn, cfdis, queue.ingreso_rows([n.id for n in new if n.type == "factura"], now))


def move_stock(conn: Connection, new: list[New], warehouse_id: int, now: datetime, version: int | None) -> None:
    """Take the sold quantities out of the terminal's warehouse and bump the change version: the transaction's
    last statement(s), right before the commit (on PostgreSQL, sent with it and committed: `commit_with`).
    `version`: the counter's next value when the caller already holds its lock (a new customer took it), else
    None and the lock is taken here."""
    if conn.dialect.name == "postgresql":
        _pg_move_stock(conn, new, warehouse_id, now, version)
        return
    if version is None:
        version = changes.bump(conn)
    elif changes.bump(conn) != version:
        raise AssertionError("change counter moved under its lock")
    _move_stock(conn, new, warehouse_id, now, version)


def _pg_move_stock(conn: Connection, new: list[New], warehouse_id: int, now: datetime, version: int | None) -> None:
    sold: dict[int, Decimal] = defaultdict(Decimal)
    flags: list[tuple[int, int, int | None]] = []  # (sale id, product, what the later sales took), from the end
    for n in reversed(new):
        mine: dict[int, Decimal] = defaultdict(Decimal)
        for line in n.sale.lines:
            mine[line.product_id] += line.qty
        flags += [(n.id, p, _QTY.process_bind_param(sold[p], None)) for p in mine]
        for p, q in mine.items():
            sold[p] += q
    pids = sorted(sold)
    got = commit_with(conn, _PG_FINISH, {
        "pids": pids, "qtys": [_QTY.process_bind_param(sold[p], None) for p in pids], "w": warehouse_id,
        "now": now, "fsale": [f[0] for f in flags], "fpid": [f[1] for f in flags], "flater": [f[2] for f in flags],
    })
    # A sanity check only, and after the commit: the caller's lock on the counter's row means nobody else could
    # move it; were it ever wrong, the batch stays committed and its retry is answered as duplicates.
    if version is not None and int(got[0]) != version:
        raise AssertionError("change counter moved under its lock")


def _take_folios(conn: Connection, new: list[New]) -> None:
    by_series: dict[str, list[New]] = defaultdict(list)
    for n in new:
        by_series[n.series].append(n)
    for series in sorted(by_series):  # one lock order for every batch
        group = by_series[series]
        last = int(conn.execute(_TAKE_FOLIOS, {"s": series, "n": len(group)}).scalar_one())
        for folio, n in enumerate(group, start=last - len(group) + 1):
            n.folio = folio


def _take_stock(conn: Connection, sold: dict[int, Decimal], warehouse_id: int, version: int) -> dict[int, Decimal]:
    """SQLite: take `sold` out of the warehouse and mark its products changed (new stock means a new version for the
    catalog feed's `since`); returns the quantities left of the products that had a stock row."""
    pids = sorted(sold)
    conn.execute(_TAKE_STOCK, [{"w": warehouse_id, "p": p, "q": sold[p]} for p in pids])
    for part in chunks(pids):
        conn.execute(_PRODUCTS_CHANGED, {"v": version, "ids": part})
    return {r.product_id: r.qty for part in chunks(pids)
            for r in conn.execute(_STOCK_LEFT, {"w": warehouse_id, "ids": part})}


def _move_stock(conn: Connection, new: list[New], warehouse_id: int, now: datetime, version: int) -> None:
    """Take the sold quantities out of the terminal's warehouse; below zero is kept and flagged per sale."""
    per_sale: list[dict[int, Decimal]] = []
    sold: dict[int, Decimal] = defaultdict(Decimal)
    for n in new:
        mine: dict[int, Decimal] = defaultdict(Decimal)
        for line in n.sale.lines:
            mine[line.product_id] += line.qty
            sold[line.product_id] += line.qty
        per_sale.append(mine)
    left = _take_stock(conn, sold, warehouse_id, version)
    unstocked = {p: -sold[p] for p in sorted(sold) if p not in left}
    if unstocked:
        insert_rows(conn, stock, [{"warehouse_id": warehouse_id, "product_id": p, "qty": q} for p, q in unstocked.items()])
        left.update(unstocked)
    # What each sale left: walk back from the batch's end, adding back what the later sales took.
    flags = []
    for n, mine in zip(reversed(new), reversed(per_sale), strict=True):
        for p, q in mine.items():
            if left[p] < 0:
                flags.append({"warehouse_id": warehouse_id, "product_id": p, "sale_id": n.id, "qty_after": left[p],
                              "created_at": now})
            left[p] += q
    if flags:
        insert_rows(conn, stock_negative, sorted(flags, key=lambda f: (f["sale_id"], f["product_id"])))
