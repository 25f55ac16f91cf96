"""Storing a sale on this device: the next local number, the sale built by the till (poscore), and ONE IndexedDB
transaction for the record, its outbox entry, its stock decrement and the sequence.

Why the number is not read before every sale: the number comes from the last one this tab stored (read from
IndexedDB once); the transaction refuses a number already used, so when another tab sold meanwhile the last number
is read again and the sale renumbered. A number is never reused, and a lone tab pays one IndexedDB round trip per
sale, not three (Web Lock + read + commit each cost a Python↔JS hop of 1–3 ms).

Why a draft: the sale is made while the cashier is on the payment screen (`prepare`, each time what is paid
changes): its lines, totals, its identity (a uuid, the next number) and its record as JSON text, everything but
the time. "Confirmar cobro" then only puts the click's time into that text and hands idb.js the string; the
sale object with that time is made after the transaction started, while IndexedDB writes. Every bit of Python
between the click and the transaction's start is in "Cobrar → guardada" (the browser's database work cannot
begin before it). A draft whose number was taken meanwhile (another tab) is stamped afresh, as a renumbered sale.

Must not compute totals or decide validity (poscore does, through the till), nor talk to the ERP.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from storage import SequenceUsed, Storage, StorageError

from caja_pos import platform
from caja_pos.services import clock
from caja_pos.services.till import Till
from poscore.payment import Payment
from poscore.sale import Sale, device_time_text

__all__ = ["COMMIT_TRIES", "CommitSale", "Sales", "SequenceUsed", "Started", "StorageError"]

# What the payment screen is given to store a sale (App.commit: Sales.commit, then the badge and a sync), with
# what to do while its transaction runs (`started`) and once it is stored (`stored`), see Sales.commit.
Started = Callable[[Sale], None]
CommitSale = Callable[[list[Payment], Started | None, Started | None], Awaitable[Sale]]

COMMIT_TRIES = 5  # numbers taken by other tabs between two tries of one sale (each try re-reads the last)
_IDENTITY = ("uuid", "seq", "number", "created_at", "sale")  # record fields around the click's time
_SALE_IDENTITY = ("uuid", "seq", "number", "device_time")  # SALE fields around it


@dataclass(frozen=True)
class _Draft:
    """A sale made ahead from the till's state (`inputs`), with its identity (uuid, seq, number), and its record
    and stock decrement as JSON text: `head` + the click's time + `middle` + the same time + `tail` (`rest` and
    `sale_rest` are the record's and the SALE's members but the identity, for a sale renumbered)."""

    inputs: tuple
    sale: Sale
    rest: str
    sale_rest: str
    stock_json: str
    head: str
    middle: str
    tail: str

    def record_at(self, created: str, when: str) -> str:
        """The record of this sale as the click makes it: its time (record `created_at`, SALE `device_time`)."""
        return f"{self.head}{json.dumps(created)}{self.middle}{json.dumps(when)}{self.tail}"

    def stamped(self, uuid: str, seq: int, now: datetime) -> tuple[Sale, str]:
        """The sale under another identity, and its record as JSON (the record Till.sale_record gives, same fields)."""
        sale = self.sale.stamped(uuid, seq, now)
        head, middle, tail = _record_parts(uuid, seq, sale.number, self.rest, self.sale_rest)
        return sale, f"{head}{json.dumps(now.isoformat())}{middle}{json.dumps(sale.device_time)}{tail}"


def _record_parts(uuid: str, seq: int, number: str, rest: str, sale_rest: str) -> tuple[str, str, str]:
    u, n = json.dumps(uuid), json.dumps(number)
    return (f'{{"uuid":{u},"seq":{seq},"number":{n},"created_at":',
            f',{rest},"sale":{{"uuid":{u},"seq":{seq},"number":{n},"device_time":',
            f',{sale_rest}}}}}')


class Sales:
    def __init__(self, storage: Storage, till: Till, now: Callable[[], datetime] = clock.now) -> None:
        self.storage = storage
        self.till = till
        self.now = now
        self.last_seq: int | None = None  # last sale number stored by this tab; None: read it from IndexedDB
        # Who sells and in which shift (services/shifts.py `sale_fields`): {} on a till without cashiers.
        self.stamp: Callable[[], dict] = dict
        self._draft: _Draft | None = None
        # Stored sales' follow-ups by uuid, called by idb.js through ONE function made once (not one per sale).
        self._settling: dict[str, Callable[[], None]] = {}
        self._on_stored: Any = None
        till.prepare = self.prepare  # the payment screen asks for the draft through the till it shares

    async def read_last_number(self) -> None:
        """Read the last number ahead of the first sale, so its transaction starts within the click."""
        last = await self.storage.last_sequence()
        if self.last_seq is None:
            self.last_seq = last

    # ---------- the draft ----------
    def _inputs(self, payments: list[Payment], stamp: dict) -> tuple:
        """What the sale is made from; compared by identity where the till replaces an object on every change."""
        till = self.till
        return (till.cart, tuple(till.cart.lines), till.customer, till.sale_type, till.terminal, tuple(payments),
                tuple(sorted(stamp.items())))

    def prepare(self, payments: list[Payment]) -> Sale | None:
        """Make the sale ahead with these payments (the payment screen, as they change) and return it, with the
        number it will most likely get (the next after this tab's last). A sale poscore refuses is not made
        (None): the click raises the refusal."""
        try:
            self._draft = self._make(payments, self.stamp())
        except Exception:  # noqa: BLE001 - the click makes it again and shows the refusal
            self._draft = None
        return None if self._draft is None else self._draft.sale

    def _make(self, payments: list[Payment], stamp: dict) -> _Draft:
        seq = self.till.next_seq(self.last_seq or 0)
        now = self.now()
        # A uuid of its own: a draft never stored (the cart changed, the number was taken) leaves nothing behind.
        sale = self.till.build_sale(payments, str(uuid4()), seq, now, stamp.get("cashier"))
        record = Till.sale_record(sale, now.isoformat())
        # contract: a SALE may carry cashier_id and shift_uuid beside the free-text cashier
        body = record["sale"]
        body.update({k: stamp[k] for k in ("cashier_id", "shift_uuid") if stamp.get(k) is not None})
        rest = json.dumps({k: v for k, v in record.items() if k not in _IDENTITY}, separators=(",", ":"))
        sale_rest = json.dumps({k: v for k, v in body.items() if k not in _SALE_IDENTITY}, separators=(",", ":"))
        stock = json.dumps({str(k): v for k, v in Till.stock_decrement(sale).items()})
        parts = _record_parts(sale.uuid, seq, sale.number, rest[1:-1], sale_rest[1:-1])
        return _Draft(self._inputs(payments, stamp), sale, rest[1:-1], sale_rest[1:-1], stock, *parts)

    def _draft_for(self, payments: list[Payment], stamp: dict) -> _Draft:
        """The draft made ahead when the till is as it was then, else one made now."""
        draft = self._draft
        if draft is not None and _same(draft.inputs, self._inputs(payments, stamp)):
            return draft
        return self._make(payments, stamp)

    # ---------- the commit ----------
    async def commit(self, payments: list[Payment], started: Started | None = None,
                     stored: Started | None = None) -> Sale:
        """The cart as a stored sale; raises SaleError (poscore), SequenceUsed after COMMIT_TRIES numbers taken
        by other tabs, or StorageError (a full disk…). Nothing is stored and the cart is kept when it raises.

        `started(sale)` runs once the sale's transaction is under way and before its outcome is known (again
        for a renumbered sale): what the screen shows next is built while IndexedDB writes, not after.
        `stored(sale)` runs once the transaction completed, before the till's own bookkeeping, in the same turn
        of the loop (nothing can happen in between): the cashier sees "Venta guardada" first."""
        draft = self._draft_for(payments, self.stamp())
        for attempt in range(COMMIT_TRIES):
            if self.last_seq is None:
                self.last_seq = await self.storage.last_sequence()
            seq, now = self.till.next_seq(self.last_seq), self.now()
            if attempt == 0 and seq == draft.sale.seq:  # the usual case: the number made ahead is the next one
                when = device_time_text(now)  # the only check left (a time without offset); raises before storing
                outcome = self.storage.begin_sale(draft.record_at(now.isoformat(), when), draft.stock_json,
                                                  self._stored_hook())
                sale = draft.sale.at(when)  # while IndexedDB writes (`when` passed the check above)
            else:
                sale, record_json = draft.stamped(str(uuid4()), seq, now)
                outcome = self.storage.begin_sale(record_json, draft.stock_json, self._stored_hook())
            # idb.js settles a stored sale in the task its transaction completed in (never within this call), a
            # turn of the loop before the await below resumes: the dialog then appears without waiting for that turn.
            settle = self._settling[sale.uuid] = self._settle(sale, stored)
            if started is not None:
                try:
                    started(sale)
                except Exception as exc:  # noqa: BLE001 - the transaction runs anyway: its outcome decides, not the screen
                    print("caja: preparing the saved sale's dialog:", exc)
            try:
                await outcome
            except SequenceUsed:
                self.last_seq = None  # another tab took this number: read the last one again
                if attempt == COMMIT_TRIES - 1:
                    raise
                continue
            finally:
                self._settling.pop(sale.uuid, None)
            settle()  # done already when idb.js called it
            break
        return sale

    def _stored_hook(self) -> Any:
        """The one function idb.js calls with a stored sale's uuid (made on the first sale, then kept)."""
        if self._on_stored is None:
            self._on_stored = platform.js_function(self._stored_now)
        return self._on_stored

    def _stored_now(self, uuid: Any = None) -> None:
        settle = self._settling.pop(str(uuid), None)
        if settle is not None:
            settle()

    def _settle(self, sale: Sale, stored: Started | None) -> Callable[[], None]:
        """What follows a stored sale, once: the screen's `stored`, then the number and the till move on. All in
        one go, so no event (a click on "Nueva venta") can come between the dialog and the till's new cart."""
        done = False

        def settle() -> None:
            nonlocal done
            if done:
                return
            done = True
            self._draft = None  # sold: the next sale is made afresh
            self.last_seq = sale.seq
            if stored is not None:
                try:
                    stored(sale)
                except Exception as exc:  # noqa: BLE001 - the sale is stored: the till's state must follow it anyway
                    print("caja: showing the saved sale:", exc)
            self.till.committed(sale)

        return settle


def _same(a: tuple, b: tuple) -> bool:
    """Drafts' inputs alike: the cart, its lines (frozen: a change makes a new one), the customer and the terminal
    the very same objects, the sale type, payments and cashier equal."""
    cart, lines, customer, sale_type, terminal, payments, stamp = a
    cart_b, lines_b, customer_b, sale_type_b, terminal_b, payments_b, stamp_b = b
    return (cart is cart_b and customer is customer_b and terminal is terminal_b and len(lines) == len(lines_b)
            and all(x is y for x, y in zip(lines, lines_b, strict=True))
            and (sale_type, payments, stamp) == (sale_type_b, payments_b, stamp_b))
