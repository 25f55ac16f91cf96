"""Routes: POST /api/sales, /api/returns, /api/customers and /api/voids, GET /api/returns/of-sale (contract: Sales,
Returns; customers created offline).

Batches: at most `max_batch` (500) items, else 413 `batch_too_large`; every item gets its own result in the
order sent. Customers, returns and voids get a transaction each; a batch of sales gets one (server/sync/sales.py judges
each sale alone within it). The edge checks only the envelope (an object with a list); each item is judged by
the sync services, so one bad item never spoils its neighbours.
What it must not do: verify sales itself (server/sync/ and poscore do).
"""
from __future__ import annotations

import asyncio
import weakref
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from server.db.engine import read_tx, write_tx
from server.sync.checks import SaleRejected
from server.sync.customers import CustomerRejected, upsert_customer
from server.sync.returns import accept_returns, accepted_of_sale
from server.sync.sales import RetryLater, accept_sales, rejection
from server.sync.voids import record_void

from .deps import TerminalRef, current_terminal, engine, settings
from .errors import ApiError, speak

router = APIRouter(prefix="/api")


class SalesIn(BaseModel):
    sales: list[Any]


class CustomersIn(BaseModel):
    customers: list[Any]


class ReturnsIn(BaseModel):
    returns: list[Any]


class VoidsIn(BaseModel):
    voids: list[Any]


def _check_size(request: Request, items: list[Any]) -> None:
    cap = settings(request).max_batch
    if len(items) > cap:
        raise ApiError(413, "batch_too_large", max=cap)


def _sales_gate(request: Request) -> anyio.Semaphore:
    """The process's turn-taking for sales batches: `sales_at_once` batches are written at a time, the others
    wait here in the event loop, holding neither a request thread nor a database connection.

    Why: when 200 tills sync at once, letting every request thread write at once gave PostgreSQL dozens of
    backends queuing for the same row locks and this process dozens of threads taking turns at the GIL: the
    CPU each sale cost grew by ≈40 % in PostgreSQL and ≈10 % here, for no gain, since the change counter's lock
    orders the batches' ends anyway. A few at once keep the cores busy while one waits on the database.
    One gate per event loop (a semaphore belongs to its loop): `caja serve` has one loop per process; tests
    that call one app from several threads' clients have several.
    """
    loop = asyncio.get_running_loop()
    gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.Semaphore] = request.app.state.sales_gates
    gate = gates.get(loop)
    if gate is None:  # no race: only this loop's thread creates its gate
        gate = gates[loop] = anyio.Semaphore(settings(request).sales_at_once)
    return gate


@router.post("/sales")
async def post_sales(body: SalesIn, request: Request,
                     t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    _check_size(request, body.sales)
    try:
        # One transaction for the batch, which also records the terminal's last sync result (Terminales shows it).
        # Waiting for a turn happens here in the event loop, not in a request thread.
        async with _sales_gate(request):
            results = await run_in_threadpool(accept_sales, engine(request), t, body.sales,
                                              settings(request).price_grace_days)
    except RetryLater:
        raise ApiError(503, "retry_later") from None
    # A Response is sent as it is: FastAPI's jsonable_encoder walked every result of the batch (≈3 ms per 50
    # sales, more than the batch's lookups); the results are plain JSON values already (str, int, bool, None).
    return JSONResponse({"results": speak(results, request)})  # type: ignore[return-value]


@router.post("/returns")
def post_returns(body: ReturnsIn, request: Request,
                 t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    _check_size(request, body.returns)
    try:
        results = accept_returns(engine(request), t, body.returns)
    except RetryLater:
        raise ApiError(503, "retry_later") from None
    return {"results": speak(results, request)}


@router.get("/returns/of-sale")
def returns_of_sale(sale_uuid: str, request: Request,
                    t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    """The sale's accepted returns, from every till: a till opening Devolver online counts them, so its amounts
    match what the ERP will recompute (no `return_stale`) and it never offers units another till took back."""
    if not 0 < len(sale_uuid) <= 36:
        raise ApiError(422, "malformed", detail="sale_uuid")
    with read_tx(engine(request)) as conn:
        return {"sale_uuid": sale_uuid, "returns": accepted_of_sale(conn, sale_uuid)}


@router.post("/customers")
def post_customers(body: CustomersIn, request: Request,
                   t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    _check_size(request, body.customers)
    return {"results": speak([_one_customer(request, t, raw) for raw in body.customers], request)}


def _one_customer(request: Request, t: TerminalRef, raw: Any) -> dict[str, Any]:
    uuid = raw.get("uuid") if isinstance(raw, dict) else None
    for attempt in range(3):
        try:
            with write_tx(engine(request)) as conn:
                customer_id, _created = upsert_customer(conn, raw, t.id)
            return {"uuid": uuid, "status": "accepted", "id": customer_id}
        except CustomerRejected as exc:
            return rejection(uuid, exc)
        except IntegrityError:
            # The same uuid sent at once from two requests: the loser retries and finds the winner's row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@router.post("/voids")
def post_voids(body: VoidsIn, request: Request,
               t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    _check_size(request, body.voids)
    results = []
    for raw in body.voids:
        uuid = raw.get("uuid") if isinstance(raw, dict) else None
        try:
            with write_tx(engine(request)) as conn:
                results.append(record_void(conn, t, raw))
        except SaleRejected as exc:
            results.append(rejection(uuid, exc))
    return {"results": speak(results, request)}
