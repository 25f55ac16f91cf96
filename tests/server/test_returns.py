"""POST /api/returns: folios of their own, stock back, idempotency, never more than sold, across tills; and
GET /api/returns/of-sale, which lets a till count the other tills' returns before it makes one."""
from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.server.harness import Erp, catalog_items, make_sale, sellable
from tests.server.harness import post_sales as post
from tests.server.returns_helpers import a_return, post_returns, second_till


@pytest.fixture
def sold(erp: Erp) -> tuple[Erp, dict[str, str], dict[str, Any]]:
    h = erp.pair()
    items = sellable(catalog_items(erp, h), unit="pieza")[:2]
    sale = make_sale(items, 1, qty="3")
    [res] = post(erp, h, sale)
    assert res["status"] == "accepted"
    return erp, h, sale


def _stock(erp: Erp, product_id: int) -> int:
    return int(erp.scalar("SELECT qty FROM stock WHERE warehouse_id = 1 AND product_id = :p", p=product_id))


def test_a_return_gets_its_folio_puts_stock_back_and_is_listed_with_its_sale(sold: Any) -> None:
    erp, h, sale = sold
    pid = sale["lines"][0]["product_id"]
    before = _stock(erp, pid)
    ret = a_return(sale, {0: "2"})
    [res] = post_returns(erp, h, ret)
    assert (res["status"], res["series"], res["folio"], res["duplicate"]) == ("accepted", "D", 1, False)
    assert _stock(erp, pid) == before + 2000  # thousandths
    row = erp.sql("SELECT r.total, r.cashier, r.authorizer, s.uuid FROM returns r JOIN sales s ON s.id = r.sale_id")[0]
    assert (row.total, row.cashier, row.authorizer, row.uuid) == (
        int(ret["totals"]["total"].replace(".", "")), "Cajero 2", "Supervisora", sale["uuid"])
    [res2] = post_returns(erp, h, a_return(sale, {1: "1"}))
    assert (res2["series"], res2["folio"]) == ("D", 2)


def test_replay_is_a_duplicate_and_other_content_a_conflict(sold: Any) -> None:
    erp, h, sale = sold
    ret = a_return(sale, {0: "1"})
    [first] = post_returns(erp, h, ret)
    [again] = post_returns(erp, h, ret)
    assert again == {**first, "duplicate": True}
    other = {**ret, "reason": "Otro motivo"}
    [conflict] = post_returns(erp, h, other)
    assert (conflict["status"], conflict["error"]) == ("rejected", "uuid_conflict")
    assert erp.scalar("SELECT count(*) FROM returns") == 1
    assert erp.scalar("SELECT reason FROM returns") == "Producto dañado"


def test_never_more_than_sold_minus_returned_and_rejections_store_nothing(sold: Any) -> None:
    erp, h, sale = sold
    pid = sale["lines"][0]["product_id"]
    [ok] = post_returns(erp, h, a_return(sale, {0: "2"}))
    assert ok["status"] == "accepted"
    stock_after = _stock(erp, pid)
    version = erp.scalar("SELECT value FROM change_counter")
    # The till did not know about the first return: 2 more of 3 do not fit.
    too_many, tampered, unknown, bad = post_returns(
        erp, h, a_return(sale, {0: "2"}), {**a_return(sale, {1: "1"}), "totals": {"total": "1.00"}},
        {**a_return(sale, {0: "1"}), "sale_uuid": "no-such-sale"}, "not a return")
    assert too_many["error"] == "return_exceeds"
    assert tampered["status"] == "rejected"
    assert unknown["error"] == "return_sale_unknown"
    assert bad["error"] == "malformed"
    assert erp.scalar("SELECT count(*) FROM returns") == 1
    assert erp.scalar("SELECT count(*) FROM return_lines") == 1
    assert erp.scalar("SELECT last_folio FROM folio_series WHERE series = 'D'") == 1
    assert _stock(erp, pid) == stock_after
    assert erp.scalar("SELECT value FROM change_counter") == version
    # The last unit, computed knowing the first return, fits; then nothing is left.
    from decimal import Decimal
    [last] = post_returns(erp, h, a_return(sale, {0: "1"}, before={0: Decimal(2)}))
    assert last["status"] == "accepted"
    total = erp.scalar("SELECT sum(total) FROM return_lines WHERE line_no = 1")
    assert total == int(sale["lines"][0]["total"].replace(".", ""))


def test_a_return_from_another_till_is_accepted_and_must_name_its_terminal(sold: Any) -> None:
    erp, _h, sale = sold
    h2 = second_till(erp)
    [wrong] = post_returns(erp, h2, a_return(sale, {0: "1"}, terminal="T01"))
    assert wrong["error"] == "terminal_mismatch"
    [ok] = post_returns(erp, h2, a_return(sale, {0: "1"}, terminal="T02"))
    assert ok["status"] == "accepted"


