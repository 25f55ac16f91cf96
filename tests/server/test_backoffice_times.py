"""Every time the back office shows is on the shop's clock (CAJA_TIMEZONE), named once in the header, with no
UTC or terminal offsets printed: a sale made at 12:46 in Mexico City by a tablet whose clock runs in UTC reads
12:46 in Remisiones, in its detail (terminal time and received time) and in the terminals page."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from server.app import create_app
from server.db.engine import write_tx
from server.settings import Settings
from server.shop_time import BadTimeZone, to_shop, zone_label
from tests.server.backoffice_helpers import signed_in
from tests.server.harness import Erp, catalog_items, make_sale, sellable

OFFSET = re.compile(r"\d\d:\d\d(:\d\d)?\s*(?:[+-]\d{2}:?\d{2}|UTC|Z)\b")
RECEIVED = datetime(2026, 11, 27, 18, 46, 50)  # UTC, as the ERP stores it


def _sale_made_at_1846_utc(erp: Erp) -> tuple[int, str]:
    headers = erp.pair()
    sale = make_sale(sellable(catalog_items(erp, headers), "pieza")[:1], seq=1)
    sale["device_time"] = "2026-11-27T18:46:46+00:00"  # the tablet's clock is set to UTC
    r = erp.client.post("/api/sales", json={"sales": [sale]}, headers=headers)
    assert r.json()["results"][0]["status"] == "accepted", r.text
    with write_tx(erp.engine) as conn:
        conn.execute(text("UPDATE sales SET received_at = :at"), {"at": RECEIVED})
        conn.execute(text("UPDATE terminals SET last_contact_at = :at, last_sync_at = :at WHERE code = 'T01'"),
                     {"at": RECEIVED})
    return int(erp.scalar("SELECT id FROM sales")), sale["number"]


def _pages(erp: Erp, sale_id: int) -> dict[str, str]:
    client = signed_in(erp)
    tid = erp.scalar("SELECT id FROM terminals WHERE code = 'T01'")
    urls = {"remisiones": "/erp/ventas/remisiones", "detail": f"/erp/ventas/venta/{sale_id}",
            "terminals": "/erp/terminales", "terminal": f"/erp/terminales/{tid}"}
    out = {}
    for name, url in urls.items():
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        out[name] = r.text
    return out


def test_times_are_on_the_shop_clock_named_once(erp: Erp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAJA_TIMEZONE", raising=False)
    sale_id, _number = _sale_made_at_1846_utc(erp)
    pages = _pages(erp, sale_id)
    assert "27/11/2026 12:46" in pages["remisiones"]
    assert "27/11/2026 12:46:46" in pages["detail"]  # the terminal's time, as the shop reads it
    assert "27/11/2026 12:46<" in pages["detail"]  # received by the ERP
    assert "27/11/2026 12:46" in pages["terminals"] and "27/11/2026 12:46" in pages["terminal"]
    for name, html in pages.items():
        assert "18:46" not in html, name
        assert OFFSET.search(html) is None, (name, OFFSET.search(html))
        assert html.count("Horas de Ciudad de México") == 1, name


def test_another_zone_of_mexico(erp: Erp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAJA_TIMEZONE", "America/Tijuana")
    sale_id, _number = _sale_made_at_1846_utc(erp)
    pages = _pages(erp, sale_id)
    assert "27/11/2026 10:46:46" in pages["detail"] and "27/11/2026 10:46" in pages["remisiones"]
    assert "Horas de Tijuana" in pages["remisiones"]
    client = erp.client
    # The date filter is the shop's calendar day too: 18:46 UTC is still the 27th in Tijuana.
    assert "10:46" in client.get("/erp/ventas/remisiones?desde=2026-11-27&hasta=2026-11-27").text
    assert "10:46" not in client.get("/erp/ventas/remisiones?desde=2026-11-28").text


def test_a_misspelt_zone_stops_the_server_at_start(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("CAJA_TIMEZONE", "America/Ciudad_de_Mexico")
    with pytest.raises(BadTimeZone, match="CAJA_TIMEZONE"):
        create_app(Settings(database_url="sqlite://", secret_key="k"))


def test_conversions() -> None:
    zone = to_shop("2026-06-01T12:00:00-07:00")
    assert zone is not None and zone.strftime("%H:%M") == "13:00"  # no daylight saving in Mexico City since 2022
    naive_utc = to_shop(datetime(2026, 6, 1, 19, 0))
    assert naive_utc is not None and naive_utc.strftime("%H:%M") == "13:00"
    assert to_shop(datetime(2026, 6, 1, 19, 0, tzinfo=UTC)) == naive_utc
    assert to_shop("not a time") is None and to_shop(None) is None
    assert zone_label() == "Ciudad de México"
