"""The shop's time zone, and a stored or device time turned into the shop's wall clock.

What it is for: `shop_zone()` is the one answer to "which zone does this shop live in" — `CAJA_TIMEZONE`, an
IANA name, `America/Mexico_City` by default (Mexico has several zones: Tijuana, Hermosillo, Chihuahua, Cancún…);
`zone_label()` names it for people; `to_shop()` converts. Everything the back office shows goes through here, so
no page prints a UTC time or a terminal's own offset. CFDI will want a zone per branch: `shop_zone(branch_id)`
is where that goes, and callers already ask it.
What it must not do: read the clock (times are passed in) or format dates for a language (the back office does).
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV = "CAJA_TIMEZONE"
DEFAULT = "America/Mexico_City"
# How people in Mexico name the zones' cities (the IANA names drop the accents and spell spaces "_").
_LABELS = {
    "America/Mexico_City": "Ciudad de México", "America/Cancun": "Cancún", "America/Merida": "Mérida",
    "America/Mazatlan": "Mazatlán", "America/Bahia_Banderas": "Bahía de Banderas",
    "America/Ciudad_Juarez": "Ciudad Juárez", "Etc/UTC": "UTC", "UTC": "UTC",
}


class BadTimeZone(ValueError):
    pass


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadTimeZone(f"{ENV}={name!r} is not an IANA time zone (for example {DEFAULT}, "
                          "America/Tijuana, America/Cancun)") from None


def shop_zone(branch_id: int | None = None) -> ZoneInfo:
    """The zone the shop's clocks show. One zone for every branch for now (`branch_id` is for later)."""
    return _zone(os.environ.get(ENV) or DEFAULT)


def zone_label(zone: ZoneInfo | None = None) -> str:
    """The zone as people name it: "Ciudad de México", "Tijuana"."""
    key = str(zone or shop_zone())
    return _LABELS.get(key) or key.rsplit("/", 1)[-1].replace("_", " ")


def to_shop(value: datetime | str | None, zone: ZoneInfo | None = None) -> datetime | None:
    """A stored time (naive means UTC: SQLite gives them back so) or a terminal's ISO time with its offset, on
    the shop's wall clock. A terminal time without an offset is taken as already the shop's. None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=zone or shop_zone())
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone or shop_zone())
