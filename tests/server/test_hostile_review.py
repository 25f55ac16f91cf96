"""Sales the ERP accepts but flags for review, never drops: another uuid with a local number this terminal
already used (also twice inside one batch), and a device clock more than a day ahead of the server. Flags show
in the back office's list and detail. A void audit may name only its own terminal's sales.
"""
from __future__ import annotations

import pytest

from tests.server.harness import Erp
from tests.server.hostile import Shop, add_terminal, open_shop


@pytest.fixture
def shop(erp: Erp) -> Shop:
    return open_shop(erp)


def test_a_repeated_local_number_is_accepted_and_flagged(shop: Shop) -> None:
    first, again, later = shop.sale(seq=7), shop.sale(seq=7), shop.sale(seq=8)
    assert [r["status"] for r in shop.post_sales(first)] == ["accepted"]
    # Another uuid with the same terminal and local number, and a twin inside one batch: kept, both flagged.
    twin = shop.sale(seq=8)
    assert [r["status"] for r in shop.post_sales(again, later, twin)] == ["accepted"] * 3
    flags = dict(shop.erp.sql("SELECT uuid, review FROM sales"))
    assert flags == {first["uuid"]: None, again["uuid"]: "duplicate_number", later["uuid"]: None,
                     twin["uuid"]: "duplicate_number"}
    # Sending the same sale again is a duplicate answer, not a new flag.
    assert shop.post_sales(first)[0]["duplicate"] is True
    assert shop.erp.scalar("SELECT count(*) FROM sales WHERE review IS NOT NULL") == 2


def test_a_device_time_far_ahead_is_accepted_and_flagged(shop: Shop) -> None:
    from datetime import timedelta

    from server.db.engine import utcnow

    ahead = shop.sale(seq=1)
    ahead["device_time"] = (utcnow() + timedelta(days=3)).isoformat()
    near = shop.sale(seq=2)
    near["device_time"] = (utcnow() + timedelta(hours=2)).isoformat()
    assert [r["status"] for r in shop.post_sales(ahead, near)] == ["accepted", "accepted"]
    assert dict(shop.erp.sql("SELECT uuid, review FROM sales")) == {ahead["uuid"]: "future_time", near["uuid"]: None}


def test_flagged_sales_show_in_the_back_office(shop: Shop) -> None:
    from tests.server.backoffice_helpers import signed_in

    shop.post_sales(shop.sale(seq=3))
    shop.post_sales(shop.sale(seq=3))
    client = signed_in(shop.erp)
    listing = client.get("/erp/ventas/remisiones").text
    assert listing.count("número local repetido") == 1
    sale_id = shop.erp.scalar("SELECT id FROM sales WHERE review IS NOT NULL")
    assert "número local repetido" in client.get(f"/erp/ventas/venta/{sale_id}").text


def test_a_void_may_not_name_another_terminals_sale(shop: Shop) -> None:
    import uuid as uuidlib

    add_terminal(shop.erp, "T02")
    sale = shop.sale(seq=1)
    shop.post_sales(sale)
    other = Shop(shop.erp, shop.erp.pair("T02"), shop.items)
    v = {"uuid": str(uuidlib.uuid4()), "sale_uuid": sale["uuid"], "number": "T02-000001",
         "cancelled_at": "2026-11-27T16:20:00-06:00", "cashier": "x", "total": None, "reason": None, "sale": None}
    [r] = other.post("/api/voids", {"voids": [v]}).json()["results"]
    assert r["status"] == "rejected" and r["error"] == "uuid_conflict"
    assert shop.erp.scalar("SELECT count(*) FROM voids") == 0
    # Its own sale, or one never synced, it may name.
    [ok] = shop.post("/api/voids", {"voids": [{**v, "uuid": str(uuidlib.uuid4())}]}).json()["results"]
    assert ok["status"] == "accepted"
