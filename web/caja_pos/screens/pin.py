"""The PIN dialog: who is at the till (a cashier's name) and their PIN, checked offline against the verifier the
ERP sent (services/cashiers.py). `ask_pin(...)` opens it over whatever is open and answers the cashier whose PIN
was typed, or None when the cashier went back.

Used to sign in (open a shift, "Cambiar cajero") and for a supervisor's authorization (cancel a sale, a discount
above the shop's limit, open the drawer without a sale: `role="supervisor"` lists supervisors only).

Must not keep the PIN (the field is emptied after each try and the dialog goes with its DOM) nor record the
authorization itself (services/shifts.py does, after this answers).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from caja_pos.services.cashiers import SUPERVISOR, Cashiers
from caja_pos.services.shifts import Shifts
from caja_pos.services.tasks import spawn
from caja_pos.text.labels import L
from caja_pos.ui.dialogs import AnswerDialog
from caja_pos.ui.dom import action_of, el, replace


class PinDialog(AnswerDialog):
    def __init__(self, cashiers: Cashiers, role: str | None, reason: str) -> None:
        super().__init__()
        self.cashiers = cashiers
        self.role = role
        self.busy = False
        people = cashiers.eligible(role)
        current = cashiers.current
        self.chosen: Any = people[0]["id"] if len(people) == 1 else None
        if current is not None and any(c["id"] == current["id"] for c in people):
            self.chosen = current["id"]
        self.names = el("div", "pin-names", id="pin-names", role="group")
        self.input = el("input", "pin-input", id="pin-input", type="password", inputmode="numeric",
                        autocomplete="off", maxlength="8", aria_label=L("pin"), placeholder=L("pin"))
        self.error = el("p", "error", id="pin-error", role="alert", hidden=True)
        self.ok = el("button", "primary", L("accept"), id="pin-ok", type="button", data_action="pin-ok")
        body: list[Any] = [self.names, self.input, self.error]
        if not people:
            body = [el("p", "error", L("no_supervisors" if role else "no_cashiers"), id="pin-none")]
            self.ok.disabled = True
        self.box = el("div", "card dialog pin", id="pin-dialog", data_role=role or "", children=[
            el("h2", None, reason or L("pin_title")), *body,
            el("div", "actions", children=[
                el("button", "secondary", L("cancel"), id="pin-cancel", type="button", data_action="pin-cancel",
                   data_escape=True),
                self.ok]),
        ])
        self._draw_names(people)
        self.on(self.box, "click", self._on_click)
        self.on(self.box, "keydown", self._on_key)

    def _draw_names(self, people: list[dict]) -> None:
        replace(self.names, *[
            el("button", "toggle", str(c["name"]), type="button", data_action="pin-who", data_id=str(c["id"]),
               aria_pressed="true" if c["id"] == self.chosen else "false")
            for c in people])

    def _on_click(self, event: Any) -> None:
        action, node = action_of(event)
        if action == "pin-who":
            self.chosen = int(node.dataset.id)
            self._draw_names(self.cashiers.eligible(self.role))
            self.input.focus()
        elif action == "pin-ok":
            spawn(self.submit())
        elif action == "pin-cancel":
            self.close()

    def _on_key(self, event: Any) -> None:
        if event.key == "Enter":
            event.preventDefault()
            spawn(self.submit())

    def _say(self, key: str) -> None:
        self.error.textContent = L(key)
        self.error.hidden = False

    async def submit(self) -> None:
        if self.busy or self.destroyed:
            return
        if self.chosen is None:
            self._say("pin_choose")
            return
        pin = str(self.input.value)
        self.input.value = ""
        self.busy = True
        self.ok.disabled = True
        try:
            cashier = await self.cashiers.check(self.chosen, pin, self.role)
        finally:
            self.busy = False
            self.ok.disabled = False
        if cashier is None:
            wait = self.cashiers.pause_left()
            if wait:
                self.error.textContent = L("pin_paused", s=wait)
                self.error.hidden = False
            else:
                self._say("pin_wrong")
            self.input.focus()
            return
        self.answer(cashier)


def supervisor_pin(cashiers: Cashiers, shifts: Shifts, action: str
                   ) -> Callable[[str, str | None], Awaitable[str | None]]:
    """`await authorize(reason, subject)` for `action`: a supervisor's PIN, recorded like every authorization
    (services/shifts.py) → the supervisor's name; "" on a till without cashiers (nobody to ask: allowed, nobody
    named); None when refused."""
    async def authorize(reason: str, subject: str | None) -> str | None:
        if not cashiers.enabled:
            return ""
        supervisor = await ask_pin(cashiers, role=SUPERVISOR, reason=reason)
        if supervisor is None:
            return None
        await shifts.authorize(supervisor, action, subject)
        return str(supervisor["name"])

    return authorize


async def ask_pin(cashiers: Cashiers, *, role: str | None = None, reason: str = "") -> dict | None:
    """Open the PIN dialog on top and wait: the cashier who typed their PIN, or None (went back)."""
    dialog = PinDialog(cashiers, role, reason)
    dialog.open()
    dialog.input.focus()
    return await dialog.result  # type: ignore[no-any-return]


async def supervisor_authorizes(cashiers: Cashiers, shifts: Shifts, action: str, subject: str | None,
                                reason: str) -> bool:
    """Ask a supervisor's PIN for `action` and record who gave it (services/shifts.py); True when given. A till
    without cashiers has nobody to ask and goes on as before: True."""
    return await supervisor_pin(cashiers, shifts, action)(reason, subject) is not None
