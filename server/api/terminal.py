"""Routes: health, pairing and "who am I" for terminals (contract: Terminal auth).

Must not hand out tokens any other way than by redeeming a one-time pairing code.
"""
from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from server import __version__
from server.db.engine import read_tx, write_tx
from server.peer import client_address
from server.terminals import charge_failure, redeem_pairing_code, terminal_json

from .deps import TerminalRef, current_terminal, engine, settings
from .errors import ApiError
from .throttle import FailureLimiter

router = APIRouter(prefix="/api")


class PairIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    device: str | None = Field(default=None, max_length=200)


@router.get("/health")
def health() -> dict[str, Any]:
    return {"ok": True, "version": __version__}


_limiter_lock = threading.Lock()


def _pair_failures(request: Request) -> FailureLimiter:
    """One limiter per app (so tests with several apps in one process do not share it)."""
    state = request.app.state
    with _limiter_lock:
        if getattr(state, "pair_failures", None) is None:
            state.pair_failures = FailureLimiter()
        return state.pair_failures  # type: ignore[no-any-return]


@router.post("/pair")
def pair(body: PairIn, request: Request) -> dict[str, Any]:
    client = client_address(request)
    limiter = _pair_failures(request)
    # Counted before the database is asked, so concurrent guesses cannot all pass before the first failure.
    if not limiter.attempt(client):
        # Retry-After (RFC 9110 §10.2.3): the window, an upper bound on the wait.
        raise ApiError(429, "too_many_attempts", headers={"Retry-After": str(int(limiter.window_s))})
    with write_tx(engine(request)) as conn:
        found = redeem_pairing_code(conn, settings(request).secret_key, body.code, body.device)
        if found is not None:
            terminal_id, token = found
            limiter.succeeded(client)
            return {"token": token, "terminal": terminal_json(conn, terminal_id)}
    with write_tx(engine(request)) as conn:
        charge_failure(conn)
    raise ApiError(400, "pairing_code_invalid")


@router.get("/terminal")
def terminal(request: Request, t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    with read_tx(engine(request)) as conn:
        return {"terminal": terminal_json(conn, t.id)}
