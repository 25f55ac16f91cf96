"""check_sale: accepts what complete_sale makes, names what is wrong with anything else."""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from poscore_data import WHEN, simple_sale
from poscore_strategies import carts

from poscore.cart import Cart
from poscore.payment import Payment
from poscore.sale import Problem, Sale, check_sale, complete_sale, verified_sale


def codes(d: object) -> list[str]:
    return [p.code for p in check_sale(d)]


def sale_dict(**kw: object) -> dict:
    return simple_sale(**kw).to_json()  # type: ignore[arg-type]


def test_a_completed_sale_passes() -> None:
    assert check_sale(sale_dict()) == []
    assert check_sale(sale_dict(prices_include_tax=False)) == []


def test_problems_carry_spanish_messages_and_the_field() -> None:
    d = sale_dict()
    d["totals"]["total"] = "229.58"
    [problem] = check_sale(d)
    assert problem == Problem("totals_mismatch", problem.message, "totals.total")
    assert problem.message.startswith("Los totales no cuadran")
    assert problem.to_json()["error"] == "totals_mismatch"


@pytest.mark.parametrize(("path", "value", "code"), [
    (("lines", 0, "total"), "37.01", "totals_mismatch"),
    (("lines", 0, "subtotal"), "29.55", "totals_mismatch"),
    (("lines", 0, "discount"), "0.01", "totals_mismatch"),
    (("lines", 0, "taxes", 1, "amount"), "5.11", "totals_mismatch"),
    (("lines", 0, "taxes", 1, "rate"), "8", "totals_mismatch"),
    (("lines", 0, "unit_price"), "18.40", "totals_mismatch"),
    (("lines", 0, "discount_pct"), "5", "totals_mismatch"),
    (("lines", 0, "ieps"), None, "totals_mismatch"),
    (("totals", "tax_total"), "0.00", "totals_mismatch"),
    (("totals", "subtotal"), "1.00", "totals_mismatch"),
    (("totals", "taxes"), [], "totals_mismatch"),
    (("lines", 0, "qty"), "3", "totals_mismatch"),
    (("lines", 0, "qty"), "0", "invalid_quantity"),
    (("lines", 0, "qty"), "-2", "invalid_quantity"),
    (("lines", 0, "qty"), "NaN", "invalid_quantity"),
    (("lines", 0, "qty"), "Infinity", "invalid_quantity"),
    (("lines", 0, "qty"), 2.0, "invalid_quantity"),
    (("lines", 0, "qty"), 2, "invalid_quantity"),  # quantities travel as decimal strings
    (("lines", 0, "unit_price"), 18, "invalid_price"),
    (("lines", 0, "discount_pct"), 0, "invalid_discount"),
    (("lines", 0, "total"), 37, "totals_mismatch"),
    (("payments", 0, "amount"), 500, "invalid_amount"),
    (("lines", 0, "qty"), "2.5555", "invalid_quantity"),
    (("lines", 1, "qty"), "0.75", "invalid_quantity"),  # kg must carry 3 decimals
    (("lines", 0, "unit"), "litro", "invalid_quantity"),
    (("lines", 0, "unit_price"), "-18.50", "invalid_price"),
    (("lines", 0, "unit_price"), "sNaN", "invalid_price"),
    (("lines", 0, "unit_price"), None, "invalid_price"),
    (("lines", 0, "discount_pct"), "101", "invalid_discount"),
    (("lines", 0, "iva"), "15", "invalid_tax"),
    (("lines", 0, "product_id"), "1", "malformed"),
    (("lines", 0, "name"), None, "malformed"),
    (("number",), "T01-000124", "number_mismatch"),
    (("seq",), "123", "malformed"),
    (("type",), "nota", "invalid_sale_type"),
    (("device_time",), "2026-11-27T16:14:00", "malformed"),
    (("device_time",), "ayer", "malformed"),
    (("cashier",), 5, "malformed"),
    (("price_list_id",), None, "malformed"),
    (("prices_include_tax",), False, "totals_mismatch"),
    (("prices_include_tax",), "true", "malformed"),
    (("uuid",), "", "malformed"),
    (("lines",), [], "empty_cart"),
    (("lines",), "x", "malformed"),
    (("lines", 0), "x", "malformed"),
    (("totals",), None, "malformed"),
    (("payments",), [], "unpaid"),
    (("payments",), None, "malformed"),
    (("payments", 0, "amount"), "100.00", "unpaid"),
    (("payments", 0, "amount"), "NaN", "invalid_amount"),
    (("payments", 0, "amount"), "10.001", "invalid_amount"),
    (("payments", 0, "method"), "cheque", "unknown_payment_method"),
    (("payments", 0, "sat_code"), "04", "payments_mismatch"),
    (("payments", 0, "method"), "tarjeta_credito", "payments_mismatch"),  # sat_code still 01
    (("payments", 0, "reference"), 7, "malformed"),
    (("totals", "paid"), "400.00", "payments_mismatch"),
    (("totals", "change"), "0.00", "payments_mismatch"),
    (("type",), "factura", "factura_customer_incomplete"),
    (("customer",), "Juan", "malformed"),
    (("v",), 2, "unsupported_version"),
])
def test_tampered_sales_are_rejected_with_the_right_code(path: tuple, value: object, code: str) -> None:
    d = sale_dict()
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert code in codes(d), codes(d)


