"""Returning a synced sale (Ventas → a sale → Devolver): the sale's lines with what was sold and what this device
already returned, the units to return now (kg allowed), the reason and how the money goes back; a running refund
computed by poscore; a supervisor authorizes it; then it is stored on this device (works offline) and its own
ticket can be printed. Also the sale's returns in its detail (state, folio, the ERP's reason when rejected) and
the Ventas search by folio, number or ticket code.

Why the services come in a `ReturnsDoor`: Ventas opens this dialog, but what it needs (the returns service, who
authorizes, the ticket, what to refresh afterwards) is the app's; the door carries exactly those, typed.

Must not compute amounts or decide what may be returned (poscore.returns, through services/returns.py), nor store
or send anything itself.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from caja_pos.screens.sale_text import rejection_text, state_text
from caja_pos.services.returns import Authorize, Returns, StorageError, find_sale, refund_of, sale_folio
from caja_pos.services.tasks import spawn
from caja_pos.text.labels import L, lang
from caja_pos.ui.dialogs import DialogView
from caja_pos.ui.dom import action_of, by_id, el, replace
from poscore.messages import t
from poscore.money import ZERO, InvalidNumber, format_mxn, format_qty, qty
from poscore.payment import CASH, METHODS
from poscore.returns import ReturnError
from poscore.sale import Sale


async def no_supervisor(reason: str, subject: str) -> str | None:
    """Until this till has supervisors: the return goes without a named authorizer ("" is "allowed, no name")."""
    return ""


@dataclass
class ReturnsDoor:
    """What Ventas and the return dialog use of the app; Ventas reaches returns only through this."""

    returns: Returns
    open_ticket: Callable[[dict, Callable[[], object]], object]  # TicketPreview of a record, and the way back
    after_return: Callable[[], Awaitable[None]]  # the sync icon, the selling screen's stock, a sync soon
    shop: Callable[[], dict] = dict  # TERMINAL.shop (its autofactura key finds a sale by its ticket code)
    authorize: Authorize = no_supervisor
    # Where the shop has cashiers, a refund leaves a drawer: only within an open shift, whose corte counts it.
    in_shift: Callable[[], bool] = lambda: True

    def open(self, record: dict, on_back: Callable[[], object]) -> ReturnDialog:
        dialog = ReturnDialog(self, record, on_back)
        spawn(dialog.load())
        return dialog

    async def section(self, sale_uuid: str) -> Any:
        """The sale's returns for its detail (None when it has none)."""
        return returns_section(await self.returns.of_sale(sale_uuid))

    async def ticket_of(self, uuid: str, on_back: Callable[[], object]) -> None:
        record = next((r for r in await self.returns.storage.returns() if r["uuid"] == uuid), None)
        if record is not None:
            self.open_ticket(record, on_back)

    async def marks(self) -> dict[str, str]:
        """Sale uuid → what the Ventas list adds to its state for returns not (yet) in the ERP: " · Devolución
        pendiente", or " · Devolución rechazada: <reason>" (kept on the till for good)."""
        out: dict[str, str] = {}
        for r in await self.returns.storage.returns():
            if r.get("state") == "pending":
                out.setdefault(r["sale_uuid"], f" · {L('return_mark_pending')}")
            elif r.get("state") == "rejected":
                reason = rejection_text(r)
                out[r["sale_uuid"]] = f" · {L('return_mark_rejected', reason=reason)}"
        return out

    def find(self, records: list[dict], text: str) -> dict | None:
        return find_sale(records, text, self.shop().get("autofactura_key"))

    def search_box(self) -> Any:
        return find_form()


