"""Column types shared by the schema: exact decimals stored as scaled integers.

Why: SQLite has no exact decimal type (SQLAlchemy's Numeric goes through float there and warns), and money
must never pass through float. Storing cents (scale 2) and thousandths (scale 3) as integers is exact on both
SQLite and PostgreSQL and keeps SQL sums exact. Must not round: a value with more decimals than the scale is
an error, because rounding is poscore's job (`poscore.money`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator


class Scaled(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of decimals, stored as an integer (e.g. 18.50 → 1850 with scale 2)."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self._factor = Decimal(10) ** scale

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        scaled = d * self._factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / self._factor).quantize(Decimal(1).scaleb(-self.scale))


def Money() -> Scaled:
    return Scaled(2)


def Qty() -> Scaled:
    return Scaled(3)
