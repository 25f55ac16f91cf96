"""The self-invoicing code on a remisión's ticket (poscore.autofactura, poscore.ticket) and the QR encoder
(poscore.qr): the code depends on the terminal's key and on every field it covers, tells nothing about another
ticket's, accepts what a customer types; the ticket carries the code and the QR's text only when the shop set
up self-invoicing; the QR matches a known answer (the same matrix python-qrcode makes; tests/server checks
many more against it)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st
from poscore_data import simple_sale

from poscore.autofactura import invoice_url, normalize_code, same_code, ticket_code
from poscore.qr import QrTooLong, qr_matrix, qr_svg
from poscore.ticket import ticket_lines, ticket_text

KEY = "k" * 32
SHOP = {"name": "Abarrotes La Esperanza", "rfc": "EKU9003173C9", "autofactura_key": KEY,
        "autofactura_url": "https://tienda.example.mx/autofactura"}
UUID = "9b2f1f0e-0000-4000-8000-000000000001"


def test_code_shape_and_what_it_depends_on() -> None:
    code = ticket_code(KEY, UUID, "T01", "T01-000123", D("229.57"))
    assert len(code) == 11 and code[5] == "-" and normalize_code(code) == code
    others = {ticket_code("other key", UUID, "T01", "T01-000123", D("229.57")),
              ticket_code(KEY, UUID.replace("1", "2"), "T01", "T01-000123", D("229.57")),
              ticket_code(KEY, UUID, "T02", "T01-000123", D("229.57")),
              ticket_code(KEY, UUID, "T01", "T01-000124", D("229.57")),
              ticket_code(KEY, UUID, "T01", "T01-000123", D("229.58"))}
    assert code not in others and len(others) == 5
    assert ticket_code(KEY, UUID, "T01", "T01-000123", D("229.570")) == code  # the total to the cent


@given(st.integers(1, 10**6))
def test_codes_of_consecutive_tickets_share_nothing_visible(seq: int) -> None:
    a = ticket_code(KEY, f"uuid-{seq}", "T01", f"T01-{seq:06d}", D("10.00"))
    b = ticket_code(KEY, f"uuid-{seq + 1}", "T01", f"T01-{seq + 1:06d}", D("10.00"))
    assert a != b


def test_normalize_what_a_customer_types() -> None:
    code = ticket_code(KEY, UUID, "T01", "T01-000123", D("229.57"))
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalize_code(typed) == code and same_code(normalize_code(typed) or "", code)
    assert normalize_code("ABC") is None and normalize_code("ABCDE-FGHJ!") is None and normalize_code("") is None


def test_ticket_carries_code_and_qr_text_only_when_set_up() -> None:
    sale = simple_sale()
    lines = ticket_lines(sale, SHOP, 58)
    code = ticket_code(KEY, sale.uuid, sale.terminal, sale.number, sale.totals.total)
    text = ticket_text(lines)
    assert f"Código: {code}" in text and "https://tienda.example.mx/autofa" in text  # wrapped at 32
    [qr] = [x for x in lines if x.qr]
    assert qr.qr == invoice_url(SHOP["autofactura_url"], code) and qr.text == ""
    assert all(len(x.text) <= 32 for x in lines)
    assert not any(x.qr for x in ticket_lines(sale, {"name": "X"}, 58))  # not set up: no code
    factura = replace(sale, type="factura")
    assert not any(x.qr for x in ticket_lines(factura, SHOP, 58))  # a factura needs none


KNOWN = [  # qr_matrix("caja", "M", mask=2): version 1, identical to python-qrcode's
    "#######..####.#######", "#.....#...###.#.....#", "#.###.#.#..##.#.###.#", "#.###.#.###...#.###.#",
    "#.###.#.##.##.#.###.#", "#.....#.#.#.#.#.....#", "#######.#.#.#.#######", "........##.##........",
    "#.#####..#..#.#####..", ".#.###..#...#..#..#.#", "#...###.#..#.#..####.", "...#.#..###....######",
    ".##.#.###..#.#..#....", "........#######.....#", "#######..#..#.##...#.", "#.....#.#..####..##..",
    "#.###.#.##..#..#...#.", "#.###.#.###.#..#..#..", "#.###.#.#.##.#..###..", "#.....#...#....##.#..",
    "#######.#.##.#..#.##.",
]


def test_qr_known_answer_sizes_and_svg() -> None:
    assert ["".join("#" if v else "." for v in row) for row in qr_matrix("caja", "M", mask=2)] == KNOWN
    url = invoice_url(SHOP["autofactura_url"], "7K3PQ-M9XW2")
    assert len(qr_matrix(url, "M")) == 33  # version 4
    svg = qr_svg(qr_matrix("caja"))
    assert svg.startswith("<svg") and 'viewBox="0 0 29 29"' in svg and "<script" not in svg
    try:
        qr_matrix("x" * 300)
    except QrTooLong:
        pass
    else:
        raise AssertionError("300 bytes do not fit version 10")
