"""The ticket of a sale (Ventas → Imprimir): a preview of poscore's ticket layout on 58 or 80 mm paper (a
setting kept in IndexedDB), "Guardar en el equipo" (a self-contained HTML file through a Blob download, so it
works offline and needs nothing from the server) and "Imprimir ticket" (the browser's print dialog; pos.css's
@media print shows only the ticket, sized for the roll).

Must not lay out the ticket itself (poscore.ticket does: widths, wording, amounts) nor change the sale.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from caja_pos.services.device_store import Settings
from caja_pos.services.tasks import spawn
from caja_pos.text.labels import L, lang
from caja_pos.ui.dialogs import DialogView
from caja_pos.ui.dom import action_of, el, replace
from caja_pos.ui.page import download_text, print_page
from poscore.lifecycle import SYNCED
from poscore.numbering import folio_label
from poscore.qr import qr_matrix, qr_svg
from poscore.return_ticket import return_ticket_lines
from poscore.returns import Return
from poscore.sale import Sale
from poscore.ticket import WIDTHS, TicketLine, ticket_lines

_FILE_CSS = ("body{margin:0;padding:4mm 0;background:#fff}"
             ".ticket{font:2.5mm/1.35 'DejaVu Sans Mono',Menlo,Consolas,monospace;white-space:pre;margin:0 auto}"
             ".w58{width:58mm}.w80{width:80mm}.b{font-weight:700}.qr{text-align:center}@page{margin:0}")


def lines_for(record: dict, shop: dict, width_mm: int, language: str) -> list[TicketLine]:
    """The ticket of a sale record, or of a return record (it has "return": its own layout)."""
    sale = Sale.from_json(record["sale"])
    folio = None
    if record.get("state") == SYNCED and record.get("series") and record.get("folio") is not None:
        folio = folio_label(record["series"], int(record["folio"]))
    if "return" in record:
        return return_ticket_lines(Return.from_json(record["return"]), sale, shop, width_mm, lang=language,
                                   folio=folio, sale_folio=record.get("sale_folio"))
    return ticket_lines(sale, shop, width_mm, lang=language, folio=folio, cfdi=record.get("cfdi"))


def ticket_html(lines: list[TicketLine], width_mm: int, title: str) -> str:
    """A whole HTML document for the saved file: inline CSS, escaped text, no script, no external resource."""
    body = "\n".join(f'<div class="qr">{qr_svg(qr_matrix(x.qr), module=3)}</div>' if x.qr else
                     f'<div class="{"b" if x.bold else ""}">{html.escape(x.text) or "&nbsp;"}</div>'
                     for x in lines)
    return (f'<!doctype html>\n<html lang="es-MX"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_FILE_CSS}</style></head><body><div class=\"ticket w{width_mm}\">\n{body}\n</div></body></html>\n")


def _qr(text: str) -> Any:
    """The self-invoicing QR as an inline SVG (poscore draws it: no network, no image file)."""
    node = el("div", "tl qr")
    node.innerHTML = qr_svg(qr_matrix(text), module=3)  # our own SVG markup; the text is only module data
    return node


class TicketPreview(DialogView):
    def __init__(self, settings: Settings, shop: dict, record: dict, on_back: Callable[[], object],
                 lines: Callable[[int, str], list[TicketLine]] | None = None) -> None:
        """`record`: a sale record; or, with `lines(width_mm, lang)`, any ticket (a corte) named by its "number"."""
        super().__init__()
        self.settings = settings
        self.shop = shop
        self.record = record
        self.lines = lines or (lambda width, language: lines_for(self.record, self.shop, width, language))
        self.on_back = on_back
        self.width = 58
        self.paper = el("div", "ticket paper-58", id="ticket")
        self.choice = el("div", "actions no-print", id="paper-choice")
        self.box = el("div", "card dialog ticket-preview", id="ticket-preview", children=[
            el("h2", "no-print", L("ticket_preview")),
            self.choice,
            self.paper,
            el("div", "actions no-print", children=[
                el("button", "secondary", L("back"), id="ticket-back", type="button", data_action="ticket-back",
                   data_escape=True),
                el("button", "secondary", L("save_file"), id="ticket-save", type="button",
                   data_action="ticket-save"),
                el("button", "primary", L("print_ticket"), id="ticket-print", type="button",
                   data_action="ticket-print")]),
        ])
        self.open()
        self.on(self.box, "click", self._on_click)
        spawn(self._load_width())

    async def _load_width(self) -> None:
        stored = await self.settings.get("ticket_width", 58)
        self.render(int(stored) if int(stored) in WIDTHS else 58)

    def render(self, width: int) -> None:
        self.width = width
        lines = self.lines(width, lang())
        replace(self.paper, *[_qr(x.qr) if x.qr else el("div", "tl b" if x.bold else "tl", x.text or "\u00a0")
                              for x in lines])
        self.paper.className = f"ticket paper-{width}"
        self.paper.dataset.width = str(width)
        replace(self.choice, el("span", None, L("paper") + ":"), *[
            el("button", "toggle", f"{w} mm", type="button", data_action="paper", data_width=w,
               aria_pressed="true" if w == width else "false") for w in sorted(WIDTHS)])

    def _on_click(self, event: Any) -> None:
        action, node = action_of(event)
        if action == "paper":
            width = int(node.dataset.width)
            self.render(width)
            spawn(self.settings.put("ticket_width", width))
        elif action == "ticket-save":
            self.save()
        elif action == "ticket-print":
            print_page()
        elif action == "ticket-back":
            self.close()
            self.on_back()

    def save(self) -> None:
        number = self.record["number"]
        lines = self.lines(self.width, lang())
        download_text(f"ticket-{number}.html", "text/html;charset=utf-8",
                      ticket_html(lines, self.width, f"Ticket {number}"))
