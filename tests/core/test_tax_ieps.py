"""IEPS as the SAT models it: a cuota per litre beside the rate, and the buyer's choice to see it broken out.

Worked examples with their cents: a flavoured drink of 0.6 L at a cuota of $3.0818 per litre, with and without
tax in the price, with a discount; the same lines folded (IEPS inside the price) as tickets and CFDIs of buyers
who did not ask for the breakdown show them (LIEPS art. 19 fr. II).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from poscore_data import WHEN, cash, product_json

from poscore.cart import Cart, NotSellable
from poscore.catalog import Product
from poscore.customer import Customer
from poscore.returns import make_return
from poscore.sale import Sale, check_sale, complete_sale, shown_totals
from poscore.tax import InvalidTax, LineAmounts, TaxScheme, compute_line, fold_ieps, tax_label
from poscore.ticket import ticket_lines, ticket_text

CUOTA = TaxScheme("16", ieps_cuota="3.0818", litres="0.6")


def _amounts(a: LineAmounts) -> tuple:
    return (str(a.subtotal), str(a.discount), [(x.tax, x.rate, str(x.base), str(x.amount)) for x in a.taxes],
            str(a.total))


def _drink(pid: int = 7, price: str = "18.50") -> Product:
    return Product.from_json({**product_json(pid, name="Refresco naranja 600 ml", price=price),
                              "ieps_cuota": "3.0818", "litres": "0.6"})


def test_cuota_without_tax_in_the_price() -> None:
    # 2 × $15.00 net: 1.2 L × 3.0818 = 3.69816 → IEPS 3.70; IVA on 33.70 = 5.392 → 5.39; total 39.09.
    a = compute_line(D("15.00"), D(2), D(0), CUOTA, False)
    assert _amounts(a) == ("30.00", "0.00", [("IEPS", "3.0818/L", "1.2", "3.70"), ("IVA", "16", "33.70", "5.39")],
                           "39.09")


def test_cuota_with_tax_in_the_price() -> None:
    # $18.50 on the shelf: IVA base 18.50 / 1.16 = 15.948 → 15.95, IVA 2.55; IEPS 0.6 × 3.0818 = 1.849 → 1.85;
    # net 15.95 − 1.85 = 14.10.
    a = compute_line(D("18.50"), D(1), D(0), CUOTA, True)
    assert _amounts(a) == ("14.10", "0.00", [("IEPS", "3.0818/L", "0.6", "1.85"), ("IVA", "16", "15.95", "2.55")],
                           "18.50")


def test_cuota_with_a_discount_is_still_owed_on_every_litre() -> None:
    # 2 × $18.50 with 10 % off: total 33.30, IVA base 28.71, IVA 4.59, IEPS 3.70 (1.2 L), net 25.01; the
    # undiscounted 37.00 splits to 31.90 and a net of 28.20, so the discount is 3.19.
    a = compute_line(D("18.50"), D(2), D(10), CUOTA, True)
    assert _amounts(a) == ("28.20", "3.19", [("IEPS", "3.0818/L", "1.2", "3.70"), ("IVA", "16", "28.71", "4.59")],
                           "33.30")
    # Folded: the cuota goes into the price (31.90), the discount keeps the rest apart, IVA unchanged.
    assert _amounts(fold_ieps(a)) == ("31.90", "3.19", [("IVA", "16", "28.71", "4.59")], "33.30")


def test_rate_folded_with_a_discount() -> None:
    # $100.00 net, 10 % off, IEPS 8 %, IVA 16 %: net 90.00, IEPS 7.20, IVA 97.20 × 0.16 = 15.552 → 15.55, 112.75.
    a = compute_line(D("100.00"), D(1), D(10), TaxScheme("16", "8"), False)
    assert str(a.total) == "112.75"
    # Folded: the subtotal carries the IEPS of the undiscounted 100.00 (8.00); 108.00 − 10.80 + 15.55 = 112.75.
    assert _amounts(fold_ieps(a)) == ("108.00", "10.80", [("IVA", "16", "97.20", "15.55")], "112.75")


def test_a_line_without_ieps_folds_to_itself() -> None:
    a = compute_line(D("35.00"), D(3), D(10), TaxScheme("16"), True)
    assert fold_ieps(a) == a


def test_scheme_refusals() -> None:
    for bad in ({"ieps": "8", "ieps_cuota": "3.0818", "litres": "0.6"}, {"ieps_cuota": "3.0818"},
                {"litres": "0.6"}, {"ieps_cuota": "3", "litres": "0"}, {"ieps_cuota": "-1", "litres": "1"},
                {"ieps_cuota": "3", "litres": "0.0005"}):
        with pytest.raises(InvalidTax):
            TaxScheme("16", **bad)
    assert TaxScheme("16", ieps_cuota="3.08180", litres="0.600") == CUOTA.__class__("16", None, "3.0818", "0.6")


def test_a_discount_leaving_less_than_the_cuota_is_refused() -> None:
    cart = Cart(True, False, price_list_id=1)
    cart.add(_drink(price="2.50"))
    with pytest.raises(NotSellable) as err:
        cart.set_discount(7, "50")  # $1.25 cannot carry $1.85 of IEPS
    assert err.value.code == "invalid_discount"
    assert cart.line(7).discount_pct == 0


def _sale(customer: Customer | None, sale_type: str = "remision") -> Sale:
    cart = Cart(True, False, price_list_id=1)
    cart.add(_drink(), 2)
    cart.add(Product.from_json(product_json(8, name="Galletas", price="22.00", ieps="8")), 1)
    return complete_sale(cart, [cash("100.00")], "9b2f1f0e-0000-4000-8000-0000000000c1", "T01", 9, WHEN,
                         sale_type, customer)


def test_sale_round_trip_and_check_with_a_cuota() -> None:
    cart = Cart(True, False, price_list_id=1)
    cart.add(Product.from_json({**product_json(9, price="12.00"), "ieps_cuota": "3.0818", "litres": "0.355"}), 3)
    can = complete_sale(cart, [cash("36.00")], "9b2f1f0e-0000-4000-8000-0000000000c3", "T01", 10, WHEN)
    assert can.lines[0].amounts.taxes[0].base == D("1.065")  # litres, not cents: the check takes them
    assert check_sale(can.to_json()) == []
    sale = _sale(None)
    data = sale.to_json()
    assert data["lines"][0]["ieps_cuota"] == "3.0818" and data["lines"][0]["litres"] == "0.6"
    assert "ieps_cuota" not in data["lines"][1]  # products without a cuota keep the old shape
    assert Sale.from_json(data) == sale
    assert check_sale(data) == []
    data["lines"][0]["litres"] = "0.5"  # a till that says other litres than it computed with
    assert any(p.code == "totals_mismatch" for p in check_sale(data))


def test_ticket_shows_ieps_only_to_a_buyer_who_asked() -> None:
    asked = Customer("Tienda Kemper", rfc="EKU9003173C9", regimen_fiscal="601", codigo_postal="26015",
                     uso_cfdi="G01", ieps_breakdown=True)
    plain = Customer("Tienda Kemper", rfc="EKU9003173C9", regimen_fiscal="601", codigo_postal="26015",
                     uso_cfdi="G01")
    shop = {"name": "Abarrotes"}
    broken = ticket_text(ticket_lines(_sale(asked, "factura"), shop, 58))
    folded = ticket_text(ticket_lines(_sale(plain, "factura"), shop, 58))
    assert "IEPS $3.0818/L" in broken and "IEPS 8%" in broken
    assert "IEPS" not in folded
    # 2 drinks: IVA base 31.90, IVA 5.10, IEPS 3.70, net 28.20; galletas: IVA base 18.97, IVA 3.03, IEPS 1.41,
    # net 17.56. Folded subtotal 31.90 + 18.97 = 50.87, IVA 8.13, total 59.00 either way.
    for customer, subtotal in ((asked, "45.76"), (plain, "50.87")):
        shown = shown_totals(_sale(customer, "factura"))
        assert str(shown.subtotal) == subtotal and str(shown.total) == "59.00"
        assert shown.subtotal - shown.discount + shown.tax_total == shown.total
    assert Customer.from_json(asked.to_json()).ieps_breakdown
    assert "ieps_breakdown" not in plain.to_sale_json()


def test_return_of_a_cuota_line_gives_back_its_litres() -> None:
    sale = _sale(None)
    r = make_return(sale, {0: "1"}, {}, uuid="d0000000-0000-4000-8000-0000000000c2", terminal="T01",
                    device_time="2026-11-28T10:00:00-06:00", reason="Caducado", refund_method="efectivo")
    # One of two drinks: half of 37.00, of its IVA 5.10 and of its IEPS 3.70; 0.6 of the 1.2 litres.
    assert _amounts(r.lines[0].amounts) == ("14.10", "0.00", [("IEPS", "3.0818/L", "0.60", "1.85"),
                                                               ("IVA", "16", "15.95", "2.55")], "18.50")


def test_labels() -> None:
    a = compute_line(D("18.50"), D(1), D(0), CUOTA, True)
    assert [tax_label(x) for x in a.taxes] == ["IEPS $3.0818/L", "IVA 16 %"]


@given(price=st.integers(200, 50000), qty=st.integers(1, 24), pct=st.integers(0, 100), include=st.booleans(),
       litres=st.sampled_from(["0.355", "0.6", "1", "2.5"]))
def test_folding_never_changes_the_total_nor_goes_negative(price: int, qty: int, pct: int, include: bool,
                                                          litres: str) -> None:
    scheme = TaxScheme("16", ieps_cuota="3.0818", litres=litres)
    try:
        a = compute_line(D(price) / 100, D(qty), D(pct), scheme, include)
    except InvalidTax:
        return  # a discount the till refuses
    f = fold_ieps(a)
    assert f.total == a.total and f.subtotal - f.discount + f.tax_total == f.total
    assert f.discount >= 0 and f.subtotal >= 0 and a.net >= 0
