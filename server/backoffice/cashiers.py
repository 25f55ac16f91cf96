"""Pages: Cajeros — the till's cashiers and supervisors (create, change role, reset PIN, deactivate or
reactivate) — and Turnos — each shift with its cortes (expected vs counted per method and the difference),
its cash movements, and who authorized what.

What it is for: the back office's side of server/cashiers.py. Changes are for admins: a read-only user
(contador) sees everything and every POST answers 403 (auth.current_user). What it must not do: show a PIN or
its verifier, or recompute a corte (the stored lines are poscore.shift's figures).
"""
from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.cashiers import CashierError, create_cashier, list_cashiers, set_active, set_pin, set_role
from server.db.engine import read_tx, utcnow, write_tx
from server.db.schema import authorizations, cash_movements, corte_lines, cortes, shifts, terminals, users
from server.shift_totals import erp_expected

from .auth import User
from .csv_safe import SafeWriter
from .deps import CurrentUser, Db, Form, NotFound, int_or_none, text
from .deps import router as make_router
from .i18n import device_dt, tr
from .render import lang_of, page, plain, redirect

router = make_router()
SHOP_ID = 1  # the ERP serves one shop (shops row 1, as the fiscal settings do)
SHIFTS_SHOWN = 100


def _list_page(request: Request, user: User, engine: Any, error: str | None = None, status_code: int = 200,
               v: dict[str, str] | None = None) -> Response:
    with read_tx(engine) as conn:
        rows = list_cashiers(conn)
    notice = tr("cashier_saved", lang_of(request)) if request.query_params.get("ok") else None
    return page(request, "cashiers.html", user, rows=rows, error=error, notice=notice, v=v or {},
                status_code=status_code)


@router.get("/cajeros")
def cashier_list(request: Request, user: CurrentUser, engine: Db) -> Response:
    return _list_page(request, user, engine)


def _fail(request: Request, user: User, engine: Any, exc: CashierError, v: dict[str, str] | None = None) -> Response:
    if exc.code == "not_found":
        raise NotFound()
    return _list_page(request, user, engine, error=tr(exc.code, lang_of(request)), status_code=400, v=v)


@router.post("/cajeros")
def cashier_create(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    v = {"username": text(form, "username", 100), "role": text(form, "role", 20)}
    try:
        with write_tx(engine) as conn:
            create_cashier(conn, v["username"], v["role"], SHOP_ID, text(form, "pin", 20), utcnow())
    except CashierError as exc:
        return _fail(request, user, engine, exc, v)
    except IntegrityError:  # created at once by another request
        return _fail(request, user, engine, CashierError("name_taken"), v)
    return redirect(request, "/erp/cajeros?ok=1")


@router.post("/cajeros/{user_id}")
def cashier_change(request: Request, user_id: int, user: CurrentUser, engine: Db, form: Form) -> Response:
    action = text(form, "action", 20)
    try:
        with write_tx(engine) as conn:
            if action == "pin":
                set_pin(conn, user_id, text(form, "pin", 20))
            elif action == "role":
                set_role(conn, user_id, text(form, "role", 20))
            elif action in ("deactivate", "activate"):
                set_active(conn, user_id, action == "activate", utcnow())
            else:
                raise NotFound()
    except CashierError as exc:
        return _fail(request, user, engine, exc)
    return redirect(request, "/erp/cajeros?ok=1")


CSV_COLUMNS = ("terminal", "cajero", "apertura", "corte", "hora", "forma_pago", "esperado", "contado", "diferencia",
               "revisar")


# Before /turnos so the path is not read as a page.
@router.get("/turnos.csv")
def corte_csv(request: Request, user: CurrentUser, engine: Db) -> Response:
    """Every corte line, one row each, oldest first: what an accountant reconciles in a spreadsheet."""
    buf = io.StringIO()
    out = SafeWriter(buf)
    buf.write("\ufeff")  # Excel opens UTF-8 correctly only with a BOM
    out.writerow(CSV_COLUMNS)
    with read_tx(engine) as conn:
        q = (select(terminals.c.code, users.c.username, shifts.c.opened_at, cortes.c.kind, cortes.c.at,
                    cortes.c.review, corte_lines.c.method, corte_lines.c.expected, corte_lines.c.counted,
                    corte_lines.c.difference)
             .select_from(corte_lines.join(cortes, cortes.c.id == corte_lines.c.corte_id)
                          .join(terminals, terminals.c.id == cortes.c.terminal_id)
                          .join(users, users.c.id == cortes.c.cashier_id)
                          .outerjoin(shifts, shifts.c.uuid == cortes.c.shift_uuid))
             .order_by(cortes.c.at, cortes.c.id, corte_lines.c.id))
        for r in conn.execute(q):
            out.writerow((r.code, r.username, device_dt(r.opened_at), r.kind, device_dt(r.at), r.method,
                          r.expected, r.counted, r.difference, r.review or ""))
    return plain(request, Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                                   headers={"Content-Disposition": 'attachment; filename="cortes.csv"'}))


@router.get("/turnos")
def shift_list(request: Request, user: CurrentUser, engine: Db) -> Response:
    with read_tx(engine) as conn:
        names = {r.id: r.username for r in conn.execute(select(users.c.id, users.c.username))}
        codes = {r.id: r.code for r in conn.execute(select(terminals.c.id, terminals.c.code))}
        f = _filters(request)
        q = select(shifts).order_by(shifts.c.opened_at.desc(), shifts.c.id.desc()).limit(SHIFTS_SHOWN)
        if f["terminal"] is not None:
            q = q.where(shifts.c.terminal_id == f["terminal"])
        if f["cajero"] is not None:
            q = q.where(shifts.c.cashier_id == f["cajero"])
        if f["dia"]:
            # The till's own date: opened_at is its ISO time, so the day is its first ten characters.
            q = q.where(shifts.c.opened_at.startswith(f["dia"]))
        rows = list(conn.execute(q))
        cashier_choices = list_cashiers(conn)
        uuids = [r.uuid for r in rows]
        by_shift: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        corte_rows = list(conn.execute(select(cortes).where(cortes.c.shift_uuid.in_(uuids)).order_by(cortes.c.at)))
        lines: dict[int, list[Any]] = defaultdict(list)
        if corte_rows:
            for ln in conn.execute(select(corte_lines).where(corte_lines.c.corte_id.in_([c.id for c in corte_rows]))
                                   .order_by(corte_lines.c.id)):
                lines[ln.corte_id].append(ln)
        for c in corte_rows:
            by_shift[c.shift_uuid]["cortes"].append((c, lines[c.id]))
        for m in conn.execute(select(cash_movements).where(cash_movements.c.shift_uuid.in_(uuids))
                              .order_by(cash_movements.c.at)):
            by_shift[m.shift_uuid]["movements"].append(m)
        auths = list(conn.execute(select(authorizations).order_by(authorizations.c.at.desc()).limit(200)))
        # The ERP's own expected figures from the sales it received, beside each corte's (the till's).
        erp = {u: erp_expected(conn, u) for u in uuids}
    return page(request, "shifts.html", user, rows=rows, by_shift=by_shift, names=names, codes=codes, auths=auths,
                erp=erp, f=f, cashier_choices=cashier_choices)


def _filters(request: Request) -> dict[str, Any]:
    day = request.query_params.get("dia", "").strip()
    return {"terminal": int_or_none(request.query_params.get("terminal")),
            "cajero": int_or_none(request.query_params.get("cajero")),
            "dia": day if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else ""}
