"""Schemathesis against the OpenAPI schema of /api/*: every operation, authenticated with a real paired token.

Proves that for inputs generated from the schema (bodies of any JSON shape where the schema says "any",
query integers of any size, strings with any Unicode) no /api operation answers 5xx, every error is a JSON
4xx `{"error", "message"}`, a refused request leaves the database unchanged, and a 200 to a batch endpoint
stores exactly what its results say were accepted (no more rows than accepted items). Bounded: 25 examples
per operation and database, no deadline, no example database; on SQLite and PostgreSQL (which refuses NUL
characters and over-long strings that SQLite would take).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from poscore.messages import known
from server.app import create_app
from server.settings import Settings
from tests.server.harness import Erp
from tests.server.hostile import Shop, diff, module_erp, open_shop, snapshot

__all__ = ["module_erp"]

BATCH_KEYS = {"/api/sales": "sales", "/api/customers": "customers", "/api/voids": "voids"}
# rows a write may add per accepted item, by endpoint (a sale adds lines, payments, stock flags, a customer)
WRITTEN = {"/api/sales": {"sales", "sale_lines", "sale_payments", "stock", "stock_negative", "customers",
                          "products", "change_counter", "folio_series"},
           "/api/customers": {"customers", "change_counter"},
           "/api/voids": {"voids"},
           "/api/pair": {"terminals", "pairing_codes"}}


class _AppSlot:
    """An ASGI app that forwards to whichever app the module fixture put in it.

    The schema must exist at import time for `@schema.parametrize()` (schemathesis' lazy `from_fixture`
    does not run on pytest 9), but each test database belongs to a fixture. The schema is read from an app
    on an unused in-memory database; the calls go to the fixture's app."""

    def __init__(self) -> None:
        self.app: Any = create_app(Settings(database_url="sqlite://", secret_key="schema-only"))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


SLOT = _AppSlot()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", SLOT)


@pytest.fixture(scope="module")
def shop(module_erp: Erp) -> Iterator[Shop]:
    schema_only = SLOT.app
    SLOT.app = module_erp.app
    try:
        yield open_shop(module_erp)
    finally:
        SLOT.app = schema_only


@schema.parametrize()
# Hypothesis warns when a failing-example repr it would print is large (a 33 kB generated body did it once under
# CI's warnings-as-errors); that is about the report's cost, not the API's behaviour.
@pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")
@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_never_5xx_and_refusals_store_nothing(case: Any, shop: Shop) -> None:
    before = snapshot(shop.erp)
    response = case.call(headers=shop.headers)
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, response.text
    after = snapshot(shop.erp)
    if response.status_code >= 400:
        ctype = response.headers.get("content-type") or [""]
        assert ctype[0].startswith("application/json"), (case.path, ctype, response.text[:300])
        body = response.json()
        assert set(body) == {"error", "params", "message"} and known(body["error"]) and body["message"], body
        assert isinstance(body["params"], dict), body
        assert diff(before, after) == {}, (case.path, case.body)
        return
    changed = set(diff(before, after)) - {"in_place", "terminals_auth"}
    key = BATCH_KEYS.get(case.path)
    if case.method.upper() == "GET" or key is None and case.path != "/api/pair":
        assert changed == set(), (case.path, changed)
        return
    assert changed <= WRITTEN[case.path], (case.path, changed)
    if key is not None:
        results = response.json()["results"]
        assert len(results) == len(case.body[key])
        accepted = [r for r in results if r["status"] == "accepted" and not r.get("duplicate")]
        table = {"sales": "sales", "customers": "customers", "voids": "voids"}[key]
        grew = after[table][0][0] - before[table][0][0]
        if key == "customers":  # a uuid accepted twice in one batch is created once
            assert grew <= len(accepted)
        else:
            assert grew == len(accepted), (results, grew)
        for r in results:
            assert r["status"] in ("accepted", "rejected")
            if r["status"] == "rejected":
                assert known(r["error"]) and isinstance(r["params"], dict) and r["message"], r