def test_overpaid_by_card() -> None:
    d = sale_dict()
    d["payments"] = [Payment("tarjeta_credito", D("300.00")).to_json()]
    d["totals"]["paid"], d["totals"]["change"] = "300.00", "70.43"
    assert codes(d) == ["overpaid_non_cash"]


def test_missing_fields_are_malformed_and_never_raise() -> None:
    full = sale_dict()
    for key in full:
        if key in ("v",):
            continue
        d = {k: v for k, v in full.items() if k != key}
        assert check_sale(d), key
    for part in (("lines", 0), ("payments", 0), ("totals",)):
        container = full
        for k in part:
            container = container[k]
        for key in container:
            d = copy.deepcopy(full)
            target = d
            for k in part:
                target = target[k]
            del target[key]
            assert check_sale(d), (part, key)
    assert codes(None) == ["malformed"] and codes([]) == ["malformed"] and codes({}) == ["unsupported_version"]


def test_structural_problems_come_first() -> None:
    d = sale_dict()
    d["totals"]["total"] = "1.00"
    d["uuid"] = None
    assert codes(d)[0] == "malformed"


def test_factura_with_a_ready_customer_passes() -> None:
    d = sale_dict()
    d["type"] = "factura"
    d["customer"] = {"id": None, "uuid": "c-1", "name": "Escuela Kemper Urgate", "rfc": "EKU9003173C9",
                     "regimen_fiscal": "601", "codigo_postal": "26015", "uso_cfdi": "G03", "email": None}
    assert check_sale(d) == []
    _same_as_check_then_read(d)
    d["customer"]["rfc"] = "XAXX010101000"
    assert codes(d) == ["rfc_generic"]


# JSON-like values of any shape, to prove check_sale never raises.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(list(sale_dict())), json_values, max_size=14))
def test_check_sale_never_raises_on_garbage(overrides: dict) -> None:
    d = sale_dict() | overrides
    problems = check_sale(d)
    assert all(isinstance(p, Problem) and p.code for p in problems)
    if not overrides:
        assert problems == []
    _same_as_check_then_read(d)


def _same_as_check_then_read(d: object) -> None:
    """verified_sale is check_sale, then Sale.from_json when the check found nothing."""
    problems, sale = verified_sale(d)
    assert problems == check_sale(d)
    if problems:
        assert sale is None
    else:
        assert sale == Sale.from_json(d)


