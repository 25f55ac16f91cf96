"""Shift arithmetic, the denominations helper, the shift records and the Corte X/Z tickets."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poscore.corte_ticket import corte_lines
from poscore.payment import Payment
from poscore.shift import (
    DENOMINATIONS,
    ShiftActivity,
    ShiftError,
    Tender,
    can_transition,
    cash_count,
    corte,
    expected_by_method,
)
from poscore.shift_records import Authorization, CashMovement, CorteRecord, ShiftOpened, needs_supervisor
from poscore.ticket import ticket_text

WHEN = "2026-12-01T20:00:00-06:00"


def _day() -> ShiftActivity:
    # Float $500; a cash sale of $229.57 paid with $500 (change $270.43); a card sale of $100; a mixed sale of
    # $150 paid $50 cash + $100 debit; a cash refund of $37.00 (a cancelled sale); entrada $200, salida $80.50.
    return ShiftActivity(
        opening_float=D("500.00"),
        tenders=[Tender((Payment("efectivo", D("500.00")),), D("270.43")),
                 Tender((Payment("tarjeta_credito", D("100.00")),)),
                 Tender((Payment("efectivo", D("50.00")), Payment("tarjeta_debito", D("100.00"))))],
        refunds=[Payment("efectivo", D("37.00"))],
        entradas=[D("200.00")], salidas=[D("80.50")])


def test_expected_cash_worked_example() -> None:
    exp = expected_by_method(_day())
    # 500 + 550 − 270.43 − 37 + 200 − 80.50 = 862.07
    assert exp["efectivo"] == D("862.07")
    assert exp["tarjeta_credito"] == D("100.00")
    assert exp["tarjeta_debito"] == D("100.00")
    assert exp["transferencia"] == D("0.00")


def test_corte_short_count() -> None:
    fig = corte(expected_by_method(_day()),
                {"efectivo": D("850.00"), "tarjeta_credito": D("100.00"), "tarjeta_debito": D("100.00")})
    assert [x.method for x in fig.lines] == ["efectivo", "tarjeta_credito", "tarjeta_debito"]
    assert fig.line("efectivo").difference == D("-12.07")
    assert fig.line("tarjeta_debito").difference == D("0.00")
    assert (fig.expected, fig.counted, fig.difference) == (D("1062.07"), D("1050.00"), D("-12.07"))


def test_corte_refuses_unknown_method() -> None:
    with pytest.raises(ShiftError) as e:
        corte({"vales": D(1)}, {})
    assert e.value.code == "unknown_payment_method"


def test_denominations() -> None:
    assert len(DENOMINATIONS) == 12 and DENOMINATIONS["b20"] == DENOMINATIONS["m20"] == D(20)
    assert cash_count({"b500": 1, "b200": 1, "b100": 1, "b20": 2, "m10": 1, "m2": 1, "m0.50": 3}) == D("853.50")
    assert cash_count({}) == D("0.00")
    for bad in ({"b300": 1}, {"b500": -1}, {"b500": 1.0}, {"b500": True}):
        with pytest.raises(ShiftError):
            cash_count(bad)  # type: ignore[arg-type]


@given(st.dictionaries(st.sampled_from(sorted(DENOMINATIONS)), st.integers(0, 500)))
def test_count_is_the_sum_of_pieces(counts: dict[str, int]) -> None:
    total = cash_count(counts)
    assert total == sum((DENOMINATIONS[k] * n for k, n in counts.items()), D(0))
    assert total.as_tuple().exponent == -2


amounts = st.decimals(D("0.01"), D("99999.99"), places=2)


@given(st.lists(amounts, max_size=8), st.lists(amounts, max_size=4), st.lists(amounts, max_size=4), amounts)
def test_expected_cash_identity(cash: list[D], entradas: list[D], salidas: list[D], fondo: D) -> None:
    act = ShiftActivity(fondo, [Tender((Payment("efectivo", a),)) for a in cash], [], entradas, salidas)
    exp = expected_by_method(act)
    assert exp["efectivo"] == fondo + sum(cash, D(0)) + sum(entradas, D(0)) - sum(salidas, D(0))
    fig = corte(exp, exp)
    assert fig.difference == D(0) and all(x.difference == 0 for x in fig.lines)


def test_lifecycle() -> None:
    assert can_transition("abierto", "cerrado")
    assert not can_transition("cerrado", "abierto") and not can_transition("cerrado", "cerrado")


def test_records_round_trip_and_refusals() -> None:
    opened = ShiftOpened.from_json({"uuid": "s1", "cashier_id": 3, "opened_at": WHEN, "opening_float": "500.00"})
    assert ShiftOpened.from_json(opened.to_json()) == opened and opened.opening_float == D("500.00")
    mv = {"uuid": "m1", "shift_uuid": "s1", "cashier_id": 3, "kind": "salida", "amount": "80.50",
          "reason": "Pago al proveedor de hielo", "at": WHEN}
    assert CashMovement.from_json(mv).to_json() == mv
    for change, code in (({"kind": "retiro"}, "malformed"), ({"amount": "0"}, "invalid_amount"),
                         ({"amount": "1.005"}, "invalid_amount"), ({"reason": " "}, "malformed"),
                         ({"at": "2026-12-01T20:00:00"}, "malformed"), ({"cashier_id": "3"}, "malformed")):
        with pytest.raises(ShiftError) as e:
            CashMovement.from_json({**mv, **change})
        assert e.value.code == code, change
    c = {"uuid": "c1", "shift_uuid": "s1", "cashier_id": 3, "kind": "Z", "at": WHEN,
         "expected": {"efectivo": "862.07"}, "counted": {"efectivo": "853.50"},
         "cash_count": {"b500": 1, "b200": 1, "b100": 1, "b20": 2, "m10": 1, "m2": 1, "m0.50": 3}}
    assert CorteRecord.from_json(c).to_json() == c
    with pytest.raises(ShiftError) as e:
        CorteRecord.from_json({**c, "counted": {"efectivo": "853.00"}})
    assert e.value.code == "count_mismatch"
    a = {"uuid": "a1", "supervisor_id": 2, "cashier_id": 3, "action": "cancel_sale", "at": WHEN,
         "shift_uuid": "s1", "subject": "sale-uuid"}
    assert Authorization.from_json(a).to_json() == a
    with pytest.raises(ShiftError):
        Authorization.from_json({**a, "action": "refund"})


@pytest.mark.parametrize(("mm", "width"), [(58, 32), (80, 48)])
def test_corte_tickets(mm: int, width: int) -> None:
    fig = corte(expected_by_method(_day()), {"efectivo": D("850.00"), "tarjeta_credito": D("100.00"),
                                              "tarjeta_debito": D("100.00")})
    for kind in ("X", "Z"):
        lines = corte_lines(kind, fig, {"name": "Abarrotes La Esperanza"}, terminal="T01", cashier="Ana",
                            opened_at="2026-12-01T08:00:00-06:00", at=WHEN, opening_float=D(500),
                            entradas=D(200), salidas=D("80.50"), width_mm=mm)
        assert all(len(x.text) <= width for x in lines)
        text = ticket_text(lines)
        assert f"CORTE {kind}" in text and "01/12/2026 20:00" in text
        assert ("Lectura: el turno sigue abierto" in text) == (kind == "X")
        last = lines[-2 if kind == "X" else -1].text
        assert last.startswith("Diferencia") and last.endswith("-$12.07")
        assert any(x.text.endswith("-$80.50") for x in lines)


def test_when_a_supervisor_is_needed() -> None:
    assert needs_supervisor("cancel_sale") and needs_supervisor("open_drawer")
    assert not needs_supervisor("discount", D(10), D(10)) and needs_supervisor("discount", D("10.5"), D(10))
    with pytest.raises(ShiftError):
        needs_supervisor("discount")


def test_local_shift_lifecycle() -> None:
    from poscore.shift import LocalShift, can_sell

    s = LocalShift("s1", 3, "2026-12-01T08:00:00-06:00", D("500.00"))
    assert can_sell(s) and not can_sell(None)
    assert LocalShift.from_json(s.to_json()) == s
    closed = s.close("c-z", WHEN)
    assert (closed.state, closed.corte_z, closed.closed_at) == ("cerrado", "c-z", WHEN)
    assert not can_sell(closed) and LocalShift.from_json(closed.to_json()) == closed
    with pytest.raises(ShiftError) as e:
        closed.close("c-z2", WHEN)
    assert e.value.code == "invalid_transition"
    with pytest.raises(ShiftError):
        LocalShift.from_json({**s.to_json(), "state": "reabierto"})


@given(st.dictionaries(st.sampled_from(["efectivo", "tarjeta_credito", "tarjeta_debito", "transferencia"]),
                       st.decimals(D(0), D("9999999.99"), places=2), min_size=1),
       st.dictionaries(st.sampled_from(["efectivo", "tarjeta_credito"]), st.decimals(D(0), D("9999999.99"), places=2)),
       st.sampled_from([58, 80]), st.sampled_from(["X", "Z"]))
def test_corte_ticket_always_fits(expected: dict[str, D], counted: dict[str, D], mm: int, kind: str) -> None:
    fig = corte(expected, counted)
    assert fig.difference == sum((x.difference for x in fig.lines), D(0))
    lines = corte_lines(kind, fig, {"name": "Tienda con un nombre muy largo para el papel de 58 mm"},
                        terminal="T01", cashier="Ana María de los Ángeles", opened_at=WHEN, at=WHEN,
                        opening_float=D(0), entradas=D(0), salidas=D(0), width_mm=mm)
    assert all(len(x.text) <= {58: 32, 80: 48}[mm] for x in lines)
