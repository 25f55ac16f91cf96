"""The Ventas window (☰ → Ventas): the sales on this device — local number, date and time, customer, type,
total, state (pendiente, enviando, sincronizada with its folio, rechazada with its reason in red) — filtered by
pendientes / todas; a sale's detail (lines, taxes, payments, state) with Cancelar, Imprimir and Sincronizar;
and the device's backup (export / import of unsynced sales) and how many days synced sales are kept.

Cancelar asks first ("Sí, cancelar la venta" names the destructive action, "No, volver" keeps the sale and has
the focus; it cannot be undone), then ONE IndexedDB transaction (idb.js
cancelSale) marks the sale cancelled, drops it from the outbox, restores its local stock and queues the void
audit for POST /api/voids. Which states may be cancelled is poscore.lifecycle's rule, never decided here.

The list is a page: the most recent PAGE sales (of the filter), and "Ver más" adds a page. Only what is drawn is read
from the store, and without the sales' bodies (the detail reads its one sale whole): a till that sold all day must
not read, and build Python objects for, every sale it ever stored each time the window opens. The search box reads
every sale, once, only when what it names is not on the page.

Must not compute amounts (the stored SALE and poscore's Sale do) nor send anything itself (App/Syncer do).
It keeps the ids the e2e helpers use: #menu-panel, #sales-list tr.sale-row[data-number] td.state.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

from caja_pos.screens.returns_entry import ReturnsEntry
from caja_pos.screens.sale_text import state_text, when_text
from caja_pos.screens.ticket import TicketPreview
from caja_pos.services import clock
from caja_pos.services.backup import export_unsynced, import_file
from caja_pos.services.device_store import SalesRecords
from caja_pos.services.outbox import Syncer
from caja_pos.services.tasks import spawn
from caja_pos.services.till import Till
from caja_pos.text.labels import L, lang
from caja_pos.ui.dialogs import DialogView
from caja_pos.ui.dom import action_of, by_id, el, replace
from poscore.lifecycle import (
    CANCELLED,
    PENDING,
    REJECTED,
    SYNCED,
    UNSENT,
    UNSYNCED,
    can_transition,
    from_states,
)
from poscore.messages import t
from poscore.money import format_mxn, format_qty, to_decimal
from poscore.numbering import folio_label
from poscore.sale import Sale, SaleError, shown_totals
from poscore.tax import tax_label


def void_audit(record: dict, cancelled_at: str, uuid: str) -> dict:
    """The audit queued for POST /api/voids (contract: Sales → voids)."""
    sale = record["sale"]
    return {"uuid": uuid, "sale_uuid": record["uuid"], "number": record["number"], "cancelled_at": cancelled_at,
            "cashier": sale.get("cashier"), "total": record.get("total"), "reason": L("cancel_reason"),
            "sale": sale}


PAGE = 50  # sales drawn at once; "Ver más" draws this many more

# A supervisor's PIN for an action (action, subject, reason shown): True when given (a till without cashiers: True).
Authorize = Callable[[str, "str | None", str], Awaitable[bool]]


class SalesWindow(DialogView):
    def __init__(self, records: SalesRecords, syncer: Syncer, till: Till,
                 on_stock_changed: Callable[[], Awaitable[None]], returns: ReturnsEntry,
                 authorize: Authorize, shift_fields: Callable[[], dict]) -> None:
        super().__init__()
        self.store = records
        self.syncer = syncer
        self.till = till
        self.returns = returns
        self.authorize = authorize
        self.shift_fields = shift_fields  # the cashier and shift a cancellation is recorded under
        self.on_stock_changed = on_stock_changed  # the app re-reads the local stock and redraws the selling screen
        self.filter = "all"
        self.limit = PAGE  # how many sales the list draws ("Ver más" raises it)
        self.records: dict[str, dict] = {}
        self.current: str | None = None  # uuid of the sale whose detail is shown
        self.notice: str | None = None  # the last outcome shown under the list
        # Bumped by every navigation (a list or a detail asked for): a drawing that awaited the store draws only if
        # no navigation came meanwhile, so a background refresh never covers the detail the cashier just opened.
        self._navigation = 0
        self._refreshing = False  # a background redraw is under way (`_refresh`)
        self._refresh_again = False  # and another was asked for meanwhile
        # Each step (list, a sale, the cancel confirmation) draws its heading with this id: the dialog's name.
        self.box = el("div", "card dialog sales-window", id="menu-panel", aria_labelledby="menu-panel-title")
        self.on(self.box, "click", self._on_click)
        self.on(self.box, "change", self._on_change)
        self.on(self.box, "submit", self._on_submit)  # the search box: a scanner ends with Enter

    async def show(self) -> None:
        self.open()
        self.syncer.listeners.append(self._refresh)
        await self.show_list()

    def destroy(self) -> None:
        if self._refresh in self.syncer.listeners:
            self.syncer.listeners.remove(self._refresh)
        super().destroy()

    async def _refresh(self) -> None:
        """Another tab or the automatic sync changed something: redraw what is shown, one redraw at a time (each
        sale made during a sync run asks when the run ends: a burst of asks parsed the page that many times at
        once). An ask during a redraw makes one more after it, never a second one alongside."""
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        try:
            again = True
            while again and self.current is None and not self.destroyed:
                self._refresh_again = False
                await self.show_list(self.notice, refresh=True)  # keep the outcome just shown ("Venta … cancelada")
                again = self._refresh_again
        finally:
            self._refreshing = False

    # ---------- list ----------
    async def show_list(self, message: str | None = None, refresh: bool = False) -> None:
        """The list; `refresh`: redrawn because something changed, not asked for (it yields to any navigation)."""
        if not refresh:
            self._navigation += 1
        navigation = self._navigation
        marks = await self.returns.marks()  # sales with returns not (yet) in the ERP say so
        # One more than drawn: whether "Ver más" has anything to add.
        if self.filter == "all":
            shown = await self.store.sales_page(self.limit + 1)
        else:
            shown = await self.store.sales_page(self.limit + 1, states=sorted(UNSYNCED), uuids=sorted(marks))
        more = len(shown) > self.limit
        shown = shown[:self.limit]
        keep = await self.store.get("keep_days", None)
        if navigation != self._navigation or self.destroyed or (refresh and self.current is not None):
            return
        self.current = None
        self.notice = message
        self.records = {r["uuid"]: r for r in shown}
        head = el("tr", None, children=[el("th", None, L(k)) for k in ("local_number", "date", "customer", "type")]
                  + [el("th", "num", L("total")), el("th", None, L("state"))])
        rows = [head]
        for r in shown:
            rows.append(el("tr", f"sale-row state-{r.get('state')}", data_number=r["number"], data_uuid=r["uuid"],
                           data_state=r.get("state"), data_action="sale-open", tabindex=0, children=[
                               el("td", None, r["number"]), el("td", None, when_text(r.get("created_at"))),
                               el("td", None, r.get("customer_name") or L("public")),
                               el("td", None, t(r.get("type", "remision"), lang())),
                               el("td", "num", format_mxn(to_decimal(r["total"]))),
                               el("td", "state", state_text(r) + marks.get(r["uuid"], ""))]))
        body = el("table", "sales-table", id="sales-list", children=rows) if shown else \
            el("p", "muted", L("no_sales"), id="sales-empty")
        more_button = el("div", "actions", children=[
            el("button", "secondary", L("sales_more"), id="sales-more", type="button", data_action="sales-more")]) \
            if more else None
        filters = el("div", "actions filters", children=[
            el("button", "toggle", L(key), type="button", data_action="sales-filter", data_filter=value,
               aria_pressed="true" if self.filter == value else "false")
            for value, key in (("pending", "sales_pending"), ("all", "sales_all"))])
        from caja_pos.services.backup import DEFAULT_KEEP_DAYS

        backup = el("div", "actions backup", children=[
            el("button", "secondary", L("backup_export"), id="backup-export", type="button",
               data_action="backup-export"),
            el("label", "secondary file-button", L("backup_import"), children=[
                el("input", None, id="backup-file", type="file", accept=".json,application/json",
                   data_field="backup-file")]),
            el("label", None, L("keep_days"), children=[
                el("input", "keep-days", id="keep-days", type="number", min="1", max="3650",
                   value=str(keep or DEFAULT_KEEP_DAYS), data_field="keep-days")]),
        ])
        replace(self.box, el("h2", None, L("sales"), id="menu-panel-title"), filters, self.returns.search_box(), body,
                more_button,
                el("p", "sync-result", message or "", id="sales-result", role="status"), backup,
                el("div", "actions", children=[el("button", "secondary", L("close"), type="button",
                                                  data_action="menu-close", data_escape=True)]))

    # ---------- detail ----------
    async def show_detail(self, uuid: str, message: str | None = None) -> None:
        self._navigation += 1
        navigation = self._navigation
        record = await self.store.sale(uuid)
        returns = await self.returns.section(uuid)  # this sale's returns, with their states
        if navigation != self._navigation or self.destroyed:
            return
        if record is None:
            await self.show_list()
            return
        try:
            sale = Sale.from_json(record["sale"])
        except SaleError as exc:  # a record this version cannot read: say so, never crash the window
            await self.show_list(f"{record['number']}: {exc.message}")
            return
        self.current = uuid
        self.records[uuid] = record
        lines = [el("tr", None, children=[el("th", None, L("products")), el("th", "num", L("qty")),
                                          el("th", "num", L("total"))])]
        for line in sale.lines:
            lines.append(el("tr", "detail-line", children=[
                el("td", None, line.name),
                el("td", "num", f"{format_qty(line.qty, line.unit)} × {format_mxn(line.unit_price)}"),
                el("td", "num", format_mxn(line.amounts.total))]))
        # IEPS broken out only for a customer who asked for it (LIEPS art. 19 fr. II), as on the ticket and the CFDI.
        seen = shown_totals(sale)
        totals = [self._row(L("subtotal"), format_mxn(seen.subtotal))]
        if seen.discount:
            totals.append(self._row(L("discount_total"), "-" + format_mxn(seen.discount)))
        for tax in seen.taxes:
            totals.append(self._row(tax_label(tax, t("ticket_exento", lang())), format_mxn(tax.amount)))
        totals.append(self._row(L("total"), format_mxn(sale.totals.total), "grand", "detail-total"))
        pays = [self._row(t(p.method, lang()) + (f" ({p.reference})" if p.reference else ""),
                          format_mxn(p.amount)) for p in sale.payments]
        if sale.totals.change:
            pays.append(self._row(L("change"), format_mxn(sale.totals.change)))
        state = record.get("state", PENDING)
        cancellable = can_transition(state, CANCELLED)
        syncable = state in UNSENT
        replace(self.box,
                el("h2", None, L("sale_title", number=record["number"]), id="menu-panel-title"),
                el("p", "muted", f"{when_text(record.get('created_at'))} · {t(sale.type, lang())} · "
                                 f"{sale.customer.name if sale.customer else L('public')}"),
                el("p", f"state state-{state}", state_text(record), id="sale-state", data_state=state),
                el("table", "sales-table", children=lines),
                el("div", "totals", children=[el("h3", None, L("taxes")), *totals]),
                el("div", "totals", children=[el("h3", None, L("payments")), *pays]),
                returns,
                el("p", "sync-result", message or "", id="sale-result", role="status"),
                el("div", "actions", id="sale-detail", data_uuid=uuid, children=[
                    el("button", "secondary", L("back"), id="sale-back", type="button", data_action="sale-back"),
                    el("button", "secondary danger", L("sale_cancel"), id="sale-cancel", type="button",
                       data_action="sale-cancel", disabled=not cancellable),
                    el("button", "secondary", L("sale_print"), id="sale-print", type="button",
                       data_action="sale-print"),
                    el("button", "secondary", L("return_button"), id="sale-return", type="button",
                       data_action="sale-return", disabled=state != SYNCED),
                    el("button", "primary", L("sale_sync"), id="sale-sync", type="button", data_action="sale-sync",
                       disabled=not syncable),
                    # Its own way out of the Ventas window (Esc too), not only Volver and then the list's Cerrar.
                    el("button", "secondary", L("close"), id="sale-close", type="button", data_action="menu-close",
                       data_escape=True)]))

    @staticmethod
    def _row(label: str, value: str, cls: str = "", element_id: str | None = None) -> Any:
        return el("div", f"total-line {cls}".strip(), id=element_id,
                  children=[el("span", None, label), el("span", "num", value)])

    # ---------- actions ----------
    def _on_click(self, event: Any) -> None:
        action, node = action_of(event)
        if action == "menu-close":
            self.close()
        elif action == "sale-open":
            spawn(self.show_detail(str(node.dataset.uuid)))
        elif action == "sales-filter":
            self.filter = str(node.dataset.filter)
            self.limit = PAGE
            spawn(self.show_list())
        elif action == "sales-more":
            self.limit += PAGE
            spawn(self.show_list())
        elif action == "sale-back":
            spawn(self.show_list())
        elif action == "sale-cancel" and self.current:
            self.confirm_cancel(self.current)
        elif action == "confirm-no" and self.current:
            spawn(self.show_detail(self.current))
        elif action == "confirm-yes" and self.current:
            spawn(self.cancel(self.current))
        elif action == "sale-print" and self.current:
            uuid = self.current
            TicketPreview(self.store, self.till.terminal.get("shop") or {}, self.records[uuid],
                          on_back=lambda: spawn(self.show_detail(uuid)))
        elif action in ("sale-return", "return-ticket") and self.current:
            uuid = self.current
            door = self.returns
            if action == "sale-return":
                door.open(self.records[uuid], on_back=lambda: spawn(self.show_detail(uuid)))
            else:
                spawn(door.ticket_of(str(node.dataset.uuid), lambda: None))
        elif action == "sale-sync" and self.current:
            spawn(self.sync_one(self.current))
        elif action == "backup-export":
            spawn(self._export())

    def _on_change(self, event: Any) -> None:
        target = event.target
        field = target.getAttribute("data-field") if hasattr(target, "getAttribute") else None
        if field == "keep-days":
            spawn(self._keep_days(str(target.value)))
        elif field == "backup-file" and target.files.length:
            spawn(self._import(target.files.item(0)))

    def _on_submit(self, event: Any) -> None:
        """A typed or scanned folio, number or ticket code opens that sale."""
        event.preventDefault()
        field = by_id("find-sale-text")
        text = str(field.value) if field is not None else ""
        spawn(self._find(text))

    async def _find(self, text: str) -> None:
        found = self.returns.find(list(self.records.values()), text)
        if found is None and text.strip():  # not on the page: look through every stored sale, this once
            found = self.returns.find(await self.store.sales(), text)
        await (self.show_detail(found["uuid"]) if found else self.show_list(L("find_sale_none", text=text.strip())))

    def confirm_cancel(self, uuid: str) -> None:
        record = self.records[uuid]
        replace(self.box, el("div", "confirm", id="confirm-cancel", role="alertdialog", children=[
            el("h2", None, L("confirm_cancel_title", number=record["number"]), id="menu-panel-title"),
            el("p", "warning", L("confirm_cancel_text")),
            el("div", "actions", children=[
                el("button", "secondary", L("confirm_cancel_no"), id="confirm-no", type="button",
                   data_action="confirm-no", data_escape=True),
                el("button", "primary danger", L("confirm_cancel_yes"), id="confirm-yes", type="button",
                   data_action="confirm-yes")])]))
        by_id("confirm-no").focus()  # the safe choice has the focus

    async def cancel(self, uuid: str) -> None:
        record = self.records[uuid]
        cancellable = from_states(CANCELLED)
        # A till with cashiers cancels only with a supervisor's PIN, recorded with who gave it.
        if not await self.authorize("cancel_sale", uuid, L("auth_cancel_sale")):
            await self.show_detail(uuid, L("auth_refused"))
            return
        audit = void_audit(record, clock.now().isoformat(), str(uuid4()))
        audit.update({k: v for k, v in self.shift_fields().items()
                      if k in ("cashier_id", "shift_uuid") and v is not None})  # contract: a VOID may carry them
        outcome = await self.syncer.box.cancel(uuid, audit, cancellable)
        if outcome != "ok":
            await self.show_detail(uuid, L("cannot_cancel", state=t(outcome, lang())))
            return
        await self.on_stock_changed()  # the local stock goes back up at once
        await self.show_list(L("cancelled_ok", number=record["number"]))
        await self.syncer.changed()
        self.syncer.soon()  # the void audit goes to the ERP now, or once it answers again (the wifi icon green)

    async def sync_one(self, uuid: str) -> None:
        button = by_id("sale-sync")
        if button is not None:
            button.disabled = True
        report = await self.syncer.run(only=uuid)
        record: dict = await self.store.sale(uuid) or {}
        if record.get("state") == SYNCED:
            message = L("sync_one_ok", folio=folio_label(record["series"], int(record["folio"])))
        elif record.get("state") == REJECTED:
            message = L("sync_one_rejected", reason=record.get("message") or record.get("error"))
        elif report is None or report.get("error") == "network":
            message = L("sync_offline")
        else:
            message = str(report.get("error") or "")
        if self.current == uuid and not self.destroyed:
            await self.show_detail(uuid, message)

    async def _export(self) -> None:
        text = await export_unsynced(self.store, self.syncer.box, self.till.terminal)
        await self.show_list(text)

    async def _import(self, file: Any) -> None:
        text = await import_file(self.syncer.box, file)
        await self.show_list(text)
        await self.syncer.changed()
        spawn(self.syncer.run())

    async def _keep_days(self, value: str) -> None:
        try:
            days = int(value)
        except ValueError:
            return
        if 1 <= days <= 3650:
            await self.store.put("keep_days", days)
