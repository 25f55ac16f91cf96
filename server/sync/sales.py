"""Accept a batch of synced sales: verify each alone, give the accepted ones the next folios of their series,
store them, move stock.

What it is for: `accept_sales(engine, terminal, raws, grace_days) -> [result dict]` (contract: Sales results, in
the order sent). Each sale is judged alone, so one bad sale never blocks its neighbours, but the batch is
written in one transaction with bulk statements: a commit and a dozen statements per sale were most of the
ingest time. The checks that need no database (poscore.check_sale, text, ranges) run first, outside
any transaction, so the write lock is held only for lookups and writes. A rejection happens before anything
of its sale is written (the new customer a sale carries is its last check, and writes nothing when it
rejects), so the transaction only ever holds accepted sales and needs no savepoint per sale.

Order inside the transaction: the terminal's row lock first (SELECT ... FOR UPDATE), so two batches of one
terminal run one after the other and each sees the other's sales (twins, local numbers for review). Batches of
different terminals run side by side until they move stock: only then do they take the change counter's row
lock (one version for the whole batch), which orders writers' versions by commit for the catalog feed and is
held just for the stock, the products' versions and the commit; a batch of rejections never takes it and leaves
the counter as it was. A batch that creates a customer takes the counter first, as every other writer does (the
customer row needs its version). On SQLite the transaction is BEGIN IMMEDIATE (one writer) and these locks are
no-ops. Twins sent at once by two terminals meet at the sales' unique uuid index: the loser retries (below).
Folios: `UPDATE folio_series SET last_folio = last_folio + n ... RETURNING` once per series after the batch's
verdicts: the accepted sales get the n numbers ending there, in the order sent, with no gaps and no
duplicates (a transaction that fails gives them all back).
Idempotency: the sale's uuid is unique. A replay with the same content (sha256 of its canonical JSON) gets
the original answer with `duplicate: true`, also within one batch; other content is `uuid_conflict`. A unique
index violation (a writer outside that lock order) or a PostgreSQL deadlock/serialization failure retries the
whole batch, whose transaction left nothing; sales stored meanwhile by another request come back as duplicates.
What it must not do: compute amounts (poscore.check_sale does), or keep anything of a rejected sale.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from poscore.check import Problem
from poscore.messages import render, t
from poscore.sale import Sale, SaleError, check_sale
from server import testhooks
from server.db import changes
from server.db.engine import as_utc, utcnow, write_tx
from server.db.schema import (
    folio_series,
    products,
    sale_lines,
    sale_payments,
    sales,
    stock,
    stock_negative,
    terminals,
)
from server.db.types import Qty

from . import review
from .cashiers import CashierCheck, sale_cashier
from .checks import MAX_ITEM_CHARS, BatchChecks, SaleRejected, chunks, text_problem
from .customers import CustomerRejected, upsert_customer

log = logging.getLogger("caja.sync")
ATTEMPTS = 5
INT32_MAX = 2**31 - 1
INT63_MAX = 2**63 - 1
# A trillion pesos (or kg): beyond any sale, and ×1000 still far inside a 64-bit column.
AMOUNT_LIMIT = Decimal(10) ** 12
PCT_SCALE = Decimal("0.0001")  # sale_lines.discount_pct is Scaled(4)

# Built once: building Core statements costs more than running them on SQLite (SQLAlchemy caches the compiled
# SQL, not the construction).
_TAKE_FOLIOS = (folio_series.update().where(folio_series.c.series == bindparam("s"))
                .values(last_folio=folio_series.c.last_folio + bindparam("n")).returning(folio_series.c.last_folio))
_KNOWN = select(sales.c.uuid, sales.c.terminal_id, sales.c.content_hash, sales.c.type, sales.c.series,
                sales.c.folio, sales.c.received_at).where(sales.c.uuid.in_(bindparam("uuids", expanding=True)))
# Plain executemany, then the ids by uuid: SQLite cannot return ids of a multi-row INSERT in order, so
# INSERT ... RETURNING with sort_by_parameter_order runs one statement per row there.
_INSERT_SALE = sales.insert()
_SALE_IDS = select(sales.c.uuid, sales.c.id).where(sales.c.uuid.in_(bindparam("uuids", expanding=True)))
_INSERT_LINE = sale_lines.insert()
_INSERT_PAYMENT = sale_payments.insert()
_TAKE_STOCK = (stock.update().where(stock.c.warehouse_id == bindparam("w"), stock.c.product_id == bindparam("p"))
               .values(qty=stock.c.qty - bindparam("q", type_=Qty())))
_STOCK_LEFT = select(stock.c.product_id, stock.c.qty).where(
    stock.c.warehouse_id == bindparam("w"), stock.c.product_id.in_(bindparam("ids", expanding=True)))
_NEW_STOCK = stock.insert()
_FLAG_NEGATIVE = stock_negative.insert()
_PRODUCTS_CHANGED = products.update().where(products.c.id.in_(bindparam("ids", expanding=True))).values(
    version=bindparam("v"))
_LOCK_TERMINAL = select(terminals.c.id).where(terminals.c.id == bindparam("t")).with_for_update()
_LAST_SYNC = terminals.update().where(terminals.c.id == bindparam("t")).values(
    last_sync_at=bindparam("at"), last_sync_accepted=bindparam("ok"), last_sync_rejected=bindparam("ko"))


class RetryLater(Exception):
    """The database kept refusing a valid-looking batch for a transient reason: the whole request is a 503
    `retry_later`."""


def hash_or_problem(raw: dict[str, Any]) -> tuple[str, str | None]:
    """(sha256 of the sale's canonical JSON, None), or ("", why the database cannot take its text) exactly
    as checks.text_problem says.

    One json.dumps answers both for an ordinary sale; text_problem's walk of every value cost as much as
    all the sale's SQL, so it runs only when the JSON text leaves a doubt. Why the shortcut is
    exact: the JSON of a value is never shorter than text_problem's count (each string's characters plus
    one per item), it writes a NUL as the escape \\u0000, and only a lone surrogate fails to encode.
    """
    try:
        canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except RecursionError:  # nesting deeper than the encoder goes: no sale looks like that
        return "", text_problem(raw) or "detail_too_nested"
    if len(canonical) <= MAX_ITEM_CHARS and "\\u0000" not in canonical:
        try:
            return hashlib.sha256(canonical.encode()).hexdigest(), None
        except UnicodeEncodeError:
            pass
    problem = text_problem(raw)
    if problem is not None:
        return "", problem
    return hashlib.sha256(canonical.encode()).hexdigest(), None  # the text "\\u0000" itself, typed


def rejected(uuid: Any, code: str, **params: Any) -> dict[str, Any]:
    """A record's rejection (contract: `error` a code of poscore.messages, `params` what its text names, and
    `message` the Spanish text; server/api/errors.speak renders it in the request's language)."""
    # A uuid with a lone surrogate cannot even be echoed back (the JSON response is UTF-8): answer null.
    ok = isinstance(uuid, str) and text_problem(uuid) is None
    return {"uuid": uuid if ok else None, "status": "rejected", "error": code, "params": params,
            "message": render(code, "es", params)}


