"""The ticket of a return: what came back, the money given back and how, who authorized it, on 58 and 80 mm."""
from __future__ import annotations

from poscore_data import simple_sale

from poscore.return_ticket import return_ticket_lines
from poscore.returns import make_return
from poscore.ticket import WIDTHS, ticket_text

ARGS = {"uuid": "r-1", "terminal": "T02", "device_time": "2026-11-28T10:05:00-06:00", "reason": "Caja dañada",
        "refund_method": "efectivo", "cashier": "Luis", "authorizer": "Ana"}


def test_a_return_ticket_names_the_sale_the_lines_and_the_refund() -> None:
    sale = simple_sale()
    ret = make_return(sale, {1: "0.300", 2: "2"}, {}, **ARGS)
    text = ticket_text(return_ticket_lines(ret, sale, {"name": "Abarrotes Lupita"}, 58, sale_folio="F-4"))
    assert "DEVOLUCIÓN" in text and "Folio pendiente de sincronizar" in text
    assert "Devolución de la venta" in text and sale.number in text and "F-4" in text
    assert "Autorizó" in text and "Ana" in text and "Motivo: Caja dañada" in text
    assert "Jamón de pavo" in text and "0.300 kg" in text and "$38.97" in text
    assert "Reembolso (Efectivo)" in text and "$101.97" in text  # 38.97 + 63.00
    assert all(len(x) <= WIDTHS[58] for x in text.splitlines())


def test_a_synced_return_shows_its_folio_in_english_on_80_mm() -> None:
    sale = simple_sale()
    ret = make_return(sale, {0: "2"}, {}, **ARGS)
    lines = return_ticket_lines(ret, sale, {}, 80, lang="en", folio="D-7")
    text = ticket_text(lines)
    assert "RETURN" in text and "D-7" in text and "Authorized by" in text
    assert all(len(x.text) <= WIDTHS[80] for x in lines)
