"""Pages: Catálogo — product list with search, create and edit (fields, price per list, stock per warehouse).

What it is for: the shop's own edits of its catalog; every save goes through catalog_edit.save_product (new
change version, price history). What it must not do: delete products (terminals learn of a retirement only
as `active: false`), or compute prices with tax (prices are stored as the list states them).
"""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData

from poscore.money import UNITS, format_qty
from poscore.tax import IVA_RATES
from server.db.engine import read_tx, utcnow, write_tx
from server.db.schema import price_lists, prices, product_barcodes, products, stock, warehouses

from .auth import User
from .catalog_edit import (
    Problem,
    ProductInput,
    parse_active,
    parse_barcodes,
    parse_name,
    parse_price,
    parse_sat_keys,
    parse_sku,
    parse_stock,
    parse_tax,
    parse_unit,
    save_product,
)
from .deps import CurrentUser, Db, Form, NotFound, int_or_none, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page, redirect
from .sales_query import PAGE_SIZE, pages

router = make_router()


def _lists(conn: Connection) -> tuple[list[Any], list[Any]]:
    return (list(conn.execute(select(price_lists).order_by(price_lists.c.id))),
            list(conn.execute(select(warehouses).order_by(warehouses.c.id))))


@router.get("/productos")
def product_list(request: Request, user: CurrentUser, engine: Db) -> Response:
    q = (request.query_params.get("q") or "").strip()[:100]
    pg = max(1, int_or_none(request.query_params.get("pagina")) or 1)
    p = products.c
    where = []
    if q:
        needle = f"%{q.lower()}%"
        where.append(or_(func.lower(p.sku).like(needle), func.lower(p.name).like(needle),
                         exists().where(product_barcodes.c.product_id == p.id, product_barcodes.c.barcode == q)))
    with read_tx(engine) as conn:
        lists, _whs = _lists(conn)
        count = conn.execute(select(func.count()).select_from(products).where(*where)).scalar_one()
        rows = conn.execute(select(products).where(*where).order_by(p.sku)
                            .limit(PAGE_SIZE).offset((pg - 1) * PAGE_SIZE)).all()
        ids = [r.id for r in rows]
        price_map = {(r.product_id, r.price_list_id): r.price for r in conn.execute(
            select(prices.c.product_id, prices.c.price_list_id, prices.c.price).where(prices.c.product_id.in_(ids)))}
        stock_map = dict(conn.execute(select(stock.c.product_id, func.sum(stock.c.qty))
                                      .where(stock.c.product_id.in_(ids)).group_by(stock.c.product_id)).all())
    return page(request, "products.html", user, rows=rows, q=q, pg=pg, pages=pages(count), count=count,
                lists=lists, price_map=price_map, stock_map=stock_map)


def _form_page(request: Request, user: User, engine: Any, product: Any, values: dict[str, Any],
               error: str | None = None, notice: str | None = None, status_code: int = 200) -> Response:
    with read_tx(engine) as conn:
        lists, whs = _lists(conn)
    return page(request, "product_form.html", user, product=product, v=values, lists=lists, warehouses=whs,
                units=UNITS, iva_rates=IVA_RATES, error=error, notice=notice, status_code=status_code)


def _values_of(conn: Connection, product_id: int) -> tuple[Any, dict[str, Any]]:
    row = conn.execute(select(products).where(products.c.id == product_id)).first()
    if row is None:
        raise NotFound()
    codes = conn.execute(select(product_barcodes.c.barcode).where(product_barcodes.c.product_id == product_id)
                         .order_by(product_barcodes.c.id)).scalars().all()
    v: dict[str, Any] = {"sku": row.sku, "name": row.name, "unit": row.unit, "iva": row.iva, "ieps": row.ieps or "",
                         "ieps_cuota": row.ieps_cuota or "", "litres": row.litres or "",
                         "active": bool(row.active), "barcodes": " ".join(codes),
                         "sat_prod_serv": row.sat_clave_prod_serv or "", "sat_unidad": row.sat_clave_unidad or ""}
    for r in conn.execute(select(prices).where(prices.c.product_id == product_id)):
        v[f"price_{r.price_list_id}"] = str(r.price)
    for r in conn.execute(select(stock).where(stock.c.product_id == product_id)):
        # Pieces without a fraction read as "24", not "24.000" (poscore's quantity display).
        v[f"stock_{r.warehouse_id}"] = format_qty(r.qty, "pieza") if row.unit == "pieza" else str(r.qty)
    return row, v


