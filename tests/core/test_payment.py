"""Payments: SAT codes, mixed payments, change only from cash."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from poscore.payment import METHODS, Payment, PaymentError, change_due, payment_problems, quick_cash


def test_sat_codes() -> None:
    assert METHODS == {"efectivo": "01", "transferencia": "03", "tarjeta_credito": "04", "tarjeta_debito": "28"}
    assert Payment("tarjeta_debito", D(10)).sat_code == "28"


def test_cash_gives_change() -> None:
    assert change_due(D("131.37"), [Payment("efectivo", D(200))]) == D("68.63")
    assert change_due(D("131.37"), [Payment("efectivo", D("131.37"))]) == D("0.00")


def test_mixed_payment_change_comes_from_cash() -> None:
    pays = [Payment("tarjeta_credito", D("100.00")), Payment("efectivo", D("50.00"))]
    assert change_due(D("131.37"), pays) == D("18.63")


def test_unpaid_is_refused_with_what_is_missing() -> None:
    with pytest.raises(PaymentError) as err:
        change_due(D("131.37"), [Payment("transferencia", D("100.00"), "SPEI 123")])
    assert err.value.code == "unpaid" and "$31.37" in err.value.message
    with pytest.raises(PaymentError):
        change_due(D("1.00"), [])


def test_card_cannot_overpay() -> None:
    assert payment_problems(D("100.00"), [Payment("tarjeta_debito", D("100.01"))]) == ["overpaid_non_cash"]
    with pytest.raises(PaymentError, match="overpaid_non_cash"):
        change_due(D("100.00"), [Payment("tarjeta_debito", D(60)), Payment("transferencia", D(50))])
    assert change_due(D("100.00"), [Payment("tarjeta_debito", D(100))]) == 0


@pytest.mark.parametrize("amount", [D(0), D(-1), D("NaN"), D("Infinity")])
def test_bad_amounts(amount: D) -> None:
    with pytest.raises(PaymentError, match="invalid_amount"):
        Payment("efectivo", amount)


def test_unknown_method_and_json() -> None:
    with pytest.raises(PaymentError, match="unknown_payment_method"):
        Payment("cheque", D(1))
    p = Payment("tarjeta_credito", D("10.5"), "auth 42")
    assert p.to_json() == {"method": "tarjeta_credito", "sat_code": "04", "amount": "10.50", "reference": "auth 42"}
    assert Payment.from_json(p.to_json()) == p
    for bad in ({"method": "efectivo"}, {"method": "efectivo", "amount": 5.0}, {"method": "efectivo", "amount": "x"}):
        with pytest.raises(PaymentError, match="invalid_amount"):
            Payment.from_json(bad)


@pytest.mark.parametrize(("total", "offered"), [
    ("35.50", ["35.50", "40.00", "50.00", "100.00", "200.00", "500.00"]),
    ("131.37", ["131.37", "140.00", "150.00", "200.00", "500.00"]),
    ("100", ["100.00", "200.00", "500.00"]),  # a total already a banknote: not offered twice
    ("19.99", ["19.99", "20.00", "50.00", "100.00", "200.00", "500.00"]),
    ("480.01", ["480.01", "500.00", "600.00"]),  # the next 20, 50, 100 and 500 are all 500
    ("1234.56", ["1234.56", "1240.00", "1250.00", "1300.00", "1400.00", "1500.00"]),
    ("0", ["0.00"]),
])
def test_quick_cash_offers_the_exact_amount_and_the_next_banknotes(total: str, offered: list[str]) -> None:
    assert quick_cash(D(total)) == [D(x) for x in offered]
    assert [str(x) for x in quick_cash(D(total))] == offered  # two decimals, as money
