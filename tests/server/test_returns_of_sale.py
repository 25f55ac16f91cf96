"""GET /api/returns/of-sale: a sale's accepted returns from every till, so a till opening Devolver online counts
what other tills returned; with them its return's amounts are those the ERP recomputes (no `return_stale`)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

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
