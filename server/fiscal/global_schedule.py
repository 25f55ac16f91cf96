"""When the factura global is due: the shop's period setting, the overdue warning and the automatic issue.

What it is for: `settings_of(conn)` / `save(conn, ...)` (periodicidad, issue automatically, the public self-invoicing
page's address, and whether a ticket already in a stamped global is self-invoiced through an egreso);
`overdue(conn, zone, periodicidad, now, branch_id)` → the oldest closed period whose remisiones (of that branch)
still have no global past the deadline (regla 2.7.1.21: within 24 hours after the period closes), and
`overdue_branches(conn, periodicidad, now)` for the back office's banner, one line per branch; `last_closed(...)`
for the CLI; `auto_issue(engine, now)`, run by the CFDI job's pass, issues every closed period's global of each
branch (in its own time zone) when the setting is on.
What it must not do: stamp (the job does), or issue a period that has not closed yet (a global issued too early
would leave that period's later remisiones for another global of the same period).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from . import store
from .build import CfdiError, zone_of
from .global_cfdi import GlobalError, issue, uncovered_query
from .periods import PERIODICIDADES, Period, allowed, local_day, period_of

AUTO_MAX = 31  # periods issued in one pass at most (a month of diarias after the ERP was off)


@dataclass(frozen=True)
class GlobalSettings:
    periodicidad: str = "04"
    auto: bool = False
    autofactura_url: str = ""
    autofactura_egreso: bool = False


def settings_of(conn: Connection) -> GlobalSettings:
    row = store.settings_row(conn)
    if row is None:
        return GlobalSettings()
    return GlobalSettings(row.global_periodicidad or "04", bool(row.global_auto),
                          row.autofactura_url or "", bool(row.autofactura_egreso))


def save(conn: Connection, periodicidad: str, auto: bool, regimen_fiscal: str,
         autofactura_url: str | None = None, autofactura_egreso: bool | None = None) -> bool:
    """False (nothing saved) for a periodicidad the régimen cannot use (bimestral is 621 only) or a
    self-invoicing address that is not https (customers' phones reach it over the internet)."""
    if not allowed(periodicidad, regimen_fiscal):
        return False
    values: dict[str, object] = {"global_periodicidad": periodicidad, "global_auto": auto}
    if autofactura_url is not None:
        if autofactura_url and not autofactura_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            return False
        values["autofactura_url"] = autofactura_url or None
    if autofactura_egreso is not None:
        values["autofactura_egreso"] = autofactura_egreso
    store.upsert(conn, **values)
    return True


def last_closed(periodicidad: str, now: datetime, zone: ZoneInfo) -> Period:
    today = now.astimezone(zone).date()
    return period_of(periodicidad, period_of(periodicidad, today).first - timedelta(days=1))


def _oldest_open(conn: Connection, zone: ZoneInfo, periodicidad: str,
                 branch_id: int | None = None) -> tuple[Period, int] | None:
    days = [local_day(r.device_time, zone) for r in conn.execute(uncovered_query(branch_id))]
    if not days:
        return None
    period = period_of(periodicidad, min(days))
    return period, sum(1 for d in days if d <= period.last)


def overdue(conn: Connection, zone: ZoneInfo, periodicidad: str, now: datetime,
            branch_id: int | None = None) -> tuple[Period, int] | None:
    found = _oldest_open(conn, zone, periodicidad, branch_id)
    if found is None or now < found[0].deadline(zone):
        return None
    return found


def branch_zone(branch: store.Branch) -> ZoneInfo | None:
    """The branch's time zone from its CP (c_CodigoPostal's huso horario); None for a CP the SAT lacks."""
    try:
        return zone_of(branch.lugar_expedicion)
    except CfdiError:
        return None


def overdue_branches(conn: Connection, periodicidad: str, now: datetime) -> list[tuple[store.Branch, Period, int]]:
    """Each branch with a closed period past its deadline and remisiones without a global: (branch, period,
    how many), counted in the branch's own time zone."""
    out = []
    for branch in store.branches(conn):
        zone = branch_zone(branch)
        found = overdue(conn, zone, periodicidad, now, branch.id) if zone is not None else None
        if found is not None:
            out.append((branch, *found))
    return out


def auto_issue(engine: Engine, now: datetime) -> list[int]:
    """Each closed period with uncovered remisiones gets its global, oldest first (only when the setting is on
    and the emisor is set: its CP fixes the zone the periods are counted in)."""
    with engine.connect() as conn:
        settings = settings_of(conn)
        emisor = store.emisor(conn)
    if not settings.auto or emisor is None or settings.periodicidad not in PERIODICIDADES:
        return []
    with engine.connect() as conn:
        branches = store.branches(conn)
    issued: list[int] = []
    for branch in branches:
        zone = branch_zone(branch)
        if zone is None:
            continue
        for _ in range(AUTO_MAX):
            with engine.connect() as conn:
                found = _oldest_open(conn, zone, settings.periodicidad, branch.id)
            if found is None or now < found[0].closes_at(zone):
                break
            try:
                issued.append(issue(engine, found[0], zone, now, branch.id))
            except GlobalError:
                break  # another process issued it a moment ago; the next pass looks again
    return issued
