"""Pages: Catálogo — CSV import of products with prices and stock (dry run, then apply).

What it is for: uploading a file, showing the per-row report of csv_import.check, and applying it in one
transaction. A checked file waits in a private temporary folder under a random name so "Aplicar" does not
need a second upload; applying re-checks it against the database as it is then.
What it must not do: apply anything with problems, or keep uploaded files after they are applied.
"""
from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from server.db.engine import read_tx, utcnow, write_tx

from . import csv_import
from .auth import User
from .deps import CurrentUser, Db, Form, text
from .deps import router as make_router
from .i18n import tr
from .render import lang_of, page

router = make_router()
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,60}$")


STASH_SECONDS = 3600  # a checked file not applied within an hour is dropped


def _stash_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "caja-import"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _sweep(now: float) -> None:
    for old in _stash_dir().iterdir():
        try:
            if now - old.stat().st_mtime > STASH_SECONDS:
                old.unlink()
        except OSError:
            pass  # another worker swept it first


def _page(request: Request, user: User, status_code: int = 200, **context: Any) -> Response:
    return page(request, "import.html", user, columns=csv_import.COLUMNS, status_code=status_code, **context)


@router.get("/importar")
def import_form(request: Request, user: CurrentUser) -> Response:
    return _page(request, user)


@router.post("/importar")
def import_post(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    lang = lang_of(request)
    action = text(form, "accion")
    token = text(form, "token")
    upload = form.get("archivo")
    stashed: Path | None = None
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read()
    elif _TOKEN_RE.match(token) and (_stash_dir() / token).is_file():
        stashed = _stash_dir() / token
        data = stashed.read_bytes()
    else:
        return _page(request, user, status_code=400, error=tr("p_empty", lang))
    try:
        if action == "aplicar":
            with write_tx(engine) as conn:
                plan = csv_import.check(conn, data)
                if plan.ok:
                    csv_import.apply(conn, plan, utcnow())
        else:
            with read_tx(engine) as conn:
                plan = csv_import.check(conn, data)
    except csv_import.FileProblem as exc:
        message = tr(exc.code, lang, other="?") + (f": {exc.detail}" if exc.detail else "")
        return _page(request, user, status_code=400, error=f'{tr("import_errors", lang)} {message}')
    context: dict[str, Any] = {"plan": plan, "problems": [(line, tr(code, lang, other=detail), detail)
                                                          for line, code, detail in plan.problems]}
    summary = tr("import_summary", lang, new=plan.new, updated=plan.updated, unchanged=plan.unchanged)
    if not plan.ok:
        return _page(request, user, status_code=400, error=tr("import_errors", lang), **context)
    if action == "aplicar":
        if stashed is not None:
            stashed.unlink(missing_ok=True)
        return _page(request, user, notice=f'{tr("import_ok", lang)} {summary}', applied=True, **context)
    if stashed is None:
        _sweep(time.time())
        token = secrets.token_urlsafe(24)
        fd = os.open(_stash_dir() / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    return _page(request, user, notice=f'{tr("dry_run_ok", lang)} {summary}', token=token, **context)
