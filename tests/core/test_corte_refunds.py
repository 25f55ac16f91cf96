"""The corte's cash refunds: what the drawer paid back for returns shows on its own line of the Corte X/Z ticket
("Devoluciones en efectivo"), and the expected cash already has it taken off. A worked example with its cents."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from poscore.corte_ticket import corte_lines
from poscore.payment import Payment
from poscore.shift import ShiftActivity, Tender, cash_refunded, corte, expected_by_method, refunded_by_method
from poscore.ticket import ticket_text


def _shift() -> ShiftActivity:
    # Float $500.00; a cash sale of $348.00 paid with $400.00 (change $52.00); a card sale of $90.00.
    # Returns: 2 of 3 units of the cash sale ($232.00) refunded in cash, and a card sale's unit ($30.00) to the card.
    return ShiftActivity(
        opening_float=D("500.00"),
        tenders=[Tender((Payment("efectivo", D("400.00")),), D("52.00")),
                 Tender((Payment("tarjeta_debito", D("90.00")),))],
        refunds=[Payment("efectivo", D("232.00")), Payment("tarjeta_debito", D("30.00"))])


def test_cash_refunds_worked_example() -> None:
    activity = _shift()
    assert cash_refunded(activity) == D("232.00")  # the card refund is not the drawer's
    assert refunded_by_method(activity) == {"efectivo": D("232.00"), "tarjeta_debito": D("30.00")}
    exp = expected_by_method(activity)
    assert exp["efectivo"] == D("616.00")  # 500 + 400 − 52 − 232
    assert exp["tarjeta_debito"] == D("60.00")  # 90 − 30


@pytest.mark.parametrize(("mm", "lang", "label"), [(58, "es", "Devoluciones en efectivo"), (80, "en", "Cash refunds")])
def test_the_corte_ticket_shows_cash_refunds_on_their_own_line(mm: int, lang: str, label: str) -> None:
    activity = _shift()
    fig = corte(expected_by_method(activity), {"efectivo": D("616.00"), "tarjeta_debito": D("60.00")})
    lines = corte_lines("Z", fig, {"name": "Abarrotes La Esperanza"}, terminal="T01", cashier="Ana",
                        opened_at="2026-12-01T08:00:00-06:00", at="2026-12-01T20:00:00-06:00",
                        opening_float=D("500.00"), entradas=D(0), salidas=D(0),
                        refunds=refunded_by_method(activity), width_mm=mm, lang=lang)
    texts = [x.text for x in lines]
    assert all(len(x) <= {58: 32, 80: 48}[mm] for x in texts)
    # Right after the cash movements, whole (on 58 mm its amount goes on the next line); the cash row expects the
    # money net of it.
    at = next(i for i, x in enumerate(texts) if x.startswith(("Salidas", "Cash out"))) + 1
    assert texts[at].startswith(label)
    assert texts[at + (mm == 58)].endswith("-$232.00")
    if mm == 58:
        assert texts[at] == label and texts[at + 1].strip() == "-$232.00"
    text = ticket_text(lines)
    assert text.count(label) == 1 and "$616.00" in text
    # The card's refund inside the card's block, before what the card is expected to hold net of it.
    card = next(i for i, x in enumerate(texts) if x == {"es": "Tarjeta de débito", "en": "Debit card"}[lang])
    refund, expected = texts[card + 1], texts[card + 2]
    assert refund.strip().startswith({"es": "Devoluciones", "en": "Refunds"}[lang]) and refund.endswith("-$30.00")
    assert expected.endswith("$60.00")
    # One such line inside a method's block: the cash refund is the line of its own above, not repeated.
    assert sum(x.startswith("  ") and x.strip().startswith(("Devoluciones", "Refunds")) for x in texts) == 1


def test_without_refunds_the_line_says_zero() -> None:
    fig = corte({"efectivo": D("500.00")}, {"efectivo": D("500.00")})
    lines = corte_lines("X", fig, {}, terminal="T01", cashier="Ana", opened_at="2026-12-01T08:00:00-06:00",
                        at="2026-12-01T09:00:00-06:00", opening_float=D("500.00"), entradas=D(0), salidas=D(0))
    assert any(x.text.startswith("Devoluciones en efectivo") and x.text.endswith("$0.00") for x in lines)