def rejection(uuid: Any, exc: SaleRejected) -> dict[str, Any]:
    return rejected(uuid, exc.code, **exc.params)


def _accepted(row: Any, duplicate: bool) -> dict[str, Any]:
    received = as_utc(row.received_at)
    if received is not None:
        received = received.astimezone(UTC)  # PostgreSQL answers in the session's time zone
    return {"uuid": row.uuid, "status": "accepted", "type": row.type, "series": row.series, "folio": int(row.folio),
            "received_at": received.isoformat() if received else None, "duplicate": duplicate}


def problem_params(problem: Problem) -> dict[str, Any]:
    """A poscore.check_sale problem's parameters: what its message adds to the code's text (an expected amount),
    else the field it names."""
    extra = problem.message.removeprefix(t(problem.code)).strip().removeprefix("(").removesuffix(")")
    detail = extra or problem.field
    return {"detail": detail} if detail else {}


def _is_transient(exc: DBAPIError) -> bool:
    # PostgreSQL deadlock (40P01) / serialization failure (40001): retrying the whole batch is safe.
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40P01", "40001")


@dataclass
class _Item:
    """One sale of the batch after the checks that need no database."""
    raw: Any
    uuid: Any
    result: dict[str, Any] | None = None  # answered before any lookup (no usable uuid, unstorable text)
    digest: str = ""
    sale: Sale | None = None
    problem: SaleRejected | None = None  # answered unless the uuid is already known


