"""Ticket layout of a return (devolución): the returned lines, the money given back and how, on 58 or 80 mm paper.

Like ``ticket``: pure data (``TicketLine``), ``web/`` renders it. The amounts are the return's as computed by
``returns`` (never recomputed here); a line's name, unit and price come from the sale it returns.

Must not: print, render HTML, or compute amounts.
"""

from __future__ import annotations

from .messages import t
from .money import format_mxn, format_qty
from .returns import Return
from .sale import Sale
from .ticket import WIDTHS, TicketLine, _pair, _when, _wrap


def return_ticket_lines(
    ret: Return,
    sale: Sale,
    shop: dict,
    width_mm: int = 58,
    *,
    lang: str = "es",
    folio: str | None = None,
    sale_folio: str | None = None,
) -> list[TicketLine]:
    """The ticket of ``ret`` (a return of ``sale``) for ``shop``; ``folio`` is the return's ERP folio label when
    known (series D), ``sale_folio`` the returned sale's."""
    if width_mm not in WIDTHS:
        raise ValueError(f"paper width must be 58 or 80 mm, not {width_mm!r}")
    w = WIDTHS[width_mm]
    out: list[TicketLine] = []

    def center(text: str, bold: bool = False) -> None:
        out.extend(TicketLine(x.center(w).rstrip(), bold, True) for x in _wrap(text, w))

    def left(text: str) -> None:
        out.extend(TicketLine(x) for x in _wrap(text, w))

    def pair(label: str, value: str, bold: bool = False) -> None:
        out.append(TicketLine(_pair(label, value, w), bold))

    rule = TicketLine("-" * w)
    if shop.get("name"):
        center(str(shop["name"]), bold=True)
    if shop.get("rfc"):
        center(f"{t('ticket_rfc', lang)}: {shop['rfc']}")
    out.append(rule)
    center(t("ticket_return", lang), bold=True)
    if folio:
        pair(t("ticket_folio", lang), folio, bold=True)
    else:
        center(t("ticket_pending_folio", lang))
    left(f"{t('ticket_return_of', lang)} {sale.number}")
    if sale_folio:
        pair(t("ticket_folio", lang), sale_folio)
    pair(t("ticket_date", lang), _when(ret.device_time))
    if ret.cashier:
        pair(t("ticket_cashier", lang), ret.cashier)
    if ret.authorizer:
        pair(t("ticket_return_authorized", lang), ret.authorizer)
    left(f"{t('ticket_return_reason', lang)}: {ret.reason}")
    out.append(rule)
    for x in ret.lines:
        sold = sale.lines[x.line]
        left(sold.name)
        pair(f"  {format_qty(x.qty, sold.unit)} x {format_mxn(sold.unit_price)}", format_mxn(x.amounts.total))
    out.append(rule)
    totals = ret.totals
    pair(t("ticket_subtotal", lang), format_mxn(totals.subtotal))
    if totals.discount:
        pair(t("ticket_discount", lang), format_mxn(-totals.discount))
    for tax in totals.taxes:
        rate = t("ticket_exento", lang) if tax.rate == "exento" else f"{tax.rate}%"
        pair(f"{tax.tax} {rate}", format_mxn(tax.amount))
    pair(t("ticket_total", lang), format_mxn(totals.total), bold=True)
    pair(f"{t('ticket_return_refund', lang)} ({t(ret.refund_method, lang)})", format_mxn(ret.refund), bold=True)
    out.append(rule)
    center(t("ticket_return_footer", lang))
    return out
