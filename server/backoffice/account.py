"""Page: the signed-in user changes their own password (GET/POST /erp/cuenta/contrasena).

What it is for: a password change that proves the current password, meets the policy (passwords.py), and
ends every other session of the user (a stolen cookie or a forgotten signed-in tablet is out at once) while
this one goes on. Open to the read-only role too: guarding one's own account changes no shop data.
What it must not do: change another user's password (`caja create-admin` does that, from the server's console).
"""
from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import update

from server.db.engine import read_tx, write_tx
from server.db.schema import users

from .auth import HashBusy, check_password_bounded, hash_password, read_session
from .deps import CurrentUser, Db, Form
from .deps import router as make_router
from .i18n import tr
from .passwords import problem
from .render import lang_of, page
from .sessions import end_user_sessions

router = make_router()
PATH = "/erp/cuenta/contrasena"


@router.get("/cuenta/contrasena")
def password_form(request: Request, user: CurrentUser) -> Response:
    return page(request, "account.html", user)


@router.post("/cuenta/contrasena")
def password_change(request: Request, user: CurrentUser, engine: Db, form: Form) -> Response:
    lang = lang_of(request)
    current, new, again = (form.get(k) for k in ("actual", "nueva", "repetir"))
    if not all(isinstance(v, str) for v in (current, new, again)):
        return page(request, "account.html", user, status_code=400, error=tr("password_mismatch", lang))
    assert isinstance(current, str) and isinstance(new, str)
    try:
        with read_tx(engine) as conn:
            ok = check_password_bounded(conn, user.username, current) is not None
    except HashBusy:
        return page(request, "account.html", user, status_code=503, error=tr("login_busy", lang))
    if not ok:
        return page(request, "account.html", user, status_code=400, error=tr("password_wrong", lang))
    if new != again:
        return page(request, "account.html", user, status_code=400, error=tr("password_mismatch", lang))
    bad = problem(user.username, new)
    if bad:
        return page(request, "account.html", user, status_code=400, error=tr(bad, lang))
    s = read_session(request)
    with write_tx(engine) as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(password_hash=hash_password(new)))
        end_user_sessions(conn, user.id, keep_sid=s.sid if s else None)
    return page(request, "account.html", user, notice=tr("password_changed", lang))
