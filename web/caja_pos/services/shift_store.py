"""Cashiers and shift records in IndexedDB, seen from Python: thin async wrappers over web/idb/idb_shifts.js
(JSON strings across the boundary, like storage.py and the outbox's wrappers).

Must not decide anything (who may sign in, what the corte expects: services/cashiers.py, services/shifts.py and
poscore do) nor touch the DOM. Browser-free: the JS module is passed in, so tests/web drive it with a fake.
"""
from __future__ import annotations

import json
from typing import Any

from storage import StorageError

# Outbox kinds of shift records and their stores, in the order they are sent: a movement, a corte or an
# authorization names its shift, which the ERP should see first (one it has not seen yet is also fine).
KINDS = (("shift", "shifts"), ("cash_movement", "cash_movements"), ("corte", "cortes"),
         ("authorization", "authorizations"))
STORE_OF = dict(KINDS)


class ShiftStore:
    def __init__(self, idb: Any) -> None:
        self._idb = idb

    # ---- cashiers (GET /api/cashiers) ----
    async def cashiers(self) -> list[dict]:
        return json.loads(await self._idb.cashiersAll())

    async def replace_cashiers(self, cashiers: list[dict]) -> None:
        await self._idb.cashiersReplace(json.dumps(cashiers))

    # ---- shift records ----
    async def write(self, ops: list[dict], meta: dict[str, Any] | None = None) -> None:
        """Records (``{"store", "record", "outbox": kind|None, "wire": what is sent, "at"}``) and meta keys in ONE
        durable transaction; raises StorageError (nothing written) when IndexedDB refuses."""
        code = str(await self._idb.shiftWrite(json.dumps(ops), json.dumps(meta or {})) or "")
        if code:
            kind, _, detail = code.partition(":")
            raise StorageError(kind, detail)

    async def records(self, store: str, shift_uuid: str | None = None) -> list[dict]:
        return json.loads(await self._idb.shiftRecords(store, shift_uuid))

    async def record(self, store: str, uuid: str) -> dict | None:
        raw = await self._idb.shiftRecord(store, uuid)
        return json.loads(raw) if isinstance(raw, str) else None

    # ---- the outbox entries of shift records ----
    async def pending(self, kind: str) -> list[dict]:
        return json.loads(await self._idb.outboxEntries(kind))

    async def settle(self, done: list[str], failed: list[dict]) -> None:
        await self._idb.outboxSettle(json.dumps(done), json.dumps(failed))


async def derive_pin(idb: Any, pin: str, salt_b64: str, iterations: int) -> str:
    """The PIN's PBKDF2 hash (base64) through the browser's WebCrypto (idb_shifts.js ``pbkdf2``)."""
    return str(await idb.pbkdf2(pin, salt_b64, iterations))
