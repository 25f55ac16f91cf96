"""Ticket layout: a sale and the shop's header turned into the lines of a 58 mm or 80 mm ticket.

58 mm paper fits 32 characters per line, 80 mm fits 48. The output is pure data, a list of
``TicketLine(text, bold, center)`` whose ``text`` is already padded or wrapped to the width;
``web/`` renders it (HTML for the screen, or raw text for an ESC/POS printer), and
``ticket_text`` joins it for tests and plain-text printing.

Must not: print, render HTML, or compute amounts (they come from the sale as computed).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .autofactura import invoice_url, ticket_code
from .messages import t
from .money import format_mxn, format_qty, money
from .sale import Sale, shown_totals
from .tax import tax_label

WIDTHS = {58: 32, 80: 48}


@dataclass(frozen=True, slots=True)
class TicketLine:
    """One printed line; ``text`` already fits the paper width."""

    text: str
    bold: bool = False
    center: bool = False
    qr: str = ""  # when set, the line is a QR code of this text (poscore.qr draws it), not printed text


def _pair(left: str, right: str, width: int) -> str:
    """``left`` and ``right`` on one line, right-aligned; ``left`` shortened if needed."""
    room = width - len(right) - 1
    if room < 1:
        return right[-width:]
    if len(left) > room:
        left = left[: room - 1] + "…" if room > 1 else left[:room]
    return left + " " * (width - len(left) - len(right)) + right


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True) or [""]


def _when(device_time: str) -> str:
    try:
        return datetime.fromisoformat(device_time).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return device_time


def ticket_lines(
    sale: Sale,
    shop: dict,
    width_mm: int = 58,
    *,
    lang: str = "es",
    folio: str | None = None,
    cfdi: dict | None = None,
) -> list[TicketLine]:
    """The ticket of ``sale`` for ``shop`` (TERMINAL.shop: name, rfc, regimen_fiscal, address,
    codigo_postal, and autofactura_key/autofactura_url when the shop invoices from the ticket) on
    ``width_mm`` paper (58 or 80). ``folio`` is the ERP folio label when known
    (``numbering.folio_label``); otherwise the ticket says the folio is pending. ``cfdi`` is the stamped
    CFDI of a factura as the ERP gave it (``{"uuid", "qr"}``: POST /api/cfdis): its UUID and the SAT's
    verification QR are printed; a factura without it says it is being stamped.
    """
    if width_mm not in WIDTHS:
        raise ValueError(f"paper width must be 58 or 80 mm, not {width_mm!r}")
    w = WIDTHS[width_mm]
    out: list[TicketLine] = []

    def center(text: str, bold: bool = False) -> None:
        out.extend(TicketLine(x.center(w).rstrip(), bold, True) for x in _wrap(text, w))

    def left(text: str, bold: bool = False) -> None:
        out.extend(TicketLine(x, bold) for x in _wrap(text, w))

    def pair(label: str, value: str, bold: bool = False) -> None:
        out.append(TicketLine(_pair(label, value, w), bold))

    rule = TicketLine("-" * w)

    if shop.get("name"):
        center(str(shop["name"]), bold=True)
    if shop.get("rfc"):
        center(f"{t('ticket_rfc', lang)}: {shop['rfc']}")
    if shop.get("regimen_fiscal"):
        center(f"{t('ticket_regimen', lang)}: {shop['regimen_fiscal']}")
    address = " ".join(str(x) for x in (shop.get("address"), shop.get("codigo_postal")) if x)
    if address:
        center(address)
    out.append(rule)
    center(t(sale.type, lang).upper(), bold=True)
    pair(t("ticket_number", lang), sale.number)
    if folio:
        pair(t("ticket_folio", lang), folio, bold=True)
    else:
        center(t("ticket_pending_folio", lang))
    pair(t("ticket_date", lang), _when(sale.device_time))
    if sale.cashier:
        pair(t("ticket_cashier", lang), sale.cashier)
    if sale.customer is not None:
        left(f"{t('ticket_customer', lang)}: {sale.customer.name}")
        if sale.customer.rfc:
            left(f"{t('ticket_rfc', lang)}: {sale.customer.rfc}")
    out.append(rule)

    for line in sale.lines:
        # Shown in shelf prices: with tax when the price list includes it, net otherwise, so
        # that "qty x price" is what the customer reads on the shelf.
        gross = money(line.unit_price * line.qty)
        left(line.name)
        pair(f"  {format_qty(line.qty, line.unit)} x {format_mxn(line.unit_price)}", format_mxn(gross))
        if line.discount_pct:
            shown = gross - line.amounts.total if sale.prices_include_tax else line.amounts.discount
            pair(f"  {t('ticket_discount', lang)} {line.discount_pct}%", format_mxn(-shown))
    out.append(rule)

    totals = sale.totals
    # IEPS broken out only for a buyer who asked (LIEPS art. 19 fr. II); otherwise it is in the prices, as on
    # the CFDI: subtotal, discount and the tax rows come from the same folding.
    seen = shown_totals(sale)
    pair(t("ticket_subtotal", lang), format_mxn(seen.subtotal))
    if seen.discount:
        pair(t("ticket_discount", lang), format_mxn(-seen.discount))
    for tax in seen.taxes:
        pair(tax_label(tax, t("ticket_exento", lang), "%"), format_mxn(tax.amount))
    pair(t("ticket_total", lang), format_mxn(totals.total), bold=True)
    for p in sale.payments:
        pair(t(p.method, lang), format_mxn(p.amount))
    if totals.change:
        pair(t("ticket_change", lang), format_mxn(totals.change), bold=True)
    count = sum((x.qty if x.unit == "pieza" else Decimal(1) for x in sale.lines), Decimal(0))
    pair(t("ticket_items", lang), format_qty(count, "pieza"))
    out.append(rule)
    center(t("ticket_footer", lang))
    if sale.type == "factura":
        if cfdi and cfdi.get("uuid"):
            # The CFDI's representation carries its folio fiscal and the SAT's verification QR (Anexo 20).
            center(t("ticket_uuid", lang))
            center(str(cfdi["uuid"]), bold=True)
            if cfdi.get("qr"):
                out.append(TicketLine("", center=True, qr=str(cfdi["qr"])))
        else:
            center(t("ticket_cfdi_pending", lang))
    if sale.type == "remision":
        center(t("ticket_not_fiscal", lang))
        key, url = shop.get("autofactura_key"), shop.get("autofactura_url")
        if key and url:
            # Computed here, offline, from the sale itself: the ERP recomputes the same code to find it.
            code = ticket_code(str(key), sale.uuid, sale.terminal, sale.number, sale.totals.total)
            out.append(rule)
            center(t("ticket_autofactura", lang))
            center(str(url))
            center(f"{t('ticket_code', lang)}: {code}", bold=True)
            out.append(TicketLine("", center=True, qr=invoice_url(str(url), code)))
    return out


def ticket_text(lines: list[TicketLine]) -> str:
    """Plain text of a ticket (for tests and text printers)."""
    return "\n".join(x.text for x in lines) + "\n"
