"""The ERP's refusals come from the one catalogue (poscore.messages): every code server/ can answer has a Spanish and
an English text naming the same parameters, and the API answers `error` + `params` + `message` (Spanish, or the
language Accept-Language prefers); the back office shows its refusals in its own language. SQLite and PostgreSQL."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import poscore
import server
from poscore.messages import EN, ES, SUFFIX_PARAMS, placeholders, render
from server.api.errors import _HTTP_CODES, request_lang
from tests.server.backoffice_helpers import post_form, signed_in
from tests.server.harness import Erp, catalog_items, make_sale, post_sales, sellable
from tests.server.returns_helpers import a_return, post_returns

# Callables that take a code: (where the code is among the positional arguments, keywords that are not params).
_EMITTERS = {"SaleRejected": 0, "CustomerRejected": 0, "CodedError": 0, "ApiError": 1, "rejected": 1,
             "error_response": 1}
_NOT_PARAMS = {"headers"}


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _emitted() -> Iterator[tuple[str, str, set[str] | None]]:
    """(where, code, keyword params or None when some are unpacked) for every literal code server/ emits, and
    every literal `detail_*` code it passes or text_problem returns."""
    root = Path(server.__file__).parent
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(root.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("detail_"):
                yield where, node.value, set()
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name == "RetryLater":  # answered as ApiError(503, "retry_later")
                yield where, "retry_later", set()
            pos = _EMITTERS.get(name or "")
            if pos is None or len(node.args) <= pos:
                continue
            code = node.args[pos]
            if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                continue  # a code passed on (exc.code): its source is checked where it is raised
            unpacked = any(k.arg is None for k in node.keywords)
            params = {k.arg for k in node.keywords if k.arg is not None and k.arg not in _NOT_PARAMS}
            yield where, code.value, None if unpacked else params


def test_every_code_the_erp_emits_has_both_languages_with_the_same_parameters() -> None:
    found = list(_emitted())
    codes = {code for _, code, _ in found} | set(_HTTP_CODES.values())
    # A sanity floor: the walk sees the sync refusals, the API's errors and the back office's.
    assert {"unknown_cashier", "uuid_conflict", "batch_too_large", "price_mismatch", "sale_has_returns",
            "not_found", "detail_nul", "retry_later", "malformed_json"} <= codes, sorted(codes)
    problems = []
    for code in sorted(codes):
        if code not in ES or code not in EN:
            problems.append(f"{code}: missing in {'es' if code not in ES else 'en'}")
        elif placeholders(ES[code]) != placeholders(EN[code]):
            problems.append(f"{code}: es names {placeholders(ES[code])}, en {placeholders(EN[code])}")
    for where, code, params in found:
        if params is None or code not in ES:
            continue
        needed = placeholders(ES[code])
        if not needed <= params or not params - needed <= set(SUFFIX_PARAMS):
            problems.append(f"{where}: {code} given {sorted(params)}, its text names {sorted(needed)}")
    assert problems == []
    for key in ("at_line", "at_price"):  # the texts render() adds for the suffix parameters
        assert placeholders(ES[key]) == placeholders(EN[key]) <= set(SUFFIX_PARAMS)


def test_every_poscore_refusal_the_erp_passes_on_has_both_languages() -> None:
    """The ERP answers poscore's codes as they are (check_sale's problems, SaleError, ReturnError, ShiftError)."""
    refusals = {"_p", "Problem", "NotSellable", "PaymentError", "SaleError", "ReturnError", "ShiftError", "CodedError"}
    codes = set()
    for path in Path(poscore.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and _name(node.func) in refusals and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                codes.add(node.args[0].value)
    assert {"return_exceeds", "invalid_count", "totals_mismatch"} <= codes
    assert sorted(c for c in codes if c not in ES or c not in EN or placeholders(ES[c]) != placeholders(EN[c])) == []


def test_render_adds_where_and_why_in_the_readers_language() -> None:
    params = {"line": 2, "product": "Refresco", "price": "18.00"}
    assert render("price_mismatch", "es", params) == \
        "El precio no corresponde a la lista de precios de la terminal (línea 2: Refresco, precio 18.00)"
    assert render("price_mismatch", "en", params) == \
        "The price is not in the terminal's price list (line 2: Refresco, price 18.00)"
    assert render("malformed", "en", {"detail": "detail_nul"}) == "Malformed sale (null character in the text)"
    assert render("malformed", "en", {"detail": "cashier_id"}) == "Malformed sale (cashier_id)"
    assert render("batch_too_large", "es", {"max": 500}) == "Demasiados registros en un envío: máximo 500"


@pytest.mark.parametrize(("header", "lang"), [(None, "es"), ("en-US,en;q=0.9", "en"), ("fr, en;q=0.5", "en"),
                                             ("en;q=0.2, es;q=0.8", "es"), ("de", "es"), ("en;q=0", "es"),
                                             ("en;q=abc", "es")])
def test_accept_language_picks_the_catalogue_language(header: str | None, lang: str) -> None:
    assert request_lang({} if header is None else {"accept-language": header}) == lang


def _rejected(res: dict[str, Any], code: str, params: dict[str, Any]) -> None:
    assert (res["status"], res["error"], res["params"]) == ("rejected", code, params), res
    assert res["message"] == render(code, "es", params), res


def test_sync_rejections_carry_their_code_and_parameters(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h), unit="pieza")[:2]
    # A price the list never had (the till's totals add up: only the ERP can tell).
    cheap = make_sale([dict(items[0], price="0.50")], 1)
    stranger = {**make_sale(items[:1], 2), "cashier_id": 99999}
    sold = make_sale(items, 3, qty="3")
    price, cashier, ok = post_sales(erp, h, cheap, stranger, sold)
    _rejected(price, "price_mismatch", {"line": 1, "product": items[0]["name"], "price": "0.50"})
    _rejected(cashier, "unknown_cashier", {})
    assert ok["status"] == "accepted"
    # Returning more than was sold minus what another till already returned.
    [first] = post_returns(erp, h, a_return(sold, {0: "2"}))
    assert first["status"] == "accepted"
    [again] = post_returns(erp, h, a_return(sold, {0: "2"}))  # computed without the first: 4 of 3
    _rejected(again, "return_exceeds", {})
    # The same rejections in English when the till asks for it; the code and parameters do not change.
    r = erp.client.post("/api/sales", json={"sales": [{**cheap, "uuid": "en-1"}]},
                        headers={**h, "Accept-Language": "en-US,en;q=0.9"})
    [english] = r.json()["results"]
    assert (english["error"], english["params"]) == ("price_mismatch", price["params"])
    assert english["message"] == f"The price is not in the terminal's price list (line 1: {items[0]['name']}, price 0.50)"


def test_whole_request_errors_carry_their_code_and_parameters(erp: Erp) -> None:
    h = erp.pair()
    cap = erp.client.app.state.settings.max_batch  # type: ignore[attr-defined]
    r = erp.client.post("/api/sales", json={"sales": [{}] * (cap + 1)}, headers=h)
    assert r.status_code == 413
    assert r.json() == {"error": "batch_too_large", "params": {"max": cap},
                        "message": f"Demasiados registros en un envío: máximo {cap}"}
    r = erp.client.get("/api/terminal", headers={"Authorization": "Bearer nope", "Accept-Language": "en"})
    assert r.status_code == 401
    assert r.json() == {"error": "unauthorized", "params": {}, "message": "Terminal not authorized: pair it again"}


def test_the_back_office_shows_its_refusals_in_its_language(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h), unit="pieza")[:1]
    sale = make_sale(items, 1, qty="2")
    assert post_sales(erp, h, sale)[0]["status"] == "accepted"
    assert post_returns(erp, h, a_return(sale, {0: "1"}))[0]["status"] == "accepted"
    sale_id = erp.scalar("SELECT id FROM sales WHERE uuid = :u", u=sale["uuid"])
    client = signed_in(erp)
    url = f"/erp/ventas/venta/{sale_id}"
    r = post_form(client, f"{url}/cancelar", {"motivo": "error"}, page_url=url)
    assert r.status_code == 400 and ES["sale_has_returns"] in r.text
    client.get(f"{url}?lang=en")
    r = post_form(client, f"{url}/cancelar", {"motivo": "error"}, page_url=url)
    assert r.status_code == 400 and EN["sale_has_returns"] in r.text
    r = post_form(client, f"{url}/cancelar", {"motivo": ""}, page_url=url)
    assert r.status_code == 400 and EN["cancel_reason_required"] in r.text
