"""Terminales pages: list with contact data, create, one-time pairing code that pairs, revoke."""
from __future__ import annotations

import re
from typing import Any

from tests.server.backoffice_helpers import csrf_of, post_form, signed_in
from tests.server.harness import Erp


def _terminal_form(**changes: Any) -> dict[str, Any]:
    data = {"code": "t02", "name": "Caja <2>", "branch_id": "1", "warehouse_id": "1", "price_list_id": "3",
            "series_remision": "r2", "series_factura": "F2"}
    data.update(changes)
    return data


def test_create_terminal_pair_it_and_revoke(erp: Erp) -> None:
    client = signed_in(erp)
    r = post_form(client, "/erp/terminales/nueva", _terminal_form())
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    page = client.get(url).text
    assert "T02" in page and "Caja &lt;2&gt;" in page and "Sin vincular" in page
    r = client.post(url + "/codigo", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 200
    code = re.search(r'id="pairing-code">(\d{4}-\d{4}-\d{4})<', r.text)
    assert code
    # The code pairs a device once, as the contract's /api/pair says.
    paired = erp.client.post("/api/pair", json={"code": code.group(1), "device": "Tableta 2"})
    assert paired.status_code == 200
    terminal = paired.json()["terminal"]
    assert terminal["code"] == "T02" and terminal["series"] == {"remision": "R2", "factura": "F2"}
    assert terminal["price_list"]["id"] == 3
    assert erp.client.post("/api/pair", json={"code": code.group(1), "device": "x"}).status_code == 400
    token = {"Authorization": f"Bearer {paired.json()['token']}"}
    assert erp.client.get("/api/terminal", headers={**token, "X-Caja-Version": "1.2.3"}).status_code == 200
    page = client.get(url).text
    assert "Tableta 2" in page and "Revocar token" in page
    listing = client.get("/erp/terminales").text
    assert "T02" in listing and "Tableta 2" in listing

    r = client.post(url + "/revocar", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Token revocado" in client.get(r.headers["location"]).text
    assert erp.client.get("/api/terminal", headers=token).status_code == 401


def test_terminal_shows_reported_pending_and_version(erp: Erp) -> None:
    headers = erp.pair()
    # Pairing counts as contact; the API records pending/version at most once a minute, so forget it.
    with erp.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE terminals SET last_contact_at = NULL")
    r = erp.client.get("/api/terminal", headers={**headers, "X-Caja-Pending": "7", "X-Caja-Version": "0.9.1"})
    assert r.status_code == 200
    page = signed_in(erp).get("/erp/terminales").text
    assert ">7<" in page and "0.9.1" in page and "pytest" in page


def test_a_new_app_version_is_recorded_at_once_the_same_one_not_rewritten(erp: Erp) -> None:
    headers = erp.pair()  # pairing was a contact a moment ago: only a changed version may write now
    with erp.engine.begin() as conn:
        before = conn.exec_driver_sql("SELECT last_contact_at FROM terminals WHERE app_version IS NULL").all()
    assert len(before) >= 1
    assert erp.client.get("/api/terminal", headers={**headers, "X-Caja-Version": "abc123"}).status_code == 200
    assert erp.client.get("/api/terminal", headers={**headers, "X-Caja-Version": "abc123"}).status_code == 200
    with erp.engine.begin() as conn:
        rows = conn.exec_driver_sql("SELECT app_version FROM terminals WHERE app_version IS NOT NULL").all()
    assert [r[0] for r in rows] == ["abc123"]
    assert "abc123" in signed_in(erp).get("/erp/terminales").text


def test_terminal_validation(erp: Erp) -> None:
    client = signed_in(erp)
    for changes, message in (({"code": "T01"}, "Ya existe una terminal"), ({"code": "T-2"}, "Código de terminal inválido"),
                             ({"series_factura": "R2"}, "deben ser distintas"), ({"series_remision": "R 2"}, "Serie inválida"),
                             ({"warehouse_id": "99"}, "Elija una opción válida"), ({"name": ""}, "Falta el nombre")):
        r = post_form(client, "/erp/terminales/nueva", _terminal_form(**changes))
        assert r.status_code == 400, changes
        assert message in r.text, changes
    assert client.get("/erp/terminales/9999").status_code == 404


def test_terminal_shows_last_sync_result(erp: Erp) -> None:
    from tests.server.harness import catalog_items, make_sale, sellable

    headers = erp.pair()
    items = sellable(catalog_items(erp, headers), "pieza")
    bad = make_sale(items[:1], seq=2)
    bad["lines"][0]["unit_price"] = "0.01"  # not the list price: rejected
    r = erp.client.post("/api/sales", json={"sales": [make_sale(items[:1], seq=1), bad]}, headers=headers)
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "rejected"]
    client = signed_in(erp)
    assert "1 aceptadas, 1 rechazadas" in client.get("/erp/terminales").text
    tid = erp.scalar("SELECT id FROM terminals WHERE code = 'T01'")
    assert "1 aceptadas, 1 rechazadas" in client.get(f"/erp/terminales/{tid}").text
