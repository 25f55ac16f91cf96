"""Worked tax examples with their expected cents (the rounding rule is in poscore/tax.py)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from poscore.tax import InvalidTax, LineAmounts, TaxLine, TaxScheme, breakdown, compute_line, sum_lines

IVA16 = TaxScheme("16")
REFRESCO = TaxScheme("16", "8")


def line(price: str, q: str, scheme: TaxScheme, *, included: bool, disc: str = "0") -> LineAmounts:
    return compute_line(D(price), D(q), D(disc), scheme, included)


def taxes(a: LineAmounts) -> list[tuple[str, str, str, str]]:
    return [(x.tax, x.rate, str(x.base), str(x.amount)) for x in a.taxes]


def test_refresco_tax_included_with_ieps_8_and_iva_16() -> None:
    # $18.50 shelf price: IVA base 18.50/1.16 = 15.948 -> 15.95, IVA 2.55;
    # net 15.95/1.08 = 14.769 -> 14.77, IEPS 1.18. 14.77 + 1.18 + 2.55 = 18.50.
    a = line("18.50", "1", REFRESCO, included=True)
    assert (str(a.subtotal), str(a.discount), str(a.total)) == ("14.77", "0.00", "18.50")
    assert taxes(a) == [("IEPS", "8", "14.77", "1.18"), ("IVA", "16", "15.95", "2.55")]


def test_refresco_net_price_ieps_before_iva() -> None:
    # IEPS 8 % of 14.77 = 1.1816 -> 1.18; IVA 16 % of (14.77 + 1.18) = 2.552 -> 2.55.
    a = line("14.77", "1", REFRESCO, included=False)
    assert taxes(a) == [("IEPS", "8", "14.77", "1.18"), ("IVA", "16", "15.95", "2.55")]
    assert str(a.total) == "18.50"


def test_tax_included_iva_16() -> None:
    # 3 x $35.00 = 105.00; 105/1.16 = 90.517 -> 90.52; IVA 14.48.
    a = line("35.00", "3", IVA16, included=True)
    assert (str(a.subtotal), str(a.total), a.tax_total) == ("90.52", "105.00", D("14.48"))


def test_taxes_are_rounded_per_line_not_per_sale() -> None:
    # One line of 3 x $1.00: 3/1.16 = 2.586 -> 2.59, IVA 0.41.
    one = line("1.00", "3", IVA16, included=True)
    assert taxes(one) == [("IVA", "16", "2.59", "0.41")]
    # Three lines of $1.00: 1/1.16 = 0.862 -> 0.86, IVA 0.14 each, IVA 0.42 in all.
    three = sum_lines([line("1.00", "1", IVA16, included=True)] * 3)
    assert (three.tax_total, three.subtotal, three.total) == (D("0.42"), D("2.58"), D("3.00"))


def test_kg_quantity_with_three_decimals() -> None:
    # Queso 1.234 kg x $189.50 = 233.843 -> 233.84; 233.84/1.16 = 201.586 -> 201.59; IVA 32.25.
    a = line("189.50", "1.234", IVA16, included=True)
    assert (str(a.subtotal), str(a.total)) == ("201.59", "233.84")
    assert taxes(a) == [("IVA", "16", "201.59", "32.25")]
    # Net price: 0.500 kg x $163.36 = 81.68; IVA 13.0688 -> 13.07; total 94.75.
    b = line("163.36", "0.500", IVA16, included=False)
    assert (str(b.subtotal), str(b.tax_total), str(b.total)) == ("81.68", "13.07", "94.75")
    # IVA 0 %: jamón 0.755 kg x $129.90 = 98.0745 -> 98.07.
    c = line("129.90", "0.755", TaxScheme("0"), included=True)
    assert (str(c.total), taxes(c)) == ("98.07", [("IVA", "0", "98.07", "0.00")])


def test_line_discount_tax_included() -> None:
    # 3 x $35.00 less 10 %: total = 105 x 0.9 = 94.50; 94.50/1.16 = 81.466 -> 81.47, IVA 13.03.
    # Before discount 105.00 -> net 90.52, so the discount without tax is 90.52 - 81.47 = 9.05.
    a = line("35.00", "3", IVA16, included=True, disc="10")
    assert (str(a.subtotal), str(a.discount), str(a.total)) == ("90.52", "9.05", "94.50")
    assert taxes(a) == [("IVA", "16", "81.47", "13.03")]


def test_line_discount_net_prices() -> None:
    a = line("100.00", "2", IVA16, included=False, disc="15")
    assert (str(a.subtotal), str(a.discount), str(a.tax_total), str(a.total)) == ("200.00", "30.00", "27.20",
                                                                                   "197.20")
    # 12.5 % of 33.33 = 4.16625 -> 4.17; net 29.16; IVA 4.6656 -> 4.67; total 33.83.
    b = line("33.33", "1", IVA16, included=False, disc="12.5")
    assert (str(b.discount), str(b.tax_total), str(b.total)) == ("4.17", "4.67", "33.83")


def test_full_discount_is_free() -> None:
    a = line("18.50", "2", REFRESCO, included=True, disc="100")
    assert (a.total, a.tax_total, a.subtotal - a.discount) == (0, 0, 0)


def test_exento_and_zero_rate_differ_only_in_the_breakdown() -> None:
    ex = line("50.00", "1", TaxScheme("exento"), included=True)
    zero = line("50.00", "1", TaxScheme("0"), included=True)
    assert ex.total == zero.total == D("50.00")
    assert ex.tax_total == zero.tax_total == 0
    assert taxes(ex) == [("IVA", "exento", "50.00", "0.00")]
    assert taxes(zero) == [("IVA", "0", "50.00", "0.00")]


def test_iva_8_border_rate() -> None:
    # $54.00 / 1.08 = 50.00; IVA 4.00.
    a = line("54.00", "1", TaxScheme("8"), included=True)
    assert taxes(a) == [("IVA", "8", "50.00", "4.00")]


def test_rounding_is_half_up_on_net_prices() -> None:
    # 0.125 -> 0.13 (banker's rounding would give 0.12); IVA 16 % of 0.13 = 0.0208 -> 0.02.
    a = line("0.125", "1", IVA16, included=False)
    assert (str(a.subtotal), str(a.tax_total), str(a.total)) == ("0.13", "0.02", "0.15")


def test_mixed_rates_in_one_sale_tax_included() -> None:
    lines = [
        line("18.50", "1", REFRESCO, included=True),  # refresco: IEPS 1.18, IVA 2.55
        line("28.00", "1", TaxScheme("0"), included=True),  # leche
        line("12.00", "2", TaxScheme("exento"), included=True),  # pan dulce
        line("35.00", "1", IVA16, included=True),  # jabón: 35/1.16 = 30.172 -> 30.17, IVA 4.83
    ]
    t = sum_lines(lines)
    assert [(x.tax, x.rate, str(x.base), str(x.amount)) for x in t.taxes] == [
        ("IEPS", "8", "14.77", "1.18"),
        ("IVA", "16", "46.12", "7.38"),
        ("IVA", "0", "28.00", "0.00"),
        ("IVA", "exento", "24.00", "0.00"),
    ]
    assert (str(t.subtotal), str(t.discount), str(t.tax_total), str(t.total)) == ("96.94", "0.00", "8.56",
                                                                                   "105.50")
    assert t.subtotal - t.discount + t.tax_total == t.total


def test_empty_sale_totals_are_zero_cents() -> None:
    t = sum_lines([])
    assert (str(t.subtotal), str(t.tax_total), str(t.total), t.taxes) == ("0.00", "0.00", "0.00", ())


def test_breakdown_orders_ieps_then_iva_by_rate() -> None:
    rows = breakdown([[TaxLine("IVA", "exento", D(1), D(0)), TaxLine("IVA", "8", D(1), D("0.08"))],
                      [TaxLine("IEPS", "26.5", D(1), D("0.27")), TaxLine("IVA", "16", D(1), D("0.16"))],
                      [TaxLine("IEPS", "8", D(1), D("0.08")), TaxLine("IVA", "16", D(2), D("0.32"))]])
    assert [(r.tax, r.rate, r.base, r.amount) for r in rows] == [
        ("IEPS", "26.5", D(1), D("0.27")), ("IEPS", "8", D(1), D("0.08")),
        ("IVA", "16", D(3), D("0.48")), ("IVA", "8", D(1), D("0.08")), ("IVA", "exento", D(1), D(0))]


@pytest.mark.parametrize(("iva", "ieps"), [("15", None), ("", None), ("16", "-1"), ("16", "x"), ("16", "NaN")])
def test_unknown_tax_schemes_are_refused(iva: str, ieps: str | None) -> None:
    with pytest.raises(InvalidTax):
        TaxScheme(iva, ieps)


def test_tax_scheme_canonical_ieps_text() -> None:
    assert TaxScheme("16", "8.00") == TaxScheme("16", "8")
    assert TaxScheme("16", "8.00").ieps == "8"
    with pytest.raises(InvalidTax):
        TaxScheme.from_json(16, None)


def test_a_changed_global_decimal_context_does_not_change_the_result() -> None:
    from decimal import ROUND_DOWN, localcontext

    want = line("18.50", "3", REFRESCO, included=True, disc="7.5")
    with localcontext() as ctx:
        ctx.prec = 4
        ctx.rounding = ROUND_DOWN
        assert line("18.50", "3", REFRESCO, included=True, disc="7.5") == want
        assert sum_lines([want]).total == want.total
