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

import logging
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from poscore.sale import Sale
from server import testhooks
from server.db import changes
from server.db.bulk import ByValues
from server.db.engine import as_utc, utcnow, write_tx
from server.db.schema import sales, terminals

from . import review
from .cashiers import CashierCheck, sale_cashier
from .checks import BatchChecks, SaleRejected, chunks
from .customers import CustomerRejected, upsert_customer
from .sale_intake import Item, prepare, rejected, rejection
from .sale_store import New, move_stock, store

log = logging.getLogger("caja.sync")
ATTEMPTS = 5

_KNOWN = ByValues(lambda where: select(
    sales.c.uuid, sales.c.terminal_id, sales.c.content_hash, sales.c.type, sales.c.series, sales.c.folio,
    sales.c.received_at).where(where(sales.c.uuid, "uuids")))
_LOCK_TERMINAL = select(terminals.c.id).where(terminals.c.id == bindparam("t")).with_for_update()
_LAST_SYNC = terminals.update().where(terminals.c.id == bindparam("t")).values(
    last_sync_at=bindparam("at"), last_sync_accepted=bindparam("ok"), last_sync_rejected=bindparam("ko"))


class RetryLater(Exception):
    """The database kept refusing a valid-looking batch for a transient reason: the whole request is a 503
    `retry_later`."""


def _accepted(row: Any, duplicate: bool) -> dict[str, Any]:
    received = as_utc(row.received_at)
    if received is not None:
        received = received.astimezone(UTC)  # PostgreSQL answers in the session's time zone
    return {"uuid": row.uuid, "status": "accepted", "type": row.type, "series": row.series, "folio": int(row.folio),
            "received_at": received.isoformat() if received else None, "duplicate": duplicate}


def _is_transient(exc: DBAPIError) -> bool:
    # PostgreSQL deadlock (40P01) / serialization failure (40001): retrying the whole batch is safe.
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40P01", "40001")


def accept_sales(engine: Engine, terminal: Any, raws: list[Any], grace_days: int) -> list[dict[str, Any]]:
    if not raws:
        return []
    items = [prepare(raw, terminal) for raw in raws]
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


def _accept_in_tx(conn: Connection, terminal: Any, items: list[Item], grace_days: int) -> list[dict[str, Any]]:
    # First: this terminal's row lock (see the docstring). The counter is locked here only when a sale brings
    # a new customer; otherwise just before the stock moves, and it moves only if the batch writes something.
    conn.execute(_LOCK_TERMINAL, {"t": terminal.id})
    version = changes.lock_next(conn) if any(it.creates_customer for it in items) else None
    now = utcnow()
    uuids = sorted({it.uuid for it in items if it.result is None})
    known: dict[str, Any] = {r.uuid: r for part in chunks(uuids) for r in conn.execute(_KNOWN(conn), {"uuids": part})}
    checks = BatchChecks(conn, [it.sale for it in items if it.sale is not None and it.uuid not in known], grace_days)
    cashiers = CashierCheck(conn, terminal)
    answers: list[dict[str, Any] | tuple[New, bool]] = []
    new: list[New] = []
    for it in items:
        if it.result is not None:
            answers.append(it.result)
            continue
        prior = known.get(it.uuid)
        if prior is not None:
            if prior.content_hash == it.digest and prior.terminal_id == terminal.id:
                answers.append((prior, True) if isinstance(prior, New) else _accepted(prior, duplicate=True))
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
        n = New(it.uuid, terminal.id, it.digest, it.sale.type, series, now, it.sale, it.raw, customer_id,
                 cashier_id=cashier_id, shift_uuid=shift_uuid, cashier_flag=cashier_flag, body=it.body)
        known[it.uuid] = n
        new.append(n)
        answers.append((n, False))
    # The back office shows each terminal's last sync result; its row is this transaction's first lock, so it
    # is written before the counter's lock, which is held for as little as possible.
    ok = sum(1 for a in answers if isinstance(a, tuple) or a["status"] == "accepted")
    conn.execute(_LAST_SYNC, {"t": terminal.id, "at": now, "ok": ok, "ko": len(answers) - ok})
    if new:  # a new customer is written only for a sale that is then accepted
        flags = review.reasons(conn, terminal.id, [(n.uuid, n.sale.seq, n.sale.device_time) for n in new], now)
        for n in new:
            n.review = ",".join(f for f in (flags.get(n.uuid), n.cashier_flag) if f) or None
        store(conn, new, now)
    results = [_accepted(*a) if isinstance(a, tuple) else a for a in answers]
    if new:
        # The batch is written, not committed: where the fault tests kill the ERP (server/testhooks.py).
        testhooks.pause("sales_batch", sales=len(new))
        # Last: from the counter's lock to the commit every other writer of versions waits; on PostgreSQL this
        # sends the commit with the statement (sale_store.move_stock).
        move_stock(conn, new, terminal.warehouse_id, now, version)
    return results


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
