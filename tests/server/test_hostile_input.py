"""Hostile bytes at every other door of /api: customers, voids, feeds' query strings, headers, text encodings.

Proves, on SQLite and PostgreSQL, that text the database cannot hold (NUL characters, lone UTF-16 surrogates,
over-long or newline-padded codes), numbers out of every column's range, NaN/Infinity and odd headers sent to
POST /api/customers, POST /api/voids, POST /api/pair, the feeds and the token check get a JSON 4xx or a
per-item `rejected` result with a message (never a 5xx), and that the database is unchanged whenever
something is refused.
"""
from __future__ import annotations

import json
import uuid as uuidlib
from typing import Any

import pytest
from sqlalchemy import text

from tests.server.harness import Erp
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
    """For requests refused before the database is queried (sizes): SQLite only."""
    return open_shop(sqlite_module_erp)


def customer(**kw: Any) -> dict[str, Any]:
    base = {"uuid": str(uuidlib.uuid4()), "name": "Abarrotes Lupita", "rfc": None, "regimen_fiscal": None,
            "codigo_postal": None, "uso_cfdi": None, "email": None}
    return {**base, **kw}


def void(**kw: Any) -> dict[str, Any]:
    base = {"uuid": str(uuidlib.uuid4()), "sale_uuid": str(uuidlib.uuid4()), "number": "T01-000001",
            "cancelled_at": "2026-11-27T16:20:00-06:00", "cashier": "Cajero 1", "total": "18.50",
            "reason": "error de captura", "sale": None}
    return {**base, **kw}


def refused(shop: Shop, path: str, raw: bytes, case: Any) -> None:
    """One request: a JSON 4xx, or one `rejected` result with a message; the database unchanged."""
    before = snapshot(shop.erp)
    r = shop.post(path, content=raw)
    if r.status_code == 200:
        [res] = r.json()["results"]
        assert res["status"] == "rejected" and isinstance(res["message"], str) and res["message"], (case, res)
    else:
        assert_api_error(r, (400, 413))
    assert diff(before, snapshot(shop.erp)) == {}, case


def refused_item(shop: Shop, path: str, key: str, item: Any) -> None:
    # json.dumps escapes NUL and lone surrogates (\u0000, \ud800): the bytes are valid JSON, the text is not
    refused(shop, path, json.dumps({key: [item]}).encode(), item)


# --- customers created offline ---------------------------------------------------------------------------------


def test_hostile_customers_are_refused_not_crashed(shop: Shop) -> None:
    for fields in (
        {"name": "Nul\x00byte"}, {"name": "surrogate \ud800 alone"}, {"name": "\udfff"}, {"name": ""},
        {"name": "   "}, {"name": None}, {"name": 5}, {"name": ["x"]}, {"name": "x" * 301},
        {"name": "x" * 2_000_000}, {"codigo_postal": "44100\n"}, {"codigo_postal": "4410"},
        {"codigo_postal": "441000"}, {"rfc": "XAXX010101000\x00"}, {"rfc": "NOT-AN-RFC"}, {"rfc": 13},
        {"regimen_fiscal": "612\n"}, {"regimen_fiscal": "9999"}, {"uso_cfdi": "G03\n"}, {"uso_cfdi": "ZZZZZ"},
        {"email": "a@b.mx\x00"}, {"email": "x" * 300 + "@b.mx"}, {"email": 7}, {"uuid": ""}, {"uuid": "u" * 37},
        {"uuid": None}, {"uuid": 12}, {"uuid": "nul\x00uuid"}, {"uuid": "\ud800"}, {"extra": "x" * 1_100_000},
    ):
        refused_item(shop, "/api/customers", "customers", customer(**fields))
    for item in (None, 7, "x", [], [customer()], {"uuid": str(uuidlib.uuid4())}):
        refused_item(shop, "/api/customers", "customers", item)


def test_codigo_postal_is_ascii_digits(shop: Shop) -> None:
    refused_item(shop, "/api/customers", "customers", customer(codigo_postal="٤٤١٠٠"))


def test_customer_batch_over_the_limit_is_413(shop: Shop) -> None:
    before = snapshot(shop.erp)
    r = shop.post("/api/customers", {"customers": [customer() for _ in range(501)]})
    assert_api_error(r, 413, "batch_too_large")
    assert diff(before, snapshot(shop.erp)) == {}


