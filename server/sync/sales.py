"""Accept one synced sale: verify it, give it the next folio of its series, store it, move stock.

What it is for: `accept_sale(engine, terminal, raw, grace_days) -> result dict` (contract: Sales results),
one transaction per sale so one bad sale never blocks the others of its batch.

Folios: `UPDATE folio_series SET last_folio = last_folio + 1 ... RETURNING` inside the sale's transaction.
On PostgreSQL the row lock serialises sales of one series until commit, and a rollback gives the number
back, so folios have no gaps and no duplicates; on SQLite the transaction is BEGIN IMMEDIATE (one writer).
Idempotency: the sale's uuid is unique. A replay with the same content (sha256 of its canonical JSON) gets
the original answer with `duplicate: true`; other content is `uuid_conflict`. Two concurrent first sends of
one uuid: the loser hits the unique index, rolls back (its folio too) and retries, then sees the winner.
What it must not do: compute amounts (poscore.check_sale does), or keep anything of a rejected sale.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from poscore.messages import t
from poscore.sale import Sale, SaleError, check_sale
from server.db import changes
from server.db.engine import as_utc, utcnow, write_tx
from server.db.schema import folio_series, products, sale_lines, sale_payments, sales, stock, stock_negative
from server.db.types import Qty

from .checks import SaleRejected, check_customer_ref, check_lines, check_price_list, text_problem
from .customers import CustomerRejected, upsert_customer

log = logging.getLogger("caja.sync")
ATTEMPTS = 5
INT32_MAX = 2**31 - 1

# Built once: a sale runs these for every sale and line, and building Core statements costs more than
# running them on SQLite (SQLAlchemy caches the compiled SQL, not the construction).
_NEXT_FOLIO = (folio_series.update().where(folio_series.c.series == bindparam("s"))
               .values(last_folio=folio_series.c.last_folio + 1).returning(folio_series.c.last_folio))
_TAKE_STOCK = (stock.update().where(stock.c.warehouse_id == bindparam("w"), stock.c.product_id == bindparam("p"))
               .values(qty=stock.c.qty - bindparam("q", type_=Qty())).returning(stock.c.qty))
INT63_MAX = 2**63 - 1
# A trillion pesos (or kg): beyond any sale, and ×1000 still far inside a 64-bit column.
AMOUNT_LIMIT = Decimal(10) ** 12
PCT_SCALE = Decimal("0.0001")  # sale_lines.discount_pct is Scaled(4)


class RetryLater(Exception):
    """The database kept refusing a valid-looking sale for a transient reason: the whole request is a 503."""


def content_hash(raw: dict[str, Any]) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def rejected(uuid: Any, code: str, message: str) -> dict[str, Any]:
    # A uuid with a lone surrogate cannot even be echoed back (the JSON response is UTF-8): answer null.
    ok = isinstance(uuid, str) and text_problem(uuid) is None
    return {"uuid": uuid if ok else None, "status": "rejected", "error": code, "message": message}


def _accepted(row: Any, duplicate: bool) -> dict[str, Any]:
    received = as_utc(row.received_at)
    if received is not None:
        received = received.astimezone(UTC)  # PostgreSQL answers in the session's time zone
    return {"uuid": row.uuid, "status": "accepted", "type": row.type, "series": row.series, "folio": int(row.folio),
            "received_at": received.isoformat() if received else None, "duplicate": duplicate}


def _is_transient(exc: DBAPIError) -> bool:
    # PostgreSQL deadlock (40P01) / serialization failure (40001): retrying the whole sale is safe.
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40P01", "40001")


def accept_sale(engine: Engine, terminal: Any, raw: Any, grace_days: int) -> dict[str, Any]:
    uuid = raw.get("uuid") if isinstance(raw, dict) else None
    if not isinstance(uuid, str) or not 0 < len(uuid) <= 36:
        return rejected(uuid, "malformed", t("malformed") + " (uuid)")
    problem = text_problem(raw)
    if problem is not None:  # before hashing: content_hash cannot encode a lone surrogate
        return rejected(uuid, "malformed", f"{t('malformed')} ({problem})")
    digest = content_hash(raw)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with write_tx(engine) as conn:
                return _accept_in_tx(conn, terminal, raw, uuid, digest, grace_days)
        except (SaleRejected, CustomerRejected) as exc:
            return rejected(uuid, exc.code, exc.message)
        except IntegrityError:
            # A concurrent twin (same sale uuid or same new customer uuid) won the unique index: retry.
            if attempt == ATTEMPTS:
                # Not the sale's fault: answer "nothing known" (503) so the terminal sends it again later,
                # instead of a rejection it would keep forever. Sales already stored in this batch are
                # safe to resend: they come back as duplicates.
                log.exception("sale %s kept conflicting", uuid)
                raise RetryLater("Conflicto al guardar la venta; reintente más tarde") from None
        except DBAPIError as exc:
            if not _is_transient(exc) or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _accept_in_tx(conn: Connection, terminal: Any, raw: dict[str, Any], uuid: str, digest: str,
                  grace_days: int) -> dict[str, Any]:
    existing = conn.execute(select(sales).where(sales.c.uuid == uuid)).first()
    if existing is not None:
        if existing.content_hash == digest and existing.terminal_id == terminal.id:
            return _accepted(existing, duplicate=True)
        raise SaleRejected("uuid_conflict", "Ya existe otra venta con este identificador; se conserva la original")
    try:
        problems = check_sale(raw)
    except ArithmeticError:
        # decimal.InvalidOperation from poscore's quantize on an amount like "1e30" (more than 28 digits).
        raise SaleRejected("invalid_amount", t("invalid_amount") + " (fuera de rango)") from None
    if problems:
        raise SaleRejected(problems[0].code, problems[0].message)
    try:
        sale = Sale.from_json(raw)
    except SaleError as exc:
        raise SaleRejected(exc.code, exc.message) from None
    if sale.terminal != terminal.code:
        raise SaleRejected("terminal_mismatch", "La venta es de otra terminal")
    _check_id_ranges(sale)
    _check_amount_ranges(sale)
    check_customer_ref(conn, sale)
    check_price_list(conn, sale, terminal.price_list_id)
    check_lines(conn, sale, grace_days)

    # Locks in one order for every sale: change counter, then (new customer,) folio series, then stock
    # rows by product id. On PostgreSQL the counter row serialises writing sales, so no two of them can
    # wait on each other in a cycle (a new customer would otherwise bump it before the folio lock).
    version = changes.bump(conn)
    customer_id = _customer_id(conn, sale, raw, terminal.id, version)

    series = terminal.series_factura if sale.type == "factura" else terminal.series_remision
    folio = conn.execute(_NEXT_FOLIO, {"s": series}).scalar_one()
    now = utcnow()
    tot = sale.totals
    sale_id = conn.execute(sales.insert().values(
        uuid=uuid, terminal_id=terminal.id, seq=sale.seq, number=sale.number, type=sale.type,
        customer_id=customer_id, cashier=(sale.cashier or None) and sale.cashier[:100],
        price_list_id=sale.price_list_id, device_time=sale.device_time[:40], received_at=now, series=series,
        folio=folio, subtotal=tot.subtotal, discount=tot.discount, tax_total=tot.tax_total, total=tot.total,
        status="accepted", content_hash=digest, body=json.dumps(raw, ensure_ascii=False),
    )).inserted_primary_key[0]  # type: ignore[index]
    conn.execute(sale_lines.insert(), [{
        "sale_id": sale_id, "line_no": i, "product_id": line.product_id, "qty": line.qty,
        "unit_price": line.unit_price, "discount_pct": line.discount_pct, "subtotal": line.amounts.subtotal,
        "discount": line.amounts.discount, "total": line.amounts.total,
    } for i, line in enumerate(sale.lines, start=1)])
    conn.execute(sale_payments.insert(), [{
        "sale_id": sale_id, "method": p.method, "sat_code": p.sat_code, "amount": p.amount,
        "reference": (p.reference or None) and p.reference[:100],
    } for p in sale.payments])
    _move_stock(conn, sale, sale_id, terminal.warehouse_id, now, version)
    return _accepted(SimpleNamespace(uuid=uuid, type=sale.type, series=series, folio=folio, received_at=now),
                     duplicate=False)


def _check_id_ranges(sale: Sale) -> None:
    """Ids and sequences must fit the database's integer columns (else the driver fails with a 500)."""
    ids = [sale.price_list_id, *(line.product_id for line in sale.lines)]
    if sale.customer is not None and sale.customer.id is not None:
        ids.append(sale.customer.id)
    if not all(0 < i <= INT32_MAX for i in ids) or not 0 < sale.seq <= INT63_MAX:
        raise SaleRejected("malformed", t("malformed") + " (id fuera de rango)")


