"""The till's people, as the screens meet them: who sells (the header's cashier button), the shift panel, a
supervisor's PIN for what needs one, the corte's ticket, and Ventas' door to returns. It is the selling screen's
`Guard` (screens/sell.py) and what Ventas is given to authorize a cancellation.

A shop without cashiers goes through here too and meets nobody: no PIN, no shift, selling as before (the
services decide that: `Cashiers.enabled`).

Must not hold the rules of a shift or a PIN (poscore.shift, poscore.pin, services/shifts.py and
services/cashiers.py do) nor store anything itself (the services do).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from caja_pos.screens.pin import supervisor_authorizes, supervisor_pin
from caja_pos.screens.returns import ReturnsDoor
from caja_pos.screens.shift import ShiftPanel
from caja_pos.screens.ticket import TicketPreview
from caja_pos.services.cashiers import Cashiers
from caja_pos.services.device_store import Settings
from caja_pos.services.returns import Returns
from caja_pos.services.shifts import Shifts
from caja_pos.services.till import Till
from caja_pos.ui.header import show_cashier


class Staff:
    def __init__(self, cashiers: Cashiers, shifts: Shifts, settings: Settings,
                 recorded: Callable[[], None], send_soon: Callable[[], None]) -> None:
        """`recorded`: something went into the outbox (the sync icon counts it); `send_soon`: and it should go."""
        self.cashiers = cashiers
        self.shifts = shifts
        self.settings = settings
        self.recorded = recorded
        self.send_soon = send_soon
        self.till: Till | None = None  # once paired
        cashiers.listeners.append(self.show)
        shifts.listeners.append(self.show)

    async def load(self, till: Till) -> None:
        """The device is paired: read who sells and the open shift (a reload resumes them)."""
        self.till = till
        await self.reload()

    async def reload(self) -> None:
        """Another tab opened or closed the shift, or changed the cashier: read them again so no tab sells into a
        closed shift."""
        if self.till is not None:
            await self.cashiers.load()
            await self.shifts.load()

    def show(self) -> None:
        """The header's cashier button (in the current language)."""
        current = self.cashiers.current
        show_cashier(self.cashiers.enabled, None if current is None else str(current["name"]),
                     None if self.shifts.current is None else self.shifts.current.state)

    # ---------- the selling screen's Guard ----------
    @property
    def discount_limit(self) -> Decimal | None:
        return self.cashiers.discount_limit

    def may_sell(self) -> bool:
        """False while a shop with cashiers has no open shift (or nobody signed in): "Cobrar" opens the shift
        panel instead."""
        return self.shifts.can_sell()

    def open_shift_panel(self) -> None:
        if self.till is not None:
            ShiftPanel(self.shifts, self.cashiers, self.till.terminal, self.corte_ticket,
                       on_change=self._shift_changed).open()

    def discount_needs_supervisor(self, typed: str) -> bool:
        return self.cashiers.discount_needs_supervisor(typed)

    async def authorize(self, action: str, subject: str | None, reason: str) -> bool:
        """A supervisor's PIN for `action`, recorded (and sent) with who gave it; True when given (a till
        without cashiers has nobody to ask: True)."""
        given = await supervisor_authorizes(self.cashiers, self.shifts, action, subject, reason)
        self.recorded()
        return given

    # ---------- tickets and returns ----------
    def _shop(self) -> dict:
        return (self.till.terminal.get("shop") or {}) if self.till is not None else {}

    def corte_ticket(self, name: str, lines: Any) -> None:
        """The corte's ticket in the sales' ticket preview (58/80 mm, save, print)."""
        TicketPreview(self.settings, self._shop(), {"number": name}, lambda: None, lines=lines)

    def returns_door(self, returns: Returns, after_return: Callable[[], Awaitable[None]]) -> ReturnsDoor:
        """What Ventas' returns use (screens/returns.py): the ticket, the supervisor's PIN, the shift."""
        returns.stamp = self.shifts.sale_fields  # the cashier returning, and the shift whose corte pays it
        return ReturnsDoor(returns, open_ticket=lambda record, back: TicketPreview(
                               self.settings, self._shop(), record, back),
                           after_return=after_return, shop=self._shop,
                           authorize=supervisor_pin(self.cashiers, self.shifts, "return_sale"),
                           in_shift=self.shifts.can_sell)

    def _shift_changed(self) -> None:
        self.recorded()
        self.send_soon()
