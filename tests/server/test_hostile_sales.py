"""Hostile sales: a valid sale made by poscore from the served catalog, then tampered with, never gets in.

Proves, on SQLite and PostgreSQL, that tampered totals or prices, negative/zero/huge/non-finite quantities
(as strings and as raw JSON `NaN`/`Infinity` tokens), unknown or out-of-range products and ids, another
terminal's sales, token or uuid space, a replay with other content under an accepted uuid, 10 MB bodies and
10,000-sale batches each get a clear rejection (a per-sale `rejected` result with a message, or a JSON 4xx
for the whole request), that nothing of a rejected sale is stored (row counts of every table and every
value a write changes in place, before and after), that the original of a conflicting uuid is kept, and
that nothing answers 5xx.
"""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.server.harness import Erp, make_sale
from tests.server.hostile import (
    Shop,
    add_terminal,
    assert_api_error,
    diff,
    module_erp,
    open_shop,
    snapshot,
    sqlite_module_erp,
)

erp = module_erp  # one database per module and backend: every refused request must leave it unchanged
__all__ = ["sqlite_module_erp"]


@pytest.fixture
def shop(erp: Erp) -> Shop:
    return open_shop(erp)


@pytest.fixture
def lite(sqlite_module_erp: Erp) -> Shop:
    """For requests refused before the database is queried (sizes, parsing): SQLite only."""
    return open_shop(sqlite_module_erp)


def rejected(shop: Shop, sale: Any, code: str | tuple[str, ...] | None = None) -> dict[str, Any]:
    """Post one sale, expect it rejected with a message, and the database unchanged."""
    before = snapshot(shop.erp)
    [res] = shop.post_sales(sale)
    assert res["status"] == "rejected", res
    assert isinstance(res["message"], str) and res["message"], res
    if code is not None:
        assert res["error"] in ((code,) if isinstance(code, str) else code), res
    assert diff(before, snapshot(shop.erp)) == {}
    return res


def rejected_request(shop: Shop, status: int | tuple[int, ...], code: str | None, **post: Any) -> None:
    """Post a whole request, expect a JSON 4xx error and the database unchanged."""
    before = snapshot(shop.erp)
    r = shop.post("/api/sales", **post)
    assert_api_error(r, status, code)
    assert diff(before, snapshot(shop.erp)) == {}


def _set(d: Any, path: str, value: Any) -> None:
    *keys, last = path.split(".")
    for key in keys:
        d = d[int(key)] if key.isdigit() else d[key]
    d[int(last) if last.isdigit() else last] = value


# --- tampered amounts and prices ------------------------------------------------------------------------


def test_tampered_amounts_are_totals_mismatch(shop: Shop) -> None:
    for where in ("totals.total", "totals.subtotal", "totals.tax_total", "totals.discount", "totals.taxes.0.base",
                  "lines.0.total", "lines.0.subtotal", "lines.0.discount", "lines.0.taxes.0.amount",
                  "lines.1.unit_price", "lines.0.discount_pct"):
        sale = shop.sale(n=2)
        _set(sale, where, "0.01" if where != "lines.0.discount_pct" else "100")
        rejected(shop, sale, "totals_mismatch")
    sale = shop.sale()
    sale["lines"][0]["discount_pct"] = "101"
    rejected(shop, sale, "invalid_discount")


def test_consistent_sale_at_an_invented_price_is_price_mismatch(shop: Shop) -> None:
    """Every amount agrees with the invented price (poscore computed them): only the ERP's price list catches it."""
    for price in ("0.50", "0.01", "999999.99"):
        rejected(shop, make_sale([dict(shop.items[0], price=price)], 1), "price_mismatch")
    # and another product's price list (a list the terminal does not use)
    rejected(shop, make_sale(shop.items[:1], 1, price_list_id=2, prices_include_tax=True), "price_list_mismatch")


def test_tampered_payments(shop: Shop) -> None:
    cases: list[tuple[str, Any, tuple[str, ...]]] = [
        ("payments.0.amount", "0.01", ("unpaid", "payments_mismatch")),
        ("totals.change", "1000.00", ("payments_mismatch",)),
        ("totals.paid", "0.00", ("payments_mismatch",)),
        ("payments.0.method", "bitcoin", ("unknown_payment_method", "malformed")),
        ("payments.0.sat_code", "99", ("payments_mismatch",)),
        ("payments.0.amount", "-100.00", ("invalid_amount", "unpaid", "payments_mismatch")),
        ("payments", [], ("unpaid", "payments_mismatch")),
    ]
    for where, value, codes in cases:
        sale = shop.sale()
        _set(sale, where, value)
        rejected(shop, sale, codes)


