"""Every code poscore emits has a Spanish and an English text."""

from __future__ import annotations

import ast
from pathlib import Path

import poscore
from poscore.messages import EN, ES, t
from poscore.payment import METHODS


def _codes_in_source() -> set[str]:
    """String literals passed as the first argument to t(), NotSellable, PaymentError, SaleError, _p."""
    found = set()
    for path in Path(poscore.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in
                    {"t", "NotSellable", "PaymentError", "SaleError", "_p"}
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    return found


def test_every_emitted_code_has_both_languages() -> None:
    codes = _codes_in_source() | set(METHODS) | {"remision", "factura", "pending", "syncing", "synced",
                                                  "rejected", "cancelled", "invalid_transition"}
    assert len(codes) > 30
    assert sorted(codes - set(ES)) == []
    assert sorted(codes - set(EN)) == []
    assert set(ES) == set(EN)


def test_t() -> None:
    assert t("out_of_stock") == "Sin existencia"
    assert t("out_of_stock", "en") == "Out of stock"
    assert t("out_of_stock", "fr") == "Sin existencia"
    assert t("no_such_code") == "no_such_code"
    assert t("unpaid", missing="$5.00") == "Falta por pagar $5.00"
    assert t("unpaid") == "Falta por pagar {missing}"
    assert t("unpaid", "en", other=1) == "Still to pay: {missing}"


def test_every_text_names_the_same_parameters_in_both_languages() -> None:
    from poscore.messages import placeholders

    assert sorted(k for k in ES if placeholders(ES[k]) != placeholders(EN[k])) == []


def test_answer_text_renders_an_erp_rejection_in_the_readers_language() -> None:
    from poscore.messages import answer_text

    with_params = {"error": "insufficient_stock", "params": {"available": "2 pzas"}, "message": "x"}
    assert answer_text(with_params, "en") == "Not enough stock: 2 pzas left"
    assert answer_text(with_params, "es") == "Existencia insuficiente: quedan 2 pzas"
    # An ERP that sent no parameters: its Spanish message stands in Spanish, the code is rendered in English.
    old = {"error": "invalid_amount", "message": "Importe no válido (fuera de rango)"}
    assert answer_text(old, "es") == "Importe no válido (fuera de rango)"
    assert answer_text(old, "en") == "Invalid amount"
    assert answer_text({"error": "insufficient_stock", "message": "Quedan 2"}, "en") == "Quedan 2"  # needs a param
    assert answer_text({"error": "no_such_code", "params": {}, "message": "Texto del ERP"}, "en") == "Texto del ERP"
    assert answer_text({}, "en") == "Rejected"
