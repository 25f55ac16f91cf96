"""The shift panel (the header's cashier button, ☰ → Turno): open a shift (a cashier's PIN, then the float),
"Cambiar cajero", entradas and salidas de efectivo with a reason, Corte X, Corte Z (screens/corte.py) and opening
the drawer without a sale (a supervisor's PIN). Each step stores its record through services/shifts.py before
it says it is done.

Must not compute the corte or validate a record (poscore through services/shifts.py), nor keep a PIN.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from caja_pos.screens.corte import CountDialog, corte_ticket
from caja_pos.screens.pin import ask_pin, supervisor_authorizes
from caja_pos.services.cashiers import Cashiers
from caja_pos.services.sales import StorageError
from caja_pos.services.shifts import Shifts
from caja_pos.services.tasks import spawn
from caja_pos.text.labels import L, lang
from caja_pos.ui import toast
from caja_pos.ui.dialogs import AnswerDialog, DialogView
from caja_pos.ui.dom import action_of, el
from poscore.messages import t
from poscore.money import ZERO, InvalidNumber, format_mxn
from poscore.shift import ShiftError
from poscore.typed import parse_typed

ShowTicket = Callable[[str, Any], None]


class AmountDialog(AnswerDialog):
    """An amount (the float, an entrada, a salida) and, when asked, its reason; answers (amount, reason)."""

    def __init__(self, title: str, with_reason: bool, allow_zero: bool = False) -> None:
        super().__init__()
        self.with_reason = with_reason
        self.allow_zero = allow_zero
        self.amount = el("input", "amount", id="amount-input", type="text", inputmode="decimal", autocomplete="off",
                         placeholder="0.00", aria_label=L("amount"))
        self.reason = el("input", None, id="amount-reason", type="text", autocomplete="off", maxlength="200",
                         aria_label=L("reason"), placeholder=L("reason")) if with_reason else None
        self.error = el("p", "error", id="amount-error", role="alert", hidden=True)
        self.box = el("div", "card dialog amount", id="amount-dialog", children=[
            el("h2", None, title),
            el("label", "pay-row", children=[el("span", None, L("amount")), self.amount]),
            el("label", "pay-row", children=[el("span", None, L("reason")), self.reason]) if self.reason else None,
            self.error,
            el("div", "actions", children=[
                el("button", "secondary", L("cancel"), type="button", data_action="amount-cancel", data_escape=True),
                el("button", "primary", L("accept"), id="amount-ok", type="button", data_action="amount-ok")]),
        ])
        self.on(self.box, "click", self._on_click)
        self.on(self.box, "keydown", self._on_key)

    def _on_key(self, event: Any) -> None:
        if event.key == "Enter":
            event.preventDefault()
            self.submit()

    def _on_click(self, event: Any) -> None:
        action, _ = action_of(event)
        if action == "amount-ok":
            self.submit()
        elif action == "amount-cancel":
            self.close()

    def _say(self, text: str) -> None:
        self.error.textContent = text
        self.error.hidden = False

    def submit(self) -> None:
        try:
            amount = parse_typed(str(self.amount.value) or "0")
        except InvalidNumber:
            self._say(t("invalid_amount", lang()))
            return
        if amount < ZERO or (amount == ZERO and not self.allow_zero) or amount != amount.quantize(Decimal("0.01")):
            self._say(t("invalid_amount", lang()))
            return
        reason = str(self.reason.value).strip() if self.reason is not None else ""
        if self.with_reason and not reason:
            self._say(L("reason_needed"))
            return
        self.answer((amount, reason))


async def ask_amount(title: str, with_reason: bool = False, allow_zero: bool = False) -> tuple[Decimal, str] | None:
    dialog = AmountDialog(title, with_reason, allow_zero)
    dialog.open()
    dialog.amount.focus()
    return await dialog.result  # type: ignore[no-any-return]


class ShiftPanel(DialogView):
    def __init__(self, shifts: Shifts, cashiers: Cashiers, terminal: dict, show_ticket: ShowTicket,
                 on_change: Callable[[], None]) -> None:
        super().__init__()
        self.shifts = shifts
        self.cashiers = cashiers
        self.terminal = terminal
        self.show_ticket = show_ticket
        self.on_change = on_change
        shift = shifts.current
        current = cashiers.current
        status = [el("p", None, f"{L('cashier_label')}: {current['name'] if current else L('cashier_none')}",
                     id="shift-who")]
        if shift is not None and shift.state == "abierto":
            status.append(el("p", "muted", f"{L('opening_float')}: {format_mxn(shift.opening_float)}",
                             id="shift-state", data_state="abierto"))
            buttons = [("shift-cashier", "change_cashier"), ("shift-cash-in", "cash_in"),
                       ("shift-cash-out", "cash_out"), ("shift-corte-x", "corte_x_button"),
                       ("shift-corte-z", "corte_z_button"), ("shift-drawer", "open_drawer")]
        else:
            status.append(el("p", "muted", L("shift_closed") if shift is not None else L("shift_needed"),
                             id="shift-state", data_state=shift.state if shift is not None else "none"))
            buttons = [("shift-open", "shift_open")]
        self.box = el("div", "card dialog", id="shift-panel", children=[
            el("h2", None, L("shift")), *status,
            *[el("button", "menu-item", L(label), id=action, type="button", data_action=action)
              for action, label in buttons],
            el("div", "actions", children=[el("button", "secondary", L("close"), type="button",
                                              data_action="shift-close", data_escape=True)]),
        ])
        self.on(self.box, "click", self._on_click)

    def _on_click(self, event: Any) -> None:
        action, _ = action_of(event)
        if action == "shift-close":
            self.close()
            return
        flows = {"shift-open": self.open_shift, "shift-cashier": self.change_cashier,
                 "shift-cash-in": lambda: self.move("entrada"), "shift-cash-out": lambda: self.move("salida"),
                 "shift-corte-x": self.corte_x, "shift-corte-z": self.corte_z, "shift-drawer": self.open_drawer}
        if action in flows:
            self.close()
            spawn(self._run(flows[action]))

    async def _run(self, flow: Callable[[], Any]) -> None:
        try:
            await flow()
        except ShiftError as exc:
            toast.show(t(exc.code, lang()))
        except StorageError as exc:
            toast.show(L("shift_save_failed", reason=L("storage_full") if exc.code == "storage_full" else exc.code))
        self.on_change()

    # ---------- flows ----------
    async def open_shift(self) -> None:
        cashier = await ask_pin(self.cashiers, reason=L("shift_open_title"))
        if cashier is None:
            return
        answer = await ask_amount(L("opening_float"), allow_zero=True)
        if answer is None:
            return
        await self.shifts.open(cashier, answer[0])
        toast.show(L("shift_opened"))

    async def change_cashier(self) -> None:
        cashier = await ask_pin(self.cashiers, reason=L("change_cashier"))
        if cashier is not None:
            await self.cashiers.set_current(cashier)

    async def move(self, kind: str) -> None:
        answer = await ask_amount(L("cash_in" if kind == "entrada" else "cash_out"), with_reason=True)
        if answer is None:
            return
        await self.shifts.move(kind, answer[0], answer[1])
        toast.show(L("movement_saved"))

    async def corte_x(self) -> None:
        record, figures = await self.shifts.corte_x()
        self.show_ticket(f"corte-x-{record.at[:10]}", await self._lines("X", figures, record.at))

    async def corte_z(self) -> None:
        expected = await self.shifts.expected()
        counted = await CountDialog(expected).ask()
        if counted is None:
            return
        amounts, pieces = counted
        record, figures = await self.shifts.corte_z(amounts, pieces)
        self.show_ticket(f"corte-z-{record.at[:10]}", await self._lines("Z", figures, record.at))
        toast.show(L("shift_closed"))

    async def _lines(self, kind: str, figures: Any, at: str) -> Any:
        shift = self.shifts.current
        assert shift is not None
        entradas, salidas, refunds = await self.shifts.movement_totals()
        cashier = self.cashiers.current or {}
        return corte_ticket(kind, figures, self.terminal, str(cashier.get("name", "")), shift, at, entradas,
                            salidas, refunds)

    async def open_drawer(self) -> None:
        if await supervisor_authorizes(self.cashiers, self.shifts, "open_drawer", None, L("auth_open_drawer")):
            toast.show(L("drawer_opened"))
        else:
            toast.show(L("auth_refused"))
