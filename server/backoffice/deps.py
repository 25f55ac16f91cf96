"""Request dependencies of the back-office pages: the signed-in user, the engine, the posted form.

What it is for: short `Annotated` names the page modules share, and `router()` which makes every /erp
router check CSRF on every POST. What it must not do: look at Authorization headers (terminal tokens never
open /erp: a bearer token is simply not a session).
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Engine
from starlette.datastructures import FormData

from .auth import User, csrf_guard, current_user


class NotFound(Exception):
    """Raised by pages for an unknown id; answered with an HTML 404 page."""


def _engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


async def _form(request: Request) -> FormData:
    # csrf_guard has already parsed (and Starlette cached) the form; this hands it to sync handlers.
    return await request.form()


CurrentUser = Annotated[User, Depends(current_user)]
Db = Annotated[Engine, Depends(_engine)]
Form = Annotated[FormData, Depends(_form)]


# Ids are INTEGER columns (PostgreSQL's stop at 2**31-1); a larger number names nothing, and handing it to the
# database would be an overflow error (a 500), not an empty result. Page numbers beyond MAX_PAGE likewise.
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000
_INT_QUERY = {"pagina": MAX_PAGE, "terminal": MAX_ID}


def _numbers_in_range(request: Request) -> None:
    """Router-wide: a numeric path part or page/terminal query value out of range is "not found"."""
    for value in request.path_params.values():
        if isinstance(value, str) and value.isdigit() and int(value[:12]) > MAX_ID:
            raise NotFound()
    for name, limit in _INT_QUERY.items():
        value = request.query_params.get(name, "").strip()
        if value.isdigit() and int(value[:12]) > limit:
            raise NotFound()


def router() -> APIRouter:
    return APIRouter(prefix="/erp", dependencies=[Depends(csrf_guard), Depends(_numbers_in_range)],
                     include_in_schema=False)


def text(form: FormData, name: str, limit: int = 400) -> str:
    """A trimmed text field of a posted form ('' when absent or a file)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def int_or_none(value: str | None) -> int | None:
    """A non-negative id from a form or query ('' or anything else, including ids past MAX_ID: None)."""
    if value is None or not value.strip().isdigit() or len(value.strip()) > 10:
        return None
    n = int(value.strip())
    return n if n <= MAX_ID else None