# --- quantities --------------------------------------------------------------------------------------------


def test_bad_quantities_are_rejected(shop: Shop) -> None:
    value: Any
    for value in ("0", "-1", "-0.001", "0.0001", "1e3", "NaN", "-Infinity", "Infinity", "sNaN", "-NaN", "", " ",
                  "uno", "1,5", "0x10", "1_000", "½", "٢", None, True, [], {}, 1.5, 2):
        sale = shop.sale(unit="pieza")
        sale["lines"][0]["qty"] = value
        # "1_000", "٢" (Arabic-Indic two) and the JSON number 2 are read as Decimals by poscore: refused
        # because the amounts are those of qty 1, i.e. they do not agree
        res = rejected(shop, sale, ("invalid_quantity", "malformed", "totals_mismatch"))
        assert res, value


def test_huge_quantities_and_amounts_are_rejected_not_crashed(shop: Shop) -> None:
    kg = next(x for x in shop.items if x["unit"] == "kg")
    # Internally consistent sales (poscore computed every amount): only the size can stop them.
    for qty in ("1000000000000.000", "123456789012.345"):
        rejected(shop, make_sale([kg], 1, qty=qty), "invalid_amount")
    # Values poscore refuses to read (more than 15 integer digits, exponents) or could not compute (quantize past
    # 28 digits) in every amount and in the quantity.
    for where in ("lines.0.qty", "lines.0.unit_price", "lines.0.total", "lines.0.taxes.0.amount", "totals.total",
                  "totals.paid", "totals.change", "payments.0.amount", "lines.0.discount_pct"):
        for value in ("1e30", "-" + "9" * 40, "1e-400", "99999999999999999.999"):
            sale = shop.sale(unit="kg")
            _set(sale, where, value)
            rejected(shop, sale)


def test_raw_json_number_tokens_are_rejected(shop: Shop) -> None:
    """JSON numbers (and the non-standard NaN/Infinity tokens Python's parser accepts) are not decimal strings."""
    for field in ("qty", "unit_price", "total", "product_id"):
        for token in ("NaN", "Infinity", "-Infinity", "1e400", "-0", "1.5", "12345678901234567890123"):
            sale = shop.sale()
            sale["lines"][0][field] = "__RAW__"
            raw = json.dumps({"sales": [sale]}).replace('"__RAW__"', token).encode()
            before = snapshot(shop.erp)
            r = shop.post("/api/sales", content=raw)
            assert r.status_code == 200, r.text
            [res] = r.json()["results"]
            assert res["status"] == "rejected" and res["message"], (field, token, res)
            assert diff(before, snapshot(shop.erp)) == {}


# --- products, ids and integers out of range -----------------------------------------------------------------


def test_unknown_or_out_of_range_ids(shop: Shop) -> None:
    for pid in (0, -1, 999_999, 2**31, 2**63, 2**64 + 1, 10**30):
        rejected(shop, make_sale([dict(shop.items[0], id=pid)], 1), ("product_not_found", "malformed"))
    for plist in (0, 999, 2**31, 2**63, -(2**70)):
        rejected(shop, make_sale(shop.items[:1], 1, price_list_id=plist), ("price_list_mismatch", "malformed"))
    for seq in (0, -1, 2**63, 10**30):
        sale = shop.sale()
        sale["seq"] = seq
        rejected(shop, sale, ("malformed", "number_mismatch"))
    for cid in (999_999, 0, 2**63, 10**30):
        sale = shop.sale()
        sale["customer"] = {"id": cid, "uuid": None, "name": "Nadie", "rfc": None, "regimen_fiscal": None,
                            "codigo_postal": None, "uso_cfdi": None, "email": None}
        rejected(shop, sale, ("customer_not_found", "malformed"))


def test_inactive_product_is_rejected(shop: Shop) -> None:
    from sqlalchemy import text

    p = shop.items[-1]
    with shop.erp.engine.begin() as conn:
        conn.execute(text("UPDATE products SET active = false WHERE id = :i"), {"i": p["id"]})
    try:
        rejected(shop, make_sale([p], 1), "product_inactive")
    finally:
        with shop.erp.engine.begin() as conn:
            conn.execute(text("UPDATE products SET active = true WHERE id = :i"), {"i": p["id"]})


# --- other terminals -----------------------------------------------------------------------------------------


