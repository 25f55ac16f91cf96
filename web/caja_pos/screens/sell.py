"""The selling screen: search box (scanner, SKU, name words), results with price and stock, the cart with
quantity / kg / discount / remove, running totals with the tax breakdown, customer and sale type, "Cobrar".
On a touch screen a quantity also has − / + beside it, and a tap on a quantity or a discount opens the numeric
pad (ui/numpad.py); typed on a keyboard, the fields work as before. On a narrow screen (pos.css) the product list
and the cart are two views of this one screen, switched by a bar that always shows the cart's count and total.

A barcode scanner types fast and ends with Enter: in the search box, Enter first tries the exact barcode/SKU
(poscore's `CatalogIndex.by_code`), then the best name match. Anywhere else on the selling screen (the cart was
clicked, a toggle pressed: focus on the body or a button) a scanner burst is caught on the document, as Odoo's
POS barcode reader does, and looked up as a code only; a code that matches nothing says so. Name results come a
page at a time with "Ver más" when more match. Every amount shown comes from poscore (Cart.totals,
format_mxn); refusals show poscore's message and change nothing.

Must not compute prices, taxes or stock rules itself, nor touch IndexedDB (App.commit does).
"""
from __future__ import annotations

import asyncio
from typing import Any

from caja_pos.screens import cart_view
from caja_pos.screens.sell_guard import Guard, Unguarded
from caja_pos.services.device_store import CustomerStore
from caja_pos.services.sales import CommitSale
from caja_pos.services.tasks import spawn
from caja_pos.services.till import Till
from caja_pos.text.labels import L, lang
from caja_pos.ui.dialogs import dialogs
from caja_pos.ui.dom import action_of, by_id, el, replace
from caja_pos.ui.numpad import NumPad, is_touch
from caja_pos.ui.page import document
from caja_pos.ui.view import View
from poscore.cart import NotSellable
from poscore.catalog import Product
from poscore.customer import factura_ready
from poscore.messages import t
from poscore.money import format_mxn, format_qty

RESULTS = 20
# A scanner types its characters a few ms apart; people, at best ~100 ms apart. Odoo's barcode reader uses the
# same bound (max_time_between_keys_in_ms, default 100). Shorter codes than this are taken for typing.
SCAN_GAP_MS = 100
SCAN_MIN = 3
NAMES_AT_ONCE = 5000  # names a search may normalize itself (a few ms on a tablet); more wait for prepare
NAMES_POLL_S = 0.05
_EDITABLE = ("INPUT", "TEXTAREA", "SELECT")