# --- voids ---------------------------------------------------------------------------------------------------


def test_hostile_voids_are_refused_not_crashed(shop: Shop) -> None:
    fields: Any
    for fields in (
        {"total": "NaN"}, {"total": "Infinity"}, {"total": "1e30"}, {"total": "9" * 40}, {"total": "1e17"},
        {"total": "1.005"}, {"total": 1.5}, {"total": True}, {"total": []}, {"total": "uno"},
        {"uuid": ""}, {"uuid": "u" * 37}, {"uuid": None}, {"sale_uuid": None}, {"sale_uuid": "s" * 37},
        {"cancelled_at": ""}, {"cancelled_at": None}, {"cashier": "x" * 101}, {"reason": "x" * 501},
        {"number": 123}, {"number": "n" * 41}, {"reason": "nul\x00byte"}, {"cashier": "\udfff"},
        {"uuid": "nul\x00"}, {"sale": {"cashier": "x\x00"}}, {"sale": "x" * 1_100_000},
    ):
        refused_item(shop, "/api/voids", "voids", void(**fields))
    for token in ("NaN", "Infinity", "-Infinity", "1e400", "123456789012345678901234567890"):
        raw = json.dumps({"voids": [void(total="__RAW__")]}).replace('"__RAW__"', token).encode()
        refused(shop, "/api/voids", raw, token)


def test_void_uuid_of_another_terminal_is_conflict(shop: Shop) -> None:
    add_terminal(shop.erp, "T02")
    v = void()
    [ok] = shop.post("/api/voids", {"voids": [v]}).json()["results"]
    assert ok["status"] == "accepted"
    other = Shop(shop.erp, shop.erp.pair("T02"), shop.items)
    refused_item(other, "/api/voids", "voids", v)
    assert shop.erp.scalar("SELECT count(*) FROM voids WHERE uuid = :u", u=v["uuid"]) == 1


# --- feeds: query strings ------------------------------------------------------------------------------------


def test_feed_query_strings_out_of_range_are_4xx(shop: Shop) -> None:
    for path in ("/api/catalog", "/api/customers"):
        for params in (
            {"since": -1}, {"after": -1}, {"limit": 0}, {"limit": 5001}, {"limit": -5},
            {"since": 2**63}, {"after": 2**63}, {"since": 10**30}, {"after": 10**30}, {"limit": 10**30},
            {"since": "1e3"}, {"since": "NaN"}, {"after": "Infinity"}, {"limit": "∞"}, {"since": "٣"},
            {"since": "0x10"}, {"since": ""}, {"since": "9" * 5000}, {"since": "\x00"}, {"after": "1.5"},
        ):  # ("1_000", " 5", "+5", "1.0": pydantic reads them as integers, a normal page)
            before = snapshot(shop.erp)
            r = shop.erp.client.get(path, params=params, headers=shop.headers)
            assert_api_error(r, 400)
            assert diff(before, snapshot(shop.erp)) == {}, params


# --- headers -------------------------------------------------------------------------------------------------


def test_odd_pending_and_version_headers_never_crash(shop: Shop) -> None:
    auth = (b"authorization", shop.headers["Authorization"].encode())
    versions = iter(("v" * 500 + "é", "1.0\x00", "\x00", "é" * 41, "ok"))
    for pending in ("²", "9" * 30, "9" * 5000, "-1", "1e3", "", "٣", "\xff", "\x00"):
        with shop.erp.engine.begin() as conn:  # make this request a "first contact" so the headers are read
            conn.execute(text("UPDATE terminals SET last_contact_at = NULL"))
        version = next(versions, "v\x00")
        r = shop.erp.client.get("/api/terminal", headers=[
            auth, (b"x-caja-pending", pending.encode()), (b"x-caja-version", version.encode())])
        assert r.status_code == 200, (pending, r.text)
        [(reported, version)] = shop.erp.sql("SELECT reported_pending, app_version FROM terminals WHERE code = 'T01'")
        assert reported is None or 0 <= reported < 2**31
        assert version is None or len(version) <= 40