@dataclass
class _New:
    """A sale accepted in this batch; its folio is given when the batch is stored."""
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


def _prepare(raw: Any, terminal: Any) -> _Item:
    uuid = raw.get("uuid") if isinstance(raw, dict) else None
    item = _Item(raw, uuid)
    if not isinstance(uuid, str) or not 0 < len(uuid) <= 36:
        item.result = rejected(uuid, "malformed", detail="uuid")
        return item
    item.digest, problem = hash_or_problem(raw)
    if problem is not None:
        item.result = rejected(uuid, "malformed", detail=problem)
        return item
    try:
        item.sale = _verified(raw, terminal)
    except SaleRejected as exc:
        item.problem = exc
    return item


def _verified(raw: dict[str, Any], terminal: Any) -> Sale:
    try:
        problems = check_sale(raw)
    except ArithmeticError:
        # decimal.InvalidOperation from poscore's quantize on an amount like "1e30" (more than 28 digits).
        raise SaleRejected("invalid_amount", detail="detail_out_of_range") from None
    if problems:
        raise SaleRejected(problems[0].code, **problem_params(problems[0]))
    try:
        sale = Sale.from_json(raw)
    except SaleError as exc:
        raise SaleRejected.of(exc) from None
    if sale.terminal != terminal.code:
        raise SaleRejected("terminal_mismatch")
    _check_id_ranges(sale)
    _check_amount_ranges(sale)
    return sale


def accept_sales(engine: Engine, terminal: Any, raws: list[Any], grace_days: int) -> list[dict[str, Any]]:
    if not raws:
        return []
    items = [_prepare(raw, terminal) for raw in raws]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with write_tx(engine) as conn:
                return _accept_in_tx(conn, terminal, items, grace_days)
        except IntegrityError:
            # Another writer won a unique index (a new customer's uuid sent at once through /api/customers,
            # or a writer outside the counter's lock order): retry; the next attempt sees its row.
            if attempt == ATTEMPTS:
                # Not the sales' fault: answer "nothing known" (503) so the terminal sends them again later,
                # instead of a rejection it would keep forever. Nothing of this batch was stored.
                log.exception("batch of %d sales kept conflicting", len(items))
                raise RetryLater("retry_later") from None
        except DBAPIError as exc:
            if not _is_transient(exc) or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _accept_in_tx(conn: Connection, terminal: Any, items: list[_Item], grace_days: int) -> list[dict[str, Any]]:
    # First: this terminal's row lock (see the docstring). The counter is locked here only when a sale brings
    # a new customer; otherwise just before the stock moves, and it moves only if the batch writes something.
    conn.execute(_LOCK_TERMINAL, {"t": terminal.id})
    version = changes.lock_next(conn) if any(_creates_customer(it) for it in items) else None
    now = utcnow()
    uuids = sorted({it.uuid for it in items if it.result is None})
    known: dict[str, Any] = {r.uuid: r for part in chunks(uuids) for r in conn.execute(_KNOWN, {"uuids": part})}
    checks = BatchChecks(conn, [it.sale for it in items if it.sale is not None and it.uuid not in known], grace_days)
    cashiers = CashierCheck(conn, terminal)
    answers: list[dict[str, Any] | tuple[_New, bool]] = []
    new: list[_New] = []
    for it in items:
        if it.result is not None:
            answers.append(it.result)
            continue
        prior = known.get(it.uuid)
        if prior is not None:
            if prior.content_hash == it.digest and prior.terminal_id == terminal.id:
                answers.append((prior, True) if isinstance(prior, _New) else _accepted(prior, duplicate=True))
            else:
                answers.append(rejected(it.uuid, "uuid_conflict"))
            continue
        try:
            if it.problem is not None:
                raise it.problem
            assert it.sale is not None
            checks.check(it.sale, terminal.price_list_id)
            cashier_id, shift_uuid = sale_cashier(it.raw)
            cashier_flag = None if cashier_id is None else cashiers.review(cashier_id, it.sale.device_time)
            customer_id = _customer_id(conn, it.sale, it.raw, terminal.id, version)
        except (SaleRejected, CustomerRejected) as exc:
            answers.append(rejection(it.uuid, exc))
            continue
        series = terminal.series_factura if it.sale.type == "factura" else terminal.series_remision
        n = _New(it.uuid, terminal.id, it.digest, it.sale.type, series, now, it.sale, it.raw, customer_id,
                 cashier_id=cashier_id, shift_uuid=shift_uuid, cashier_flag=cashier_flag)
        known[it.uuid] = n
        new.append(n)
        answers.append((n, False))
    if new:  # a new customer is written only for a sale that is then accepted
        flags = review.reasons(conn, terminal.id, [(n.uuid, n.sale.seq, n.sale.device_time) for n in new], now)
        for n in new:
            n.review = ",".join(f for f in (flags.get(n.uuid), n.cashier_flag) if f) or None
        version = _store(conn, new, terminal.warehouse_id, now, version)
        if changes.bump(conn) != version:
            raise AssertionError("change counter moved under its lock")
    results = [_accepted(*a) if isinstance(a, tuple) else a for a in answers]
    # The back office shows each terminal's last sync result.
    ok = sum(1 for r in results if r["status"] == "accepted")
    conn.execute(_LAST_SYNC, {"t": terminal.id, "at": now, "ok": ok, "ko": len(results) - ok})
    if new:  # the batch is written, not committed: where the fault tests kill the ERP (server/testhooks.py)
        testhooks.pause("sales_batch", sales=len(new))
    return results


