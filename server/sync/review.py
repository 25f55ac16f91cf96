"""Sales accepted but flagged for a person to look at: why a sale is suspicious, never a reason to drop it.

What it is for: `reasons(conn, terminal_id, sales, now)` → {uuid: "reason,reason"} for a batch about to be
stored. Flags: `duplicate_number` (another sale of this terminal, with another uuid, already has this local
number: a restored backup, a cloned device, or a forged sale), and `future_time` (the device clock says the
sale happened more than FUTURE_LIMIT after the server received it: a wrong clock, or a sale dated to hide it).
What it must not do: reject or change a sale (the goods left the shop; the books must show it), or stop a sync.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, bindparam, select

from server.db.bulk import ByValues
from server.db.schema import sales

from .checks import chunks

FUTURE_LIMIT = timedelta(days=1)
REASONS = ("duplicate_number", "future_time")

_SEQS = ByValues(lambda where: select(sales.c.seq).where(sales.c.terminal_id == bindparam("t"),
                                                         where(sales.c.seq, "seqs")))


def _future(device_time: str, now: datetime) -> bool:
    try:
        when = datetime.fromisoformat(device_time)
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when - now > FUTURE_LIMIT


def reasons(conn: Connection, terminal_id: int, batch: Sequence[tuple[str, int, str]],
            now: datetime) -> dict[str, str]:
    """`batch` is (uuid, local number, device time) of each new sale, in the order they will be stored."""
    seqs = sorted({seq for _uuid, seq, _t in batch})
    taken = {r.seq for part in chunks(seqs) for r in conn.execute(_SEQS(conn), {"t": terminal_id, "seqs": part})}
    out: dict[str, str] = {}
    for uuid, seq, device_time in batch:
        found = []
        if seq in taken:
            found.append("duplicate_number")
        taken.add(seq)  # a second sale with this number later in the same batch is a duplicate too
        if _future(device_time, now):
            found.append("future_time")
        if found:
            out[uuid] = ",".join(found)
    return out