@given(carts(), st.sampled_from(["efectivo", "tarjeta_debito", "mixed"]), st.integers(min_value=0, max_value=5000))
def test_property_complete_sale_round_trips_and_passes_check(cart: Cart, how: str, extra_cents: int) -> None:
    total = cart.totals().total
    if how == "efectivo":
        pays = [Payment("efectivo", total + D(extra_cents) / 100)] if total + D(extra_cents) / 100 > 0 else []
    elif how == "tarjeta_debito":
        pays = [Payment("tarjeta_debito", total)] if total > 0 else []
    else:
        card = (total / 2).quantize(D("0.01"))
        pays = [p for p in (Payment("tarjeta_credito", card) if card > 0 else None,
                            Payment("efectivo", total - card + D(extra_cents) / 100)
                            if total - card + D(extra_cents) / 100 > 0 else None) if p is not None]
    sale = complete_sale(cart, pays, "uuid-1", "T01", 42, WHEN)
    d = json.loads(json.dumps(sale.to_json()))
    assert Sale.from_json(d) == sale
    assert check_sale(d) == []
    assert verified_sale(d) == ([], sale)
    t = sale.totals
    assert t.total == sum((x.amounts.total for x in sale.lines), D(0))
    assert sum((x.amount for x in t.taxes), D(0)) == t.tax_total
    assert t.subtotal - t.discount + t.tax_total == t.total
    assert t.paid - t.change == t.total and t.change >= 0
    # Any change to the stated total is caught.
    d["totals"]["total"] = str(t.total + D("0.01"))
    assert "totals_mismatch" in codes(d)


_line_keys = list(sale_dict()["lines"][0])


@given(st.lists(st.dictionaries(st.sampled_from(_line_keys), json_values, max_size=13), max_size=3),
       st.lists(st.dictionaries(st.sampled_from(["method", "sat_code", "amount", "reference"]), json_values),
                max_size=3),
       json_values)
def test_check_sale_never_raises_on_garbage_inside_lines_payments_and_customer(
        lines: list, payments: list, customer: object) -> None:
    d = sale_dict()
    for i, garbage in enumerate(lines):
        d["lines"].append(d["lines"][i % 3] | garbage)
    d["payments"] = payments
    d["customer"] = customer
    d["type"] = "factura"
    assert check_sale(d)  # at least unpaid
    _same_as_check_then_read(d)


def test_verified_sale_reads_amounts_stated_without_trailing_zeros() -> None:
    d = sale_dict()
    def short(text: str) -> str:  # "116.50" -> "116.5", "116.00" -> "116"
        return text.rstrip("0").rstrip(".") if "." in text else text
    for line in d["lines"]:
        line["total"] = short(line["total"])
    d["totals"]["paid"] = short(d["totals"]["paid"])
    assert d["totals"]["paid"] != sale_dict()["totals"]["paid"]
    problems, sale = verified_sale(d)
    assert problems == [] and sale == Sale.from_json(d)
    assert sale is not None and sale.lines[0].amounts.total == D(d["lines"][0]["total"])


def test_a_line_seen_before_is_judged_as_if_new() -> None:
    """check_sale keeps a valid line's parse and amounts by its input texts (a shop sells the same lines all day):
    the amounts a line states are still compared every time, by value when not written canonically, and inputs
    of another type (2 for "2") never share an entry."""
    from poscore import check

    def short(text: str) -> str:  # "116.50" -> "116.5", "116.00" -> "116"
        return text.rstrip("0").rstrip(".") if "." in text else text

    def variants() -> list[dict]:
        out = []
        for path, value in [(("lines", 0, "total"), "37.01"), (("lines", 0, "taxes", 1, "amount"), "5.11"),
                            (("lines", 2, "discount"), "0.00"), (("lines", 0, "taxes", 0, "rate"), "16"),
                            (("lines", 0, "taxes"), []), (("lines", 1, "qty"), 0.755), (("lines", 0, "qty"), 2)]:
            d = sale_dict()
            target = d
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            out.append(d)
        relaxed = sale_dict()
        for line in relaxed["lines"]:
            line["total"] = short(line["total"])
            line["subtotal"] = short(line["subtotal"])
        out.append(relaxed)
        return out

    check._LINES.clear()
    cold = []
    for d in variants():
        cold.append(check_sale(d))
        check._LINES.clear()
    assert [len(p) for p in cold[:-1]] == [1] * 7 and cold[-1] == []
    assert check_sale(sale_dict()) == [] and len(check._LINES) == 3  # every line of the plain sale is known now
    assert [check_sale(d) for d in variants()] == cold
    problems, sale = verified_sale(variants()[-1])
    assert problems == [] and sale == Sale.from_json(variants()[-1])