class SellScreen(View):
    def __init__(self, till: Till, customers: CustomerStore, commit: CommitSale,
                 guard: Guard | None = None) -> None:
        super().__init__()
        self.guard: Guard = guard or Unguarded()
        self.till = till
        self.customer_store = customers
        self.commit = commit
        self.results: list[Product] = []
        self.limit = RESULTS  # grows with "Ver más", back to one page when the query changes
        self._scan = ""  # characters of a scanner burst typed outside the search box
        self._names_wait: asyncio.Task | None = None  # results to show once the names are ready
        self._scan_at = 0.0  # event.timeStamp of its last character
        self.search = el("input", "search", id="search", type="search", autocomplete="off",
                         placeholder=L("search_placeholder"), aria_label=L("search_placeholder"),
                         title="Enter: agregar · ↓: resultados · F2: cobrar")
        self.results_box = el("ul", "results", id="results")
        self.customer_box = el("div", "customer-bar", id="customer-bar")
        self.cart_box = el("div", "cart", id="cart")
        self.totals_box = el("div", "totals", id="totals")
        self.message = el("p", "message", id="message", role="alert", hidden=True)
        self.charge_button = el("button", "primary big", L("charge"), id="charge", type="button",
                                data_action="charge")
        self.show_products = el("button", "view-tab", L("products"), id="show-products", type="button",
                                data_action="view", data_view="products", aria_pressed="true")
        self.cart_summary = el("span", "cart-summary", id="cart-summary")
        self.show_cart = el("button", "view-tab", id="show-cart", type="button", data_action="view",
                            data_view="cart", aria_pressed="false",
                            children=[el("span", None, L("cart_view")), self.cart_summary])
        root = el("section", "sell", data_view="products", children=[
            el("div", "sell-left", children=[self.search, self.results_box]),
            el("div", "sell-right", children=[self.customer_box, self.cart_box, self.totals_box, self.message,
                                              self.charge_button]),
            el("nav", "sell-switch", aria_label=L("view_switch"), children=[self.show_products, self.show_cart]),
        ])
        self.root = root
        replace(by_id("app"), root)
        self.on(root, "click", self._on_click)
        self.on(root, "change", self._on_change)
        self.on(self.search, "input", self._on_input)
        # Capture: the Enter ending a scan must not also reach a focused result (which adds itself on Enter).
        self.on(document(), "keydown", self._on_document_key, capture=True)
        self.on(self.search, "keydown", self._on_key)
        self.on(self.results_box, "keydown", self._on_result_key)
        self.render()
        self.search.focus()

    # ---------- events ----------
    def _on_input(self, event: Any) -> None:
        self.limit = RESULTS
        self.refresh_results()

    def _on_document_key(self, event: Any) -> None:
        """A scanner burst with the focus outside any text field (body, a button, the cart): add by code.

        Keys typed into a field are that field's (the search box has its own Enter); with a dialog open the
        burst is not for the selling screen. The Enter ending a burst is swallowed so it does not also press
        the focused button (e.g. Factura) or add a focused result.
        """
        target = event.target
        tag = str(getattr(target, "tagName", "") or "").upper()
        if tag in _EDITABLE or getattr(target, "isContentEditable", False) or not self.search.isConnected:
            return
        if dialogs.top is not None:
            return
        if event.ctrlKey or event.altKey or event.metaKey:
            return
        key = str(event.key)
        now = float(event.timeStamp)
        fast = now - self._scan_at <= SCAN_GAP_MS
        if key == "Enter":
            code, self._scan = self._scan, ""
            if fast and len(code) >= SCAN_MIN:
                event.preventDefault()
                event.stopPropagation()
                self.scan(code)
            return
        if len(key) != 1:
            return
        self._scan = (self._scan if fast else "") + key
        self._scan_at = now

    def scan(self, code: str) -> None:
        """A scanned code: the product with that barcode or SKU goes in the cart, or the cashier is told."""
        product = self.till.catalog.by_code(code)
        if product is None:
            self.say(L("scan_not_found", code=code))
            return
        self.add(product)

    def _on_result_key(self, event: Any) -> None:
        """Keyboard on the results: Enter/space adds, arrows move, Escape goes back to the search box."""
        node = event.target
        key = event.key
        if key in ("Enter", " "):
            event.preventDefault()
            product = self.till.catalog.get(int(node.getAttribute("data-id") or 0))
            if product is not None and self.add(product):
                self.search.focus()
        elif key in ("ArrowDown", "ArrowUp"):
            event.preventDefault()
            sibling = node.nextElementSibling if key == "ArrowDown" else node.previousElementSibling
            if hasattr(sibling, "focus"):
                sibling.focus()
            elif key == "ArrowUp":
                self.search.focus()
        elif key == "Escape":
            self.search.focus()

    def _on_key(self, event: Any) -> None:
        if event.key == "ArrowDown":
            first = self.results_box.querySelector(".result")
            if hasattr(first, "focus"):
                event.preventDefault()
                first.focus()
            return
        if event.key == "F2":
            event.preventDefault()
            self.open_payment()
            return
        if event.key != "Enter":
            return
        event.preventDefault()
        query = str(self.search.value).strip()
        if not query:
            return
        product = self.till.catalog.by_code(query)
        if product is None:
            found = self.till.catalog.search(query, limit=1)
            product = found[0] if found else None
        if product is None:
            self.say(t("product_not_found", lang()))
            return
        if self.add(product):
            self.search.value = ""
            self.refresh_results()

    def _on_click(self, event: Any) -> None:
        target = event.target
        field = target.getAttribute("data-field") if hasattr(target, "getAttribute") else None
        if field in ("qty", "discount") and is_touch(event):
            self.open_pad(str(field), int(target.getAttribute("data-id")))
            return
        action, node = action_of(event)
        if action is None:
            return
        if action == "add":
            product = self.till.catalog.get(int(node.dataset.id))
            if product is not None and self.add(product):
                self.search.focus()
        elif action == "remove":
            self.till.cart.remove(int(node.dataset.id))
            self.render_cart()
        elif action == "type":
            self.set_type(str(node.dataset.type))
        elif action == "customer":
            from caja_pos.screens.customer import CustomerPicker

            CustomerPicker(self.till.customers, self.customer_store, self.on_customer)
        elif action == "charge":
            self.open_payment()
        elif action == "more":
            self.limit += RESULTS
            self.refresh_results()
        elif action in ("inc", "dec"):
            self.step(int(node.dataset.id), 1 if action == "inc" else -1)
        elif action == "view":
            self.show_view(str(node.dataset.view))

    def _on_change(self, event: Any) -> None:
        target = event.target
        kind = target.getAttribute("data-field") if hasattr(target, "getAttribute") else None
        if kind not in ("qty", "discount"):
            return
        self.set_field(str(kind), int(target.getAttribute("data-id")), str(target.value))

    def set_field(self, kind: str, pid: int, text: str) -> None:
        """A quantity or a discount typed (in the field or on the pad): poscore decides whether it is valid."""
        try:
            if kind == "qty":
                self.till.cart.set_qty(pid, text.strip() or "0")
            else:
                typed = text.strip() or "0"
                if self.guard.discount_needs_supervisor(typed):  # above the shop's limit: a supervisor's PIN first
                    spawn(self._discount_with_pin(pid, typed))
                    return
                self.till.cart.set_discount(pid, typed)
            self.say(None)
        except NotSellable as exc:
            self.say(exc.text(lang()))
        self.render_cart()

    def step(self, pid: int, delta: int) -> None:
        """− / +: one unit (a piece, a kg) less or more; the last unit is removed with ×, not with −."""
        line = self.till.cart.line(pid)
        self.set_field("qty", pid, str(line.qty + delta))

    def open_pad(self, kind: str, pid: int) -> None:
        line = self.till.cart.line(pid)
        name = line.product.name
        if kind == "qty":
            kg = line.product.unit == "kg"
            NumPad(L("pad_kg" if kg else "pad_qty", name=name), str(line.qty),
                   lambda text: self.set_field("qty", pid, text), decimals=3 if kg else 0)
        else:
            NumPad(L("pad_discount", name=name), str(line.discount_pct),
                   lambda text: self.set_field("discount", pid, text), decimals=2)

    def show_view(self, view: str) -> None:
        """The product list or the cart, on a screen too narrow for both (pos.css shows both when it fits)."""
        self.root.dataset.view = view
        self.show_products.setAttribute("aria-pressed", "true" if view == "products" else "false")
        self.show_cart.setAttribute("aria-pressed", "true" if view == "cart" else "false")
        if view == "products":
            self.search.focus()

    async def _discount_with_pin(self, pid: int, typed: str) -> None:
        limit = self.guard.discount_limit
        if await self.guard.authorize("discount", f"{typed}%", L("auth_discount", limit=limit)):
            try:
                self.till.cart.set_discount(pid, typed)
                self.say(None)
            except NotSellable as exc:
                self.say(exc.text(lang()))
        else:
            self.say(L("auth_refused"))
        self.render_cart()

    # ---------- actions ----------
    def add(self, product: Product) -> bool:
        try:
            self.till.cart.add(product, 1)
        except NotSellable as exc:
            self.say(exc.text(lang()))
            return False
        self.say(None)
        self.render_cart()
        return True

    def set_type(self, sale_type: str) -> None:
        if sale_type == "factura" and factura_ready(self.till.customer):
            self.say(L("factura_needs_customer"))
            return
        self.till.sale_type = sale_type
        self.say(None)
        self.render_customer()

    def on_customer(self, customer: Any) -> None:
        self.till.customer = customer
        if customer is None or factura_ready(customer):
            self.till.sale_type = "remision"
        self.render_customer()
        self.render_totals()  # the customer decides whether IEPS is shown on its own

    def open_payment(self) -> None:
        if not self.till.cart:
            self.say(t("empty_cart", lang()))
            return
        if self.till.sale_type == "factura" and factura_ready(self.till.customer):
            self.say(L("factura_needs_customer"))
            return
        if not self.guard.may_sell():  # a shop with cashiers sells within an open shift only
            self.say(L("shift_needed"))
            self.guard.open_shift_panel()
            return
        from caja_pos.screens.payment import PaymentScreen

        PaymentScreen(self.till, self.commit, self.after_sale)

    def after_sale(self) -> None:
        # "Nueva venta": an empty search box and no results left from the last sale's search.
        self.search.value = ""
        self.limit = RESULTS
        self.render()
        self.show_view("products")  # on a narrow screen the next sale starts at the search

    def say(self, text: str | None) -> None:
        self.message.hidden = not text
        self.message.textContent = text or ""

    # ---------- rendering ----------
    def render(self) -> None:
        self.refresh_results()
        self.render_customer()
        self.render_cart()

    def refresh_results(self) -> None:
        query = str(self.search.value).strip()
        catalog = self.till.catalog
        page = None
        if query and catalog.names_waiting() > NAMES_AT_ONCE:
            # Right after the till opens, the names are still normalized in the background (CatalogIndex.prepare):
            # a name search now would do all of them in one task (≈0.35 s on a tablet, while a scan comes in). A
            # code is found at once meanwhile; the name results follow when the names are ready.
            found = catalog.by_code(query)
            self.results = [found] if found is not None else []
            if self._names_wait is None or self._names_wait.done():
                self._names_wait = spawn(self._results_when_names_ready(), "search when names ready")
        else:
            page = catalog.search_page(query, limit=self.limit) if query else None
            self.results = page.products if page is not None else []
        rows = []
        for p in self.results:
            stock = self.till.stock_of(p)
            price = f"{format_mxn(p.price)} / {t(p.unit, lang())}" if p.price is not None else "—"
            stock_text = format_qty(stock, p.unit) if stock is not None else "—"
            rows.append(el("li", "result" + ("" if p.sellable and p.price is not None else " unsellable"),
                           data_action="add", data_id=p.id, tabindex=0, children=[
                               el("span", "name", p.name),
                               el("span", "meta", f"{p.sku} · {L('stock')}: {stock_text}"),
                               el("span", "price", price),
                           ]))
        if query and not rows:
            rows.append(el("li", "muted", L("no_results")))
        elif page is not None and page.more:
            # Say that more match, and let the cashier list them a page at a time (bounded work per click).
            text = L("more_results", n=page.more) if page.exact else L("more_results_some")
            rows.append(el("li", "more-results", id="more-results", data_more=page.more, children=[
                el("span", "muted", text),
                el("button", "secondary", L("see_more"), id="see-more", type="button", data_action="more")]))
        replace(self.results_box, *rows)

    async def _results_when_names_ready(self) -> None:
        while self.search.isConnected and self.till.catalog.names_waiting() > NAMES_AT_ONCE:
            await asyncio.sleep(NAMES_POLL_S)  # prepare runs a step per task; its end is not an event we get
        if self.search.isConnected:
            self.refresh_results()

    def render_customer(self) -> None:
        c = self.till.customer
        name = c.name if c is not None else L("public")
        types = []
        for key in ("remision", "factura"):
            types.append(el("button", "toggle", L(key), type="button", data_action="type", data_type=key,
                            aria_pressed="true" if self.till.sale_type == key else "false"))
        replace(self.customer_box,
                el("span", "label", L("customer") + ":"),
                el("button", "link", name, id="customer-name", type="button", data_action="customer"),
                el("span", "spacer"),
                el("span", "type-toggle", children=types))

    def render_cart(self) -> None:
        replace(self.cart_box, cart_view.cart_table(self.till.cart))
        self.render_totals()

    def render_totals(self) -> None:
        rows, total = cart_view.totals_rows(self.till)
        replace(self.totals_box, *rows)
        self.charge_button.disabled = not self.till.cart
        self.cart_summary.textContent = f"{L('cart_count', n=len(self.till.cart))} · {format_mxn(total)}"
