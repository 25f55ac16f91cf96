"""Pairing codes under attack: single use (even when raced), expiry, brute force slowed to a crawl per
address and made hopeless overall (twelve digits, and a failure budget every live code shares whatever the
address), concurrency that cannot slip past the per-address count, trusted proxies only when named, and codes
that die when a newer one is made or the terminal is revoked.

Proves, on SQLite and PostgreSQL, that a pairing code redeems exactly once even when eight requests race for
it, that a used or expired code is refused with `400 pairing_code_invalid` and changes nothing, that codes
are not stored in clear, and that after 10 failed codes within a minute an address gets
`429 too_many_attempts` with a `Retry-After` header, even for the right code (which stays unused), while
another address is not affected, a forged X-Forwarded-For does not reset the count, and the address may try
again once the minute has passed.
"""
from __future__ import annotations

import dataclasses
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from server import terminals
from server.api import throttle
from server.db.engine import utcnow
from server.peer import parse_proxies, real_client
from tests.server.backoffice_helpers import post_form, signed_in
from tests.server.harness import Erp
from tests.server.hostile import assert_api_error, diff, snapshot


def _wrong_codes(right: str) -> list[str]:
    return [c for c in (f"{n:012d}" for n in range(100_000, 100_200)) if c != right.replace("-", "")]


def test_a_code_redeems_once_even_when_raced(erp: Erp) -> None:
    code = erp.pairing_code()
    assert erp.scalar("SELECT count(*) FROM pairing_codes WHERE code_hash LIKE :c", c=f"%{code}%") == 0
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: erp.client.post("/api/pair", json={"code": code, "device": "race"}),
                                range(8)))
    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) == 1, [r.status_code for r in answers]
    for r in answers:
        if r.status_code != 200:
            assert_api_error(r, 400, "pairing_code_invalid")
    token = ok[0].json()["token"]
    assert erp.client.get("/api/terminal", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    before = snapshot(erp)
    assert_api_error(erp.client.post("/api/pair", json={"code": code}), 400, "pairing_code_invalid")
    assert diff(before, snapshot(erp)) == {}
    # the token from the race is still the one that works
    assert erp.client.get("/api/terminal", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_expired_code_is_refused_and_changes_nothing(erp: Erp) -> None:
    code = erp.pairing_code()
    with erp.engine.begin() as conn:
        conn.execute(text("UPDATE pairing_codes SET expires_at = :t"), {"t": utcnow() - timedelta(seconds=1)})
    before = snapshot(erp)
    for variant in (code, f" {code} ", code + "\n"):
        assert_api_error(erp.client.post("/api/pair", json={"code": variant}), 400, "pairing_code_invalid")
    assert diff(before, snapshot(erp)) == {}
    assert erp.scalar("SELECT count(*) FROM pairing_codes WHERE used_at IS NOT NULL") == 0
    assert erp.client.post("/api/pair", json={"code": erp.pairing_code()}).status_code == 200


def test_brute_force_gets_429_with_retry_after(erp: Erp, monkeypatch: pytest.MonkeyPatch) -> None:
    right = erp.pairing_code()
    before = snapshot(erp)
    wrong = iter(_wrong_codes(right))
    for _ in range(10):
        assert_api_error(erp.client.post("/api/pair", json={"code": next(wrong)}), 400, "pairing_code_invalid")
    for code in (next(wrong), right):
        r = erp.client.post("/api/pair", json={"code": code}, headers={"X-Forwarded-For": "203.0.113.9"})
        assert_api_error(r, 429, "too_many_attempts")
        assert r.headers["Retry-After"].isdigit() and 0 < int(r.headers["Retry-After"]) <= 60
    assert diff(before, snapshot(erp)) == {}  # the right code was not burned while blocked
    # another address is not blocked by this one's failures
    with TestClient(erp.app, client=("198.51.100.7", 40000)) as other:
        assert_api_error(other.post("/api/pair", json={"code": next(wrong)}), 400, "pairing_code_invalid")
    # a minute later (the limiter's clock moved, no sleeping) the address may try again
    real = throttle.time.monotonic
    monkeypatch.setattr(throttle.time, "monotonic", lambda: real() + 61)
    r = erp.client.post("/api/pair", json={"code": right})
    assert r.status_code == 200, r.text


def test_successes_do_not_count_as_failures(erp: Erp) -> None:
    for _ in range(12):
        assert erp.client.post("/api/pair", json={"code": erp.pairing_code()}).status_code == 200
    assert_api_error(erp.client.post("/api/pair", json={"code": "1"}), 400, "pairing_code_invalid")


def test_codes_are_twelve_digits_grouped_and_typed_any_way(erp: Erp) -> None:
    for shape in (lambda c: c.replace("-", ""), lambda c: c.replace("-", " "), lambda c: f" {c} "):
        code = erp.pairing_code()
        assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", code), code
        assert erp.client.post("/api/pair", json={"code": shape(code)}).status_code == 200


def test_failures_from_many_addresses_kill_every_live_code(erp: Erp) -> None:
    right = erp.pairing_code()
    wrong = iter(_wrong_codes(right))
    # Each address stays under its own limit; together they spend the codes' shared budget.
    for n in range(terminals.PAIRING_MAX_FAILURES):
        with TestClient(erp.app, client=(f"198.51.{n // 200}.{n % 200 + 1}", 40000)) as c:
            assert_api_error(c.post("/api/pair", json={"code": next(wrong)}), 400, "pairing_code_invalid")
    assert_api_error(erp.client.post("/api/pair", json={"code": right}), 400, "pairing_code_invalid")
    assert erp.client.post("/api/pair", json={"code": erp.pairing_code()}).status_code == 200


def test_concurrent_guesses_cannot_outrun_the_count(erp: Erp) -> None:
    right = erp.pairing_code()
    wrong = _wrong_codes(right)[:40]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda c: erp.client.post("/api/pair", json={"code": c}), wrong))
    assert sum(r.status_code == 400 for r in answers) <= 10, [r.status_code for r in answers]
    assert sum(r.status_code == 429 for r in answers) >= 30


