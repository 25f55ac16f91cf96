"""Pairing codes under attack: single use (even when raced), expiry, and brute force slowed to a crawl.

Proves, on SQLite and PostgreSQL, that a pairing code redeems exactly once even when eight requests race for
it, that a used or expired code is refused with `400 pairing_code_invalid` and changes nothing, that codes
are not stored in clear, and that after 10 failed codes within a minute an address gets
`429 too_many_attempts` with a `Retry-After` header, even for the right code (which stays unused), while
another address is not affected, a forged X-Forwarded-For does not reset the count, and the address may try
again once the minute has passed. Guessing a six-digit code at 10 a minute takes on average ~35 days per
address, against a code that lives 60 minutes.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from server.api import throttle
from server.db.engine import utcnow
from tests.server.harness import Erp
from tests.server.hostile import assert_api_error, diff, snapshot


def _wrong_codes(right: str) -> list[str]:
    return [c for c in (f"{n:06d}" for n in range(100_000, 100_030)) if c != right]


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
