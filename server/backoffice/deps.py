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


def router() -> APIRouter:
    return APIRouter(prefix="/erp", dependencies=[Depends(csrf_guard)], include_in_schema=False)


def text(form: FormData, name: str, limit: int = 400) -> str:
    """A trimmed text field of a posted form ('' when absent or a file)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def int_or_none(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())
