"""Storing a sale on this device: the next local number, the sale built by the till (poscore), and ONE IndexedDB
transaction for the record, its outbox entry, its stock decrement and the sequence.

Why the number is not read before every sale: the number comes from the last one this tab stored (read from
IndexedDB once); the transaction refuses a number already used, so when another tab sold meanwhile the last number
is read again and the sale renumbered. A number is never reused, and a lone tab pays one IndexedDB round trip per
sale, not three (Web Lock + read + commit each cost a Python↔JS hop of 1–3 ms).

Must not compute totals or decide validity (poscore does, through the till), nor talk to the ERP.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import uuid4

from storage import SequenceUsed, Storage, StorageError

from caja_pos import platform
from caja_pos.services import clock
from caja_pos.services.till import Till
from poscore.payment import Payment
from poscore.sale import Sale

__all__ = ["COMMIT_TRIES", "CommitSale", "Sales", "SequenceUsed", "Started", "StorageError"]

# What the payment screen is given to store a sale (App.commit: Sales.commit, then the badge and a sync), with
# what to do while its transaction runs (`started`) and once it is stored (`stored`), see Sales.commit.
Started = Callable[[Sale], None]
CommitSale = Callable[[list[Payment], Started | None, Started | None], Awaitable[Sale]]

COMMIT_TRIES = 5  # numbers taken by other tabs between two tries of one sale (each try re-reads the last)


class Sales:
    def __init__(self, storage: Storage, till: Till, now: Callable[[], datetime] = clock.now) -> None:
        self.storage = storage
        self.till = till
        self.now = now
        self.last_seq: int | None = None  # last sale number stored by this tab; None: read it from IndexedDB
        # Who sells and in which shift (services/shifts.py `sale_fields`): {} on a till without cashiers.
        self.stamp: Callable[[], dict] = dict

    async def read_last_number(self) -> None:
        """Read the last number ahead of the first sale, so its transaction starts within the click."""
        last = await self.storage.last_sequence()
        if self.last_seq is None:
            self.last_seq = last

    async def commit(self, payments: list[Payment], started: Started | None = None,
                     stored: Started | None = None) -> Sale:
        """The cart as a stored sale; raises SaleError (poscore), SequenceUsed after COMMIT_TRIES numbers taken
        by other tabs, or StorageError (a full disk…). Nothing is stored and the cart is kept when it raises.

        `started(sale)` runs once the sale's transaction is under way and before its outcome is known (again
        for a renumbered sale): what the screen shows next is built while IndexedDB writes, not after.
        `stored(sale)` runs as soon as the transaction completed, before the till's own bookkeeping, in the same
        turn of the loop (nothing can happen in between): the cashier sees "Venta guardada" first."""
        for attempt in range(COMMIT_TRIES):
            if self.last_seq is None:
                self.last_seq = await self.storage.last_sequence()
            seq = self.till.next_seq(self.last_seq)
            stamp = self.stamp()
            now = self.now()  # one reading of the browser's clock: it is a call into JS
            sale = self.till.build_sale(payments, str(uuid4()), seq, now, stamp.get("cashier"))
            record = Till.sale_record(sale, now.isoformat())
            # contract: a SALE may carry cashier_id and shift_uuid beside the free-text cashier
            record["sale"].update({k: stamp[k] for k in ("cashier_id", "shift_uuid") if stamp.get(k) is not None})
            settle = self._settle(sale, stored)
            # idb.js settles a stored sale in the task its transaction completed in, a turn of the loop before
            # the await below resumes: the dialog then appears without waiting for that turn.
            on_stored, release = platform.once(settle)
            outcome = self.storage.begin_sale(record, Till.stock_decrement(sale), on_stored)
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
                release()
            settle()  # done already when idb.js called it
            break
        return sale

    def _settle(self, sale: Sale, stored: Started | None) -> Callable[[], None]:
        """What follows a stored sale, once: the screen's `stored`, then the number and the till move on. All in
        one go, so no event (a click on "Nueva venta") can come between the dialog and the till's new cart."""
        done = False

        def settle() -> None:
            nonlocal done
            if done:
                return
            done = True
            self.last_seq = sale.seq
            if stored is not None:
                try:
                    stored(sale)
                except Exception as exc:  # noqa: BLE001 - the sale is stored: the till's state must follow it anyway
                    print("caja: showing the saved sale:", exc)
            self.till.committed(sale)

        return settle
