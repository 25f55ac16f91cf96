"""POST /api/sales writes a batch in one transaction (so a batch is fast at scale): what each sale must still get alone.

Twins inside one batch, stock that goes negative part-way through a batch, one change version per batch and
none for a batch that writes nothing, lookups split in chunks, and the terminal's last sync result.
"""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.server.harness import Erp, catalog_items, make_sale, sellable
from tests.server.harness import post_sales as post


@pytest.fixture
def shop(erp: Erp) -> tuple[Erp, dict[str, str], list[dict[str, Any]]]:
    headers = erp.pair()
    return erp, headers, sellable(catalog_items(erp, headers), unit="pieza")


def test_twins_in_one_batch_are_a_duplicate_and_a_conflict(shop: Any) -> None:
    erp, h, items = shop
    sale = make_sale(items[:2], 1)
    other = make_sale(items[2:3], 2, uuid=sale["uuid"])
    first, again, conflict, nxt = post(erp, h, sale, sale, other, make_sale(items[3:4], 3))
    assert (first["status"], first["folio"], first["duplicate"]) == ("accepted", 1, False)
    assert again == {**first, "duplicate": True}
    assert conflict["status"] == "rejected" and conflict["error"] == "uuid_conflict"
    assert (nxt["folio"], nxt["duplicate"]) == (2, False)
    assert erp.scalar("SELECT count(*) FROM sales") == 2
    assert erp.scalar("SELECT count(*) FROM sale_lines") == 3
    assert erp.scalar("SELECT last_folio FROM folio_series WHERE series = 'R'") == 2


def test_a_rejected_twin_does_not_hide_a_valid_one_later_in_the_batch(shop: Any) -> None:
    erp, h, items = shop
    good = make_sale(items[:1], 1)
    bad = dict(good, totals={**good["totals"], "total": "0.01"})
    res = post(erp, h, bad, good)
    assert [r["status"] for r in res] == ["rejected", "accepted"]
    assert res[0]["error"] == "totals_mismatch" and res[1]["folio"] == 1


def test_stock_going_negative_within_a_batch_is_flagged_for_each_sale_that_left_it_below_zero(shop: Any) -> None:
    erp, h, items = shop
    p = next(x for x in items if float(x["stock"]) >= 2)
    have = int(float(p["stock"]))
    no_row = items[-1]
    with erp.engine.begin() as conn:
        conn.execute(text("DELETE FROM stock WHERE product_id = :p"), {"p": no_row["id"]})
    res = post(erp, h, make_sale([p], 1, qty=str(have - 1)), make_sale([p, no_row], 2, qty="2"),
               make_sale([p], 3, qty="1"))
    assert all(r["status"] == "accepted" for r in res), res
    ids = {r["folio"]: erp.scalar("SELECT id FROM sales WHERE uuid = :u", u=r["uuid"]) for r in res}
    flagged = erp.sql("SELECT sale_id, product_id, qty_after FROM stock_negative ORDER BY sale_id, product_id")
    assert [tuple(f) for f in flagged] == sorted([
        (ids[2], p["id"], -1000), (ids[2], no_row["id"], -2000), (ids[3], p["id"], -2000)])
    assert erp.scalar("SELECT qty FROM stock WHERE product_id = :p", p=p["id"]) == -2000
    assert erp.scalar("SELECT qty FROM stock WHERE product_id = :p", p=no_row["id"]) == -2000


def test_one_version_per_batch_and_none_for_a_batch_that_writes_nothing(shop: Any) -> None:
    erp, h, items = shop
    version = erp.scalar("SELECT value FROM change_counter")
    customer = {"id": None, "uuid": "1a1a1a1a-2222-4333-8444-555555555555", "name": "Abarrotes Lupita",
                "rfc": None, "regimen_fiscal": None, "codigo_postal": None, "uso_cfdi": None, "email": None}
    sales = [make_sale(items[:2], 1, customer=customer), make_sale(items[2:4], 2, customer=customer)]
    assert all(r["status"] == "accepted" for r in post(erp, h, *sales))
    assert erp.scalar("SELECT value FROM change_counter") == version + 1
    sold = {p["id"] for p in items[:4]}
    assert {x["id"] for x in catalog_items(erp, h, since=version)} == sold
    assert erp.scalar("SELECT count(*) FROM customers WHERE uuid = :u AND version = :v", u=customer["uuid"],
                      v=version + 1) == 1
    # replays and rejections only: nothing written, the counter stays
    bad = make_sale(items[4:5], 3)
    bad["totals"]["total"] = "0.01"
    res = post(erp, h, *sales, bad)
    assert [r["status"] for r in res] == ["accepted", "accepted", "rejected"]
    assert erp.scalar("SELECT value FROM change_counter") == version + 1


