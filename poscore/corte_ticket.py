"""Corte X and Corte Z tickets: a shift's figures laid out for 58 mm or 80 mm paper, like ``poscore.ticket``.

Pure data (``TicketLine``s already fitted to the width); ``web/`` renders or prints them.
Must not: compute the corte (``poscore.shift.corte`` does), print, or render HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .messages import t
from .money import ZERO, format_mxn
from .payment import CASH
from .shift import CorteFigures
from .ticket import WIDTHS, TicketLine, _pair, _when, _wrap


def corte_lines(
    kind: str,
    figures: CorteFigures,
    shop: dict,
    *,
    terminal: str,
    cashier: str,
    opened_at: str,
    at: str,
    opening_float: Decimal,
    entradas: Decimal,
    salidas: Decimal,
    refunds: Mapping[str, Decimal] | None = None,
    width_mm: int = 58,
    lang: str = "es",
) -> list[TicketLine]:
    """The Corte ``kind`` ("X": a reading during the shift, "Z": the close) of a shift.

    ``refunds`` is what was paid back for returns and cancelled sales, by method (``poscore.shift.refunded_by_method``):
    the cash on its own line ("Devoluciones en efectivo", always shown), every other method's inside its block, so
    the cashier sees why a method's expected amount is lower than its sales.
    """
    if width_mm not in WIDTHS:
        raise ValueError(f"paper width must be 58 or 80 mm, not {width_mm!r}")
    if kind not in ("X", "Z"):
        raise ValueError(f"corte must be X or Z, not {kind!r}")
    w = WIDTHS[width_mm]
    out: list[TicketLine] = []
    rule = TicketLine("-" * w)

    def center(text: str, bold: bool = False) -> None:
        out.extend(TicketLine(x.center(w).rstrip(), bold, True) for x in _wrap(text, w))

    def pair(label: str, value: str, bold: bool = False) -> None:
        # A label too long for the paper beside its amount ("Devoluciones en efectivo" on 58 mm) keeps its words
        # on a line of its own, the amount right-aligned below, rather than being cut.
        if len(label) + 1 + len(value) > w and len(label) <= w:
            out.append(TicketLine(label, bold))
            label = ""
        out.append(TicketLine(_pair(label, value, w), bold))

    if shop.get("name"):
        center(str(shop["name"]), bold=True)
    center(t(f"corte_{kind.lower()}", lang).upper(), bold=True)
    out.append(rule)
    pair(t("corte_terminal", lang), terminal)
    pair(t("ticket_cashier", lang), cashier)
    pair(t("corte_opened", lang), _when(opened_at))
    pair(t("corte_at", lang), _when(at))
    out.append(rule)
    pair(t("corte_float", lang), format_mxn(opening_float))
    pair(t("corte_entradas", lang), format_mxn(entradas))
    pair(t("corte_salidas", lang), format_mxn(-salidas))
    refunds = refunds or {}
    pair(t("corte_refunds", lang), format_mxn(-refunds.get(CASH, ZERO)))
    for line in figures.lines:
        out.append(rule)
        out.append(TicketLine(t(line.method, lang), bold=True))
        if line.method != CASH and refunds.get(line.method):
            pair(f"  {t('corte_method_refunds', lang)}", format_mxn(-refunds[line.method]))
        pair(f"  {t('corte_expected', lang)}", format_mxn(line.expected))
        pair(f"  {t('corte_counted', lang)}", format_mxn(line.counted))
        pair(f"  {t('corte_difference', lang)}", format_mxn(line.difference), bold=bool(line.difference))
    out.append(rule)
    pair(t("corte_expected", lang), format_mxn(figures.expected))
    pair(t("corte_counted", lang), format_mxn(figures.counted))
    pair(t("corte_difference", lang), format_mxn(figures.difference), bold=True)
    if kind == "X":
        center(t("corte_x_note", lang))
    return out
