"""Ticket layout for 58 mm and 80 mm paper."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from poscore_data import product, simple_sale
from poscore_strategies import carts, names

from poscore.cart import Cart
from poscore.customer import Customer
from poscore.money import format_mxn
from poscore.payment import Payment
from poscore.sale import complete_sale
from poscore.ticket import TicketLine, ticket_lines, ticket_text

SHOP = {"name": "Abarrotes La Esperanza", "rfc": "EKU9003173C9", "regimen_fiscal": "601",
        "address": "Av. Juárez 12, Col. Centro, Cuauhtémoc, Ciudad de México", "codigo_postal": "06000"}


@pytest.mark.parametrize(("mm", "width"), [(58, 32), (80, 48)])
def test_every_line_fits_the_paper(mm: int, width: int) -> None:
    lines = ticket_lines(simple_sale(cashier="Ana"), SHOP, mm)
    assert all(isinstance(x, TicketLine) and len(x.text) <= width for x in lines)
    assert any(len(x.text) == width for x in lines)


def test_ticket_content_58mm() -> None:
    text = ticket_text(ticket_lines(simple_sale(cashier="Ana"), SHOP, 58))
    assert text.splitlines()[0].strip() == "Abarrotes La Esperanza"
    for expected in ("RFC: EKU9003173C9", "Régimen: 601", "REMISIÓN", "T01-000123", "27/11/2026 16:14",
                     "Folio pendiente de sincronizar", "  2 x $18.50              $37.00",
                     "  0.755 kg x $129.90      $98.07", "  Descuento 10%          -$10.50",
                     "IVA 16%", "IVA 0%", "TOTAL                    $229.57",
                     "Efectivo                 $500.00", "Cambio                   $270.43",
                     "¡Gracias por su compra!", "06000"):
        assert expected in text, expected
    # A remisión's buyer did not ask for the IEPS broken out (LIEPS art. 19 fr. II): it is in the prices.
    assert "IEPS" not in text


def test_bold_and_centered_flags() -> None:
    lines = ticket_lines(simple_sale(), SHOP, 80, folio="R-17")
    assert lines[0].bold and lines[0].center
    total = next(x for x in lines if x.text.startswith("TOTAL"))
    assert total.bold and not total.center
    assert any(x.text.startswith("Folio") and x.text.endswith("R-17") for x in lines)
    assert not any("pendiente" in x.text for x in lines)


def test_factura_ticket_in_english_with_customer_and_card() -> None:
    cart = Cart(False, False, price_list_id=1)
    cart.add(product(1, name="Detergente líquido multiusos aroma lavanda extra grande 5 litros",
                     price="100.00", iva="exento"), 1)
    customer = Customer("Escuela Kemper Urgate", rfc="EKU9003173C9", regimen_fiscal="601",
                        codigo_postal="26015", uso_cfdi="G03")
    sale = complete_sale(cart, [Payment("tarjeta_credito", D("100.00"))], "u", "T01", 5,
                         "2026-01-02T09:05:00-06:00", "factura", customer)
    lines = ticket_lines(sale, SHOP, 58, lang="en")
    text = ticket_text(lines)
    assert "INVOICE" in text and "Customer: Escuela Kemper Urgate" in text
    assert "IVA exempt" in text and "Credit card" in text and "Change" not in text
    assert "not a tax receipt" not in text
    assert len([x for x in lines if "Detergente" in x.text or "lavanda" in x.text]) >= 2  # wrapped


def test_unknown_width_is_refused() -> None:
    with pytest.raises(ValueError):
        ticket_lines(simple_sale(), SHOP, 76)


@given(carts(), st.sampled_from([58, 80]), st.sampled_from(["es", "en"]), names)
def test_property_every_ticket_line_fits(cart: Cart, mm: int, lang: str, shop_name: str) -> None:
    total = cart.totals().total
    pays = [Payment("efectivo", total + D(1000))]
    sale = complete_sale(cart, pays, "u", "T01", 1, "2026-11-27T16:14:00-06:00", cashier=shop_name * 3)
    lines = ticket_lines(sale, SHOP | {"name": shop_name * 5}, mm, lang=lang)
    width = {58: 32, 80: 48}[mm]
    assert all(len(x.text) <= width for x in lines)
    text = ticket_text(lines)
    assert format_mxn(total) in text and sale.number in text