def test_two_tills_returning_the_same_units_at_once_one_wins(sold: Any) -> None:
    erp, h, sale = sold
    h2 = second_till(erp)
    rets = [(h, a_return(sale, {0: "3"}, terminal="T01")), (h2, a_return(sale, {0: "3"}, terminal="T02"))]
    answers: list[dict[str, Any]] = []
    start = threading.Barrier(len(rets))

    def send(headers: dict[str, str], ret: dict[str, Any]) -> None:
        with TestClient(erp.app) as client:
            start.wait()
            r = client.post("/api/returns", json={"returns": [ret]}, headers=headers)
        assert r.status_code == 200, r.text
        answers.extend(r.json()["results"])

    threads = [threading.Thread(target=send, args=x) for x in rets]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(a["status"] for a in answers) == ["accepted", "rejected"]
    assert next(a for a in answers if a["status"] == "rejected")["error"] == "return_exceeds"
    assert erp.scalar("SELECT count(*) FROM returns") == 1
    assert erp.scalar("SELECT sum(qty) FROM return_lines") == 3000


def test_batch_over_the_limit_is_413(sold: Any) -> None:
    erp, h, _sale = sold
    r = erp.client.post("/api/returns", json={"returns": [{}] * 501}, headers=h)
    assert r.status_code == 413
    assert erp.client.post("/api/returns", json={"returns": []}).status_code == 401


def test_a_remision_return_is_a_record_a_global_nets_out(sold: Any) -> None:
    from poscore.returns import remaining_lines
    from poscore.sale import Sale
    from server.sync.returns import returns_of_sales

    erp, h, sale = sold
    [ok] = post_returns(erp, h, a_return(sale, {0: "1", 1: "3"}))
    assert ok["status"] == "accepted"
    sale_id = erp.scalar("SELECT id FROM sales WHERE uuid = :u", u=sale["uuid"])
    with erp.engine.connect() as conn:
        found = returns_of_sales(conn, [sale_id])
    [left] = remaining_lines(Sale.from_json(sale), found[sale_id])
    assert str(left.qty) == "2" and left.product_id == sale["lines"][0]["product_id"]
    refund = erp.scalar("SELECT total FROM returns")
    assert int(left.amounts.total * 100) == int(sale["totals"]["total"].replace(".", "")) - refund


@pytest.mark.parametrize("change", [
    {"reason": "x\u0000y"}, {"reason": "r" * 501}, {"cashier": "c" * 101}, {"device_time": "ayer"},
    {"device_time": "2026-11-28T10:00:00"}, {"uuid": "u" * 37}, {"lines": "todo"}, {"extra": 1},
    {"refund_method": "vales"}, {"v": 2}, {"sale_uuid": None},
])
def test_hostile_returns_are_rejected_and_store_nothing(sold: Any, change: dict[str, Any]) -> None:
    erp, h, sale = sold
    [res] = post_returns(erp, h, {**a_return(sale, {0: "1"}), **change})
    assert res["status"] == "rejected", res
    assert erp.scalar("SELECT count(*) FROM returns") == 0
    assert erp.scalar("SELECT last_folio FROM folio_series WHERE series = 'D'") == 0


# ---------- GET /api/returns/of-sale: a sale's accepted returns from every till ----------
def _of_sale(erp: Erp, h: dict[str, str], sale_uuid: str) -> list[dict[str, Any]]:
    r = erp.client.get("/api/returns/of-sale", params={"sale_uuid": sale_uuid}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["sale_uuid"] == sale_uuid
    return r.json()["returns"]  # type: ignore[no-any-return]


def test_lists_every_tills_accepted_returns_and_with_them_a_return_is_not_stale(sold: Any) -> None:
    erp, h, sale = sold
    h2 = second_till(erp)
    assert _of_sale(erp, h2, sale["uuid"]) == []
    mine = a_return(sale, {0: "1"}, terminal="T01")
    [ok] = post_returns(erp, h, mine)
    [listed] = _of_sale(erp, h2, sale["uuid"])  # seen from the other till
    assert listed == {"uuid": mine["uuid"], "terminal": "T01", "series": "D", "folio": ok["folio"],
                      "lines": [{"line": 0, "qty": "1.000"}]}

    # Counting T01's unit, T02's return has the amounts the ERP recomputes (the line's cumulative share).
    before = {x["line"]: Decimal(x["qty"]) for r in _of_sale(erp, h2, sale["uuid"]) for x in r["lines"]}
    [second] = post_returns(erp, h2, a_return(sale, {0: "2"}, before=before, terminal="T02"))
    assert second["status"] == "accepted", second
    [late] = post_returns(erp, h2, a_return(sale, {0: "1"}, terminal="T02"))  # offline, knew of neither
    assert late["error"] == "return_exceeds"  # rejected: never listed
    assert [r["lines"] for r in _of_sale(erp, h, sale["uuid"])] == [[{"line": 0, "qty": "1.000"}],
                                                                     [{"line": 0, "qty": "2.000"}]]


def test_an_unknown_sale_has_none_and_the_call_needs_a_terminal(sold: Any) -> None:
    erp, h, _sale = sold
    assert _of_sale(erp, h, "no-such-sale") == []
    assert erp.client.get("/api/returns/of-sale", params={"sale_uuid": "x"}).status_code == 401
    assert erp.client.get("/api/returns/of-sale", params={"sale_uuid": "x" * 37}, headers=h).status_code == 422
