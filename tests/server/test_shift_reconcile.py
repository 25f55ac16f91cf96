"""A generated day: the sales a till made in a shift, synced, add up (through poscore.shift) to the corte the
till computed — cash with change, cards, a mix, an entrada and a salida. SQLite and PostgreSQL."""
from __future__ import annotations

import random
import uuid as uuidlib
from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any

from poscore.cart import Cart
from poscore.catalog import Product
from poscore.payment import Payment
from poscore.sale import Sale, complete_sale
from poscore.shift import ShiftActivity, corte, expected_by_method, tenders_of
from server.cashiers import create_cashier
from server.db.engine import read_tx, write_tx
from server.shift_totals import erp_expected
from tests.server.harness import Erp, catalog_items, post_sales, sellable

WHEN = "2026-12-01T20:00:00-06:00"


def _day(goods: list[dict[str, Any]], rng: random.Random, n: int) -> list[Sale]:
    out = []
    for seq in range(1, n + 1):
        cart = Cart(True, False, price_list_id=1)
        for p in rng.sample(goods, rng.randint(1, 3)):
            cart.add(Product.from_json(p), rng.randint(1, 3))
        total = cart.totals().total
        how = rng.choice(["cash_exact", "cash_change", "card", "mixed"])
        if how == "cash_exact":
            pays = [Payment("efectivo", total)]
        elif how == "cash_change":
            pays = [Payment("efectivo", (total // 100 + 1) * 100)]
        elif how == "card":
            pays = [Payment(rng.choice(["tarjeta_credito", "tarjeta_debito", "transferencia"]), total)]
        else:
            cash = (total / 3).quantize(D("0.01"))
            pays = [Payment("efectivo", cash), Payment("tarjeta_debito", total - cash)]
        out.append(complete_sale(cart, pays, str(uuidlib.uuid4()), "T01", seq, WHEN, "remision", None, "ana"))
    return out


def test_a_days_sales_reconcile_with_its_corte(erp: Erp) -> None:
    with write_tx(erp.engine) as conn:
        ana = create_cashier(conn, "ana", "cajero", 1, "4821", datetime.now(UTC), iterations=1000)
    h = erp.pair()
    goods = sellable(catalog_items(erp, h), "pieza")[:30]
    day = _day(goods, random.Random(16), 40)
    assert any(s.totals.change for s in day) and {p.method for s in day for p in s.payments} >= {"efectivo",
                                                                                              "tarjeta_debito"}
    shift = {"uuid": "s-1", "cashier_id": ana, "opened_at": "2026-12-01T08:00:00-06:00", "opening_float": "500.00"}
    moves = [{"uuid": "m-1", "shift_uuid": "s-1", "cashier_id": ana, "kind": "entrada", "amount": "300.00",
              "reason": "Cambio del banco", "at": WHEN},
             {"uuid": "m-2", "shift_uuid": "s-1", "cashier_id": ana, "kind": "salida", "amount": "120.40",
              "reason": "Proveedor", "at": WHEN}]
    # What the till computes at the Corte Z, from its own records.
    till = expected_by_method(ShiftActivity(D("500.00"), tenders_of(day), [], [D("300.00")], [D("120.40")]))
    counted = {**till, "efectivo": till["efectivo"] - D("15.50")}  # the drawer is short
    figures = corte(till, counted)
    assert figures.line("efectivo").difference == D("-15.50") and figures.difference == D("-15.50")
    assert erp.client.post("/api/shifts", json={"shifts": [shift]}, headers=h).status_code == 200
    assert erp.client.post("/api/cash_movements", json={"cash_movements": moves}, headers=h).status_code == 200
    results = post_sales(erp, h, *[{**s.to_json(), "cashier_id": ana, "shift_uuid": "s-1"} for s in day])
    assert all(r["status"] == "accepted" for r in results), results
    with read_tx(erp.engine) as conn:
        assert erp_expected(conn, "s-1") == till
        assert erp_expected(conn, "nope") is None
    # The sums the ERP stored for the shift's sales match the till's by method.
    cash_in = erp.scalar("SELECT sum(p.amount) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
                         "WHERE s.shift_uuid = 's-1' AND p.method = 'efectivo'")
    change = sum((s.totals.change for s in day), D(0))
    assert D(cash_in) / 100 - change + D("500.00") + D("300.00") - D("120.40") == till["efectivo"]



def test_a_return_refunded_in_the_shift_counts_in_the_erps_figure_as_in_the_tills(erp: Erp) -> None:
    from poscore.returns import make_return
    from tests.server.returns_helpers import post_returns

    with write_tx(erp.engine) as conn:
        ana = create_cashier(conn, "ana", "cajero", 1, "4821", datetime.now(UTC), iterations=1000)
    h = erp.pair()
    cart = Cart(True, False, price_list_id=1)
    for p in sellable(catalog_items(erp, h), "pieza")[:2]:
        cart.add(Product.from_json(p), 2)
    sale = complete_sale(cart, [Payment("efectivo", cart.totals().total)], str(uuidlib.uuid4()), "T01", 1, WHEN,
                         "remision", None, "ana")
    shift = {"uuid": "s-2", "cashier_id": ana, "opened_at": "2026-12-01T08:00:00-06:00", "opening_float": "500.00"}
    assert erp.client.post("/api/shifts", json={"shifts": [shift]}, headers=h).status_code == 200
    [ok] = post_sales(erp, h, {**sale.to_json(), "cashier_id": ana, "shift_uuid": "s-2"})
    assert ok["status"] == "accepted"
    mine, theirs, none = (make_return(sale, {i: "1"}, {}, uuid=str(uuidlib.uuid4()), terminal="T01", device_time=WHEN,
                                      reason="Roto", refund_method="efectivo", shift_uuid=shift_uuid)
                          for i, shift_uuid in ((0, "s-2"), (1, "s-other"), (1, None)))
    assert mine.to_json()["shift_uuid"] == "s-2" and "shift_uuid" not in none.to_json()
    none = make_return(sale, {1: "1"}, {1: D(1)}, uuid=none.uuid, terminal="T01", device_time=WHEN, reason="Roto",
                       refund_method="efectivo")  # a till without cashiers: no shift
    results = post_returns(erp, h, mine.to_json(), theirs.to_json(), none.to_json())
    assert all(r["status"] == "accepted" for r in results), results
    till = expected_by_method(ShiftActivity(D("500.00"), tenders_of([sale]), [Payment("efectivo", mine.refund)]))
    with read_tx(erp.engine) as conn:
        assert erp_expected(conn, "s-2") == till  # the other shift's refund and the shiftless one are not this one's
