"""Accept synced returns (devoluciones): recompute each with poscore.returns against what is already returned,
give it the next folio of the returns series, store it and put its stock back.

What it is for: `accept_returns(engine, terminal, raws) -> [result dict]` (contract: Returns), in the order
sent. Each return gets its own transaction, so one rejection never spoils its neighbours and a rejected
return leaves nothing behind. Idempotent by uuid like sales: a replay with the same content (sha256 of its
canonical JSON) from the same terminal gets the original answer with `duplicate: true`; other content is
`uuid_conflict`.
Never more than sold: inside the transaction the change counter's row is locked first (as a sales batch
does), then the returned sale's row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE is one
writer), and only then are the units already returned read. Two tills returning the same units while offline
are therefore judged one after the other: the second sees the first and gets `return_exceeds`.
What it must not do: compute an amount (poscore.returns does), return a cancelled sale, or keep anything of a
rejected return.
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from poscore.returns import Return, ReturnError, read_return
from poscore.sale import Sale, SaleError
from server.db import changes
from server.db.engine import as_utc, utcnow, write_tx
from server.db.schema import folio_series, products, return_lines, returns, sales, stock

from .checks import SaleRejected
from .sale_intake import hash_or_problem, rejected, rejection
from .sales import ATTEMPTS, RetryLater, _is_transient

log = logging.getLogger("caja.sync")
SERIES = "D"  # the returns' own folio series (CFDI Serie of an egreso too)


def accept_returns(engine: Engine, terminal: Any, raws: list[Any]) -> list[dict[str, Any]]:
    return [_one(engine, terminal, raw) for raw in raws]


def _one(engine: Engine, terminal: Any, raw: Any) -> dict[str, Any]:
    uuid = raw.get("uuid") if isinstance(raw, dict) else None
    if not isinstance(uuid, str) or not 0 < len(uuid) <= 36:
        return rejected(uuid, "malformed", detail="uuid")
    digest, problem = hash_or_problem(raw)
    if problem is not None:
        return rejected(uuid, "malformed", detail=problem)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with write_tx(engine) as conn:
                return _accept_in_tx(conn, terminal, raw, uuid, digest)
        except SaleRejected as exc:  # raised before any write: the rolled back transaction held nothing
            return rejection(uuid, exc)
        except IntegrityError:
            # The same uuid sent at once by another request: the next attempt finds its row.
            if attempt == ATTEMPTS:
                log.exception("return %s kept conflicting", uuid)
                raise RetryLater("retry_later") from None
        except DBAPIError as exc:
            if not _is_transient(exc) or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _accept_in_tx(conn: Connection, terminal: Any, raw: dict[str, Any], uuid: str, digest: str) -> dict[str, Any]:
    version = changes.lock_next(conn)
    prior = conn.execute(select(returns.c.uuid, returns.c.terminal_id, returns.c.content_hash, returns.c.series,
                                returns.c.folio, returns.c.received_at).where(returns.c.uuid == uuid)).first()
    if prior is not None:
        if prior.content_hash == digest and prior.terminal_id == terminal.id:
            return _answer(prior, duplicate=True)
        raise SaleRejected("uuid_conflict")
    sale_uuid = raw.get("sale_uuid")
    if not isinstance(sale_uuid, str):
        raise SaleRejected("malformed", detail="sale_uuid")
    row = conn.execute(select(sales.c.id, sales.c.body, sales.c.status).where(sales.c.uuid == sale_uuid)
                       .with_for_update()).first()
    if row is None:
        raise SaleRejected("return_sale_unknown")
    if row.status == "cancelada":
        raise SaleRejected("sale_cancelled")
    try:
        sale = Sale.from_json(json.loads(row.body))
    except SaleError:  # stored before a format change: its lines cannot be recomputed, so nothing is returned
        raise SaleRejected("return_sale_unknown", detail="detail_old_format") from None
    before = returned_units(conn, int(row.id))
    try:
        ret = read_return(raw, sale, before)
    except ReturnError as exc:
        raise SaleRejected.of(exc) from None
    except ArithmeticError:
        raise SaleRejected("invalid_quantity") from None
    if ret.terminal != terminal.code:
        raise SaleRejected("terminal_mismatch")
    now = utcnow()
    folio = int(conn.execute(folio_series.update().where(folio_series.c.series == SERIES)
                             .values(last_folio=folio_series.c.last_folio + 1)
                             .returning(folio_series.c.last_folio)).scalar_one())
    return_id = _store(conn, terminal, ret, int(row.id), folio, now, digest, raw)
    _stock_back(conn, terminal.warehouse_id, ret, version)
    if changes.bump(conn) != version:
        raise AssertionError("change counter moved under its lock")
    log.info("return %s of sale %s stored as %s-%s (id %s)", uuid, sale_uuid, SERIES, folio, return_id)
    return {"uuid": uuid, "status": "accepted", "series": SERIES, "folio": folio,
            "received_at": _accepted_time(now), "duplicate": False}


def returns_of_sales(conn: Connection, sale_ids: list[int]) -> dict[int, list[Return]]:
    """The stored returns of these sales, oldest first per sale: what a factura global not yet issued nets out
    of the remisiones it covers (`poscore.returns.remaining_lines(sale, returns)`)."""
    out: dict[int, list[Return]] = defaultdict(list)
    for r in conn.execute(select(returns.c.sale_id, returns.c.body).where(returns.c.sale_id.in_(sale_ids),
                                                                                returns.c.undone_at.is_(None))
                          .order_by(returns.c.id)):
        out[int(r.sale_id)].append(Return.from_json(json.loads(r.body)))
    return dict(out)


def accepted_of_sale(conn: Connection, sale_uuid: str) -> list[dict[str, Any]]:
    """The accepted (not undone) returns of a sale, oldest first, as a till needs them to count what other
    tills returned: `{uuid, terminal, series, folio, lines: [{line, qty}]}` (line from 0, qty as text). A sale
    the ERP does not know has none."""
    rows = conn.execute(select(returns.c.id, returns.c.uuid, returns.c.series, returns.c.folio, returns.c.body)
                        .join(sales, sales.c.id == returns.c.sale_id)
                        .where(sales.c.uuid == sale_uuid, returns.c.undone_at.is_(None)).order_by(returns.c.id))
    out = []
    for r in rows:
        lines = conn.execute(select(return_lines.c.line_no, return_lines.c.qty)
                             .where(return_lines.c.return_id == r.id).order_by(return_lines.c.line_no))
        out.append({"uuid": r.uuid, "terminal": json.loads(r.body).get("terminal"), "series": r.series,
                    "folio": int(r.folio), "lines": [{"line": int(x.line_no) - 1, "qty": str(x.qty)} for x in lines]})
    return out


def returned_units(conn: Connection, sale_id: int) -> dict[int, Decimal]:
    """Units already returned per sale line index (from 0, as poscore.returns counts them)."""
    rows = conn.execute(select(return_lines.c.line_no, func.sum(return_lines.c.qty).label("q"))
                        .join(returns, returns.c.id == return_lines.c.return_id)
                        .where(returns.c.sale_id == sale_id, returns.c.undone_at.is_(None))
                        .group_by(return_lines.c.line_no))
    return {int(r.line_no) - 1: r.q for r in rows}  # func.sum keeps the Qty type: Decimal units


def _store(conn: Connection, terminal: Any, ret: Return, sale_id: int, folio: int, now: Any, digest: str,
           raw: dict[str, Any]) -> int:
    tot = ret.totals
    return_id = int(conn.execute(returns.insert().values(
        uuid=ret.uuid, sale_id=sale_id, terminal_id=terminal.id, warehouse_id=terminal.warehouse_id,
        series=SERIES, folio=folio, device_time=ret.device_time[:40], received_at=now, reason=ret.reason,
        refund_method=ret.refund_method, cashier=ret.cashier, authorizer=ret.authorizer,
        subtotal=tot.subtotal, discount=tot.discount, tax_total=tot.tax_total, total=tot.total,
        content_hash=digest, body=json.dumps(raw, ensure_ascii=False), shift_uuid=ret.shift_uuid,
    ).returning(returns.c.id)).scalar_one())
    conn.execute(return_lines.insert(), [{
        "return_id": return_id, "line_no": x.line + 1, "product_id": x.product_id, "qty": x.qty,
        "subtotal": x.amounts.subtotal, "discount": x.amounts.discount, "total": x.amounts.total,
    } for x in ret.lines])
    return return_id


def put_back(conn: Connection, warehouse_id: int, units: dict[int, Decimal], version: int) -> None:
    """Add `units` per product to a warehouse's stock (a row is created when there is none) and mark the
    products changed for the catalog feed."""
    for pid in sorted(units):  # one lock order for every writer
        res = conn.execute(stock.update().where(stock.c.warehouse_id == warehouse_id, stock.c.product_id == pid)
                           .values(qty=stock.c.qty + units[pid]))
        if res.rowcount == 0:
            conn.execute(stock.insert().values(warehouse_id=warehouse_id, product_id=pid, qty=units[pid]))
    if units:
        conn.execute(products.update().where(products.c.id.in_(sorted(units))).values(version=version))


def _stock_back(conn: Connection, warehouse_id: int, ret: Return, version: int) -> None:
    units: dict[int, Decimal] = defaultdict(Decimal)
    for x in ret.lines:
        units[x.product_id] += x.qty
    put_back(conn, warehouse_id, units, version)


def _accepted_time(when: Any) -> str | None:
    received = as_utc(when)
    # PostgreSQL answers in the session's time zone: the contract speaks UTC.
    return received.astimezone(UTC).isoformat() if received else None


def _answer(prior: Any, duplicate: bool) -> dict[str, Any]:
    return {"uuid": prior.uuid, "status": "accepted", "series": prior.series, "folio": int(prior.folio),
            "received_at": _accepted_time(prior.received_at), "duplicate": duplicate}
