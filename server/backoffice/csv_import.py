"""CSV import of products with prices and stock: parse, validate every row, then apply in one transaction.

What it is for: `check(conn, data)` reads a file (UTF-8 with or without BOM, comma or semicolon) against the
database and returns a `Plan` with a per-row problem report (line number + problem) and what would change;
`apply(conn, plan)` writes it, only when there are no problems, inside the caller's single transaction — a bad
file changes nothing. Columns are documented in docs/csv-import.md and on the import page (COLUMNS below).
Speed (100,000 rows well under a minute): the database is read once per table into dicts, rows are compared in
Python, and only what changed is written with the driver's executemany over plain tuples (SQLAlchemy's
per-value processing dominated at this size, as in the demo seed), under one new change version.
What it must not do: round prices or compute taxes (catalog_edit's parsers refuse what is not exact; the tax
scheme is only validated with poscore.tax), or write anything when any row has a problem.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, String, bindparam, func, select

from poscore.typed import decimal_comma_of
from server.db import bulk_import as bulk
from server.db import changes
from server.db.schema import price_lists, prices, product_barcodes, products, stock, warehouses

from .catalog_edit import (
    Problem,
    parse_active,
    parse_barcodes,
    parse_name,
    parse_price,
    parse_sat_keys,
    parse_sku,
    parse_stock,
    parse_tax,
    parse_unit,
)

REQUIRED = ("sku", "nombre", "unidad", "iva")
OPTIONAL = ("ieps", "ieps_cuota", "litros_por_unidad", "activo", "codigos_barras", "clave_prod_serv", "clave_unidad")
# IEPS is a rate or a cuota per litre: a file naming any of these columns sets all three (absent ones empty).
IEPS_COLUMNS = ("ieps", "ieps_cuota", "litros_por_unidad")
# (column, meaning) shown on the import page; precio:/existencia: take a price list or warehouse name (or id).
COLUMNS = (
    ("sku", "col_sku"), ("nombre", "col_nombre"), ("unidad", "col_unidad"), ("iva", "col_iva"),
    ("ieps", "col_ieps"), ("ieps_cuota", "col_ieps_cuota"), ("litros_por_unidad", "col_litros"),
    ("activo", "col_activo"), ("codigos_barras", "col_codigos"),
    ("clave_prod_serv", "col_clave_prod_serv"), ("clave_unidad", "col_clave_unidad"),
    ("precio:<lista>", "col_precio"), ("existencia:<almacén>", "col_existencia"),
)
MAX_PROBLEMS = 1000


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, header): nothing is checked row by row."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


@dataclass
class Row:
    line: int
    sku: str
    # name, unit, iva, ieps, ieps_cuota, litres, active
    fields: tuple[str, str, str, str | None, str | None, str | None, bool] | None
    ieps_given: bool
    active_given: bool
    barcodes: list[str] | None
    prices: dict[int, Decimal]
    stock: dict[int, Decimal]
    sat: tuple[str | None, str | None] | None = None  # SAT ClaveProdServ, ClaveUnidad (None: unchanged)


@dataclass
class Plan:
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, detail)
    problem_count: int = 0
    rows: list[Row] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # Filled by check() for apply():
    _existing: dict[str, Any] = field(default_factory=dict, repr=False)
    _barcodes: dict[int, list[str]] = field(default_factory=dict, repr=False)
    _prices: dict[tuple[int, int], tuple[Decimal, Any]] = field(default_factory=dict, repr=False)
    _stock: dict[tuple[int, int], Decimal] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, line: int, code: str, detail: str = "") -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, code, detail))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # strips the BOM Excel writes
    except UnicodeDecodeError as exc:
        raise FileProblem("p_encoding", f"byte {exc.start}") from None


def _delimiter(first_line: str) -> str:
    # Excel in es-MX saves "CSV" with semicolons (comma is the decimal separator in many locales).
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _decimal_comma(text: str, delimiter: str, columns: list[int | None]) -> bool:
    """Whether the file's numbers carry a decimal comma: what its number cells that read only one way say
    ("23,50", "18.50"); when none tells, the delimiter does — a spreadsheet separates cells with semicolons
    because its locale writes decimals with a comma."""
    wanted = [c for c in columns if c is not None]
    try:
        cells = (record[c] for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
                 for c in wanted if c < len(record))
        evidence = decimal_comma_of(cells)
    except csv.Error:
        evidence = None  # the row-by-row pass reports it
    return delimiter == ";" if evidence is None else evidence


def _header(conn: Connection, header: list[str]) -> tuple[dict[str, int], dict[int, int], dict[int, int]]:
    """Column positions: named columns, price list id -> position, warehouse id -> position."""
    lists = {r.name.strip().lower(): r.id for r in conn.execute(select(price_lists))}
    whs = {r.name.strip().lower(): r.id for r in conn.execute(select(warehouses))}
    named: dict[str, int] = {}
    price_cols: dict[int, int] = {}
    stock_cols: dict[int, int] = {}
    for pos, raw in enumerate(header):
        name = raw.strip().lower()
        kind, _, target = name.partition(":")
        target = target.strip()
        if kind in ("precio", "existencia") and target:
            table = lists if kind == "precio" else whs
            ident = int(target) if target.isdigit() and int(target) in table.values() else table.get(target)
            if ident is None:
                raise FileProblem("p_column_unknown", raw)
            cols = price_cols if kind == "precio" else stock_cols
            if ident in cols:
                raise FileProblem("p_column_unknown", raw)
            cols[ident] = pos
        elif name in REQUIRED or name in OPTIONAL:
            if name in named:
                raise FileProblem("p_column_unknown", raw)
            named[name] = pos
        else:
            raise FileProblem("p_column_unknown", raw)
    missing = [c for c in REQUIRED if c not in named]
    if missing:
        raise FileProblem("p_columns", ", ".join(missing))
    return named, price_cols, stock_cols


def _load(conn: Connection, plan: Plan, price_ids: list[int], stock_ids: list[int]) -> None:
    p = products.c
    plan._existing = {r.sku: r for r in conn.execute(select(p.id, p.sku, p.name, p.unit, p.iva, p.ieps, p.ieps_cuota, p.litres,
                                                                  p.active))}
    for pid, code in conn.execute(select(product_barcodes.c.product_id, product_barcodes.c.barcode)
                                  .order_by(product_barcodes.c.id)):
        plan._barcodes.setdefault(pid, []).append(code)
    if price_ids:
        plan._prices = {(r.price_list_id, r.product_id): (r.price, r.valid_from) for r in conn.execute(
            select(prices).where(prices.c.price_list_id.in_(price_ids)))}
    if stock_ids:
        plan._stock = {(r.warehouse_id, r.product_id): r.qty for r in conn.execute(
            select(stock).where(stock.c.warehouse_id.in_(stock_ids)))}


def check(conn: Connection, data: bytes) -> Plan:
    """Read and validate the whole file. Raises FileProblem when it cannot be read at all."""
    text = _decode(data)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise FileProblem("p_empty")
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileProblem("p_empty") from None
    named, price_cols, stock_cols = _header(conn, header)
    decimal_comma = _decimal_comma(text, delimiter, [*price_cols.values(), *stock_cols.values(),
                                                          *(named.get(c) for c in IEPS_COLUMNS)])
    plan = Plan()
    _load(conn, plan, list(price_cols), list(stock_cols))
    skus: dict[str, int] = {}
    codes: dict[str, int] = {}
    owners = {code: pid for pid, cs in plan._barcodes.items() for code in cs}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                plan.problem(line, "p_fields", f"{len(record)} ≠ {len(header)}")
                continue
            row = _row(plan, line, record, named, price_cols, stock_cols, decimal_comma)
            if row is None:
                continue
            if row.sku in skus:
                plan.problem(line, "p_sku_repeated", str(skus[row.sku]))
                continue
            skus[row.sku] = line
            own = plan._existing.get(row.sku)
            for code in row.barcodes or ():
                if code in codes:
                    plan.problem(line, "p_barcode_repeated", f"{code} ({codes[code]})")
                elif code in owners and (own is None or owners[code] != own.id):
                    plan.problem(line, "p_barcode_taken", code)
                codes[code] = line
            plan.rows.append(row)
    except csv.Error as exc:
        plan.problem(reader.line_num, "p_fields", str(exc))
    if not plan.rows and plan.ok:
        raise FileProblem("p_empty")
    for row in plan.rows:
        change = _changes(plan, row)
        if change == "new":
            plan.new += 1
        elif change:
            plan.updated += 1
        else:
            plan.unchanged += 1
    return plan


def _row(plan: Plan, line: int, record: list[str], named: dict[str, int], price_cols: dict[int, int],
         stock_cols: dict[int, int], decimal_comma: bool) -> Row | None:
    def cell(name: str) -> str:
        return record[named[name]] if name in named else ""

    try:
        sku = parse_sku(cell("sku"))
        tax = parse_tax(cell("iva"), cell("ieps"), decimal_comma, cell("ieps_cuota"), cell("litros_por_unidad"))
        fields = (parse_name(cell("nombre")), parse_unit(cell("unidad")), tax.iva, tax.ieps, tax.ieps_cuota,
                  tax.litres, parse_active(cell("activo")))
        barcodes = parse_barcodes(cell("codigos_barras")) if cell("codigos_barras").strip() else None
        sat = parse_sat_keys(cell("clave_prod_serv"), cell("clave_unidad"))
        row_prices: dict[int, Decimal] = {}
        for list_id, pos in price_cols.items():
            value = parse_price(record[pos], decimal_comma)
            if value is not None:
                row_prices[list_id] = value
        row_stock: dict[int, Decimal] = {}
        for wh_id, pos in stock_cols.items():
            qty = parse_stock(record[pos], decimal_comma)
            if qty is not None:
                row_stock[wh_id] = qty
    except Problem as exc:
        plan.problem(line, exc.code, exc.detail)
        return None
    return Row(line=line, sku=sku, fields=fields, ieps_given=any(c in named for c in IEPS_COLUMNS), active_given="activo" in named,
               barcodes=barcodes, prices=row_prices, stock=row_stock, sat=sat if any(sat) else None)


def _target_fields(plan: Plan, row: Row) -> tuple[Any, ...]:
    """name, unit, iva, ieps, ieps_cuota, litres, active as they will be (absent optional columns keep what the
    product has)."""
    assert row.fields is not None
    name, unit, iva, ieps, cuota, litres, active = row.fields
    old = plan._existing.get(row.sku)
    if old is not None:
        if not row.ieps_given:
            ieps, cuota, litres = old.ieps, old.ieps_cuota, old.litres
        if not row.active_given:
            active = bool(old.active)
    return name, unit, iva, ieps, cuota, litres, active


def _changes(plan: Plan, row: Row) -> str | bool:
    old = plan._existing.get(row.sku)
    if old is None:
        return "new"
    if _target_fields(plan, row) != (old.name, old.unit, old.iva, old.ieps, old.ieps_cuota, old.litres,
                                     bool(old.active)):
        return True
    if row.barcodes is not None and row.barcodes != plan._barcodes.get(old.id, []):
        return True
    if any(plan._prices.get((lid, old.id), (None,))[0] != v for lid, v in row.prices.items()):
        return True
    return any(plan._stock.get((wid, old.id)) != v for wid, v in row.stock.items())


def _cents(d: Decimal) -> int:
    return int(d.scaleb(2))


def _milli(d: Decimal) -> int:
    return int(d.scaleb(3))


def apply(conn: Connection, plan: Plan, now: datetime) -> None:
    """Write the plan inside the caller's transaction (refuses a plan with problems)."""
    if not plan.ok:
        raise ValueError("a plan with problems is never applied")
    changed = [r for r in plan.rows if _changes(plan, r)]
    if not changed:
        _sat_keys(conn, plan, {sku: old.id for sku, old in plan._existing.items()})
        return
    version = changes.bump(conn)
    ts = bulk.db_time(conn, now)
    new_rows = [r for r in changed if r.sku not in plan._existing]
    bulk.insert_rows(conn, "products", ("sku", "name", "unit", "iva", "ieps", "ieps_cuota", "litres", "active", "version"),
            ("text", "text", "text", "text", "text", "text", "text", "boolean", "bigint"),
            [(r.sku, *_target_fields(plan, r), version) for r in new_rows])
    ids = {sku: pid for pid, sku in conn.execute(select(products.c.id, products.c.sku))} if new_rows else {}
    ids.update({sku: old.id for sku, old in plan._existing.items()})
    bulk.update_rows(conn, "products", ("name", "unit", "iva", "ieps", "ieps_cuota", "litres", "active", "version"), ("id",),
            ("text", "text", "text", "text", "text", "text", "boolean", "bigint", "integer"),
            [(*_target_fields(plan, r), version, ids[r.sku]) for r in changed if r.sku in plan._existing])

    replaced = [r for r in changed if r.barcodes is not None and r.barcodes != plan._barcodes.get(ids[r.sku], [])]
    bulk.delete_in(conn, "product_barcodes", "product_id", [ids[r.sku] for r in replaced])
    bulk.insert_rows(conn, "product_barcodes", ("product_id", "barcode"), ("integer", "text"),
            [(ids[r.sku], code) for r in replaced for code in r.barcodes or ()])

    history, price_updates, price_inserts = [], [], []
    stock_updates, stock_inserts = [], []
    for r in changed:
        pid = ids[r.sku]
        for list_id, price in r.prices.items():
            old = plan._prices.get((list_id, pid))
            if old is None:
                price_inserts.append((list_id, pid, _cents(price), ts))
            elif old[0] != price:
                # The replaced price stays acceptable for offline sales (CAJA_PRICE_GRACE_DAYS).
                history.append((list_id, pid, _cents(old[0]), bulk.db_time(conn, old[1]), ts))
                price_updates.append((_cents(price), ts, list_id, pid))
        for wh_id, qty in r.stock.items():
            have = plan._stock.get((wh_id, pid))
            if have is None:
                stock_inserts.append((wh_id, pid, _milli(qty)))
            elif have != qty:
                stock_updates.append((_milli(qty), wh_id, pid))
    bulk.insert_rows(conn, "price_history", ("price_list_id", "product_id", "price", "valid_from", "valid_to"),
            ("integer", "integer", "bigint", "timestamptz", "timestamptz"), history)
    bulk.update_rows(conn, "prices", ("price", "valid_from"), ("price_list_id", "product_id"),
            ("bigint", "timestamptz", "integer", "integer"), price_updates)
    bulk.insert_rows(conn, "prices", ("price_list_id", "product_id", "price", "valid_from"),
            ("integer", "integer", "bigint", "timestamptz"), price_inserts)
    bulk.update_rows(conn, "stock", ("qty",), ("warehouse_id", "product_id"), ("bigint", "integer", "integer"), stock_updates)
    bulk.insert_rows(conn, "stock", ("warehouse_id", "product_id", "qty"), ("integer", "integer", "bigint"), stock_inserts)
    _sat_keys(conn, plan, ids)


def _sat_keys(conn: Connection, plan: Plan, ids: dict[str, int]) -> None:
    """The SAT keys given in the file (a blank cell keeps the product's); the till does not use them, so no
    change version is taken for them."""
    rows = [{"pid": ids[r.sku], "ps": r.sat[0], "un": r.sat[1]} for r in plan.rows if r.sat and r.sku in ids]
    if rows:
        conn.execute(products.update().where(products.c.id == bindparam("pid")).values(
            sat_clave_prod_serv=func.coalesce(bindparam("ps", type_=String), products.c.sat_clave_prod_serv),
            sat_clave_unidad=func.coalesce(bindparam("un", type_=String), products.c.sat_clave_unidad)), rows)