def _check_id_ranges(sale: Sale) -> None:
    """Ids and sequences must fit the database's integer columns (else the driver fails with a 500)."""
    ids = [sale.price_list_id, *(line.product_id for line in sale.lines)]
    if sale.customer is not None and sale.customer.id is not None:
        ids.append(sale.customer.id)
    if not all(0 < i <= INT32_MAX for i in ids) or not 0 < sale.seq <= INT63_MAX:
        raise SaleRejected("malformed", detail="detail_id_out_of_range")


def _check_amount_ranges(sale: Sale) -> None:
    """Amounts and quantities must fit the 64-bit cents/thousandths columns (else a driver error, a 500)."""
    tot = sale.totals
    values = [tot.subtotal, tot.discount, tot.tax_total, tot.total, tot.paid, tot.change,
              *(p.amount for p in sale.payments)]
    for line in sale.lines:
        values += [line.qty, line.unit_price, line.amounts.subtotal, line.amounts.discount, line.amounts.total]
    if any(abs(v) >= AMOUNT_LIMIT for v in values):
        raise SaleRejected("invalid_amount", detail="detail_out_of_range")
    # discount_pct is stored with 4 decimals and the column refuses more (a ValueError, a 500); poscore
    # accepts "1e-400" or "0.00001" because they change no amount.
    if any(line.discount_pct != line.discount_pct.quantize(PCT_SCALE) for line in sale.lines):
        raise SaleRejected("invalid_discount", detail="detail_four_decimals")


def _creates_customer(item: _Item) -> bool:
    c = item.sale.customer if item.sale is not None else None
    return c is not None and c.id is None and c.uuid is not None


def _customer_id(conn: Connection, sale: Sale, raw: dict[str, Any], terminal_id: int,
                 version: int | None) -> int | None:
    c = sale.customer
    if c is None:
        return None
    if c.id is not None:
        return c.id
    if c.uuid is None:
        return None  # a name on the ticket only, nothing to create
    customer_id, _created = upsert_customer(conn, raw["customer"], terminal_id, version)
    return customer_id


