"""Routes for cashiers and shifts: GET /api/cashiers, POST /api/shifts, /api/cash_movements, /api/cortes,
/api/authorizations (contract: Cashiers and shifts).

Batches like the sales: at most `max_batch` items (413 `batch_too_large`), a result per item in the order sent.
What it must not do: judge records (server/sync/shifts.py does) or ever return a PIN.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from server.cashiers import till_cashiers
from server.db.engine import read_tx
from server.sync.cashiers import shop_of
from server.sync.shifts import accept_records

from .deps import TerminalRef, current_terminal, engine, settings
from .errors import ApiError, speak

router = APIRouter(prefix="/api")


@router.get("/cashiers")
def get_cashiers(request: Request, t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    with read_tx(engine(request)) as conn:
        cashiers = till_cashiers(conn, shop_of(conn, t.branch_id))
    return {"cashiers": cashiers, "supervisor_discount_pct": settings(request).supervisor_discount_pct}


class ShiftsIn(BaseModel):
    shifts: list[Any]


class MovementsIn(BaseModel):
    cash_movements: list[Any]


class CortesIn(BaseModel):
    cortes: list[Any]


class AuthorizationsIn(BaseModel):
    authorizations: list[Any]


def _accept(request: Request, t: TerminalRef, kind: str, items: list[Any]) -> dict[str, Any]:
    cap = settings(request).max_batch
    if len(items) > cap:
        raise ApiError(413, "batch_too_large", max=cap)
    return {"results": speak(accept_records(engine(request), t, kind, items), request)}


@router.post("/shifts")
def post_shifts(body: ShiftsIn, request: Request,
                t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    return _accept(request, t, "shifts", body.shifts)


@router.post("/cash_movements")
def post_movements(body: MovementsIn, request: Request,
                   t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    return _accept(request, t, "cash_movements", body.cash_movements)


@router.post("/cortes")
def post_cortes(body: CortesIn, request: Request,
                t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    return _accept(request, t, "cortes", body.cortes)


@router.post("/authorizations")
def post_authorizations(body: AuthorizationsIn, request: Request,
                        t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    return _accept(request, t, "authorizations", body.authorizations)
