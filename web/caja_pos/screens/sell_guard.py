"""What the selling screen asks of the shop's cashiers and shifts (``Guard``; app.App is one), and ``Unguarded``,
the answer of a till without cashiers.

Must not decide a shift, a role or a PIN itself (services/shifts.py and services/cashiers.py do), nor touch the DOM.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Protocol


class Guard(Protocol):
    """What selling asks of the shop's cashiers and shifts (app.App is one): whether a shift is open, the
    shift panel when it is not, and a supervisor's PIN for a discount above the shop's limit."""

    @property
    def discount_limit(self) -> Decimal | None: ...

    def may_sell(self) -> bool: ...

    def open_shift_panel(self) -> None: ...

    def discount_needs_supervisor(self, typed: str) -> bool: ...

    async def authorize(self, action: str, subject: str | None, reason: str) -> bool: ...


class Unguarded:
    """A till without cashiers: always in a shift, nobody to ask (the CPython screen tests' default)."""

    discount_limit: Decimal | None = None

    def may_sell(self) -> bool:
        return True

    def open_shift_panel(self) -> None:
        return None

    def discount_needs_supervisor(self, typed: str) -> bool:
        return False

    async def authorize(self, action: str, subject: str | None, reason: str) -> bool:
        return True
