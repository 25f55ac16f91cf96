"""Payment screen: efectivo (cash received → cambio), tarjeta de crédito/débito, transferencia, or a mix;
"Confirmar cobro" commits the sale (App.commit: one IndexedDB transaction) and only then says "Venta guardada"
with the local number (T01-000123). If the commit fails (quota, storage error) the cashier sees why and the cart
is kept untouched. Quick-cash buttons put the banknotes a customer is likely to hand over (poscore.payment
.quick_cash) in the cash field; on a touch screen a tap on an amount opens the numeric pad (ui/numpad.py).

Must not compute change or what is missing itself: poscore.payment / poscore.sale do.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from caja_pos.services.sales import CommitSale, StorageError
from caja_pos.services.tasks import start_now
from caja_pos.services.till import Till
from caja_pos.text.labels import L, lang
from caja_pos.ui.dialogs import DialogView
from caja_pos.ui.dom import action_of, by_id, el, replace
from caja_pos.ui.numpad import NumPad, is_touch
from poscore.messages import t
from poscore.money import ZERO, InvalidNumber, format_mxn
from poscore.payment import CASH, Payment, PaymentError, change_due, quick_cash
from poscore.sale import SaleError, missing_amount
from poscore.typed import parse_typed

BUSY_AFTER_S = 0.1  # a commit still running after this long greys "Confirmar cobro" out

FIELDS = (("efectivo", "cash_received"), ("tarjeta_credito", "card_credit"), ("tarjeta_debito", "card_debit"),
          ("transferencia", "transfer"))


class PaymentScreen(DialogView):
    def __init__(self, till: Till, commit: CommitSale, on_done: Callable[[], None]) -> None:
        super().__init__()
        self.commit = commit
        self.on_done = on_done
        self.till = till
        self.total: Decimal = till.cart.totals().total
        self.inputs: dict[str, Any] = {}
        self.busy = False
        rows = []
        for method, key in FIELDS:
            field = el("input", "amount", id=f"pay-{method}", type="text", inputmode="decimal", autocomplete="off",
                       placeholder="0.00", data_method=method, aria_label=L(key))
            self.inputs[method] = field
            extra = None
            if method == CASH:
                extra = el("button", "secondary", L("exact"), type="button", data_action="exact")
            rows.append(el("label", "pay-row", children=[el("span", None, L(key)), field, extra]))
            if method == CASH:
                rows.append(el("div", "actions quick-cash", id="quick-cash", role="group", aria_label=L("quick_cash"),
                               children=[el("button", "secondary", format_mxn(amount), type="button",
                                            data_action="quick", data_amount=str(amount))
                                         for amount in quick_cash(self.total)[1:]]))
        self.reference = el("input", None, id="pay-reference", type="text", autocomplete="off",
                            aria_label=L("reference"), placeholder=L("reference"))
        rows.append(el("label", "pay-row", children=[el("span", None, L("reference")), self.reference]))
        self.status = el("p", "pay-status", id="pay-status")
        self.error = el("p", "error", id="pay-error", role="alert", hidden=True)
        self.confirm = el("button", "primary big", L("confirm_payment"), id="pay-confirm", type="button",
                          data_action="confirm")
        self.form = el("div", "pay-form", children=[
            el("h2", None, L("payment_title")),
            el("p", "pay-total", format_mxn(self.total), id="pay-total"),
            *rows, self.status, self.error,
            el("div", "actions", children=[
                el("button", "secondary", L("cancel"), type="button", data_action="close"), self.confirm]),
        ])
        self.box = el("div", "card dialog payment", id="payment", children=[self.form])
        # "Venta guardada", built now and filled in while the sale's transaction runs (`_fill_saved`): once the
        # sale is stored only this goes into the page.
        self.saved_number = el("p", "sale-number", id="sale-number")
        self.saved_total = el("p")
        self.saved_change = el("p", "change", hidden=True)
        self.saved_title = el("h2", None, L("sale_saved"))
        self.saved = el("div", "card dialog saved", id="sale-saved", children=[
            self.saved_title, self.saved_number, self.saved_total, self.saved_change,
            el("button", "primary big", L("new_sale"), id="new-sale", type="button", data_action="new-sale"),
        ])
        self.saved_as: tuple | None = None  # the number, total and change the dialog was filled in with
        self.greying: Any = None  # the timer that greys "Confirmar cobro" out during a slow commit
        self.open()
        self.on(self.box, "click", self._on_click)
        self.on(self.box, "input", lambda e: self.update())
        self.on(self.box, "keydown", self._on_key)
        self.inputs[CASH].focus()
        self.update()

    # ---------- reading the form ----------
    def payments(self) -> list[Payment]:
        """The payments typed so far; raises PaymentError/InvalidNumber on a malformed amount."""
        out = []
        for method, field in self.inputs.items():
            text = str(field.value).strip()
            if not text:
                continue
            amount = parse_typed(text)
            if amount == ZERO:
                continue
            ref = str(self.reference.value).strip() or None if method != CASH else None
            out.append(Payment(method, amount, ref))
        return out

    def update(self) -> None:
        try:
            pays = self.payments()
            missing = missing_amount(self.total, pays)
            if missing > ZERO:
                text = f"{L('missing')}: {format_mxn(missing)}"
            else:
                text = f"{L('change')}: {format_mxn(change_due(self.total, pays))}"
                # Paid: the sale is made now, between keystrokes, so "Confirmar cobro" only stamps its number;
                # "Venta guardada" is filled in with it (its number is the one the sale will most likely get).
                ahead = self.till.prepare(pays)
                if ahead is not None:
                    self._fill_saved(ahead)
            self.status.textContent = text
            self.status.dataset.ok = "0" if missing > ZERO else "1"
            self.error.hidden = True
        except (PaymentError, InvalidNumber) as exc:
            self.status.textContent = ""
            self.status.dataset.ok = "0"
            code = getattr(exc, "code", "invalid_amount")
            self.show_error(t(code, lang()))

    def show_error(self, text: str) -> None:
        self.error.textContent = text
        self.error.hidden = False

    # ---------- events ----------
    def _on_key(self, event: Any) -> None:
        if event.key == "Enter":
            event.preventDefault()
            self._start_confirm()

    def _start_confirm(self) -> None:
        # The sale is built and its IndexedDB transaction started within this click, not in a task queued after
        # the browser rendered it (tasks.py: ≈4 ms of "Cobrar → guardada").
        start_now(self.confirm_sale())

    def _on_click(self, event: Any) -> None:
        action, node = action_of(event)  # first: "Confirmar cobro" starts its transaction with fewer hops to JS
        if action is None:
            target = event.target
            method = target.getAttribute("data-method") if hasattr(target, "getAttribute") else None
            if method in self.inputs and is_touch(event):
                self.open_pad(str(method))
            return
        if action == "quick":
            self.inputs[CASH].value = str(node.dataset.amount)
            self.update()
        elif action == "exact":
            for field in self.inputs.values():
                field.value = ""
            self.inputs[CASH].value = str(self.total)
            self.update()
        elif action == "close":
            self.close()
        elif action == "confirm":
            self._start_confirm()
        elif action == "new-sale":
            self.close()
            self.on_done()

    def open_pad(self, method: str) -> None:
        """The numeric pad for an amount; for cash, with the exact amount and the next banknotes."""
        field = self.inputs[method]
        quick = [(format_mxn(a), str(a)) for a in quick_cash(self.total)] if method == CASH else []
        if quick:
            quick[0] = (L("exact"), quick[0][1])

        def done(text: str) -> None:
            field.value = text
            self.update()

        key = dict(FIELDS)[method]
        NumPad(L(key), str(field.value), done, decimals=2, quick=quick)

    async def confirm_sale(self) -> None:
        if self.busy:
            return
        try:
            pays = self.payments()
        except (PaymentError, InvalidNumber) as exc:
            self.show_error(t(getattr(exc, "code", "invalid_amount"), lang()))
            return
        self.busy = True  # a second click or Enter meanwhile is ignored (see the top of this method)
        self.greying = None
        try:
            sale = await self.commit(pays, self._started, self._stored)
        except SaleError as exc:
            self._failed(exc.text(lang()))
            return
        except StorageError as exc:  # the IndexedDB transaction failed (a full disk…): nothing was stored
            reason = L("storage_full") if exc.code == "storage_full" else exc.detail or exc.code
            self._failed(L("save_failed", reason=reason))
            return
        except BaseException:
            self._failed("")
            raise
        finally:
            if self.greying is not None:
                self.greying.cancel()
        self._stored(sale)  # already done, unless the sale was stored without telling (idempotent)

    def _started(self, sale: Any) -> None:
        """The sale's transaction is under way: fill the saved dialog while IndexedDB writes.

        Greyed out only when the commit takes longer than a glance: for the usual few milliseconds the dialog
        replaces the button before a frame could show it grey, and greying it then only makes the browser paint
        a frame in the way of the transaction's answer. Timed from here, so its timer is not set up before the
        transaction starts."""
        if self.greying is None:
            self.greying = asyncio.get_event_loop().call_later(BUSY_AFTER_S, self._grey_out)
        self._fill_saved(sale)  # already, unless it is not the sale made ahead

    def _stored(self, sale: Any) -> None:
        """Stored: the prepared dialog goes in and the form is hidden, in the turn the transaction completed."""
        if self.saved.isConnected:
            return
        self.busy = False
        self._fill_saved(sale)  # done already, unless the sale was not told as started
        # Taking out the form (which holds the focus) and focusing "Nueva venta" make the browser lay the page out
        # at once, so they wait for the next turn of the loop: still long before a hand reaches the keyboard.
        self.form.hidden = True
        self.box.append(self.saved)
        asyncio.get_event_loop().call_soon(self._settle_saved)

    def _grey_out(self) -> None:
        if self.busy:
            self.confirm.disabled = True

    def _failed(self, text: str) -> None:
        self.busy = False
        self.confirm.disabled = False
        if text:
            self.show_error(text)

    def _fill_saved(self, sale: Any) -> None:
        """Write `sale` into the prepared "Venta guardada" dialog: the sale made ahead, then the sale whose
        transaction runs when its number or amounts differ."""
        shown = (sale.number, sale.totals.total, sale.totals.change)
        if self.saved_as == shown:
            return
        self.saved_as = shown
        self.saved.dataset.number = sale.number
        self.saved_number.textContent = sale.number
        self.saved_total.textContent = f"{L('total')}: {format_mxn(sale.totals.total)}"
        change = sale.totals.change
        if change > ZERO:
            self.saved_change.textContent = f"{L('change')}: {format_mxn(change)}"
        self.saved_change.hidden = change <= ZERO

    def _settle_saved(self) -> None:
        if not self.saved.isConnected:  # closed meanwhile
            return
        replace(self.box, self.saved)
        self.saved_title.setAttribute("id", "payment-title")  # the dialog's name (ui/dialogs.py), once the form's heading is gone
        by_id("new-sale").focus()

