"""What a feed request learns from the database before its page: the caller's terminal (by its token), the
terminal's price list, and the change version, read in one statement.

What it is for: a till fetching a cached page or revalidating one (304) costs one statement in the database,
so a crowd of tills is served at close to what the transport alone costs (one connection checkout and, on PostgreSQL,
one round trip: no BEGIN/COMMIT around it).
What it must NOT do: remember anything between requests. The token and the version are read again by every
request, whichever worker process it lands in: a revoked terminal is refused and a price change is seen by
the very next request, with nothing to invalidate. It must not write either (the contact record is `admit`'s).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import bindparam, select

from server.db.engine import read_once
from server.db.schema import change_counter, price_lists, terminals
from server.terminals import token_hash

from .deps import TerminalRef, admit, bearer_token, engine

_COUNTER = select(change_counter.c.value).where(change_counter.c.id == 1).scalar_subquery()
# Built once: building a statement costs more than running this one.
_HEAD = (select(terminals, price_lists.c.name.label("pl_name"), price_lists.c.includes_tax.label("pl_includes_tax"),
                _COUNTER.label("change_version"))
         .select_from(terminals.join(price_lists, price_lists.c.id == terminals.c.price_list_id))
         .where(terminals.c.token_hash == bindparam("h"), terminals.c.active.is_(True)))

@dataclass(frozen=True)
class Head:
    terminal: TerminalRef
    version: int
    price_list: tuple[int, str, bool]  # id, name, includes tax: all three are in every catalog page


def feed_head(request: Request) -> Head:
    """The caller's terminal (401 if its token is unknown or revoked), its price list and the change version."""
    h = token_hash(bearer_token(request))
    row = _read(request, h)
    t = admit(request, engine(request), row)
    assert row is not None  # admit refused the request otherwise
    return Head(t, int(row.change_version), (row.price_list_id, row.pl_name, bool(row.pl_includes_tax)))


def _read(request: Request, h: str) -> Any | None:
    with read_once(engine(request)) as conn:
        return conn.execute(_HEAD, {"h": h}).first()