def _posted_values(form: FormData, lists: list[Any], whs: list[Any]) -> dict[str, Any]:
    """The posted fields as text (echoed back into the form when there is a problem)."""
    v: dict[str, Any] = {k: text(form, k) for k in ("sku", "name", "unit", "iva", "ieps", "ieps_cuota", "litres",
                                                    "barcodes", "sat_prod_serv", "sat_unidad")}
    v["active"] = form.get("active") == "1"
    v.update({f"price_{pl.id}": text(form, f"price_{pl.id}") for pl in lists})
    v.update({f"stock_{wh.id}": text(form, f"stock_{wh.id}") for wh in whs})
    return v


def _checked(v: dict[str, Any], lists: list[Any], whs: list[Any]) -> ProductInput:
    """Raises Problem for the first field that is wrong."""
    prod_serv, unidad = parse_sat_keys(v["sat_prod_serv"], v["sat_unidad"])
    return ProductInput(sku=parse_sku(v["sku"]), name=parse_name(v["name"]), unit=parse_unit(v["unit"]),
                        tax=parse_tax(v["iva"], v["ieps"], False, v["ieps_cuota"], v["litres"]), active=parse_active("1" if v["active"] else "0"),
                        barcodes=parse_barcodes(v["barcodes"]),
                        prices={pl.id: parse_price(v[f"price_{pl.id}"]) for pl in lists},
                        stock={wh.id: parse_stock(v[f"stock_{wh.id}"]) for wh in whs},
                        sat_prod_serv=prod_serv, sat_unidad=unidad)


def _problem_text(request: Request, exc: Problem) -> str:
    msg = tr(exc.code, lang_of(request), other="?")
    return f"{msg}: {exc.detail}" if exc.detail else msg


def _save(request: Request, user: User, engine: Any, form: FormData, product_id: int | None) -> Response:
    with read_tx(engine) as conn:
        product = _values_of(conn, product_id)[0] if product_id is not None else None
        lists, whs = _lists(conn)
    values = _posted_values(form, lists, whs)
    try:
        data = _checked(values, lists, whs)
        with write_tx(engine) as conn:
            new_id = save_product(conn, data, product_id, utcnow())
    except Problem as exc:
        return _form_page(request, user, engine, product, values, error=_problem_text(request, exc),
                          status_code=400)
    except IntegrityError:  # a concurrent save took the same SKU or barcode
        return _form_page(request, user, engine, product, values, error=tr("p_sku_taken", lang_of(request)),
                          status_code=409)
    return redirect(request, f"/erp/productos/{new_id}?guardado=1")


# "nuevo" before "{product_id}": the int route would otherwise answer 422 for it.
@router.get("/productos/nuevo")
def product_new(request: Request, user: CurrentUser, engine: Db) -> Response:
    return _form_page(request, user, engine, None, {"unit": "pieza", "iva": "16", "active": True})


@router.post("/productos/nuevo")
def product_create(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    return _save(request, user, engine, form, None)


@router.get("/productos/{product_id}")
def product_edit(request: Request, product_id: int, user: CurrentUser, engine: Db) -> Response:
    with read_tx(engine) as conn:
        row, values = _values_of(conn, product_id)
    notice = tr("saved", lang_of(request)) if request.query_params.get("guardado") else None
    return _form_page(request, user, engine, row, values, notice=notice)


@router.post("/productos/{product_id}")
def product_update(request: Request, product_id: int, user: CurrentUser, engine: Db, form: Form) -> Response:
    return _save(request, user, engine, form, product_id)