def _check_amount_ranges(sale: Sale) -> None:
    """Amounts and quantities must fit the 64-bit cents/thousandths columns (else a driver error, a 500)."""
    tot = sale.totals
    values = [tot.subtotal, tot.discount, tot.tax_total, tot.total, tot.paid, tot.change,
              *(p.amount for p in sale.payments)]
    for line in sale.lines:
        values += [line.qty, line.unit_price, line.amounts.subtotal, line.amounts.discount, line.amounts.total]
    if any(abs(v) >= AMOUNT_LIMIT for v in values):
        raise SaleRejected("invalid_amount", t("invalid_amount") + " (fuera de rango)")
    # discount_pct is stored with 4 decimals and the column refuses more (a ValueError, a 500); poscore
    # accepts "1e-400" or "0.00001" because they change no amount.
    if any(line.discount_pct != line.discount_pct.quantize(PCT_SCALE) for line in sale.lines):
        raise SaleRejected("invalid_discount", t("invalid_discount") + " (más de 4 decimales)")


def _customer_id(conn: Connection, sale: Sale, raw: dict[str, Any], terminal_id: int, version: int) -> int | None:
    c = sale.customer
    if c is None:
        return None
    if c.id is not None:
        return c.id
    if c.uuid is None:
        return None  # a name on the ticket only, nothing to create
    customer_id, _created = upsert_customer(conn, raw["customer"], terminal_id, version)
    return customer_id


def _move_stock(conn: Connection, sale: Sale, sale_id: int, warehouse_id: int, now: Any, version: int) -> None:
    """Take the sold quantities out of the terminal's warehouse; below zero is kept and flagged."""
    sold: dict[int, Decimal] = defaultdict(Decimal)
    for line in sale.lines:
        sold[line.product_id] += line.qty
    for product_id in sorted(sold):  # one lock order for every sale: no deadlocks between them
        left = conn.execute(_TAKE_STOCK, {"w": warehouse_id, "p": product_id, "q": sold[product_id]}).scalar()
        if left is None:
            left = -sold[product_id]
            conn.execute(stock.insert().values(warehouse_id=warehouse_id, product_id=product_id, qty=left))
        if left < 0:
            conn.execute(stock_negative.insert().values(warehouse_id=warehouse_id, product_id=product_id,
                                                        sale_id=sale_id, qty_after=left, created_at=now))
    # New stock means the product changed for the catalog feed's `since`.
    conn.execute(products.update().where(products.c.id.in_(sorted(sold))).values(version=version))

