"""The cashiers of this till: the ERP's list (GET /api/cashiers, refreshed with the feeds and kept on the device),
who is selling now, and the offline PIN check.

Why the PIN is checked here and offline: the till sells without the network, so it keeps each cashier's PIN
verifier (PBKDF2-SHA256, a salt and 600,000 iterations: poscore.pin), never the PIN, and derives the typed PIN's
hash with the same parameters. The derivation is passed in: WebCrypto in the browser (native: a fraction of a
second), poscore.pin in CPython tests and where WebCrypto is missing (a page that is not a secure context).

A terminal whose shop has no cashiers sells as before: no PIN, no shift (``enabled`` is False).

Must not touch the DOM (screens/pin.py asks for the PIN) nor decide what needs a supervisor
(poscore.shift_records.needs_supervisor does).
"""
from __future__ import annotations

import base64
import hmac
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from caja_pos.net.erp import HttpError
from poscore.money import InvalidNumber, to_decimal
from poscore.pin import pbkdf2_sha256
from poscore.shift_records import needs_supervisor

Derive = Callable[[str, str, int], Awaitable[str]]
DEFAULT_DISCOUNT_PCT = Decimal(10)  # the ERP's default, until it has said its own
SUPERVISOR = "supervisor"
# Wrong PINs in a row before the till stops checking for a while: at the till a PIN is guessed by hand, and a
# pause after a few misses makes guessing through the screen hopeless without slowing a cashier who mistyped.
MAX_MISSES = 5
PAUSE_S = 30.0


async def derive_in_python(pin: str, salt_b64: str, iterations: int) -> str:
    """poscore.pin's PBKDF2 (the ERP's own): exact everywhere, slow in Pyodide without OpenSSL."""
    return base64.b64encode(pbkdf2_sha256(pin.encode(), base64.b64decode(salt_b64), iterations)).decode()


class Cashiers:
    def __init__(self, store: Any, storage: Any, derive: Derive = derive_in_python,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.clock = clock
        self.misses = 0
        self.paused_until = 0.0
        self.storage = storage
        self.derive = derive
        self.all: list[dict] = []
        self.current: dict | None = None
        self.discount_limit = DEFAULT_DISCOUNT_PCT
        self.listeners: list[Callable[[], None]] = []  # the header's name

    @property
    def enabled(self) -> bool:
        """Cashiers are configured for this shop: selling then needs a cashier and an open shift."""
        return bool(self.all)

    def by_id(self, cashier_id: Any) -> dict | None:
        return next((c for c in self.all if c.get("id") == cashier_id), None)

    def eligible(self, role: str | None = None) -> list[dict]:
        """Who may answer a PIN request: anyone, or only supervisors."""
        return [c for c in self.all if role is None or c.get("role") == role]

    async def load(self) -> None:
        """What the device kept: the list, the cashier selling now and the discount limit."""
        self.all = await self.store.cashiers()
        self._set_limit(await self.storage.get("supervisor_discount_pct"))
        self.current = self.by_id(await self.storage.get("cashier_id"))
        self._changed()

    async def refresh(self, http: Any, token: str) -> bool:
        """GET /api/cashiers and keep it (a deactivated cashier disappears, and stops selling here). Raises
        NetworkError; an ERP without the endpoint (HttpError) changes nothing and answers False."""
        try:
            answer = await http.request("GET", "/api/cashiers", token=token)
        except HttpError:
            return False
        cashiers = [c for c in answer.get("cashiers", []) if isinstance(c, dict) and "pin" in c]
        await self.store.replace_cashiers(cashiers)
        self.all = cashiers
        self._set_limit(answer.get("supervisor_discount_pct"))
        await self.storage.put("supervisor_discount_pct", str(self.discount_limit))
        if self.current is not None:
            self.current = self.by_id(self.current.get("id"))
        self._changed()
        return True

    def _set_limit(self, value: Any) -> None:
        try:
            self.discount_limit = to_decimal(str(value)) if value is not None else DEFAULT_DISCOUNT_PCT
        except InvalidNumber:
            self.discount_limit = DEFAULT_DISCOUNT_PCT

    def discount_needs_supervisor(self, typed: str) -> bool:
        """A line discount above the shop's limit needs a supervisor's PIN (never on a till without cashiers:
        nobody could give it)."""
        if not self.enabled:
            return False
        try:
            pct = to_decimal(typed)
        except InvalidNumber:
            return False  # the cart refuses it with its own reason
        return needs_supervisor("discount", pct, self.discount_limit)

    def pause_left(self) -> int:
        """Seconds before the till checks a PIN again after too many misses (0: it checks now)."""
        return max(0, int(self.paused_until - self.clock() + 0.999))

    async def check(self, cashier_id: Any, pin: str, role: str | None = None) -> dict | None:
        """The cashier when ``pin`` is theirs (and they have ``role``), else None (also while paused after
        ``MAX_MISSES`` wrong PINs in a row)."""
        if self.pause_left():
            return None
        found = await self._check(cashier_id, pin, role)
        if found is None:
            self.misses += 1
            if self.misses >= MAX_MISSES:
                self.misses = 0
                self.paused_until = self.clock() + PAUSE_S
        else:
            self.misses = 0
        return found

    async def _check(self, cashier_id: Any, pin: str, role: str | None) -> dict | None:
        cashier = self.by_id(cashier_id)
        if cashier is None or (role is not None and cashier.get("role") != role):
            return None
        verifier = cashier.get("pin") or {}
        if not pin.isascii() or not pin.isdigit():
            return None
        got = await self.derive(pin, str(verifier.get("salt", "")), int(verifier.get("iterations", 0)))
        return cashier if hmac.compare_digest(got.encode(), str(verifier.get("hash", "")).encode()) else None

    async def set_current(self, cashier: dict | None) -> None:
        """Who sells from now on (kept across reloads)."""
        self.current = cashier
        await self.storage.put("cashier_id", None if cashier is None else cashier["id"])
        self._changed()

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()
