"""Sales.commit tells the screen about the sale once its transaction is under way (to prepare "Venta guardada"
meanwhile), again for a sale renumbered because another tab took its number, and the till moves on only when
the store said yes."""
from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from decimal import Decimal

from caja_pos.services.sales import Sales
from caja_pos.services.till import Till
from storage import Storage

from poscore.payment import Payment
from poscore.sale import SaleError
from tests.web.fakes import FakeIdb
from tests.web.products import TERMINAL, product

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def _sales(idb: FakeIdb) -> Sales:
    till = Till(TERMINAL)
    till.catalog.add([product(1, "10.00", "100.000")])
    till.cart.add(1, 2)
    return Sales(Storage(idb), till, now=lambda: NOW)


def test_started_sees_each_number_tried_before_the_outcome_and_the_cart_moves_on_after() -> None:
    idb = FakeIdb()
    idb.meta["seq"] = json.dumps(9)  # another tab sold numbers 8 and 9 meanwhile
    sales = _sales(idb)
    sales.last_seq = 7
    seen: list[tuple[str, int, bool]] = []

    def started(sale: object) -> None:
        seen.append((sale.number, len(sales.till.cart), sale.uuid in idb.sales))

    sale = asyncio.run(sales.commit([Payment("efectivo", Decimal(20), None)], started))
    assert [(n, lines) for n, lines, _ in seen] == [("T01-000008", 1), ("T01-000010", 1)]
    assert not any(stored for _, _, stored in seen)  # told before the store answered
    assert sale.number == "T01-000010" and sale.uuid in idb.sales and not sales.till.cart
    assert sales.till.deltas == {1: Decimal("-2.000")}


def test_a_failing_started_does_not_lose_a_stored_sale() -> None:
    idb = FakeIdb()
    sales = _sales(idb)

    def started(sale: object) -> None:
        raise RuntimeError("the screen is gone")

    sale = asyncio.run(sales.commit([Payment("efectivo", Decimal(20), None)], started))
    assert sale.uuid in idb.sales and not sales.till.cart and sales.last_seq == sale.seq


def test_stored_is_told_once_after_the_store_said_yes_before_the_till_moves_on() -> None:
    idb = FakeIdb()
    idb.meta["seq"] = json.dumps(9)  # the first number tried is taken: only the renumbered sale is stored
    sales = _sales(idb)
    sales.last_seq = 7
    seen: list[tuple[str, int, bool]] = []

    def stored(sale: object) -> None:
        seen.append((sale.number, len(sales.till.cart), sale.uuid in idb.sales))

    sale = asyncio.run(sales.commit([Payment("efectivo", Decimal(20), None)], None, stored))
    assert seen == [("T01-000010", 1, True)]  # once, for the stored number, with the cart not yet reset
    assert sale.number == "T01-000010" and not sales.till.cart


def test_stored_is_not_told_when_nothing_was_stored_and_a_failing_stored_keeps_the_sale() -> None:
    idb = FakeIdb()
    idb.fail_commit = "storage_full"
    sales = _sales(idb)
    told: list[object] = []
    try:
        asyncio.run(sales.commit([Payment("efectivo", Decimal(20), None)], None, told.append))
    except Exception as exc:  # noqa: BLE001 - the StorageError the screen shows
        assert getattr(exc, "code", "") == "storage_full"
    assert told == [] and sales.till.cart  # nothing stored, nothing shown, the cart kept
    idb.fail_commit = None

    def stored(sale: object) -> None:
        raise RuntimeError("the screen is gone")

    sale = asyncio.run(sales.commit([Payment("efectivo", Decimal(20), None)], None, stored))
    assert sale.uuid in idb.sales and not sales.till.cart and sales.last_seq == sale.seq


def test_stored_runs_when_the_store_calls_back_once_and_the_till_moves_on_with_it() -> None:
    idb = FakeIdb()
    sales = _sales(idb)
    seen: list[tuple[str, int, int | None, bool]] = []

    def stored(sale: object) -> None:
        seen.append((sale.number, len(sales.till.cart), sales.last_seq, idb.answering))  # type: ignore[attr-defined]

    sale = asyncio.run(sales.commit([Payment("efectivo", Decimal(20), None)], None, stored))
    assert seen == [(sale.number, 1, sale.seq, True)]  # once, from the store's call, before the cart was reset
    assert not sales.till.cart and sales.till.deltas == {1: Decimal("-2.000")} and sales.last_seq == sale.seq
    hook = sales._on_stored  # the function idb.js calls: made once, the next sale uses it again
    sales.till.cart.add(1, 1)
    again = asyncio.run(sales.commit([Payment("efectivo", Decimal(20), None)], None, stored))
    assert seen[1:] == [(again.number, 1, again.seq, True)] and hook is not None and sales._on_stored is hook


