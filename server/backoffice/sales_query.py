"""Queries behind the Ventas pages: filtered sale listings, their totals, CSV rows, voids, negative stock.

What it is for: one `SaleFilter` read from the query string and turned into SQL conditions, shared by the
listing, the totals line and the CSV export so the three always describe the same set.
What it must not do: recompute amounts (they are stored as poscore computed them) or format them.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from server.db.schema import cfdis, customers, products, sales, stock_negative, terminals, voids, warehouses
from server.shop_time import shop_zone

PAGE_SIZE = 50
_FOLIO_RE = re.compile(r"^([A-Z0-9]*[A-Z])[-\s]?(\d{1,18})$")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    # Ids and page numbers: past 2**31-1 no INTEGER column holds them (the page routes answer 404 first).
    return int(value) if value and value.isdigit() and len(value) <= 10 and int(value) <= 2**31 - 1 else None


def _day_start_utc(day: date) -> datetime:
    # In UTC because SQLite stores times as text without offset (we only ever store UTC there).
    return datetime.combine(day, time(), shop_zone()).astimezone(UTC)


@dataclass(frozen=True)
class SaleFilter:
    type: str
    date_from: date | None = None
    date_to: date | None = None
    terminal_id: int | None = None
    customer: str = ""
    q: str = ""
    page: int = 1
    cfdi_state: str = ""  # Facturas: the CFDI's state (pendiente, sellada, timbrada, rechazada, cancelada)

    @classmethod
    def from_query(cls, sale_type: str, query: Any) -> SaleFilter:
        return cls(type=sale_type, date_from=_date(query.get("desde")), date_to=_date(query.get("hasta")),
                   terminal_id=_int(query.get("terminal")), customer=(query.get("cliente") or "").strip()[:100],
                   q=(query.get("q") or "").strip()[:60], page=max(1, _int(query.get("pagina")) or 1),
                   cfdi_state=(query.get("cfdi") or "").strip()[:12])

    def conditions(self) -> list[ColumnElement[bool]]:
        s = sales.c
        # A remisión its customer invoiced from the ticket (autofacturación) is listed with the facturas while its
        # CFDI is alive; it is back with the remisiones once that CFDI is cancelled.
        self_invoiced = and_(cfdis.c.kind == "autofactura", cfdis.c.state != "cancelada")
        where: list[ColumnElement[bool]] = [
            or_(s.type == "factura", self_invoiced) if self.type == "factura"
            else and_(s.type == self.type, or_(cfdis.c.id.is_(None), ~self_invoiced))]
        # Dates are the shop's calendar days (server/shop_time.py); received_at is stored in UTC.
        if self.date_from:
            where.append(s.received_at >= _day_start_utc(self.date_from))
        if self.date_to:
            where.append(s.received_at < _day_start_utc(self.date_to + timedelta(days=1)))
        if self.terminal_id:
            where.append(s.terminal_id == self.terminal_id)
        if self.customer:
            needle = f"%{self.customer.lower()}%"
            where.append(or_(func.lower(customers.c.name).like(needle), func.lower(customers.c.rfc).like(needle)))
        if self.q:
            q = self.q.upper()
            options: list[ColumnElement[bool]] = [s.number == q, s.number.like(f"%{q}%")]
            m = _FOLIO_RE.match(q)
            if m:
                options.append(and_(s.series == m.group(1), s.folio == int(m.group(2))))
            if q.isdigit() and len(q) < 19:
                options.append(s.folio == int(q))
            where.append(or_(*options))
        if self.cfdi_state:
            where.append(cfdis.c.state == self.cfdi_state)
        return where


def _from() -> Any:
    return sales.join(terminals, terminals.c.id == sales.c.terminal_id).outerjoin(
        customers, customers.c.id == sales.c.customer_id).outerjoin(
            cfdis, and_(cfdis.c.sale_id == sales.c.id, cfdis.c.return_id.is_(None)))  # the sale's own CFDI, not a return's


def _listing(f: SaleFilter) -> Select[Any]:
    s = sales.c
    return (select(s.id, s.series, s.folio, s.received_at, s.device_time, s.number, s.status, s.review, s.subtotal,
                   s.discount, s.tax_total, s.total, terminals.c.code.label("terminal"),
                   customers.c.name.label("customer"), customers.c.rfc.label("rfc"),
                   cfdis.c.id.label("cfdi_id"), cfdis.c.state.label("cfdi_state"), cfdis.c.uuid.label("cfdi_uuid"))
            .select_from(_from()).where(*f.conditions()).order_by(s.received_at.desc(), s.id.desc()))


def sale_page(conn: Connection, f: SaleFilter) -> tuple[list[Any], Any]:
    """One page of sales, newest first, and the totals of the whole filtered set."""
    s = sales.c
    totals = conn.execute(select(func.count().label("count"), func.sum(s.subtotal).label("subtotal"),
                                 func.sum(s.discount).label("discount"), func.sum(s.tax_total).label("tax_total"),
                                 func.sum(s.total).label("total"))
                          .select_from(_from()).where(*f.conditions())).one()
    rows = conn.execute(_listing(f).limit(PAGE_SIZE).offset((f.page - 1) * PAGE_SIZE)).all()
    return list(rows), totals


def sale_rows(conn: Connection, f: SaleFilter) -> Iterator[Any]:
    """Every sale of the filtered set (CSV export), streamed in the listing's order."""
    result = conn.execution_options(yield_per=2000).execute(_listing(f))
    yield from result


def terminal_choices(conn: Connection) -> list[Any]:
    return list(conn.execute(select(terminals.c.id, terminals.c.code, terminals.c.name).order_by(terminals.c.code)))


def sale_detail(conn: Connection, sale_id: int) -> Any | None:
    return conn.execute(
        select(sales, terminals.c.code.label("terminal_code"), terminals.c.name.label("terminal_name"),
               customers.c.name.label("customer_name"), customers.c.rfc.label("customer_rfc"))
        .select_from(_from()).where(sales.c.id == sale_id)).first()


def void_page(conn: Connection, page: int, terminal_id: int | None) -> tuple[list[Any], int]:
    where = [voids.c.terminal_id == terminal_id] if terminal_id else []
    count = conn.execute(select(func.count()).select_from(voids).where(*where)).scalar_one()
    rows = conn.execute(
        select(voids, terminals.c.code.label("terminal"))
        .select_from(voids.join(terminals, terminals.c.id == voids.c.terminal_id)).where(*where)
        .order_by(voids.c.received_at.desc(), voids.c.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return list(rows), int(count)


def negative_stock_page(conn: Connection, page: int) -> tuple[list[Any], int]:
    count = conn.execute(select(func.count()).select_from(stock_negative)).scalar_one()
    n = stock_negative.c
    rows = conn.execute(
        select(n.id, n.qty_after, n.created_at, n.resolved_at, n.sale_id, products.c.sku, products.c.name,
               products.c.unit, products.c.id.label("product_id"), warehouses.c.name.label("warehouse"),
               sales.c.series, sales.c.folio, sales.c.number)
        .select_from(stock_negative.join(products, products.c.id == n.product_id)
                     .join(warehouses, warehouses.c.id == n.warehouse_id)
                     .join(sales, sales.c.id == n.sale_id))
        .order_by(n.created_at.desc(), n.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return list(rows), int(count)


def pages(count: int) -> int:
    return max(1, -(-count // PAGE_SIZE))