def test_a_new_code_or_a_revocation_kills_unused_codes(erp: Erp) -> None:
    first = erp.pairing_code()
    second = erp.pairing_code()
    assert_api_error(erp.client.post("/api/pair", json={"code": first}), 400, "pairing_code_invalid")
    with erp.engine.begin() as conn:
        tid = conn.execute(text("SELECT id FROM terminals WHERE code = 'T01'")).scalar()
    client = signed_in(erp)
    r = post_form(client, f"/erp/terminales/{tid}/revocar", {}, page_url=f"/erp/terminales/{tid}")
    assert r.status_code == 303, r.text
    assert_api_error(erp.client.post("/api/pair", json={"code": second}), 400, "pairing_code_invalid")


def test_forwarded_for_is_believed_only_from_a_named_proxy(erp: Erp) -> None:
    right = erp.pairing_code()
    wrong = iter(_wrong_codes(right))
    # Not trusted (the default): a changing X-Forwarded-For does not give a fresh budget.
    for n in range(10):
        erp.client.post("/api/pair", json={"code": next(wrong)}, headers={"X-Forwarded-For": f"203.0.113.{n}"})
    r = erp.client.post("/api/pair", json={"code": next(wrong)}, headers={"X-Forwarded-For": "203.0.113.99"})
    assert_api_error(r, 429, "too_many_attempts")
    # A named proxy: each forwarded client has its own budget, and the proxy's own address is not blocked.
    erp.app.state.settings = dataclasses.replace(erp.settings, trusted_proxies=parse_proxies("10.0.0.0/8"))
    with TestClient(erp.app, client=("10.1.2.3", 40000)) as proxy:
        for n in range(10):
            proxy.post("/api/pair", json={"code": next(wrong)}, headers={"X-Forwarded-For": "203.0.113.50"})
        r = proxy.post("/api/pair", json={"code": next(wrong)}, headers={"X-Forwarded-For": "203.0.113.50"})
        assert_api_error(r, 429, "too_many_attempts")
        r = proxy.post("/api/pair", json={"code": next(wrong)}, headers={"X-Forwarded-For": "203.0.113.51, 10.9.9.9"})
        assert_api_error(r, 400, "pairing_code_invalid")


def test_real_client_walks_past_trusted_hops_only() -> None:
    proxies = parse_proxies("10.0.0.1, 192.168.0.0/16")
    assert real_client("127.0.0.1", ["1.2.3.4"], ()) == "127.0.0.1"
    assert real_client("127.0.0.1", ["1.2.3.4"], proxies) == "127.0.0.1"
    assert real_client("10.0.0.1", ["6.6.6.6, 1.2.3.4, 192.168.1.9"], proxies) == "1.2.3.4"
    assert real_client("10.0.0.1", [], proxies) == "10.0.0.1"
    assert real_client("10.0.0.1", ["not an address"], proxies) == "not an address"
    with pytest.raises(ValueError):
        parse_proxies("10.0.0.300")
