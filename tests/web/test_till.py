"""Till glue: local numbering, local stock after unsynced sales, and the records one commit stores."""
from __future__ import annotations

from decimal import Decimal

import pytest
from caja_pos.services.till import Till

from poscore.cart import NotSellable
from poscore.payment import Payment
from tests.web.products import TERMINAL, product


def _till() -> Till:
    till = Till(TERMINAL)
    till.catalog.add([product(1, "20.00", "3.000"), product(2, "15.50", "10.000", unit="kg")])
    return till


def test_next_sequence_never_below_the_erps_start_and_always_after_the_last_used() -> None:
    till = _till()
    assert till.next_seq(0) == 7  # seq_start: the ERP has seen 1..6 from this terminal
    assert till.next_seq(6) == 7
    assert till.next_seq(41) == 42


def test_a_sale_becomes_one_record_and_one_stock_decrement() -> None:
    till = _till()
    till.cart.add("SKU0001", 2)
    till.cart.add(2, "1.250")
    sale = till.build_sale([Payment("efectivo", Decimal(100))], "u-1", 7, "2026-11-27T16:14:00-06:00")
    record = Till.sale_record(sale, "2026-11-27T16:14:01-06:00")
    assert record["number"] == "T01-000007"
    assert record["state"] == "pending"
    assert record["sale"]["totals"]["total"] == record["total"] == "59.38"  # 2×20.00 + 1.250×15.50 (19.375→.38)
    assert Till.stock_decrement(sale) == {1: "-2", 2: "-1.250"}


def test_after_commit_local_stock_goes_down_and_a_fresh_cart_starts() -> None:
    till = _till()
    till.cart.add(1, 2)
    sale = till.build_sale([Payment("efectivo", Decimal(40))], "u-1", 7, "2026-11-27T16:14:00-06:00")
    till.committed(sale)
    assert not till.cart and till.customer is None and till.sale_type == "remision"
    assert till.stock_of(till.catalog.get(1)) == Decimal("1.000")
    with pytest.raises(NotSellable) as refused:
        till.cart.add(1, 2)  # only 1 left on this device
    assert refused.value.code == "insufficient_stock"


def test_stored_decrements_are_summed_per_product() -> None:
    till = _till()
    till.set_deltas([{"sale_uuid": "a", "deltas": {"1": "-1"}}, {"sale_uuid": "b", "deltas": {"1": "-1", "2": "-0.5"}}])
    assert till.stock_of(till.catalog.get(1)) == Decimal("1.000")
    assert till.stock_of(till.catalog.get(2)) == Decimal("9.500")
