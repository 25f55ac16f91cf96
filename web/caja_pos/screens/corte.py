"""The Corte Z count (the drawer counted with the MXN denominations helper, the other methods' totals typed) with
expected vs counted and the difference per method as the cashier types; and the corte's ticket lines for the
ticket preview (58/80 mm).

Must not do the arithmetic: what a count of pieces adds up to, the expected amounts and the differences are
poscore.shift's (`cash_count`, `corte`); the ticket's layout is poscore.corte_ticket's.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from caja_pos.text.labels import L, lang
from caja_pos.ui.dialogs import AnswerDialog
from caja_pos.ui.dom import action_of, el, replace
from poscore.corte_ticket import corte_lines
from poscore.messages import t
from poscore.money import ZERO, InvalidNumber, format_mxn
from poscore.payment import CASH, METHODS
from poscore.shift import DENOMINATIONS, LocalShift, ShiftError, amount, cash_count, corte
from poscore.ticket import TicketLine
from poscore.typed import parse_typed


def corte_ticket(kind: str, figures: Any, terminal: dict, cashier: str, shift: LocalShift, at: str,
                 entradas: Decimal, salidas: Decimal,
                 refunds: dict[str, Decimal]) -> Callable[[int, str], list[TicketLine]]:
    """The corte's lines for the ticket preview, at the width and in the language it asks for."""
    def lines(width: int, language: str) -> list[TicketLine]:
        return corte_lines(kind, figures, terminal.get("shop") or {}, terminal=str(terminal.get("code", "")),
                           cashier=cashier, opened_at=shift.opened_at, at=at, opening_float=shift.opening_float,
                           entradas=entradas, salidas=salidas, refunds=refunds, width_mm=width, lang=language)
    return lines


class CountDialog(AnswerDialog):
    """Answers (counted by method, pieces by denomination) once the cashier confirms."""

    def __init__(self, expected: dict[str, Decimal]) -> None:
        super().__init__()
        self.expected = expected
        self.pieces: dict[str, Any] = {}
        grid = []
        for key, value in DENOMINATIONS.items():
            field = el("input", None, id=f"count-{key}", type="text", inputmode="numeric", autocomplete="off",
                       placeholder="0", data_denomination=key, aria_label=format_mxn(value))
            self.pieces[key] = field
            kind = L("bill") if key.startswith("b") else L("coin")
            grid += [el("span", None, f"{kind} {format_mxn(value)}"), field, el("span", "muted", "")]
        self.others: dict[str, Any] = {}
        other_rows = []
        for method in METHODS:
            if method == CASH:
                continue
            field = el("input", "amount", id=f"count-{method}", type="text", inputmode="decimal", autocomplete="off",
                       placeholder="0.00", data_method=method, aria_label=t(method, lang()))
            self.others[method] = field
            other_rows.append(el("label", "pay-row", children=[el("span", None, t(method, lang())), field]))
        self.table = el("table", "corte-table", id="count-table")
        self.error = el("p", "error", id="count-error", role="alert", hidden=True)
        self.box = el("div", "card dialog corte-count", id="count-dialog", children=[
            el("h2", None, L("corte_count_title")),
            el("h3", None, L("cash_count")), el("div", "count-grid", children=grid),
            el("h3", None, L("other_methods")), *other_rows,
            self.table, self.error,
            el("div", "actions", children=[
                el("button", "secondary", L("cancel"), type="button", data_action="count-cancel", data_escape=True),
                el("button", "primary", L("close_shift"), id="count-ok", type="button", data_action="count-ok")]),
        ])
        self.on(self.box, "click", self._on_click)
        self.on(self.box, "input", lambda e: self.update())
        self.update()

    def read(self) -> tuple[dict[str, Decimal], dict[str, int]]:
        """What was typed: counted by method (cash from the pieces) and the pieces; raises ShiftError."""
        pieces: dict[str, int] = {}
        for key, field in self.pieces.items():
            text = str(field.value).strip()
            if not text:
                continue
            if not text.isdigit():
                raise ShiftError("invalid_count", key)
            if int(text):
                pieces[key] = int(text)
        counted = {CASH: cash_count(pieces)}
        for method, field in self.others.items():
            text = str(field.value).strip()
            if text:
                try:
                    counted[method] = amount(str(parse_typed(text)))
                except InvalidNumber:
                    raise ShiftError("invalid_amount", method) from None
        return counted, pieces

    def update(self) -> None:
        try:
            counted, _ = self.read()
        except ShiftError as exc:
            self.error.textContent = t(exc.code, lang())
            self.error.hidden = False
            return
        self.error.hidden = True
        figures = corte(self.expected, counted)
        head = el("tr", None, children=[el("th", None, ""), el("th", "num", t("corte_expected", lang())),
                                         el("th", "num", t("corte_counted", lang())),
                                         el("th", "num", t("corte_difference", lang()))])
        rows = [head]
        for line in (*figures.lines, None):
            label, exp, cnt, diff = ((t(line.method, lang()), line.expected, line.counted, line.difference)
                                     if line is not None else (L("total"), figures.expected, figures.counted,
                                                               figures.difference))
            key = line.method if line is not None else "total"
            rows.append(el("tr", None, data_method=key, children=[
                el("td", None, label), el("td", "num", format_mxn(exp)), el("td", "num", format_mxn(cnt)),
                el("td", "num neg" if diff < ZERO else "num", format_mxn(diff), data_difference=str(diff))]))
        replace(self.table, *rows)

    def _on_click(self, event: Any) -> None:
        action, _ = action_of(event)
        if action == "count-cancel":
            self.close()
        elif action == "count-ok":
            try:
                counted, pieces = self.read()
            except ShiftError as exc:
                self.error.textContent = t(exc.code, lang())
                self.error.hidden = False
                return
            self.answer((counted, pieces or None))