def test_another_terminals_sales_token_and_uuid_space(shop: Shop) -> None:
    add_terminal(shop.erp, "T02")
    # a sale claiming to be T02's, sent with T01's token
    rejected(shop, shop.sale(terminal="T02"), "terminal_mismatch")
    original = shop.sale(seq=1, n=2)
    [ok] = shop.post_sales(original)
    assert ok["status"] == "accepted"
    other = Shop(shop.erp, shop.erp.pair("T02"), shop.items)
    assert shop.erp.client.get("/api/terminal", headers=other.headers).json()["terminal"]["code"] == "T02"
    # T01's exact sale sent with T02's token: neither a duplicate for T02 nor a way to learn T01's folio
    res = rejected(other, original, ("uuid_conflict", "terminal_mismatch"))
    assert "folio" not in res
    # T02's own well-formed sale reusing T01's uuid
    rejected(other, other.sale(seq=1, terminal="T02", uuid=original["uuid"]), "uuid_conflict")
    # T01's next sale (new uuid) sent by T02
    rejected(other, shop.sale(seq=2), "terminal_mismatch")
    [again] = shop.post_sales(original)
    assert again == {**ok, "duplicate": True}


def test_missing_or_bad_token_is_401_and_nothing_stored(shop: Shop) -> None:
    body = json.dumps({"sales": [shop.sale()]}).encode()
    for auth in (None, b"", b"Bearer", b"Bearer ", b"Bearer x", b"bearer " + b"A" * 43, b"Basic dXNlcjpwdw==",
                 "Bearer éé".encode(), b"Bearer \xff\xfe", b"Token abc", b"Bearer " + b"x" * 10_000,
                 b"Bearer " + shop.headers["Authorization"][7:].encode()[:-1]):
        headers = [(b"content-type", b"application/json")] + ([] if auth is None else [(b"authorization", auth)])
        before = snapshot(shop.erp)
        r = shop.erp.client.post("/api/sales", content=body, headers=headers)
        assert_api_error(r, 401, "unauthorized")
        assert diff(before, snapshot(shop.erp)) == {}


def test_revoked_token_is_401(shop: Shop) -> None:
    old = shop.headers
    shop.erp.pair()  # re-pairing replaces the token
    rejected_request(Shop(shop.erp, old, shop.items), 401, "unauthorized", body={"sales": [shop.sale()]})


# --- replay under the same uuid ------------------------------------------------------------------------------


def test_replay_with_other_content_is_uuid_conflict_and_original_kept(shop: Shop) -> None:
    original = shop.sale(seq=1, n=2)
    [ok] = shop.post_sales(original)
    assert ok["status"] == "accepted"
    stored = shop.erp.sql("SELECT body, total, folio FROM sales WHERE uuid = :u", u=original["uuid"])
    replays = [make_sale(shop.items[:2], 1, qty="2", uuid=original["uuid"]),  # valid on its own
               make_sale(shop.items[2:3], 1, uuid=original["uuid"])]
    for path, value in (("cashier", "Otro cajero"), ("device_time", "2026-11-27T16:15:00-06:00"),
                        ("payments.0.reference", "123"), ("lines.0.qty", "NaN"), ("totals.total", "0.01")):
        replay = copy.deepcopy(original)
        _set(replay, path, value)
        replays.append(replay)
    for replay in replays:
        rejected(shop, replay, "uuid_conflict")
    assert shop.erp.sql("SELECT body, total, folio FROM sales WHERE uuid = :u", u=original["uuid"]) == stored
    # the same content with its keys in another order is the same sale: a duplicate, not a conflict
    [again] = shop.post_sales(dict(reversed(list(original.items()))))
    assert again == {**ok, "duplicate": True}


# --- sizes (refused before any query: SQLite only) -----------------------------------------------------------


def test_ten_thousand_sale_batch_is_413_and_nothing_stored(lite: Shop) -> None:
    base = lite.sale()
    sales = [dict(base, uuid=f"00000000-0000-4000-8000-{i:012d}") for i in range(10_000)]
    rejected_request(lite, 413, "batch_too_large", body={"sales": sales})
    rejected_request(lite, 413, "batch_too_large", body={"sales": [{}] * 10_000})


def test_ten_megabyte_bodies_are_refused(lite: Shop) -> None:
    rejected_request(lite, 400, "malformed_json", content=b"{" + b"x" * 10_000_000)
    rejected_request(lite, 400, "invalid_request", content=b'"' + b"x" * 10_000_000 + b'"')
    # valid JSON: one sale whose cashier, line name or an unknown key carries ten million characters
    for path in ("cashier", "lines.0.name", "extra"):
        sale = lite.sale()
        _set(sale, path, "x" * 10_000_000)
        rejected(lite, sale, "malformed")


