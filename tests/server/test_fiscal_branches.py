"""Branches in the fiscal set-up: each branch's LugarExpedicion (its CP, which fixes its time zone) set in Datos
fiscales, the CFDIs of a branch's sales issued from it, and the factura global per branch — the page (choose branch
and period), the overdue banner per branch, and `caja factura-global --branch`."""
from __future__ import annotations

import pytest

from server import cli
from server.db.engine import write_tx
from server.db.schema import branches, warehouses
from server.fiscal import global_schedule, jobs
from server.settings import Settings
from server.terminals import create_terminal
from tests.server.backoffice_helpers import post_form, signed_in
from tests.server.fiscal_setup import configure_csd
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable

CUSTOMER = {"id": None, "uuid": None, "name": "Juan Pérez", "rfc": "PEPJ800101AB1", "regimen_fiscal": "612",
            "codigo_postal": "06000", "uso_cfdi": "G03", "email": None}


def _two_branches(erp: Erp) -> tuple[dict[str, str], dict[str, str]]:
    """Sucursal Centro (T01, the shop's CP 44100) and Sucursal Tijuana (T02); two remisiones each on 27 Nov."""
    with write_tx(erp.engine) as conn:
        conn.execute(branches.insert().values(id=2, shop_id=1, name="Sucursal Tijuana"))
        conn.execute(warehouses.insert().values(id=2, branch_id=2, name="Almacén Tijuana"))
        create_terminal(conn, code="T02", name="Caja Tijuana", branch_id=2, warehouse_id=2, price_list_id=1,
                        series_remision="RT", series_factura="FT")
    h1, h2 = erp.pair("T01"), erp.pair("T02")
    items = sellable(catalog_items(erp, h1))
    for h, terminal in ((h1, "T01"), (h2, "T02")):
        sales = [make_sale(items[i:i + 2], i + 1, terminal=terminal) for i in range(2)]
        assert all(r["status"] == "accepted" for r in post_sales(erp, h, *sales))
    return h1, h2


def test_branch_cp_in_datos_fiscales_and_on_its_cfdis(erp: Erp) -> None:
    _, h2 = _two_branches(erp)
    configure_csd(erp)
    client = signed_in(erp)
    r = post_form(client, "/erp/fiscal/sucursal", {"sucursal": "2", "cp": "ABCDE"}, page_url="/erp/fiscal")
    assert r.status_code == 400 and "catálogo del SAT" in r.text
    r = post_form(client, "/erp/fiscal/sucursal", {"sucursal": "2", "cp": "22000"}, page_url="/erp/fiscal")
    assert r.status_code == 200 and "America/Tijuana" in r.text and "America/Mexico_City" in r.text
    items = sellable(catalog_items(erp, h2))
    factura = make_sale(items[:1], 3, terminal="T02", sale_type="factura", customer=CUSTOMER)
    assert post_sales(erp, h2, factura)[0]["status"] == "accepted"
    jobs.run_once(erp.engine, SECRET)
    xml = erp.scalar("SELECT xml FROM cfdis WHERE kind = 'factura'")
    assert 'LugarExpedicion="22000"' in xml
    # Back to the shop's CP when the branch's is cleared.
    assert post_form(client, "/erp/fiscal/sucursal", {"sucursal": "2", "cp": ""},
                     page_url="/erp/fiscal").status_code == 200
    assert erp.scalar("SELECT codigo_postal FROM branches WHERE id = 2") is None


def test_global_per_branch_page_banner_and_cli(erp: Erp, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _two_branches(erp)
    configure_csd(erp)
    client = signed_in(erp)
    post_form(client, "/erp/fiscal/sucursal", {"sucursal": "2", "cp": "22000"}, page_url="/erp/fiscal")
    with write_tx(erp.engine) as conn:
        assert global_schedule.save(conn, "01", False, "601")
    banner = client.get("/erp/ventas/remisiones").text
    assert "Sucursal Centro: " in banner and "Sucursal Tijuana: " in banner
    page = client.get("/erp/ventas-global?periodicidad=01&fecha=2026-11-27&sucursal=2").text
    assert 'id="global-count">2<' in page and "RT-" in page and "R-1" not in page
    r = post_form(client, "/erp/ventas-global/emitir", {"periodicidad": "01", "fecha": "2026-11-27", "sucursal": "2"},
                  page_url="/erp/ventas-global")
    assert r.status_code == 200
    jobs.run_once(erp.engine, SECRET)
    xml = erp.scalar("SELECT xml FROM cfdis WHERE kind = 'global' AND branch_id = 2")
    assert 'LugarExpedicion="22000"' in xml and 'DomicilioFiscalReceptor="22000"' in xml
    assert xml.count('NoIdentificacion="RT-') == xml.count("NoIdentificacion=") >= 2
    banner = client.get("/erp/ventas/remisiones").text
    assert "Sucursal Centro: " in banner and "Sucursal Tijuana: " not in banner
    monkeypatch.setattr(Settings, "from_env", classmethod(lambda cls: erp.settings))
    assert cli.main(["factura-global", "--branch", "9", "--periodicidad", "01", "--fecha", "2026-11-27"]) == 1
    capsys.readouterr()
    assert cli.main(["factura-global", "--branch", "1", "--periodicidad", "01", "--fecha", "2026-11-27"]) == 0
    assert "Sucursal Centro, Diaria 27/11/2026: factura global G-" in capsys.readouterr().out
    assert erp.sql("SELECT branch_id FROM cfdis WHERE kind = 'global' ORDER BY id") == [(2,), (1,)]
    assert 'LugarExpedicion="44100"' in erp.scalar("SELECT xml FROM cfdis WHERE kind = 'global' AND branch_id = 1")
    assert 'id="global-overdue"' not in client.get("/erp/ventas/remisiones").text


def test_automatic_issue_gives_each_branch_its_own_global(erp: Erp) -> None:
    from datetime import UTC, datetime

    _two_branches(erp)
    configure_csd(erp)
    with write_tx(erp.engine) as conn:
        assert global_schedule.save(conn, "01", True, "601")
    jobs.run_once(erp.engine, SECRET, datetime(2026, 11, 28, 7, 0, tzinfo=UTC))  # the 27th has closed
    assert erp.sql("SELECT branch_id, period_key FROM cfdis WHERE kind = 'global' ORDER BY branch_id") == [
        (1, "01:2026-11-27"), (2, "01:2026-11-27")]
    covered = dict(erp.sql("SELECT c.branch_id, count(*) FROM cfdi_sales cs JOIN cfdis c ON c.id = cs.cfdi_id "
                           "GROUP BY c.branch_id"))
    assert covered == {1: 2, 2: 2}
