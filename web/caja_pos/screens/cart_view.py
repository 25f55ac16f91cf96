"""The selling screen's cart as DOM: one row per line (quantity with − / +, discount, line total, remove) and
the running totals with the tax breakdown. Built from text only; SellScreen puts them in the page and handles
their events.

Must not compute prices, taxes or totals (poscore's Cart and shown_totals do), nor keep state or listeners.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from caja_pos.services.till import Till
from caja_pos.text.labels import L, lang
from caja_pos.ui.dom import el
from poscore.cart import Cart
from poscore.messages import t
from poscore.money import format_mxn
from poscore.tax import shown_totals, tax_label


def cart_table(cart: Cart) -> Any:
    """The cart's lines as a table, or the "empty cart" note."""
    if not cart:
        return el("p", "muted", L("cart_empty"))
    rows = []
    for line in cart.lines:
        p = line.product
        step = "0.001" if p.unit == "kg" else "1"
        rows.append(el("tr", "line", data_id=p.id, children=[
            el("td", "name", children=[el("div", None, p.name),
                                       el("div", "muted", f"{format_mxn(line.unit_price)} / {t(p.unit, lang())}")]),
            el("td", "qty-cell", children=[
                el("button", "step", "−", type="button", data_action="dec", data_id=p.id,
                   aria_label=L("qty_less", name=p.name), disabled=line.qty <= 1),
                el("input", "qty", type="number", min="0", step=step, inputmode="decimal",
                   value=str(line.qty), data_field="qty", data_id=p.id, aria_label=L("qty")),
                el("button", "step", "+", type="button", data_action="inc", data_id=p.id,
                   aria_label=L("qty_more", name=p.name))]),
            el("td", "disc-cell", children=[el("label", None, children=[
                el("span", "field-label", L("discount")),
                el("input", "disc", type="number", min="0", max="100", step="any", inputmode="decimal",
                   value=str(line.discount_pct), data_field="discount", data_id=p.id,
                   aria_label=L("discount"))])]),
            el("td", "num line-total", format_mxn(line.total)),
            el("td", "remove-cell", children=[el("button", "icon-button remove", "×", type="button",
                                                 data_action="remove", data_id=p.id, aria_label=L("remove"))]),
        ]))
    return el("table", "cart-table", children=rows)


def totals_rows(till: Till) -> tuple[list[Any], Decimal]:
    """The totals lines (subtotal, discount, each tax, total) and the total they end with."""
    # IEPS broken out only for a customer who asked for it, as the ticket and the CFDI will show it.
    c = till.customer
    totals = shown_totals((x.amounts for x in till.cart.lines), c is not None and c.ieps_breakdown)
    rows = [_total_row(L("subtotal"), format_mxn(totals.subtotal))]
    if totals.discount:
        rows.append(_total_row(L("discount_total"), "-" + format_mxn(totals.discount)))
    for tax in totals.taxes:
        rows.append(_total_row(tax_label(tax, t("ticket_exento", lang())), format_mxn(tax.amount)))
    rows.append(_total_row(L("total"), format_mxn(totals.total), "grand", "cart-total"))
    return rows, totals.total


def _total_row(label: str, value: str, cls: str = "", element_id: str | None = None) -> Any:
    return el("div", f"total-line {cls}".strip(), id=element_id,
              children=[el("span", None, label), el("span", "num", value)])
