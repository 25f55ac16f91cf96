"""Returns: worked examples with their cents, the RETURN record's validation, and the no-more-than-sold property."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from poscore_data import simple_sale
from poscore_strategies import carts

from poscore.money import money
from poscore.returns import ReturnError, make_return, read_return, return_line_amounts
from poscore.sale import complete_sale

ARGS = {"uuid": "d0000000-0000-4000-8000-000000000001", "terminal": "T02",
        "device_time": "2026-11-28T10:00:00-06:00", "reason": "Producto dañado", "refund_method": "efectivo"}


def _amounts(a: object) -> tuple:
    return (str(a.subtotal), str(a.discount), [(x.tax, x.rate, str(x.base), str(x.amount)) for x in a.taxes],  # type: ignore[attr-defined]
            str(a.total))  # type: ignore[attr-defined]


def test_worked_example_prices_with_tax() -> None:
    # simple_sale: 2 refrescos $18.50 (IEPS 8 %, IVA 16 %), 0.755 kg jamón $129.90 (IVA 0), 3 jabones $35.00
    # with 10 % off (IVA 16 %); line totals 37.00, 98.07, 94.50.
    sale = simple_sale()
    r = make_return(sale, {0: "1", 1: "0.300", 2: "2"}, {}, **ARGS)
    one, ham, soap = r.lines
    # Half the refrescos: exactly the tax split of one $18.50 (15.95 IVA base, 14.77 net).
    assert _amounts(one.amounts) == ("14.77", "0.00", [("IEPS", "8", "14.77", "1.18"), ("IVA", "16", "15.95", "2.55")],
                                     "18.50")
    # 98.07 × 0.300 / 0.755 = 38.967… → 38.97.
    assert _amounts(ham.amounts) == ("38.97", "0.00", [("IVA", "0", "38.97", "0.00")], "38.97")
    # 94.50 × 2/3 = 63.00; discount 9.05 × 2/3 = 6.033 → 6.03; IVA 13.03 × 2/3 = 8.687 → 8.69; net 54.31.
    assert _amounts(soap.amounts) == ("60.34", "6.03", [("IVA", "16", "54.31", "8.69")], "63.00")
    assert r.refund == D("120.47") and r.totals.tax_total == D("12.42")
    assert r.totals.subtotal - r.totals.discount + r.totals.tax_total == r.totals.total


def test_the_last_units_take_the_remaining_cents() -> None:
    sale = simple_sale()
    ham, soap = sale.lines[1], sale.lines[2]
    assert return_line_amounts(ham, D("0.300"), D("0.455")).total == D("59.10")  # 98.07 - 38.97
    last = return_line_amounts(soap, D(2), D(1))
    assert _amounts(last) == ("30.18", "3.02", [("IVA", "16", "27.16", "4.34")], "31.50")


def test_worked_example_prices_without_tax() -> None:
    sale = simple_sale(False)
    # Jabón $35.00 net × 3, 10 % off: subtotal 105.00, discount 10.50, IVA 15.12, total 109.62; one back:
    # 109.62 / 3 = 36.54, 10.50 / 3 = 3.50, 15.12 / 3 = 5.04, net 31.50.
    a = return_line_amounts(sale.lines[2], D(0), D(1))
    assert _amounts(a) == ("35.00", "3.50", [("IVA", "16", "31.50", "5.04")], "36.54")


def test_tiny_returns_never_give_a_negative_piece() -> None:
    # 1.388 kg at $6.09 net, IEPS 26.5 %, IVA exento: net 8.45, IEPS 2.24, total 10.69. Gram by gram, each
    # piece's net and IEPS stay >= 0 and the grams add up to the line to the cent.
    from poscore.sale import SaleLine
    from poscore.tax import TaxScheme, compute_line

    scheme = TaxScheme("exento", "26.5")
    amounts = compute_line(D("6.09"), D("1.388"), D(0), scheme, False)
    assert (amounts.net, amounts.total) == (D("8.45"), D("10.69"))
    line = SaleLine(1, "SKU1", "Dulce a granel", "kg", D("1.388"), D("6.09"), D(0), scheme, amounts)
    back = D(0)
    for gram in range(1388):
        a = return_line_amounts(line, D(gram) / 1000, D("0.001"))
        assert a.net >= 0 and all(t.amount >= 0 for t in a.taxes)
        back += a.total
    assert back == D("10.69")


def test_refusals() -> None:
    sale = simple_sale()
    with pytest.raises(ReturnError) as e:
        make_return(sale, {0: "3"}, {}, **ARGS)
    assert e.value.code == "return_exceeds"
    with pytest.raises(ReturnError) as e:
        make_return(sale, {0: "1"}, {0: D(2)}, **ARGS)
    assert e.value.code == "return_exceeds"
    for units, code in (({0: "0.5"}, "invalid_quantity"), ({1: "0.0001"}, "invalid_quantity"),
                        ({0: "-1"}, "invalid_quantity"), ({7: "1"}, "return_line_unknown"), ({}, "return_empty")):
        with pytest.raises(ReturnError) as e:
            make_return(sale, units, {}, **ARGS)  # type: ignore[arg-type]
        assert e.value.code == code
    with pytest.raises(ReturnError) as e:
        make_return(sale, {0: "1"}, {}, **{**ARGS, "reason": "  "})
    assert e.value.code == "return_no_reason"
    with pytest.raises(ReturnError) as e:
        make_return(sale, {0: "1"}, {}, **{**ARGS, "refund_method": "vales"})
    assert e.value.code == "unknown_refund_method"


def test_read_return_recomputes_and_names_a_stale_return() -> None:
    sale = simple_sale()
    raw = make_return(sale, {2: "1"}, {}, **ARGS, cashier="Ana", authorizer="Supervisor").to_json()
    assert raw["cashier"] == "Ana" and raw["authorizer"] == "Supervisor" and raw["v"] == 1
    assert read_return(raw, sale, {}).refund == D("31.50")
    # Another till's return of one jabón arrived first: the refund of one more is still 63.00 - 31.50, but its
    # IVA is 8.69 - 4.34 = 4.35, not 4.34, so the till's amounts are stale.
    with pytest.raises(ReturnError) as e:
        read_return(raw, sale, {2: D(1)})
    assert e.value.code == "return_stale"
    assert return_line_amounts(sale.lines[2], D(1), D(1)).taxes[0].amount == D("4.35")
    tampered = {**raw, "totals": {**raw["totals"], "total": "99.00"}}
    with pytest.raises(ReturnError) as e:
        read_return(tampered, sale, {})
    assert e.value.code == "totals_mismatch"
    for bad, code in (({**raw, "v": 2}, "unsupported_version"), ({**raw, "sale_uuid": "x"}, "return_sale_unknown"),
                      ({**raw, "lines": [{**raw["lines"][0], "product_id": 1}]}, "return_line_unknown"),
                      ({k: v for k, v in raw.items() if k != "reason"}, "malformed"), ("x", "malformed")):
        with pytest.raises(ReturnError) as e:
            read_return(bad, sale, {})
        assert e.value.code == code


def test_a_return_names_the_shift_that_paid_it_only_when_there_is_one() -> None:
    sale = simple_sale()
    raw = make_return(sale, {2: "1"}, {}, **ARGS, shift_uuid="shift-1").to_json()
    assert raw["shift_uuid"] == "shift-1" and read_return(raw, sale, {}).shift_uuid == "shift-1"
    assert "shift_uuid" not in make_return(sale, {2: "1"}, {}, **ARGS).to_json()  # a shop without cashiers
    for bad in (7, "", "x" * 37):
        with pytest.raises(ReturnError) as e:
            read_return({**raw, "shift_uuid": bad}, sale, {})
        assert e.value.code == "malformed"


@given(carts(), st.data())
def test_no_sequence_of_returns_gives_back_more_than_sold(cart: object, data: st.DataObject) -> None:
    sale = complete_sale(cart, [{"method": "efectivo", "amount": "999999999.00", "reference": None}],  # type: ignore[arg-type]
                         "s", "T01", 1, "2026-11-28T10:00:00-06:00")
    before: dict[int, D] = {}
    money_back = D(0)
    per_line: dict[int, D] = {}
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        index = data.draw(st.integers(min_value=0, max_value=len(sale.lines) - 1))
        line = sale.lines[index]
        left = line.qty - before.get(index, D(0))
        if left <= 0:
            continue
        step = D("0.001") if line.unit == "kg" or line.qty != line.qty.to_integral_value() else D(1)
        units = data.draw(st.integers(min_value=1, max_value=int(left / step))) * step
        units = units.quantize(step)
        r = make_return(sale, {index: units}, before, **ARGS)
        a = r.lines[0].amounts
        assert a.subtotal - a.discount + a.tax_total == a.total
        # No piece of a return is negative (an egreso's Importe, Base and Descuento cannot be).
        assert all(x >= 0 and money(x) == x for x in (a.total, a.discount, a.subtotal, a.net,
                                                      *(t.amount for t in a.taxes), *(t.base for t in a.taxes)))
        money_back += r.refund
        per_line[index] = per_line.get(index, D(0)) + r.refund
        assert per_line[index] <= line.amounts.total
        before[index] = before.get(index, D(0)) + units
        assert before[index] <= line.qty
    assert money_back <= sale.totals.total
    for i, q in before.items():
        back = return_line_amounts(sale.lines[i], D(0), q).total
        assert per_line[i] == back  # the pieces of a sequence add up to one return of all those units
        if q == sale.lines[i].qty:  # every unit back: every cent of the line back, no more
            assert back == sale.lines[i].amounts.total


def test_remaining_lines_net_the_returns_out_for_a_global() -> None:
    from poscore.returns import remaining_lines

    sale = simple_sale()
    first = make_return(sale, {0: "2", 2: "1"}, {}, **ARGS)
    second = make_return(sale, {1: "0.300", 2: "1"}, {2: D(1)}, **{**ARGS, "uuid": "d2"})
    ham, soap = remaining_lines(sale, [first, second])  # the refrescos all came back
    assert (ham.qty, ham.amounts.total) == (D("0.455"), D("59.10"))
    assert (soap.qty, soap.amounts.total, soap.amounts.discount) == (D(1), D("31.50"), D("3.02"))
    assert soap.amounts.taxes[0].amount == D("4.34")  # 13.03 - 4.34 - 4.35
    assert soap.amounts.subtotal - soap.amounts.discount + soap.amounts.tax_total == soap.amounts.total
    kept = sum((x.amounts.total for x in (ham, soap)), D(0))
    assert kept == sale.totals.total - first.refund - second.refund
