"""Customers: RFC format, factura readiness, JSON, offline search."""

from __future__ import annotations

import pytest

from poscore.customer import Customer, CustomerIndex, customer_problems, factura_ready, validate_rfc

READY = {"id": 5, "uuid": "c-5", "name": "Escuela Kemper Urgate", "rfc": "EKU9003173C9",
         "regimen_fiscal": "601", "codigo_postal": "26015", "uso_cfdi": "G03", "email": "a@b.mx",
         "price_list_id": None, "active": True, "version": 3}


@pytest.mark.parametrize("rfc", ["EKU9003173C9", "XAXX010101000", "XEXX010101000", "GOMA800229AB1",
                                 "ÑOÑO001231AAA", "A&B000101AB1", "eku-900317-3c9", " CACX7605101P8 "])
def test_valid_rfcs(rfc: str) -> None:
    assert validate_rfc(rfc) is None


@pytest.mark.parametrize("rfc", ["", "EKU9003173C", "EKU9003173C99", "EK9003173C9", "EKU9013173C9",
                                 "EKU9002303C9", "GOMA810229AB1", "EKU900317-3C$", "12345678901", None, 123])
def test_invalid_rfcs(rfc: object) -> None:
    assert validate_rfc(rfc) == "invalid_rfc"  # type: ignore[arg-type]


def test_customer_json_round_trip_and_sale_subset() -> None:
    c = Customer.from_json(READY)
    assert c.to_json() == READY
    assert set(c.to_sale_json()) == {"id", "uuid", "name", "rfc", "regimen_fiscal", "codigo_postal",
                                     "uso_cfdi", "email"}
    assert Customer.from_json(c.to_sale_json()) == Customer.from_json(READY | {"version": 0})
    assert Customer.from_json(READY | {"rfc": "eku900317 3c9"}).rfc == "EKU9003173C9"
    for bad in ({}, {"name": 5}, READY | {"id": "5"}, READY | {"rfc": 7}, READY | {"id": True}):
        with pytest.raises(ValueError):
            Customer.from_json(bad)


def test_factura_ready() -> None:
    assert factura_ready(Customer.from_json(READY)) == []
    assert factura_ready(None) == ["factura_customer_incomplete"]
    for key in ("rfc", "regimen_fiscal", "codigo_postal", "uso_cfdi"):
        assert "factura_customer_incomplete" in factura_ready(Customer.from_json(READY | {key: None}))
    assert factura_ready(Customer.from_json(READY | {"rfc": "XAXX010101000"})) == ["rfc_generic"]
    assert factura_ready(Customer.from_json(READY | {"rfc": "XEXX010101000"})) == ["rfc_generic"]
    assert factura_ready(Customer.from_json(READY | {"rfc": "EKU9013173C9"})) == ["invalid_rfc"]
    assert factura_ready(Customer.from_json(READY | {"regimen_fiscal": "999"})) == ["invalid_regimen_fiscal"]
    assert factura_ready(Customer.from_json(READY | {"codigo_postal": "2601"})) == ["invalid_codigo_postal"]
    assert factura_ready(Customer.from_json(READY | {"uso_cfdi": "X01"})) == ["invalid_uso_cfdi"]


def test_customer_problems_allow_missing_data() -> None:
    assert customer_problems(Customer("Público en general")) == []
    assert customer_problems(Customer(" ")) == ["customer_name_required"]


def test_customer_search() -> None:
    idx = CustomerIndex()
    idx.add([READY, {"id": 6, "name": "José Pérez Núñez", "rfc": "PENJ800101AB1", "active": True}])
    idx.add([Customer("María López", uuid="offline-1")])
    assert [c.id for c in idx.search("jose")] == [6]
    assert [c.id for c in idx.search("NUNEZ perez")] == [6]
    assert [c.id for c in idx.search("penj800101ab1")] == [6]
    assert [c.uuid for c in idx.search("maria")] == ["offline-1"]
    assert idx.get("offline-1").name == "María López"  # type: ignore[union-attr]
    assert idx.search("") == [] and len(idx) == 3
    idx.add([{"id": 6, "name": "José Pérez Núñez", "active": False}])
    assert idx.search("jose") == [] and len(idx) == 2


def test_customer_search_limit_keeps_the_best_hits_in_order() -> None:
    """One letter matches most customers: the picker shows the first `limit` of the whole ranked order (name
    prefixes first, then by name, equal names in the order they were added), without ranking every hit."""
    names = ["Ana Ruiz", "Beto Ana", "Ana Ruiz", "Carla Díaz", "Ángel Sosa", "Zoe Anaya", "Ana Belén", "Mario"]
    idx = CustomerIndex()
    idx.add([{"id": i, "name": n, "active": True} for i, n in enumerate(names, 1)])
    every = [c.id for c in idx.search("a", limit=100)]
    assert every[:4] == [7, 1, 3, 5]  # "ana belen", "ana ruiz" twice in the order added, "angel sosa"
    assert set(every) == set(range(1, 9))
    assert [c.id for c in idx.search("a", limit=3)] == every[:3]
    assert [c.id for c in idx.search("ana", limit=2)] == [7, 1]


def test_codigo_postal_and_rfc_digits_are_ascii() -> None:
    # `\d` in a str pattern also matches Arabic-Indic and other Unicode digits; SAT accepts ASCII only.
    from poscore.customer import validate_rfc

    assert validate_rfc("GODE561231GR8") is None
    assert validate_rfc("GODE٥٦١٢٣١GR8") is not None