def returns_section(records: list[dict]) -> Any:
    """The sale's returns in its detail: each with its refund, state and a ticket button; None when none."""
    if not records:
        return None
    rows = [el("tr", f"return-row state-{r.get('state')}", data_uuid=r["uuid"], data_state=r.get("state"), children=[
        el("td", None, r.get("number") or ""),
        el("td", "num", format_mxn(Decimal(r["total"]))),
        el("td", None, t(r.get("refund_method") or CASH, lang())),
        el("td", "state", state_text(r)),
        el("td", None, children=[el("button", "secondary", L("return_ticket"), type="button",
                                    data_action="return-ticket", data_uuid=r["uuid"])])]) for r in records]
    return el("div", "returns", id="sale-returns", children=[
        el("h3", None, L("returns_of_sale")), el("table", "sales-table", children=rows)])


def find_form() -> Any:
    """Ventas' search box: type or scan a ticket's folio, number or code (Enter or the button)."""
    return el("form", "actions find-sale", id="find-sale", data_action="find-sale", children=[
        el("input", None, id="find-sale-text", type="search", autocomplete="off", placeholder=L("find_sale"),
           aria_label=L("find_sale")),
        el("button", "secondary", L("find_sale_button"), type="submit", id="find-sale-go")])


class ReturnDialog(DialogView):
    """On top of Ventas; `on_back()` redraws the sale's detail below when it closes."""

    def __init__(self, door: ReturnsDoor, record: dict, on_back: Callable[[], object]) -> None:
        super().__init__()
        self.door = door
        self.record = record
        self.on_back = on_back
        self.sale: Sale | None = None
        self.before: dict[int, Decimal] = {}
        self.busy = False
        self.done_record: dict = {}  # the stored return, once confirmed
        self.box = el("div", "card dialog return-dialog", id="return-dialog")
        self.on(self.box, "click", self._on_click)
        self.on(self.box, "input", self._on_input)
        self.open()

    async def load(self) -> None:
        self.sale, self.before = await self.door.returns.returnable(self.record)
        if not self.destroyed:
            self.render()

    # ---------- drawing ----------
    def render(self, message: str = "") -> None:
        sale = self.sale
        assert sale is not None
        head = el("tr", None, children=[el("th", None, L("products")), el("th", "num", L("return_sold")),
                                        el("th", "num", L("return_done_before")), el("th", "num", L("return_qty"))])
        rows = [head]
        for i, line in enumerate(sale.lines):
            left = line.qty - self.before.get(i, ZERO)
            rows.append(el("tr", "return-line", children=[
                el("td", None, f"{line.name} · {format_mxn(line.unit_price)}"),
                el("td", "num", format_qty(line.qty, line.unit)),
                el("td", "num", format_qty(self.before.get(i, ZERO), line.unit) if self.before.get(i) else "—"),
                el("td", "num", children=[
                    el("input", "qty-input", id=f"return-qty-{i}", type="number", inputmode="decimal", min="0",
                       max=str(left), step="0.001" if line.unit == "kg" else "1", value="",
                       disabled=left <= ZERO, data_line=i, aria_label=f"{L('return_qty')} {line.name}"),
                    el("button", "secondary", L("return_all"), type="button", id=f"return-all-{i}", data_action="return-all",
                       data_line=i, disabled=left <= ZERO)])]))
        methods = el("select", None, id="return-method", aria_label=L("return_method"), children=[
            el("option", None, t(m, lang()), value=m, selected=m == CASH) for m in METHODS])
        title = L("return_title", number=self.record["number"])
        folio = sale_folio(self.record)
        replace(self.box,
                el("h2", None, f"{title} · {L('folio')} {folio}" if folio else title),
                el("table", "sales-table", children=rows),
                el("label", None, L("return_reason"), children=[
                    el("input", None, id="return-reason", type="text", maxlength="500", autocomplete="off")]),
                el("label", None, L("return_method"), children=[methods]),
                el("div", "total-line grand", children=[el("span", None, L("return_total")),
                                                        el("span", "num", format_mxn(ZERO), id="return-total")]),
                el("p", "sync-result", message, id="return-result", role="status"),
                el("div", "actions", children=[
                    el("button", "secondary", L("back"), id="return-back", type="button", data_action="return-back",
                       data_escape=True),
                    el("button", "primary", L("return_confirm"), id="return-confirm", type="button",
                       data_action="return-confirm")]))

    def _say(self, text: str) -> None:
        node = by_id("return-result")
        if node is not None:
            node.textContent = text

    # ---------- reading the form ----------
    def units(self) -> dict[int, str]:
        """The quantities typed, canonical for each line's unit; raises ReturnError("invalid_quantity", name)."""
        assert self.sale is not None
        out: dict[int, str] = {}
        for i, line in enumerate(self.sale.lines):
            node = by_id(f"return-qty-{i}")
            text = str(node.value).strip().replace(",", ".") if node is not None else ""
            if not text or text in ("0", "0.0", "0.00", "0.000"):
                continue
            try:
                out[i] = str(qty(text, line.unit))
            except (InvalidNumber, ValueError):
                raise ReturnError("invalid_quantity", L("return_bad_qty", name=line.name)) from None
        return out

    def _on_input(self, event: Any) -> None:
        self._show_total()

    def _show_total(self) -> None:
        if self.sale is None:
            return
        try:
            total = refund_of(self.sale, self.units(), self.before)
        except ReturnError as exc:
            self._say(exc.message)
            return
        by_id("return-total").textContent = format_mxn(total)
        self._say("")

    # ---------- actions ----------
    def _on_click(self, event: Any) -> None:
        action, node = action_of(event)
        if action == "return-back":
            self.close()
            self.on_back()
        elif action == "return-all" and self.sale is not None:
            i = int(node.dataset.line)
            line = self.sale.lines[i]
            by_id(f"return-qty-{i}").value = str(line.qty - self.before.get(i, ZERO))
            self._show_total()
        elif action == "return-confirm" and not self.busy:
            spawn(self.confirm())
        elif action == "return-print":
            self.door.open_ticket(self.done_record, lambda: None)
        elif action == "return-close":
            self.close()
            self.on_back()

    async def confirm(self) -> None:
        assert self.sale is not None
        self.busy = True
        try:
            await self._confirm()
        finally:
            self.busy = False

    async def _confirm(self) -> None:
        assert self.sale is not None
        try:
            units = self.units()
            total = refund_of(self.sale, units, self.before)
        except ReturnError as exc:
            self._say(exc.message)
            return
        reason = str(by_id("return-reason").value).strip()
        method = str(by_id("return-method").value) or CASH
        if not units:
            self._say(t("return_empty", lang()))
            return
        if not reason:
            self._say(t("return_no_reason", lang()))
            return
        if not self.door.in_shift():
            self._say(L("return_needs_shift"))
            return
        who = await self.door.authorize(L("return_auth_reason", total=format_mxn(total),
                                          number=self.record["number"]), self.record["uuid"])
        if who is None:
            self._say(L("return_not_authorized"))
            return
        try:
            self.done_record = await self.door.returns.commit(
                self.record, units, reason=reason, refund_method=method, authorizer=who or None)
        except ReturnError as exc:
            self._say(exc.message)
            return
        except StorageError as exc:
            self._say(L("return_failed", reason=exc.detail or exc.code))
            return
        await self.door.after_return()
        if self.destroyed:
            return
        done = self.done_record
        replace(self.box,
                el("h2", None, L("return_title", number=self.record["number"])),
                el("p", "sync-result ok", L("return_saved", total=format_mxn(Decimal(done["total"])),
                                            method=t(done["refund_method"], lang())),
                   id="return-result", role="status", data_uuid=done["uuid"]),
                el("div", "actions", children=[
                    el("button", "secondary", L("close"), id="return-close", type="button",
                       data_action="return-close", data_escape=True),
                    el("button", "primary", L("return_print"), id="return-print", type="button",
                       data_action="return-print")]))
        by_id("return-print").focus()
