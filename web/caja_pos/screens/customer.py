"""Customer picker: público en general by default, offline search by name or RFC (poscore.CustomerIndex), and
"Nuevo cliente" created offline (stored in `customers_local`; it travels inside its sale and the ERP creates
it by uuid).

Must not validate fiscal data itself: poscore.customer does (RFC, régimen, código postal, uso CFDI).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

from caja_pos.services.device_store import CustomerStore
from caja_pos.services.tasks import spawn
from caja_pos.text.labels import L, lang
from caja_pos.ui.dialogs import DialogView
from caja_pos.ui.dom import action_of, by_id, el, replace
from poscore.customer import Customer, CustomerIndex, InvalidCustomer, customer_problems
from poscore.messages import t

FIELDS = (("name", "name"), ("rfc", "rfc"), ("regimen_fiscal", "regimen"), ("codigo_postal", "cp"),
          ("uso_cfdi", "uso_cfdi"), ("email", "email"))


class CustomerPicker(DialogView):
    def __init__(self, customers: CustomerIndex, store: CustomerStore,
                 on_pick: Callable[[Customer | None], None]) -> None:
        super().__init__()
        self.customers = customers
        self.store = store
        self.on_pick = on_pick
        self.found: dict[str, Customer] = {}
        self.query = el("input", "search", id="customer-search", type="search", autocomplete="off",
                        placeholder=L("customer_search"), aria_label=L("customer_search"))
        self.list = el("ul", "results", id="customer-results")
        self.form_box = el("div", "customer-form", id="customer-form", hidden=True)
        self.error = el("p", "error", id="customer-error", role="alert", hidden=True)
        self.box = el("div", "card dialog customers", id="customers", children=[
            el("h2", None, L("customers_title")),
            self.query, self.list,
            el("div", "actions", children=[
                el("button", "secondary", L("use_public"), type="button", data_action="public"),
                el("button", "secondary", L("new_customer"), id="new-customer", type="button",
                   data_action="new"),
                el("button", "secondary", L("close"), type="button", data_action="close"),
            ]),
            self.form_box, self.error,
        ])
        self.open()
        self.on(self.box, "click", self._on_click)
        self.on(self.query, "input", lambda e: self.render())
        self.query.focus()

    def render(self) -> None:
        text = str(self.query.value).strip()
        hits = self.customers.search(text, limit=20) if text else []
        self.found = {}
        rows = []
        for c in hits:
            key = str(c.id) if c.id is not None else str(c.uuid)
            self.found[key] = c
            rows.append(el("li", "result", data_action="pick", data_key=key, tabindex=0, children=[
                el("span", "name", c.name), el("span", "meta", c.rfc or "")]))
        if text and not rows:
            rows.append(el("li", "muted", L("no_results")))
        replace(self.list, *rows)

    def _on_click(self, event: Any) -> None:
        action, node = action_of(event)
        if action == "pick":
            self.done(self.found.get(str(node.dataset.key)))
        elif action == "public":
            self.done(None)
        elif action == "close":
            self.close()
        elif action == "new":
            self.show_form()
        elif action == "save-customer":
            spawn(self.save())

    def show_form(self) -> None:
        rows = [el("label", None, L(key), children=[el("input", None, id=f"cust-{field}", type="text",
                                                       autocomplete="off")])
                for field, key in FIELDS]
        rows.append(el("button", "primary", L("save"), id="save-customer", type="button",
                       data_action="save-customer"))
        replace(self.form_box, *rows)
        self.form_box.hidden = False
        by_id("cust-name").focus()

    async def save(self) -> None:
        data: dict[str, Any] = {field: (str(by_id(f"cust-{field}").value).strip() or None) for field, _ in FIELDS}
        data["uuid"] = str(uuid4())
        try:
            customer = Customer.from_json({**data, "name": data["name"] or ""})
            problems = ["customer_name_required"] if not customer.name.strip() else customer_problems(customer)
        except (InvalidCustomer, ValueError):
            problems = ["malformed"]
        if problems:
            self.error.textContent = t(problems[0], lang())
            self.error.hidden = False
            return
        await self.store.add_local_customer(customer.to_json())
        self.customers.add([customer])
        self.done(customer)

    def done(self, customer: Customer | None) -> None:
        self.close()
        self.on_pick(customer)
