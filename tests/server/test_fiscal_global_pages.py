"""Ventas → Factura global and `caja factura-global`: the preview of a period (tickets, totals, late ones), the
overdue banner past the 24-hour deadline (regla 2.7.1.21), issuing, the remisiones showing their global, the
settings (bimestral refused outside régimen 621; automatic issue after the period closes), and the CLI a
scheduler runs."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from server import cli
from server.db.engine import write_tx
from server.fiscal import global_schedule, jobs
from server.settings import Settings
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.backoffice_helpers import post_form, signed_in
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable


def _sell(erp: Erp, n: int) -> list[dict]:  # type: ignore[type-arg]
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    sales = [make_sale(items[i:i + 2], i + 1) for i in range(n)]  # all on 2026-11-27 (the harness's time)
    assert all(r["status"] == "accepted" for r in post_sales(erp, h, *sales))
    return sales


def test_fiscal_global_page_preview_banner_issue_and_remisiones(erp: Erp) -> None:
    sales = _sell(erp, 3)
    configure_csd(erp)
    client = signed_in(erp)
    page = client.get("/erp/ventas-global?periodicidad=01&fecha=2026-11-27")
    assert page.status_code == 200
    assert 'id="global-count">3<' in page.text
    total = sum(Decimal(s["totals"]["total"]) for s in sales)
    assert f"{total:,.2f}" in page.text
    # With diaria globals the 27th closed days ago and its deadline passed: the remisiones page warns.
    with write_tx(erp.engine) as conn:
        assert global_schedule.save(conn, "01", False, "601")
    assert 'id="global-overdue"' in client.get("/erp/ventas/remisiones").text
    r = post_form(client, "/erp/ventas-global/emitir", {"periodicidad": "01", "fecha": "2026-11-27"},
                  page_url="/erp/ventas-global")
    assert r.status_code == 200 and "G-1" in r.text
    r = post_form(client, "/erp/ventas-global/emitir", {"periodicidad": "01", "fecha": "2026-11-27"},
                  page_url="/erp/ventas-global")
    assert r.status_code == 400  # nothing left to cover
    remisiones = client.get("/erp/ventas/remisiones").text
    assert remisiones.count("Global G-1") == 3 and 'id="global-overdue"' not in remisiones
    jobs.run_once(erp.engine, SECRET)
    assert client.get("/erp/ventas-global/1.xml").text.count('NoIdentificacion="R-') >= 3


def test_fiscal_global_settings_refuse_bimestral_and_auto_issues_closed_periods(erp: Erp) -> None:
    _sell(erp, 2)
    configure_csd(erp)
    client = signed_in(erp)
    r = post_form(client, "/erp/ventas-global/ajustes", {"periodicidad": "05", "auto": "1"},
                  page_url="/erp/ventas-global")
    assert r.status_code == 400  # the demo shop is régimen 601: bimestral is 621's only
    r = post_form(client, "/erp/ventas-global/ajustes", {"periodicidad": "01", "auto": "1"},
                  page_url="/erp/ventas-global")
    assert r.status_code == 200
    # Before the 27th closes nothing is issued; after, the job's pass issues it by itself.
    jobs.run_once(erp.engine, SECRET, datetime(2026, 11, 27, 23, 0, tzinfo=UTC))  # 17:00 in the shop
    assert erp.scalar("SELECT count(*) FROM cfdis WHERE kind = 'global'") == 0
    jobs.run_once(erp.engine, SECRET, datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
    assert erp.sql("SELECT kind, period_key, state FROM cfdis") == [("global", "01:2026-11-27", "sellada")]


def test_fiscal_global_cli_for_a_scheduler(erp: Erp, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _sell(erp, 2)
    configure_csd(erp)
    monkeypatch.setattr(Settings, "from_env", classmethod(lambda cls: erp.settings))
    assert cli.main(["factura-global", "--periodicidad", "01", "--fecha", "2026-11-27"]) == 0
    assert "G-1 sellada" in capsys.readouterr().out
    assert cli.main(["factura-global", "--periodicidad", "01", "--fecha", "2026-11-27"]) == 0
    assert "No hay remisiones" in capsys.readouterr().out
    assert cli.main(["factura-global", "--periodicidad", "05"]) == 1


def test_fiscal_global_cancel_from_its_page_refuses_01_and_releases_the_remisiones(erp: Erp) -> None:
    _sell(erp, 2)
    configure_csd(erp)
    client = signed_in(erp)
    r = post_form(client, "/erp/ventas-global/emitir", {"periodicidad": "01", "fecha": "2026-11-27"},
                  page_url="/erp/ventas-global")
    assert r.status_code == 200 and "G-1" in r.text
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        jobs.run_once(erp.engine, SECRET)
        jobs.run_once(erp.engine, SECRET)  # sealed, then stamped
        cfdi_id, uuid = erp.sql("SELECT id, uuid FROM cfdis WHERE kind = 'global'")[0]
        assert uuid
        url = f"/erp/ventas-global/{cfdi_id}/cancelar"
        r = post_form(client, url, {"motivo": "01"}, page_url="/erp/ventas-global")
        assert r.status_code == 400 and "Sustituir" in r.text and pac.cancelled == {}
        r = post_form(client, url, {"motivo": "02"}, page_url="/erp/ventas-global")
        assert r.status_code == 200 and pac.cancelled == {uuid: "02"}
    assert erp.scalar(f"SELECT state FROM cfdis WHERE id = {int(cfdi_id)}") == "cancelada"
    # Its remisiones are free again: the period's preview counts them for a new global.
    assert 'id="global-count">2<' in client.get("/erp/ventas-global?periodicidad=01&fecha=2026-11-27").text
