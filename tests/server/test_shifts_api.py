"""Cashiers and shifts through the API: the till's cashier list (verifiers, never PINs) and the sync of shifts,
cash movements, cortes and authorizations (idempotent by uuid, conflicts rejected, nothing stored of a
rejection), plus sales and voids naming their cashier and shift. SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from poscore.pin import PinVerifier, check_pin
from server.backoffice.auth import check_password
from server.cashiers import CashierError, create_cashier, set_active
from server.db.engine import write_tx
from server.terminals import create_terminal
from tests.server.harness import Erp, catalog_items, make_sale, post_sales, sellable

WHEN = "2026-12-01T20:00:00-06:00"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _cashiers(erp: Erp) -> dict[str, int]:
    with write_tx(erp.engine) as conn:
        ids = {"ana": create_cashier(conn, "ana", "cajero", 1, "4821", NOW, iterations=1000),
               "sup": create_cashier(conn, "sofia", "supervisor", 1, "73915", NOW, iterations=1000),
               "gone": create_cashier(conn, "beto", "cajero", 1, "2580", NOW, iterations=1000)}
        set_active(conn, ids["gone"], False, datetime(2026, 12, 2, 3, 0, tzinfo=UTC))  # 2026-12-01 21:00 -06
    return ids


def _post(erp: Erp, h: dict[str, str], kind: str, *items: dict[str, Any]) -> list[dict[str, Any]]:
    r = erp.client.post(f"/api/{kind}", json={kind: list(items)}, headers=h)
    assert r.status_code == 200, r.text
    return r.json()["results"]  # type: ignore[no-any-return]


def test_cashier_list_has_verifiers_not_pins(erp: Erp) -> None:
    ids = _cashiers(erp)
    assert erp.client.get("/api/cashiers").status_code == 401
    r = erp.client.get("/api/cashiers", headers=erp.pair())
    assert r.status_code == 200
    got = r.json()["cashiers"]
    assert r.json()["supervisor_discount_pct"] == 10
    assert [(c["id"], c["name"], c["role"]) for c in got] == [(ids["ana"], "ana", "cajero"),
                                                              (ids["sup"], "sofia", "supervisor")]
    assert "4821" not in r.text and "73915" not in r.text
    pin = got[0]["pin"]
    assert pin["algorithm"] == "PBKDF2-SHA256" and pin["iterations"] == 1000
    verifier = PinVerifier.from_text(f"pbkdf2_sha256${pin['iterations']}${pin['salt']}${pin['hash']}")
    assert check_pin("4821", verifier) and not check_pin("4822", verifier)
    # A cashier cannot sign in to the back office.
    with write_tx(erp.engine) as conn:
        assert check_password(conn, "ana", "4821") is None and check_password(conn, "ana", "!") is None


def test_pin_policy_on_create(erp: Erp) -> None:
    with write_tx(erp.engine) as conn, pytest.raises(CashierError) as e:
        create_cashier(conn, "eva", "cajero", 1, "1234", NOW, iterations=1000)
    assert e.value.code == "pin_trivial"


def test_shift_records_sync_once(erp: Erp) -> None:
    ids = _cashiers(erp)
    h = erp.pair()
    shift = {"uuid": "s-1", "cashier_id": ids["ana"], "opened_at": "2026-12-01T08:00:00-06:00",
             "opening_float": "500.00"}
    mv = {"uuid": "m-1", "shift_uuid": "s-1", "cashier_id": ids["ana"], "kind": "salida", "amount": "80.50",
          "reason": "Hielo", "at": WHEN}
    corte = {"uuid": "c-1", "shift_uuid": "s-1", "cashier_id": ids["ana"], "kind": "Z", "at": WHEN,
             "expected": {"efectivo": "862.07", "tarjeta_credito": "100.00"},
             "counted": {"efectivo": "850.00", "tarjeta_credito": "100.00"}, "cash_count": None}
    auth = {"uuid": "a-1", "supervisor_id": ids["sup"], "cashier_id": ids["ana"], "action": "cancel_sale",
            "at": WHEN, "shift_uuid": "s-1", "subject": "sale-9"}
    for kind, item in (("shifts", shift), ("cash_movements", mv), ("cortes", corte), ("authorizations", auth)):
        first = _post(erp, h, kind, item, item)
        assert [(x["status"], x["duplicate"]) for x in first] == [("accepted", False), ("accepted", True)], first
        again = _post(erp, h, kind, item)
        assert again[0]["duplicate"] is True
        other = _post(erp, h, kind, {**item, "at": "2026-12-01T20:01:00-06:00",
                                     "opened_at": "2026-12-01T08:01:00-06:00"})
        assert other[0]["error"] == "uuid_conflict"
        assert erp.scalar(f"SELECT count(*) FROM {kind}") == 1
    lines = erp.sql("SELECT method, expected, counted, difference FROM corte_lines ORDER BY id")
    assert [(r[0], r[1], r[2], r[3]) for r in lines] == [("efectivo", 86207, 85000, -1207),
                                                         ("tarjeta_credito", 10000, 10000, 0)]
    assert erp.scalar("SELECT opening_float FROM shifts") == 50000


def test_rejections_store_nothing(erp: Erp) -> None:
    ids = _cashiers(erp)
    h = erp.pair()
    mv = {"uuid": "m-1", "shift_uuid": "s-1", "cashier_id": ids["ana"], "kind": "entrada", "amount": "10.00",
          "reason": "Cambio", "at": WHEN}
    results = _post(erp, h, "cash_movements", {**mv, "amount": "-5"}, {**mv, "uuid": "m-2", "cashier_id": 99999},
                    {**mv, "uuid": "m-3", "kind": "robo"}, "nope", {**mv, "uuid": "m-4", "reason": "x\x00"})
    assert [r.get("error") for r in results] == ["invalid_amount", "unknown_cashier", "malformed", "malformed",
                                                 "malformed"]
    auth = {"uuid": "a-1", "supervisor_id": ids["ana"], "cashier_id": ids["ana"], "action": "discount", "at": WHEN}
    assert _post(erp, h, "authorizations", auth)[0]["error"] == "not_supervisor"
    corte = {"uuid": "c-1", "shift_uuid": "s-1", "cashier_id": ids["ana"], "kind": "Z", "at": WHEN,
             "expected": {"efectivo": "10.00"}, "counted": {"efectivo": "10.00"}, "cash_count": {"b20": 1}}
    assert _post(erp, h, "cortes", corte)[0]["error"] == "count_mismatch"
    for table in ("cash_movements", "authorizations", "cortes", "corte_lines"):
        assert erp.scalar(f"SELECT count(*) FROM {table}") == 0
    r = erp.client.post("/api/cortes", json={"cortes": [corte] * 501}, headers=h)
    assert r.status_code == 413


def test_deactivated_cashier_is_flagged_not_dropped(erp: Erp) -> None:
    ids = _cashiers(erp)
    h = erp.pair()
    before = {"uuid": "s-1", "cashier_id": ids["gone"], "opened_at": "2026-12-01T20:59:00-06:00",
              "opening_float": "0"}
    after = {**before, "uuid": "s-2", "opened_at": "2026-12-01T21:01:00-06:00"}
    res = _post(erp, h, "shifts", before, after)
    assert [(r["status"], r["review"]) for r in res] == [("accepted", None), ("accepted", "cashier_inactive")]
    assert erp.scalar("SELECT review FROM shifts WHERE uuid = 's-2'") == "cashier_inactive"
    # ...and the cashier is no longer offered to the till.
    names = [c["name"] for c in erp.client.get("/api/cashiers", headers=h).json()["cashiers"]]
    assert "beto" not in names


def test_sales_and_voids_carry_cashier_and_shift(erp: Erp) -> None:
    ids = _cashiers(erp)
    h = erp.pair()
    goods = sellable(catalog_items(erp, h), "pieza")[:2]
    plain = make_sale(goods[:1], 1)  # today's tills send neither field
    mine = {**make_sale(goods[:1], 2), "cashier_id": ids["ana"], "shift_uuid": "s-1"}
    late = {**make_sale(goods[:1], 3), "cashier_id": ids["gone"], "device_time": "2026-12-01T22:00:00-06:00"}
    stranger = {**make_sale(goods[:1], 4), "cashier_id": 99999}
    res = post_sales(erp, h, plain, mine, late, stranger)
    assert [r["status"] for r in res] == ["accepted", "accepted", "accepted", "rejected"]
    assert res[3]["error"] == "unknown_cashier"
    rows = {r[0]: (r[1], r[2], r[3]) for r in erp.sql("SELECT uuid, cashier_id, shift_uuid, review FROM sales")}
    assert rows[plain["uuid"]] == (None, None, None)
    assert rows[mine["uuid"]] == (ids["ana"], "s-1", None)
    assert rows[late["uuid"]][2] == "cashier_inactive"
    void = {"uuid": "v-1", "sale_uuid": "x-1", "cancelled_at": WHEN, "total": "10.00", "cashier_id": ids["ana"],
            "shift_uuid": "s-1"}
    r = erp.client.post("/api/voids", json={"voids": [void, {**void, "uuid": "v-2", "cashier_id": 99999}]},
                        headers=h)
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "rejected"]
    assert erp.sql("SELECT cashier_id, shift_uuid FROM voids")[0] == (ids["ana"], "s-1")


def test_same_cortes_from_threads_at_once_are_stored_once(erp: Erp) -> None:
    import random
    import threading

    from fastapi.testclient import TestClient

    ids = _cashiers(erp)
    h = erp.pair()
    pool = [{"uuid": f"c-{i}", "shift_uuid": "s-1", "cashier_id": ids["ana"], "kind": "X", "at": WHEN,
             "expected": {"efectivo": f"{100 + i}.00", "tarjeta_debito": "5.00"},
             "counted": {"efectivo": f"{100 + i}.00", "tarjeta_debito": "5.00"}} for i in range(20)]
    seen: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run(k: int) -> None:
        try:
            mine = pool[:]
            random.Random(k).shuffle(mine)
            start.wait()
            with TestClient(erp.app) as client:
                for i in range(0, len(mine), 5):
                    r = client.post("/api/cortes", json={"cortes": mine[i:i + 5]}, headers=h)
                    assert r.status_code == 200, r.text
                    seen.extend(r.json()["results"])
        except BaseException as exc:  # noqa: BLE001 (reported below: an assertion in a thread would be lost)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len(seen) == 80 and all(r["status"] == "accepted" for r in seen)
    assert sum(1 for r in seen if not r["duplicate"]) == 20
    assert erp.scalar("SELECT count(*) FROM cortes") == 20
    assert erp.scalar("SELECT count(*) FROM corte_lines") == 40


def test_shift_of_another_terminal_and_a_second_z(erp: Erp) -> None:
    ids = _cashiers(erp)
    h = erp.pair()
    with write_tx(erp.engine) as conn:
        create_terminal(conn, code="T09", name="Caja 9", branch_id=1, warehouse_id=1, price_list_id=1,
                        series_remision="R9", series_factura="F9", stock_enforced=False)
    h9 = erp.pair("T09")
    shift = {"uuid": "s-1", "cashier_id": ids["ana"], "opened_at": WHEN, "opening_float": "100.00"}
    assert _post(erp, h, "shifts", shift)[0]["status"] == "accepted"
    z = {"uuid": "z-1", "shift_uuid": "s-1", "cashier_id": ids["ana"], "kind": "Z", "at": WHEN,
         "expected": {"efectivo": "100.00"}, "counted": {"efectivo": "100.00"}}
    assert _post(erp, h9, "cortes", z)[0]["error"] == "shift_mismatch"
    first, second = _post(erp, h, "cortes", z, {**z, "uuid": "z-2"})
    assert (first["review"], second["review"]) == (None, "second_z")
    assert _post(erp, h, "cortes", z)[0]["duplicate"] is True
