"""The periods of a factura global: which days a diaria, semanal, quincenal, mensual or bimestral global covers.

What it is for: `period_of(periodicidad, day)` → `Period` (first and last day, InformacionGlobal's Meses and
Año), `closes_at` (local midnight after the last day) and `deadline` (24 hours later: regla 2.7.1.21 of the RMF,
a global is issued within 24 hours after its period closes). SAT "Guía de llenado del CFDI global": Periodicidad
01 diario, 02 semanal, 03 quincenal, 04 mensual, 05 bimestral (05 only for régimen 621, RIF); Meses 01–12, or
13–18 for the two-month periods (13 = enero–febrero … 18 = noviembre–diciembre).
What it must not do: read the clock or the database (days and zones are passed in).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIODICIDADES = {"01": "Diaria", "02": "Semanal", "03": "Quincenal", "04": "Mensual", "05": "Bimestral"}
BIMESTRAL_REGIMEN = "621"
DEADLINE = timedelta(hours=24)


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    periodicidad: str
    first: date
    last: date  # inclusive

    @property
    def meses(self) -> str:
        if self.periodicidad == "05":
            return f"{12 + (self.first.month + 1) // 2:02d}"
        return f"{self.first.month:02d}"

    @property
    def anio(self) -> int:
        return self.first.year

    @property
    def key(self) -> str:
        return f"{self.periodicidad}:{self.first.isoformat()}"

    def label(self) -> str:
        name = PERIODICIDADES[self.periodicidad]
        if self.first == self.last:
            return f"{name} {self.first:%d/%m/%Y}"
        return f"{name} {self.first:%d/%m/%Y}–{self.last:%d/%m/%Y}"

    def closes_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), zone)

    def deadline(self, zone: ZoneInfo) -> datetime:
        return self.closes_at(zone) + DEADLINE

    def next(self) -> Period:
        return period_of(self.periodicidad, self.last + timedelta(days=1))


def allowed(periodicidad: str, regimen_fiscal: str) -> bool:
    """Bimestral is for the Régimen de Incorporación Fiscal (621) only (Guía de llenado, InformacionGlobal)."""
    return periodicidad in PERIODICIDADES and (periodicidad != "05" or regimen_fiscal == BIMESTRAL_REGIMEN)


def period_of(periodicidad: str, day: date) -> Period:
    """The period of that kind containing ``day``. Meses names a single month, so a week is cut at the end of
    the month: a week that crosses two months is two semanal periods."""
    last_of_month = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if periodicidad == "01":
        return Period("01", day, day)
    if periodicidad == "02":
        monday = day - timedelta(days=day.weekday())
        return Period("02", max(monday, day.replace(day=1)), min(monday + timedelta(days=6), last_of_month))
    if periodicidad == "03":
        if day.day <= 15:
            return Period("03", day.replace(day=1), day.replace(day=15))
        return Period("03", day.replace(day=16), last_of_month)
    if periodicidad == "04":
        return Period("04", day.replace(day=1), last_of_month)
    if periodicidad == "05":
        first_month = day.month if day.month % 2 else day.month - 1
        end = date(day.year, first_month + 1, calendar.monthrange(day.year, first_month + 1)[1])
        return Period("05", date(day.year, first_month, 1), end)
    raise PeriodError(f"Periodicidad desconocida: {periodicidad}")


def parse_key(key: str) -> Period:
    """Inverse of ``Period.key`` (``"04:2026-11-01"``); raises ``PeriodError``."""
    kind, _, first = key.partition(":")
    try:
        day = date.fromisoformat(first)
    except ValueError:
        raise PeriodError(f"Periodo no válido: {key!r}") from None
    period = period_of(kind, day)
    if period.first != day:
        raise PeriodError(f"Periodo no válido: {key!r}")
    return period


def local_day(device_time: str, zone: ZoneInfo) -> date:
    """The day a sale happened, in the branch's zone (the till sends its own time with offset)."""
    moment = datetime.fromisoformat(device_time)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone).date()