def test_odd_authorization_bytes_are_401(shop: Shop) -> None:
    token = shop.headers["Authorization"][7:].encode()
    before = snapshot(shop.erp)
    for auth in (b"Bearer \xff\xfe", "Bearer é".encode(), b"Bearer " + token + b"\x00", b"Bearer " + token[:-1],
                 b"Bearer\t" + token + b"x", b"Bearer  " + b" " * 1000, b"Bearer " + token.upper() + b"!"):
        for method, path in (("GET", "/api/terminal"), ("GET", "/api/catalog"), ("GET", "/api/customers"),
                             ("POST", "/api/sales"), ("POST", "/api/customers"), ("POST", "/api/voids")):
            body = None if method == "GET" else b'{"sales": [], "customers": [], "voids": []}'
            r = shop.erp.client.request(method, path, content=body,
                                        headers=[(b"authorization", auth), (b"content-type", b"application/json")])
            assert_api_error(r, 401, "unauthorized")
    assert diff(before, snapshot(shop.erp)) == {}


def test_other_content_types_and_encodings(shop: Shop) -> None:
    body = json.dumps({"sales": [shop.sale()]}).encode()
    sales_before = shop.erp.scalar("SELECT count(*) FROM sales")
    for ctype in (None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                  "application/json; charset=latin-1"):
        headers = dict(shop.headers, **({} if ctype is None else {"Content-Type": ctype}))
        r = shop.erp.client.post("/api/sales", content=body, headers=headers)
        assert r.status_code < 500, r.text
        if r.status_code >= 400:
            assert_api_error(r, (400, 415))
    # whatever the declared type, that one sale is in the ERP at most once
    assert shop.erp.scalar("SELECT count(*) FROM sales") - sales_before <= 1
    for raw in (b'{"sales": ["\xff\xfe\xfd"]}', '{"customers": []}'.encode("utf-16"), b"\xef\xbb\xbf{}"):
        refused(shop, "/api/sales", raw, raw)


# --- sales: text the database cannot hold -----------------------------------------------------------------------


def test_sale_text_the_database_cannot_hold(shop: Shop) -> None:
    for where, value in (("cashier", "Caj\x00ero"), ("cashier", "\ud800"), ("uuid", "u\x00"), ("uuid", "\udc00" * 3),
                         ("device_time", "2026-11-27T16:14:00-06:00\x00"), ("payment_reference", "ref\x00"),
                         ("line_name", "\ud83d"), ("line_sku", "sku\x00"), ("customer_name", "Nul\x00"),
                         ("customer_cp", "44100\n"), ("customer_email", "\ud800@x.mx"), ("key", "\x00")):
        sale = shop.sale()
        if where == "payment_reference":
            sale["payments"][0]["reference"] = value
        elif where.startswith("line_"):
            sale["lines"][0][where[5:]] = value
        elif where.startswith("customer_"):
            sale["customer"] = {"id": None, "uuid": str(uuidlib.uuid4()), "name": "Cliente", "rfc": None,
                                "regimen_fiscal": None, "codigo_postal": None, "uso_cfdi": None, "email": None}
            sale["customer"][{"customer_name": "name", "customer_cp": "codigo_postal",
                              "customer_email": "email"}[where]] = value
        elif where == "key":
            sale[value] = 1
        else:
            sale[where] = value
        refused_item(shop, "/api/sales", "sales", sale)


# --- pairing -------------------------------------------------------------------------------------------------


def test_hostile_pair_bodies(erp: Erp) -> None:
    erp.pairing_code()  # a live code exists: nothing here may redeem it
    body: Any
    for body in ({"code": "\x00" * 6}, {"code": "\ud800"}, {"code": 123456}, {"code": None}, {"code": ["123456"]},
                 {"code": "1" * 21}, {"code": ""}, {"code": "123456", "device": "x" * 201},
                 {"code": "123456", "device": 5}, {"code": "123456\x00"}, [], "123456", None):
        before = snapshot(erp)
        r = erp.client.post("/api/pair", content=json.dumps(body).encode(),
                            headers={"Content-Type": "application/json"})
        assert_api_error(r, (400, 429))
        assert diff(before, snapshot(erp)) == {}


def test_pair_device_names_are_stored_verbatim_or_refused(erp: Erp) -> None:
    for device in ("Caja\x00 1", "\ud800", "<script>alert(1)</script>", "'; DROP TABLE sales; --", "Caja 🧾 ñ"):
        code = erp.pairing_code()
        r = erp.client.post("/api/pair", content=json.dumps({"code": code, "device": device}).encode(),
                            headers={"Content-Type": "application/json"})
        if r.status_code == 200:
            assert erp.scalar("SELECT device FROM terminals WHERE code = 'T01'") == device
        else:
            assert_api_error(r, 400)
            assert "\x00" in device or "\ud800" in device