def test_lookups_split_in_chunks_give_the_same_verdicts(shop: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from server.sync import checks

    monkeypatch.setattr(checks, "CHUNK", 2)
    erp, h, items = shop
    stock_before = erp.scalar("SELECT sum(qty) FROM stock")
    sales = [make_sale(items[i:i + 3], i + 1) for i in range(0, 15, 3)]
    ghost = make_sale([dict(items[0], id=999_999)], 6)
    res = post(erp, h, *sales, ghost)
    assert [r["status"] for r in res] == ["accepted"] * 5 + ["rejected"]
    assert res[-1]["error"] == "product_not_found"
    assert erp.scalar("SELECT sum(qty) FROM stock") == stock_before - 15 * 1000
    again = post(erp, h, *sales)
    assert [(r["folio"], r["duplicate"]) for r in again] == [(r["folio"], True) for r in res[:5]]


def test_the_terminal_records_its_last_sync_result(shop: Any) -> None:
    erp, h, items = shop
    bad = make_sale(items[1:2], 2)
    bad["seq"] = 0
    post(erp, h, make_sale(items[:1], 1), bad)
    row = erp.sql("SELECT last_sync_accepted, last_sync_rejected, last_sync_at FROM terminals WHERE code = 'T01'")[0]
    assert (row[0], row[1]) == (1, 1) and row[2] is not None


def _reference(raw: Any) -> tuple[str, str | None]:
    """What the ERP did before: text_problem, then sha256 of the canonical JSON."""
    import hashlib
    import json

    from server.sync.checks import text_problem

    problem = text_problem(raw)
    if problem is not None:
        return "", problem
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest(), None


@pytest.mark.parametrize("make", [
    lambda s: s,
    lambda s: {**s, "cashier": "a\x00b"},
    lambda s: {**s, "cashier": "\\u0000 escrito a mano"},
    lambda s: {**s, "cashier": "\\\x00"},
    lambda s: {**s, "a\x00": 1},
    lambda s: {**s, "cashier": "Jos\ud800"},
    lambda s: {**s, "\udfff": "x"},
    lambda s: {**s, "cashier": "ñandú 🌮"},
    lambda s: {**s, "cashier": "x" * 999_000},
    lambda s: {**s, "cashier": "x" * 1_000_001},
    lambda s: {**s, "cashier": [0] * 400_000},
    lambda s: {**s, "cashier": [[]] * 600_000},
    lambda s: {**s, "cashier": "\\" * 600_000},
    lambda s: {**s, "cashier": ["x"] * 300_000 + ["\x00"]},
], ids=range(14))
def test_hash_or_problem_answers_as_text_problem_then_hash(make: Any) -> None:
    from server.sync.sale_intake import hash_or_problem

    sale = make_sale([{"id": 1, "sku": "A", "name": "Atún", "unit": "pieza", "iva": "16", "ieps": None,
                       "price": "18.50", "stock": "1.000", "active": True, "sellable": True, "version": 1}], 1)
    raw = make(sale)
    assert hash_or_problem(raw) == _reference(raw)


def test_a_batch_retried_after_a_conflict_is_stored_once(shop: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import IntegrityError

    from server.sync import sales as sync_sales

    erp, h, items = shop
    real = sync_sales.move_stock
    calls = []

    def conflict_after_writing_once(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # sales, lines, payments and folios written; the last statement (with the commit on
            # PostgreSQL) fails: the transaction rolls back
            raise IntegrityError("INSERT ...", {}, Exception("unique violation"))
        return real(*args)

    monkeypatch.setattr(sync_sales, "move_stock", conflict_after_writing_once)
    version = erp.scalar("SELECT value FROM change_counter")
    res = post(erp, h, *(make_sale(items[i:i + 2], i + 1) for i in range(4)))
    assert len(calls) == 2
    assert [(r["status"], r["folio"], r["duplicate"]) for r in res] == [("accepted", f, False) for f in (1, 2, 3, 4)]
    assert erp.scalar("SELECT count(*) FROM sales") == 4 and erp.scalar("SELECT count(*) FROM sale_lines") == 8
    assert erp.scalar("SELECT last_folio FROM folio_series WHERE series = 'R'") == 4
    assert erp.scalar("SELECT value FROM change_counter") == version + 1
