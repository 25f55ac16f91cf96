"""complete_sale and the SALE JSON: exact contract shape, versioning, round trips, refusals."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from poscore_data import WHEN, cash, product, simple_sale

from poscore.cart import Cart
from poscore.customer import Customer
from poscore.numbering import folio_label, local_number, parse_local_number
from poscore.payment import Payment
from poscore.sale import Sale, SaleError, check_sale, complete_sale

FACTURA_CUSTOMER = Customer("Escuela Kemper Urgate", id=5, rfc="EKU9003173C9", regimen_fiscal="601",
                            codigo_postal="26015", uso_cfdi="G03")


def test_local_number() -> None:
    assert local_number("T01", 123) == "T01-000123"
    assert local_number("T01", 1234567) == "T01-1234567"
    assert parse_local_number("T01-000123") == ("T01", 123)
    assert folio_label("R", 123) == "R-123"
    for terminal, seq in (("t01", 1), ("", 1), ("T01", 0), ("T01", -1), ("T01", True), ("T-1", 1)):
        with pytest.raises(ValueError):
            local_number(terminal, seq)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        parse_local_number("T01-12")


def test_sale_json_has_exactly_the_contract_fields() -> None:
    d = simple_sale(cashier="Ana").to_json()
    assert list(d) == ["v", "uuid", "terminal", "seq", "number", "type", "device_time", "cashier",
                       "price_list_id", "prices_include_tax", "customer", "lines", "payments", "totals"]
    assert (d["v"], d["terminal"], d["seq"], d["number"], d["type"]) == (1, "T01", 123, "T01-000123", "remision")
    line = d["lines"][0]
    assert list(line) == ["product_id", "sku", "name", "unit", "qty", "unit_price", "discount_pct", "iva",
                          "ieps", "subtotal", "discount", "taxes", "total"]
    assert line["taxes"] == [{"tax": "IEPS", "rate": "8", "base": "29.54", "amount": "2.36"},
                             {"tax": "IVA", "rate": "16", "base": "31.90", "amount": "5.10"}]
    assert (line["qty"], line["unit_price"], line["total"]) == ("2", "18.50", "37.00")
    assert d["lines"][1]["qty"] == "0.755"
    assert d["payments"] == [{"method": "efectivo", "sat_code": "01", "amount": "500.00", "reference": None}]
    assert list(d["totals"]) == ["subtotal", "discount", "taxes", "tax_total", "total", "paid", "change"]
    # 37.00 + 98.07 + (105.00 less 10 % = 94.50) = 229.57
    assert (d["totals"]["total"], d["totals"]["paid"], d["totals"]["change"]) == ("229.57", "500.00", "270.43")
    # Money only as decimal strings, never JSON numbers.
    text = json.dumps(d)
    assert all(not isinstance(v, float) for v in json.loads(text, parse_float=lambda s: float(s)).values())
    assert '"total": "229.57"' in text


@pytest.mark.parametrize("include", [True, False])
def test_round_trip_through_json_text(include: bool) -> None:
    sale = simple_sale(include, customer=FACTURA_CUSTOMER, sale_type="factura", cashier=None)
    again = Sale.from_json(json.loads(json.dumps(sale.to_json())))
    assert again == sale
    assert again.to_json() == sale.to_json()
    assert check_sale(sale.to_json()) == []


def test_complete_sale_leaves_the_cart_alone_and_takes_payment_dicts() -> None:
    cart = Cart(True, False, price_list_id=3)
    cart.add(product(1), 1)
    sale = complete_sale(cart, [{"method": "tarjeta_debito", "amount": "18.50", "reference": "1234"}],
                         "u-1", "T02", 7, datetime(2026, 11, 27, 16, 14, tzinfo=timezone(timedelta(hours=-6))))
    assert sale.device_time == WHEN and sale.price_list_id == 3 and sale.totals.change == 0
    assert sale.payments[0].sat_code == "28"
    assert len(cart) == 1


def test_price_list_argument_overrides_the_cart() -> None:
    cart = Cart(True, False)
    cart.add(product(1), 1)
    with pytest.raises(SaleError, match="malformed"):
        complete_sale(cart, [cash("20")], "u-1", "T01", 1, WHEN)
    assert complete_sale(cart, [cash("20")], "u-1", "T01", 1, WHEN, price_list_id=9).price_list_id == 9


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"pay": "229.56"}, "unpaid"),
    ({"sale_type": "factura"}, "factura_customer_incomplete"),
    ({"sale_type": "factura", "customer": Customer("Juan", rfc="XAXX010101000", regimen_fiscal="616",
                                                   codigo_postal="06000", uso_cfdi="S01")}, "rfc_generic"),
    ({"sale_type": "nota"}, "invalid_sale_type"),
    ({"customer": Customer("Juan", rfc="BAD")}, "invalid_rfc"),
    ({"seq": 0}, "malformed"),
])
def test_complete_sale_refusals(kwargs: dict, code: str) -> None:
    with pytest.raises(SaleError) as err:
        simple_sale(**kwargs)
    assert err.value.code == code


def test_empty_cart_card_overpay_and_bad_time() -> None:
    with pytest.raises(SaleError, match="empty_cart"):
        complete_sale(Cart(True, False, price_list_id=1), [cash("1")], "u", "T01", 1, WHEN)
    cart = Cart(True, False, price_list_id=1)
    cart.add(product(1), 1)
    with pytest.raises(SaleError, match="overpaid_non_cash"):
        complete_sale(cart, [Payment("tarjeta_credito", D(20))], "u", "T01", 1, WHEN)
    for when in ("2026-11-27T16:14:00", "ayer", datetime(2026, 11, 27)):
        with pytest.raises(SaleError, match="malformed"):
            complete_sale(cart, [cash("20")], "u", "T01", 1, when)  # type: ignore[arg-type]
    with pytest.raises(SaleError, match="malformed"):
        complete_sale(cart, [cash("20")], "", "T01", 1, WHEN)
    with pytest.raises(SaleError, match="invalid_amount"):
        complete_sale(cart, [{"method": "efectivo", "amount": "NaN"}], "u", "T01", 1, WHEN)


def test_a_sale_stamped_with_another_identity_is_the_sale_made_with_it() -> None:
    ahead = simple_sale(seq=1)
    later = "2026-11-27T16:20:05-06:00"
    stamped = ahead.stamped("9b2f1f0e-0000-4000-8000-000000000002", 124, later)
    assert stamped.to_json() == {**ahead.to_json(), "uuid": "9b2f1f0e-0000-4000-8000-000000000002", "seq": 124,
                                 "number": "T01-000124", "device_time": later}
    assert Sale.from_json(stamped.to_json()) == stamped
    assert check_sale(stamped.to_json()) == []
    for uuid, seq, when in (("", 124, later), ("u", 0, later), ("u", 124, "2026-11-27T16:20:05")):
        with pytest.raises(SaleError, match="malformed"):
            ahead.stamped(uuid, seq, when)
    clicked = datetime(2026, 11, 27, 16, 21, 9, 500, tzinfo=timezone(timedelta(hours=-6)))
    assert ahead.at(clicked).to_json() == {**ahead.to_json(), "device_time": "2026-11-27T16:21:09-06:00"}
    for when in ("2026-11-27T16:20:05", datetime(2026, 11, 27), "ayer"):
        with pytest.raises(SaleError, match="malformed"):
            ahead.at(when)


def test_from_json_refuses_other_versions_and_bad_shapes() -> None:
    d = simple_sale().to_json()
    with pytest.raises(SaleError, match="unsupported_version"):
        Sale.from_json(d | {"v": 2})
    for bad in ([], d | {"lines": None}, d | {"seq": "123"}, d | {"prices_include_tax": "yes"},
                d | {"totals": {}}, {k: v for k, v in d.items() if k != "uuid"}):
        with pytest.raises(SaleError, match="malformed"):
            Sale.from_json(bad)  # type: ignore[arg-type]