# --- methods, paths and a deactivated terminal -------------------------------------------------------------------


def test_wrong_methods_and_odd_paths_are_json_4xx(shop: Shop) -> None:
    before = snapshot(shop.erp)
    for method, path in (("GET", "/api/sales"), ("PUT", "/api/sales"), ("DELETE", "/api/customers"),
                         ("PATCH", "/api/voids"), ("POST", "/api/catalog"), ("DELETE", "/api/terminal"),
                         ("GET", "/api/pair"), ("GET", "/api/sales%00"), ("GET", "/api/%2e%2e/erp/"),
                         ("GET", "/api/" + "a" * 10_000), ("POST", "/api/sales/../voids"),
                         ("GET", "/api/catalog?" + "since=-1&" * 2_000)):
        r = shop.erp.client.request(method, path, headers=shop.headers)
        assert_api_error(r, (400, 401, 404, 405))
    assert diff(before, snapshot(shop.erp)) == {}


def test_a_deactivated_terminal_is_locked_out(shop: Shop) -> None:
    with shop.erp.engine.begin() as conn:
        conn.execute(text("UPDATE terminals SET active = false WHERE code = 'T01'"))
    try:
        before = snapshot(shop.erp)
        for method, path in (("GET", "/api/terminal"), ("GET", "/api/catalog"), ("POST", "/api/sales")):
            r = shop.erp.client.request(method, path, headers=shop.headers, json={"sales": [shop.sale()]})
            assert_api_error(r, 401, "unauthorized")
        assert diff(before, snapshot(shop.erp)) == {}
    finally:
        with shop.erp.engine.begin() as conn:
            conn.execute(text("UPDATE terminals SET active = true WHERE code = 'T01'"))


def test_a_terminal_can_add_customers_but_not_overwrite_or_promote_them(shop: Shop) -> None:
    """Existing customers are the back office's: a uuid already known returns its id and changes nothing, and a
    new customer cannot bring its own id, price list (a cheaper one), version or inactive flag."""
    known = shop.erp.sql("SELECT uuid, id, name, rfc, price_list_id FROM customers WHERE price_list_id IS NOT NULL "
                         "ORDER BY id LIMIT 1")[0]
    before = snapshot(shop.erp)
    r = shop.post("/api/customers", {"customers": [customer(uuid=known.uuid, name="<script>x</script>",
                                                            rfc="XAXX010101000", price_list_id=1)]})
    assert r.json()["results"] == [{"uuid": known.uuid, "status": "accepted", "id": known.id}]
    assert diff(before, snapshot(shop.erp)) == {}
    new = customer(id=1, price_list_id=known.price_list_id, version=10**9, active=False, created_by_terminal_id=99)
    [res] = shop.post("/api/customers", {"customers": [new]}).json()["results"]
    assert res["status"] == "accepted" and res["id"] != 1
    row = shop.erp.sql("SELECT price_list_id, active, version < 1000000, created_by_terminal_id FROM customers "
                       "WHERE uuid = :u", u=new["uuid"])
    t1 = shop.erp.scalar("SELECT id FROM terminals WHERE code = 'T01'")
    assert [tuple(x) for x in row] == [(None, True, True, t1)]


def test_ten_megabytes_at_every_other_door(lite: Shop) -> None:
    """A 10 MB item at customers and voids is one rejected result; at pair a 400; and 10,000 items a 413."""
    huge = "x" * 10_000_000
    refused_item(lite, "/api/customers", "customers", customer(name=huge))
    refused_item(lite, "/api/voids", "voids", void(reason=huge))
    before = snapshot(lite.erp)
    assert_api_error(lite.erp.client.post("/api/pair", json={"code": huge}), 400, "invalid_request")
    assert_api_error(lite.erp.client.post("/api/pair", json={"code": "1", "device": huge}), 400, "invalid_request")
    for path, key, item in (("/api/customers", "customers", customer()), ("/api/voids", "voids", void())):
        assert_api_error(lite.post(path, {key: [item] * 10_000}), 413, "batch_too_large")
    assert diff(before, snapshot(lite.erp)) == {}