def test_a_sale_made_ahead_is_stored_as_the_click_would_have_made_it() -> None:
    idb = FakeIdb()
    sales = _sales(idb)
    sales.stamp = lambda: {"cashier": "Ana", "cashier_id": 4, "shift_uuid": "s-1"}
    pays = [Payment("efectivo", Decimal(50), None)]
    sales.till.prepare(pays)  # the payment screen, once the payments cover the total
    assert sales._draft is not None
    sale = asyncio.run(sales.commit(pays))
    expected = Till.sale_record(sale, NOW.isoformat())
    expected["sale"].update(cashier_id=4, shift_uuid="s-1")
    assert idb.sales[sale.uuid] == expected and sale.cashier == "Ana" and sale.totals.change == Decimal("30.00")
    assert idb.stock[sale.uuid]["deltas"] == {"1": "-2"} and sales._draft is None


def test_a_draft_is_not_used_for_another_cart_payment_or_cashier() -> None:
    idb = FakeIdb()
    sales = _sales(idb)
    sales.till.catalog.add([product(2, "5.00", "10.000")])
    pays = [Payment("efectivo", Decimal(50), None)]
    sales.till.prepare(pays)
    sales.till.cart.add(2, 1)  # the cart changed after the draft was made
    sale = asyncio.run(sales.commit(pays))
    assert [line["product_id"] for line in idb.sales[sale.uuid]["sale"]["lines"]] == [1, 2]
    sales.till.cart.add(1, 1)
    sales.till.prepare(pays)
    sale = asyncio.run(sales.commit([Payment("efectivo", Decimal(10), None), Payment("tarjeta_debito", Decimal("0.50"), None)]))
    assert [p["method"] for p in idb.sales[sale.uuid]["sale"]["payments"]] == ["efectivo", "tarjeta_debito"]
    sales.till.cart.add(1, 1)
    sales.till.prepare(pays)
    sales.stamp = lambda: {"cashier": "Luis"}
    sale = asyncio.run(sales.commit(pays))
    assert idb.sales[sale.uuid]["sale"]["cashier"] == "Luis"


def test_an_unpaid_draft_is_not_made_and_the_click_says_why() -> None:
    idb = FakeIdb()
    sales = _sales(idb)
    sales.till.prepare([Payment("efectivo", Decimal(1), None)])
    assert sales._draft is None
    try:
        asyncio.run(sales.commit([Payment("efectivo", Decimal(1), None)]))
    except SaleError as exc:
        assert exc.code == "unpaid"
    else:
        raise AssertionError("an unpaid sale was stored")
    assert idb.sales == {} and sales.till.cart


def test_the_click_stores_the_identity_made_ahead_with_its_own_time_or_renumbers_when_it_was_taken() -> None:
    idb = FakeIdb()
    clock = [NOW]
    sales = _sales(idb)
    sales.now = lambda: clock[0]
    sales.last_seq = 10
    pays = [Payment("efectivo", Decimal(20), None)]
    ahead = sales.prepare(pays)
    assert ahead is not None and ahead.number == "T01-000011"
    clock[0] = NOW.replace(minute=3, second=7)  # the cashier clicks three minutes later
    sale = asyncio.run(sales.commit(pays))
    assert (sale.uuid, sale.seq, sale.number) == (ahead.uuid, 11, "T01-000011")
    assert sale.device_time == "2026-12-01T16:03:07+00:00" and sale == ahead.at(clock[0])
    assert idb.sales[sale.uuid] == Till.sale_record(sale, clock[0].isoformat())
    # Made ahead for number 12, but this tab stored 12 meanwhile (its last number moved on): stamped afresh.
    sales.till.cart.add(1, 1)
    ahead = sales.prepare(pays)
    assert ahead is not None and ahead.seq == 12
    sales.last_seq = 12
    sale = asyncio.run(sales.commit(pays))
    assert sale.seq == 13 and sale.uuid != ahead.uuid and ahead.uuid not in idb.sales
    assert idb.sales[sale.uuid] == Till.sale_record(sale, clock[0].isoformat())


def test_a_clock_without_offset_stores_nothing() -> None:
    idb = FakeIdb()
    sales = _sales(idb)
    pays = [Payment("efectivo", Decimal(20), None)]
    assert sales.prepare(pays) is not None
    sales.now = lambda: NOW.replace(tzinfo=None)
    try:
        asyncio.run(sales.commit(pays))
    except SaleError as exc:
        assert exc.code == "malformed"
    else:
        raise AssertionError("a sale without a UTC offset was stored")
    assert idb.sales == {} and sales.till.cart
