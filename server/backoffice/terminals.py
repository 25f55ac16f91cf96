"""Pages: Terminales — list with last contact, reported pending sales, last sale received and app version;
create a terminal; show a one-time pairing code; revoke a terminal's token.

What it is for: the shop's side of pairing, through server/terminals.py (the same functions `caja
pairing-code` uses). A pairing code is shown once, in the answer to the POST that made it, and never stored
in clear. What it must not do: show or store terminal tokens (only their hashes exist), or delete terminals
(their sales refer to them).
"""
from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData

from poscore.numbering import valid_terminal_code
from server.db.engine import read_tx, write_tx
from server.db.schema import branches, price_lists, sales, terminals, warehouses
from server.terminals import create_terminal, kill_unused_codes, new_pairing_code

from .auth import User
from .deps import CurrentUser, Db, Form, NotFound, int_or_none, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page, redirect

router = make_router()
_SERIES_RE = re.compile(r"^[A-Z0-9]{1,10}$")


def _listing(conn: Connection, terminal_id: int | None = None) -> list[Any]:
    t = terminals.c
    last_sale = (select(sales.c.terminal_id, func.max(sales.c.received_at).label("last_sale"),
                        func.count().label("sales_count")).group_by(sales.c.terminal_id).subquery())
    query = (select(terminals, branches.c.name.label("branch"), warehouses.c.name.label("warehouse"),
                    price_lists.c.name.label("price_list"), last_sale.c.last_sale, last_sale.c.sales_count)
             .select_from(terminals.join(branches, branches.c.id == t.branch_id)
                          .join(warehouses, warehouses.c.id == t.warehouse_id)
                          .join(price_lists, price_lists.c.id == t.price_list_id)
                          .outerjoin(last_sale, last_sale.c.terminal_id == t.id))
             .order_by(t.code))
    if terminal_id is not None:
        query = query.where(t.id == terminal_id)
    return list(conn.execute(query))


@router.get("/terminales")
def terminal_list(request: Request, user: CurrentUser, engine: Db) -> Response:
    with read_tx(engine) as conn:
        rows = _listing(conn)
    return page(request, "terminals.html", user, rows=rows)


def _choices(conn: Connection) -> dict[str, list[Any]]:
    return {"branches": list(conn.execute(select(branches).order_by(branches.c.id))),
            "warehouses": list(conn.execute(select(warehouses).order_by(warehouses.c.id))),
            "lists": list(conn.execute(select(price_lists).order_by(price_lists.c.id)))}


def _new_page(request: Request, user: User, engine: Any, v: dict[str, Any], error: str | None = None,
              status_code: int = 200) -> Response:
    with read_tx(engine) as conn:
        choices = _choices(conn)
    return page(request, "terminal_form.html", user, v=v, error=error, status_code=status_code, **choices)


@router.get("/terminales/nueva")
def terminal_new(request: Request, user: CurrentUser, engine: Db) -> Response:
    return _new_page(request, user, engine, {"series_remision": "", "series_factura": ""})


def _problem(conn: Connection, v: dict[str, Any]) -> str | None:
    if not valid_terminal_code(v["code"]):
        return "p_code_invalid"
    if not v["name"]:
        return "p_name_required"
    if not (_SERIES_RE.match(v["series_remision"]) and _SERIES_RE.match(v["series_factura"])):
        return "p_series_invalid"
    if v["series_remision"] == v["series_factura"]:
        return "p_series_same"
    wh = conn.execute(select(warehouses).where(warehouses.c.id == v["warehouse_id"])).first() \
        if v["warehouse_id"] else None
    pl = conn.execute(select(price_lists.c.id).where(price_lists.c.id == v["price_list_id"])).first() \
        if v["price_list_id"] else None
    if wh is None or pl is None or wh.branch_id != v["branch_id"]:
        return "p_choice"
    if conn.execute(select(terminals.c.id).where(terminals.c.code == v["code"])).first() is not None:
        return "p_code_taken"
    return None


def _posted(form: FormData) -> dict[str, Any]:
    return {"code": text(form, "code", 20).upper(), "name": text(form, "name", 100),
            "branch_id": int_or_none(text(form, "branch_id")), "warehouse_id": int_or_none(text(form, "warehouse_id")),
            "price_list_id": int_or_none(text(form, "price_list_id")),
            "series_remision": text(form, "series_remision", 20).upper(),
            "series_factura": text(form, "series_factura", 20).upper(),
            "stock_enforced": form.get("stock_enforced") == "1"}


@router.post("/terminales/nueva")
def terminal_create(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    v = _posted(form)
    try:
        with write_tx(engine) as conn:
            problem = _problem(conn, v)
            if problem is None:
                new_id = create_terminal(conn, code=v["code"], name=v["name"], branch_id=v["branch_id"],
                                         warehouse_id=v["warehouse_id"], price_list_id=v["price_list_id"],
                                         series_remision=v["series_remision"], series_factura=v["series_factura"],
                                         stock_enforced=v["stock_enforced"])
    except IntegrityError:  # a concurrent creation took the code
        problem = "p_code_taken"
    if problem is not None:
        return _new_page(request, user, engine, v, error=tr(problem, lang_of(request)), status_code=400)
    return redirect(request, f"/erp/terminales/{new_id}")


def _detail(request: Request, user: User, engine: Any, terminal_id: int, **extra: Any) -> Response:
    with read_tx(engine) as conn:
        rows = _listing(conn, terminal_id)
    if not rows:
        raise NotFound()
    return page(request, "terminal.html", user, r=rows[0], **extra)


@router.get("/terminales/{terminal_id}")
def terminal_view(request: Request, terminal_id: int, user: CurrentUser, engine: Db) -> Response:
    notice = tr("revoked", lang_of(request)) if request.query_params.get("revocado") else None
    return _detail(request, user, engine, terminal_id, notice=notice)


@router.post("/terminales/{terminal_id}/codigo")
def terminal_code(request: Request, terminal_id: int, user: CurrentUser, engine: Db) -> Response:
    settings = request.app.state.settings
    with write_tx(engine) as conn:
        if conn.execute(select(terminals.c.id).where(terminals.c.id == terminal_id)).first() is None:
            raise NotFound()
        code = new_pairing_code(conn, settings.secret_key, terminal_id, settings.pairing_ttl_minutes)
    return _detail(request, user, engine, terminal_id, pairing_code=code, ttl=settings.pairing_ttl_minutes)


@router.post("/terminales/{terminal_id}/revocar")
def terminal_revoke(request: Request, terminal_id: int, user: CurrentUser, engine: Db) -> Response:
    with write_tx(engine) as conn:
        done = conn.execute(terminals.update().where(terminals.c.id == terminal_id).values(token_hash=None)).rowcount
        # A code printed before the revocation must not re-pair the device being shut out.
        kill_unused_codes(conn, terminal_id)
    if not done:
        raise NotFound()
    return redirect(request, f"/erp/terminales/{terminal_id}?revocado=1")
