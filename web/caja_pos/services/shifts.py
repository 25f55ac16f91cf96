"""The till's shift (turno): opening it with a float, cash movements (entradas/salidas with a reason), Corte X
(a reading) and Corte Z (the close), supervisor authorizations, and what each sale carries (cashier and shift).
Every record is built and validated by poscore.shift_records and stored with its outbox entry in ONE durable
IndexedDB transaction (services/shift_store.py); `upload_shift_records` sends them like the voids.

Why the shift is read back from IndexedDB at boot: a till that reloads, restarts or crashes mid-shift resumes the
same shift (meta `shift_uuid` names it; its record keeps poscore.shift.LocalShift's state), and a closed shift
stays closed until a new one opens.

A shop without cashiers sells without a shift, as before (`required` is False): the tills that never set up
cashiers keep working unchanged.

Must not compute the corte's arithmetic (poscore.shift does) nor touch the DOM.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from caja_pos.net.erp import HttpError
from caja_pos.services import clock
from caja_pos.services.cashiers import Cashiers
from caja_pos.services.shift_store import KINDS, ShiftStore
from caja_pos.text.labels import lang
from poscore.lifecycle import CANCELLED
from poscore.messages import answer_text
from poscore.money import ZERO
from poscore.payment import Payment
from poscore.sale import Sale
from poscore.shift import (
    CorteFigures,
    LocalShift,
    ShiftActivity,
    can_sell,
    corte,
    expected_by_method,
    refunded_by_method,
    tenders_of,
)
from poscore.shift_records import Authorization, CashMovement, CorteRecord, ShiftOpened

CURRENT = "shift_uuid"  # meta key: the shift this till is in (open, or closed until the next one opens)
BATCH = 500  # the ERP takes at most 500 records per request
ENDPOINTS = {"shift": "shifts", "cash_movement": "cash_movements", "corte": "cortes",
             "authorization": "authorizations"}


class Shifts:
    def __init__(self, store: ShiftStore, storage: Any, cashiers: Cashiers,
                 now: Callable[[], datetime] = clock.now, new_uuid: Callable[[], str] = lambda: str(uuid4())) -> None:
        self.store = store
        self.storage = storage
        self.cashiers = cashiers
        self.now = now
        self.new_uuid = new_uuid
        self.current: LocalShift | None = None
        self.listeners: list[Callable[[], None]] = []

    # ---------- state ----------
    @property
    def required(self) -> bool:
        """Selling needs a cashier and an open shift only where the shop has cashiers."""
        return self.cashiers.enabled

    def can_sell(self) -> bool:
        return not self.required or (can_sell(self.current) and self.cashiers.current is not None)

    async def load(self) -> None:
        """The shift this till was in before the reload (open or closed), or none."""
        uuid = await self.storage.get(CURRENT)
        record = await self.store.record("shifts", uuid) if uuid else None
        self.current = LocalShift.from_json(record) if record else None
        self._changed()

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    def _at(self) -> str:
        return self.now().isoformat()

    def _cashier_id(self) -> int:
        if self.cashiers.current is None:
            raise ValueError("no cashier")
        return int(self.cashiers.current["id"])

    # ---------- what a sale carries ----------
    def sale_fields(self) -> dict[str, Any]:
        """The cashier (name, and id for the ERP's check) and the shift of a sale made now; {} without cashiers."""
        cashier = self.cashiers.current
        if not self.required or cashier is None:
            return {}
        return {"cashier": str(cashier["name"]), "cashier_id": int(cashier["id"]),
                "shift_uuid": self.current.uuid if self.current is not None else None}

    # ---------- records ----------
    async def open(self, cashier: dict, opening_float: Decimal) -> LocalShift:
        """A new shift for `cashier` (who also becomes the one selling) with its float; raises ShiftError
        (poscore) for a bad amount, StorageError when nothing could be stored."""
        opened = ShiftOpened.from_json({"uuid": self.new_uuid(), "cashier_id": int(cashier["id"]),
                                        "opened_at": self._at(), "opening_float": str(opening_float)})
        shift = LocalShift(opened.uuid, opened.cashier_id, opened.opened_at, opened.opening_float)
        await self.store.write([{"store": "shifts", "record": shift.to_json(), "outbox": "shift",
                                 "wire": opened.to_json(), "at": opened.opened_at}],
                               {CURRENT: shift.uuid, "cashier_id": cashier["id"]})
        self.current = shift
        await self.cashiers.set_current(cashier)
        self._changed()
        return shift

    async def move(self, kind: str, amount: Decimal, reason: str) -> CashMovement:
        """An entrada or salida de efectivo of the open shift; raises ShiftError for a bad amount or reason."""
        assert self.current is not None
        movement = CashMovement.from_json({"uuid": self.new_uuid(), "shift_uuid": self.current.uuid,
                                           "cashier_id": self._cashier_id(), "kind": kind, "amount": str(amount),
                                           "reason": reason.strip(), "at": self._at()})
        record = movement.to_json()
        await self.store.write([{"store": "cash_movements", "record": record, "outbox": "cash_movement",
                                 "at": movement.at}])
        return movement

    async def authorize(self, supervisor: dict, action: str, subject: str | None = None) -> Authorization:
        """Record that `supervisor` gave their PIN for `action` (the sale's uuid, the discount's %)."""
        cashier = self.cashiers.current or supervisor
        auth = Authorization.from_json({
            "uuid": self.new_uuid(), "supervisor_id": int(supervisor["id"]), "cashier_id": int(cashier["id"]),
            "action": action, "at": self._at(), "subject": subject,
            "shift_uuid": self.current.uuid if self.current is not None else None})
        await self.store.write([{"store": "authorizations", "record": auth.to_json(), "outbox": "authorization",
                                 "at": auth.at}])
        return auth

    # ---------- the corte ----------
    async def activity(self) -> ShiftActivity:
        """Everything that moved money during the current shift: its sales (a cancelled one moved nothing: its
        money went back whole), the refunds of its returns, entradas and salidas."""
        assert self.current is not None
        uuid = self.current.uuid
        sales = [Sale.from_json(r["sale"]) for r in await self.storage.sales()
                 if r.get("sale", {}).get("shift_uuid") == uuid and r.get("state") != CANCELLED]
        moves = await self.store.records("cash_movements", uuid)
        # Returns refunded during the shift left the drawer (or the card terminal) even when the ERP later rejects
        # one: the corte counts the money as it moved.
        refunds = [Payment(r["refund_method"], Decimal(r["total"])) for r in await self.storage.returns()
                   if r.get("shift_uuid") == uuid and Decimal(r["total"]) > ZERO]
        return ShiftActivity(self.current.opening_float, tenders_of(sales), refunds=refunds,
                             entradas=[Decimal(m["amount"]) for m in moves if m["kind"] == "entrada"],
                             salidas=[Decimal(m["amount"]) for m in moves if m["kind"] == "salida"])

    async def expected(self) -> dict[str, Decimal]:
        return expected_by_method(await self.activity())

    async def corte_x(self) -> tuple[CorteRecord, CorteFigures]:
        """A reading: what the drawer should hold now (counted = expected), recorded and sent; the shift goes on."""
        expected = await self.expected()
        record = self._corte("X", expected, expected, None)
        await self.store.write([{"store": "cortes", "record": record.to_json(), "outbox": "corte", "at": record.at}])
        return record, corte(expected, expected)

    async def corte_z(self, counted: dict[str, Decimal], cash_count: dict[str, int] | None
                      ) -> tuple[CorteRecord, CorteFigures]:
        """The close: expected vs counted, the corte and the shift's closing in one transaction; selling stops
        until a new shift opens. Raises ShiftError (count_mismatch, invalid_amount…) with nothing stored."""
        assert self.current is not None
        expected = await self.expected()
        record = self._corte("Z", expected, counted, cash_count)
        closed = self.current.close(record.uuid, record.at)
        await self.store.write([{"store": "cortes", "record": record.to_json(), "outbox": "corte", "at": record.at},
                                {"store": "shifts", "record": closed.to_json()}])
        self.current = closed
        self._changed()
        return record, corte(expected, counted)

    def _corte(self, kind: str, expected: dict[str, Decimal], counted: dict[str, Decimal],
               cash_count: dict[str, int] | None) -> CorteRecord:
        assert self.current is not None
        return CorteRecord.from_json({
            "uuid": self.new_uuid(), "shift_uuid": self.current.uuid, "cashier_id": self._cashier_id(),
            "kind": kind, "at": self._at(),
            "expected": {m: str(a) for m, a in expected.items() if a or m == "efectivo"},
            "counted": {m: str(a) for m, a in counted.items() if a or m == "efectivo"},
            "cash_count": cash_count})

    async def movement_totals(self) -> tuple[Decimal, Decimal, dict[str, Decimal]]:
        """(entradas, salidas, refunded by method) of the current shift, for the corte ticket."""
        activity = await self.activity()
        return sum(activity.entradas, ZERO), sum(activity.salidas, ZERO), refunded_by_method(activity)


async def upload_shift_records(http: Any, store: ShiftStore, token: str) -> dict:
    """POST the queued shift records, shifts first; accepted (or duplicate) ones leave the outbox, rejected ones
    stay with their reason, like the voids. Raises NetworkError; an ERP without these endpoints (HttpError) stops
    the run with nothing changed."""
    report: dict[str, Any] = {"accepted": 0, "rejected": []}
    for kind, _store in KINDS:
        entries = await store.pending(kind)
        key = ENDPOINTS[kind]
        for i in range(0, len(entries), BATCH):
            batch = entries[i:i + BATCH]
            try:
                answer = await http.request("POST", f"/api/{key}", {key: [e["record"] for e in batch]}, token=token)
            except HttpError as exc:
                report["rejected"].append((key, exc.text(lang())))
                return report
            done, failed = [], []
            for r in answer.get("results", []):
                if r.get("status") == "accepted":
                    done.append(r["uuid"])
                else:
                    failed.append({"uuid": r.get("uuid"), "error": r.get("error"), "params": r.get("params") or {},
                                   "message": r.get("message")})
                    report["rejected"].append((r.get("uuid"), answer_text(r, lang())))
            await store.settle(done, failed)
            report["accepted"] += len(done)
    return report