def _store(conn: Connection, new: list[_New], warehouse_id: int, now: datetime, version: int | None) -> int:
    """Write the batch's accepted sales: folios, sales, lines, payments, stock; returns the batch's version."""
    by_series: dict[str, list[_New]] = defaultdict(list)
    for n in new:
        by_series[n.series].append(n)
    for series in sorted(by_series):  # one lock order for every batch
        group = by_series[series]
        last = int(conn.execute(_TAKE_FOLIOS, {"s": series, "n": len(group)}).scalar_one())
        for folio, n in enumerate(group, start=last - len(group) + 1):
            n.folio = folio
    conn.execute(_INSERT_SALE, [{
        "uuid": n.uuid, "terminal_id": n.terminal_id, "seq": n.sale.seq, "number": n.sale.number, "type": n.type,
        "customer_id": n.customer_id, "cashier": (n.sale.cashier or None) and n.sale.cashier[:100],
        "price_list_id": n.sale.price_list_id, "device_time": n.sale.device_time[:40], "received_at": now,
        "series": n.series, "folio": n.folio, "subtotal": n.sale.totals.subtotal, "discount": n.sale.totals.discount,
        "tax_total": n.sale.totals.tax_total, "total": n.sale.totals.total, "status": "accepted",
        "content_hash": n.content_hash, "body": json.dumps(n.raw, ensure_ascii=False), "review": n.review,
        "cashier_id": n.cashier_id, "shift_uuid": n.shift_uuid,
    } for n in new])
    ids = {r.uuid: r.id for part in chunks([n.uuid for n in new]) for r in conn.execute(_SALE_IDS, {"uuids": part})}
    for n in new:
        n.id = int(ids[n.uuid])
    conn.execute(_INSERT_LINE, [{
        "sale_id": n.id, "line_no": i, "product_id": line.product_id, "qty": line.qty,
        "unit_price": line.unit_price, "discount_pct": line.discount_pct, "subtotal": line.amounts.subtotal,
        "discount": line.amounts.discount, "total": line.amounts.total,
    } for n in new for i, line in enumerate(n.sale.lines, start=1)])
    payments = [{"sale_id": n.id, "method": p.method, "sat_code": p.sat_code, "amount": p.amount,
                 "reference": (p.reference or None) and p.reference[:100]} for n in new for p in n.sale.payments]
    if payments:
        conn.execute(_INSERT_PAYMENT, payments)
    if version is None:
        version = changes.lock_next(conn)  # from here to the commit, writers of versions wait for this batch
    _move_stock(conn, new, warehouse_id, now, version)
    return version


def _move_stock(conn: Connection, new: list[_New], warehouse_id: int, now: datetime, version: int) -> None:
    """Take the sold quantities out of the terminal's warehouse; below zero is kept and flagged per sale."""
    per_sale: list[dict[int, Decimal]] = []
    sold: dict[int, Decimal] = defaultdict(Decimal)
    for n in new:
        mine: dict[int, Decimal] = defaultdict(Decimal)
        for line in n.sale.lines:
            mine[line.product_id] += line.qty
            sold[line.product_id] += line.qty
        per_sale.append(mine)
    pids = sorted(sold)  # one lock order for every batch: no deadlocks between them
    conn.execute(_TAKE_STOCK, [{"w": warehouse_id, "p": p, "q": sold[p]} for p in pids])
    left = {r.product_id: r.qty for part in chunks(pids)
            for r in conn.execute(_STOCK_LEFT, {"w": warehouse_id, "ids": part})}
    missing = [{"warehouse_id": warehouse_id, "product_id": p, "qty": -sold[p]} for p in pids if p not in left]
    if missing:
        conn.execute(_NEW_STOCK, missing)
        left.update((m["product_id"], m["qty"]) for m in missing)
    # What each sale left: walk back from the batch's end, adding back what the later sales took.
    flags = []
    for n, mine in zip(reversed(new), reversed(per_sale), strict=True):
        for p, q in mine.items():
            if left[p] < 0:
                flags.append({"warehouse_id": warehouse_id, "product_id": p, "sale_id": n.id, "qty_after": left[p],
                              "created_at": now})
            left[p] += q
    if flags:
        conn.execute(_FLAG_NEGATIVE, sorted(flags, key=lambda f: (f["sale_id"], f["product_id"])))
    # New stock means the product changed for the catalog feed's `since`.
    for part in chunks(pids):
        conn.execute(_PRODUCTS_CHANGED, {"v": version, "ids": part})