def test_body_over_the_limit_is_413_with_or_without_content_length(lite: Shop) -> None:
    big = b'{"sales": ["' + b"x" * (17 * 1024 * 1024) + b'"]}'
    rejected_request(lite, 413, "body_too_large", content=big)

    def chunks() -> Any:  # a streamed body: no Content-Length to refuse it by
        yield b'{"sales": ["'
        for _ in range(17):
            yield b"x" * (1024 * 1024)
        yield b'"]}'

    before = snapshot(lite.erp)
    r = lite.erp.client.post("/api/sales", content=chunks(),
                             headers={**lite.headers, "Content-Type": "application/json"})
    assert_api_error(r, 413, "body_too_large")
    assert diff(before, snapshot(lite.erp)) == {}


def test_deeply_nested_json_is_refused(lite: Shop) -> None:
    rejected_request(lite, 400, None, content=b'{"sales": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}")
    sale = lite.sale()
    nested: Any = "x"
    for _ in range(900):
        nested = [nested]
    sale["cashier"] = nested
    rejected(lite, sale, "malformed")


def test_envelopes_of_the_wrong_shape(lite: Shop) -> None:
    body: Any
    for body in ({}, {"sales": None}, {"sales": 5}, {"sales": "x"}, {"sales": {"0": {}}}, [], None, 7):
        rejected_request(lite, 400, "invalid_request", body=body)
    for raw in (b"", b"{", b"\xff", b"NaN", b'{"sales": [}', b'{"sales": [1' + b"0" * 5000 + b"]}"):
        rejected_request(lite, 400, None, content=raw)


# --- all together -------------------------------------------------------------------------------------------


def test_a_good_sale_beside_hostile_ones_is_accepted_once(shop: Shop) -> None:
    good = shop.sale(seq=3)
    bad_total = shop.sale(seq=1)
    bad_total["totals"]["total"] = "0.01"
    nan_qty = shop.sale(seq=2)
    nan_qty["lines"][0]["qty"] = "NaN"
    sales_before = shop.erp.scalar("SELECT count(*) FROM sales")
    lines_before = shop.erp.scalar("SELECT count(*) FROM sale_lines")
    batch = [bad_total, None, 7, "x", {"uuid": "u" * 37}, {"uuid": "\ud800"}, nan_qty, good, good]
    r = shop.post("/api/sales", content=json.dumps({"sales": batch}).encode())  # ASCII JSON: "\ud800" escaped
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert [r["status"] for r in res] == ["rejected"] * 7 + ["accepted", "accepted"]
    assert [r.get("duplicate") for r in res[-2:]] == [False, True]
    assert res[5]["uuid"] is None  # a lone surrogate cannot be echoed in a UTF-8 response
    assert shop.erp.scalar("SELECT count(*) FROM sales") == sales_before + 1
    assert shop.erp.scalar("SELECT count(*) FROM sale_lines") == lines_before + 1


def test_two_terminals_racing_for_the_same_uuids_get_one_sale_each(shop: Shop) -> None:
    """T01 and T02 send sales under the same ten uuids at once: each uuid ends up as exactly one sale, of the
    terminal whose answer says accepted; the other gets uuid_conflict. Never both, never a 5xx."""
    from concurrent.futures import ThreadPoolExecutor

    add_terminal(shop.erp, "T02")
    other = Shop(shop.erp, shop.erp.pair("T02"), shop.items)
    uuids = [f"0000race-0000-4000-8000-{i:012d}" for i in range(10)]
    mine = [shop.sale(seq=100 + i, uuid=u) for i, u in enumerate(uuids)]
    theirs = [other.sale(seq=100 + i, terminal="T02", uuid=u) for i, u in enumerate(uuids)]
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda job: job[0].post_sales(*job[1]), [(shop, mine), (other, theirs)])
    for u, ra, rb in zip(uuids, a, b):
        assert sorted((ra["status"], rb["status"])) == ["accepted", "rejected"], (ra, rb)
        loser = ra if ra["status"] == "rejected" else rb
        assert loser["error"] == "uuid_conflict"
        winner = "T01" if ra["status"] == "accepted" else "T02"
        assert shop.erp.sql("SELECT t.code FROM sales s JOIN terminals t ON t.id = s.terminal_id "
                            "WHERE s.uuid = :u", u=u) == [(winner,)]
