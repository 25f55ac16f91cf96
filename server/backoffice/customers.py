"""Pages: Catálogo — customers: list and search, create and edit, with RFC and fiscal-data validation.

What it is for: the back office's own customer records plus those created offline at a terminal (they arrive
through the sync with `created_by_terminal_id` and show here like any other). Validation is poscore's
(`customer_problems`, which uses `validate_rfc`): the same rules the POS applies offline. Every save takes a new
change version so terminals fetch the customer on their next refresh.
What it must not do: delete customers (sales refer to them; deactivate instead) or change their uuid.
"""
from __future__ import annotations

import uuid as uuidlib
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection, func, or_, select
from starlette.datastructures import FormData

from poscore.customer import REGIMENES_FISCALES, USOS_CFDI, Customer, customer_problems, normalize_rfc
from poscore.messages import t as core_message
from server.db import changes
from server.db.engine import read_tx, write_tx
from server.db.schema import customers, price_lists, terminals

from .auth import User
from .deps import CurrentUser, Db, Form, NotFound, int_or_none, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page, redirect
from .sales_query import PAGE_SIZE, pages

router = make_router()
FIELDS = ("name", "rfc", "regimen_fiscal", "codigo_postal", "uso_cfdi", "email")


@router.get("/clientes")
def customer_list(request: Request, user: CurrentUser, engine: Db) -> Response:
    q = (request.query_params.get("q") or "").strip()[:100]
    pg = max(1, int_or_none(request.query_params.get("pagina")) or 1)
    c = customers.c
    where = []
    if q:
        needle = f"%{q.lower()}%"
        where.append(or_(func.lower(c.name).like(needle), func.lower(c.rfc).like(needle),
                         func.lower(c.email).like(needle)))
    with read_tx(engine) as conn:
        count = conn.execute(select(func.count()).select_from(customers).where(*where)).scalar_one()
        rows = conn.execute(
            select(customers, terminals.c.code.label("terminal"))
            .select_from(customers.outerjoin(terminals, terminals.c.id == c.created_by_terminal_id))
            .where(*where).order_by(c.id.desc()).limit(PAGE_SIZE).offset((pg - 1) * PAGE_SIZE)).all()
    return page(request, "customers.html", user, rows=rows, q=q, pg=pg, pages=pages(count), count=count)


def _form_page(request: Request, user: User, engine: Any, customer: Any, values: dict[str, Any],
               error: str | None = None, notice: str | None = None, status_code: int = 200) -> Response:
    with read_tx(engine) as conn:
        lists = list(conn.execute(select(price_lists).order_by(price_lists.c.id)))
    return page(request, "customer_form.html", user, customer=customer, v=values, lists=lists,
                regimenes=sorted(REGIMENES_FISCALES), usos=sorted(USOS_CFDI), error=error, notice=notice,
                status_code=status_code)


def _row(conn: Connection, customer_id: int) -> Any:
    row = conn.execute(select(customers, terminals.c.code.label("terminal"))
                       .select_from(customers.outerjoin(terminals, terminals.c.id == customers.c.created_by_terminal_id))
                       .where(customers.c.id == customer_id)).first()
    if row is None:
        raise NotFound()
    return row


def _posted(form: FormData) -> dict[str, Any]:
    v: dict[str, Any] = {k: text(form, k, 300) for k in FIELDS}
    v["rfc"] = normalize_rfc(v["rfc"]) if v["rfc"] else ""
    v["price_list_id"] = int_or_none(text(form, "price_list_id"))
    v["active"] = form.get("active") == "1"
    v["ieps_breakdown"] = form.get("ieps_breakdown") == "1"
    return v


def _save(request: Request, user: User, engine: Any, form: FormData, customer_id: int | None) -> Response:
    lang = lang_of(request)
    existing = None
    if customer_id is not None:
        with read_tx(engine) as conn:
            existing = _row(conn, customer_id)
    v = _posted(form)
    candidate = Customer(name=v["name"], rfc=v["rfc"] or None, regimen_fiscal=v["regimen_fiscal"] or None,
                         codigo_postal=v["codigo_postal"] or None, uso_cfdi=v["uso_cfdi"] or None,
                         email=v["email"] or None)
    # poscore's own texts for its codes, so the POS and the back office say the same thing.
    messages = [core_message(p, lang) for p in customer_problems(candidate)]
    if len(v["email"]) > 254 or (v["email"] and "@" not in v["email"]):
        messages.append(f'{tr("p_customer_invalid", lang)}: {tr("email", lang)}')
    if messages:
        message = "; ".join(messages)
        return _form_page(request, user, engine, existing, v, error=message, status_code=400)
    values = {"name": candidate.name.strip(), "rfc": candidate.rfc, "regimen_fiscal": candidate.regimen_fiscal,
              "codigo_postal": candidate.codigo_postal, "uso_cfdi": candidate.uso_cfdi, "email": candidate.email,
              "price_list_id": v["price_list_id"], "active": v["active"], "ieps_breakdown": v["ieps_breakdown"]}
    with write_tx(engine) as conn:
        if v["price_list_id"] is not None and conn.execute(
                select(price_lists.c.id).where(price_lists.c.id == v["price_list_id"])).first() is None:
            return _form_page(request, user, engine, existing, v, error=tr("p_choice", lang), status_code=400)
        values["version"] = changes.bump(conn)
        if customer_id is None:
            customer_id = int(conn.execute(customers.insert().values(uuid=str(uuidlib.uuid4()), **values)
                                           .returning(customers.c.id)).scalar_one())
        else:
            conn.execute(customers.update().where(customers.c.id == customer_id).values(**values))
    return redirect(request, f"/erp/clientes/{customer_id}?guardado=1")


@router.get("/clientes/nuevo")
def customer_new(request: Request, user: CurrentUser, engine: Db) -> Response:
    return _form_page(request, user, engine, None, {"active": True})


@router.post("/clientes/nuevo")
def customer_create(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    return _save(request, user, engine, form, None)


@router.get("/clientes/{customer_id}")
def customer_edit(request: Request, customer_id: int, user: CurrentUser, engine: Db) -> Response:
    with read_tx(engine) as conn:
        row = _row(conn, customer_id)
    v = {k: getattr(row, k) or "" for k in FIELDS}
    v.update(price_list_id=row.price_list_id, active=bool(row.active), ieps_breakdown=bool(row.ieps_breakdown))
    notice = tr("saved", lang_of(request)) if request.query_params.get("guardado") else None
    return _form_page(request, user, engine, row, v, notice=notice)


@router.post("/clientes/{customer_id}")
def customer_update(request: Request, customer_id: int, user: CurrentUser, engine: Db, form: Form) -> Response:
    return _save(request, user, engine, form, customer_id)
