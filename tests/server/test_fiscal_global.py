"""The factura global on SQLite and PostgreSQL: a month of remisiones becomes a global whose Total is the sum of
the tickets to the cent and whose XML passes the SAT XSD (sealed here, validated again by the PAC stand-in);
a remisión is never covered twice; voided sales are left out; a late remisión goes into the next global and
the preview says so; replacing a stamped global (motive 01, the new one related 04) releases what it leaves."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from server.db.engine import write_tx
from server.fiscal import global_cfdi, jobs
from server.fiscal.build import zone_of
from server.fiscal.global_cfdi import GlobalError
from server.fiscal.periods import period_of
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable

NS = {"cfdi": "http://www.sat.gob.mx/cfd/4"}
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def _zone(erp: Erp) -> Any:
    return zone_of(erp.scalar("SELECT codigo_postal FROM shops WHERE id = 1"))


def _sell(erp: Erp, h: dict[str, str], items: list[dict[str, Any]], seq: int, day: date,
          rng: random.Random | None = None) -> dict[str, Any]:
    rng = rng or random.Random(seq)
    picked = rng.sample(items, rng.randint(1, min(4, len(items))))
    sale = make_sale(picked, seq, qty=str(rng.randint(1, 3)))
    sale["device_time"] = f"{day.isoformat()}T{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00-06:00"
    [res] = post_sales(erp, h, sale)
    assert res["status"] == "accepted", res
    return sale


def _cents(value: str) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def _stamp_all(erp: Erp) -> None:
    # Seal then stamp: two passes of the same job that stamps facturas.
    jobs.run_once(erp.engine, SECRET, NOW)
    jobs.run_once(erp.engine, SECRET, NOW)


def test_fiscal_global_month_totals_to_the_cent_and_never_twice(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    rng = random.Random(7)
    sales = [_sell(erp, h, items, n, date(2026, 11, 1 + (n % 30)), rng) for n in range(1, 61)]
    voided = sales[5]
    r = erp.client.post("/api/voids", headers=h, json={"voids": [{
        "uuid": "0f0f0f0f-1111-4222-8333-444444444444", "sale_uuid": voided["uuid"], "number": voided["number"],
        "cancelled_at": "2026-11-06T10:00:00-06:00", "total": voided["totals"]["total"]}]})
    assert r.status_code == 200, r.text
    configure_csd(erp)
    zone = _zone(erp)
    month = period_of("04", date(2026, 11, 3))
    with erp.engine.connect() as conn:
        preview = global_cfdi.preview(conn, month, zone)
    assert len(preview.tickets) == 59 and preview.late == 0  # the voided sale is not there
    expected = sum(Decimal(s["totals"]["total"]) for s in sales if s is not voided)
    assert preview.total == expected

    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        gid = global_cfdi.issue(erp.engine, month, zone, NOW)
        with pytest.raises(GlobalError):  # the same period again: nothing left to cover
            global_cfdi.issue(erp.engine, month, zone, NOW)
        _stamp_all(erp)
        [row] = erp.sql("SELECT state, uuid, xml FROM cfdis WHERE id = :i", i=gid)
        assert row.state == "timbrada", row
        root = etree.fromstring(row.xml.encode())
    assert _cents(root.get("Total")) == int(expected * 100)
    info = root.find("cfdi:InformacionGlobal", NS)
    assert (info.get("Periodicidad"), info.get("Meses"), info.get("Año")) == ("04", "11", "2026")
    rec = root.find("cfdi:Receptor", NS)
    assert (rec.get("Rfc"), rec.get("Nombre"), rec.get("RegimenFiscalReceptor"), rec.get("UsoCFDI"),
            rec.get("DomicilioFiscalReceptor")) == ("XAXX010101000", "PUBLICO EN GENERAL", "616", "S01",
                                                    root.get("LugarExpedicion"))
    conceptos = root.findall("cfdi:Conceptos/cfdi:Concepto", NS)
    folios = {c.get("NoIdentificacion") for c in conceptos}
    assert len(folios) == 59 and all(c.get("ClaveProdServ") == "01010101" and c.get("ClaveUnidad") == "ACT"
                                     and c.get("Cantidad") == "1" for c in conceptos)
    assert erp.scalar("SELECT count(*) FROM cfdi_sales WHERE released_at IS NULL") == 59
    # Sale by sale, the concepts of a folio add up to that ticket's total.
    per_folio: dict[str, int] = {}
    for c in conceptos:
        taxes = sum(_cents(t.get("Importe") or "0") for t in c.findall(".//cfdi:Traslado", NS))
        per_folio[c.get("NoIdentificacion")] = (per_folio.get(c.get("NoIdentificacion"), 0)
                                                + _cents(c.get("Importe")) - _cents(c.get("Descuento") or "0") + taxes)
    stored = {f"{r.series}-{r.folio}": r.total for r in erp.sql("SELECT series, folio, total FROM sales")}
    assert all(per_folio[f] == stored[f] for f in per_folio)


def test_fiscal_global_late_remision_goes_into_the_next_one(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    configure_csd(erp)
    zone = _zone(erp)
    day27 = period_of("01", date(2026, 11, 27))
    _sell(erp, h, items, 1, date(2026, 11, 27))
    _sell(erp, h, items, 2, date(2026, 11, 28))  # not the 27th's
    first = global_cfdi.issue(erp.engine, day27, zone, NOW)
    _sell(erp, h, items, 3, date(2026, 11, 27))  # a till offline for a day: synced after the 27th's global
    with erp.engine.connect() as conn:
        again = global_cfdi.preview(conn, day27, zone)
        nxt = global_cfdi.preview(conn, day27.next(), zone)
    assert len(again.tickets) == 1 and again.late == 0
    assert nxt.late == 1 and [t["late"] for t in nxt.tickets] == [False, True]  # sale 2 of the 28th, sale 3 late
    second = global_cfdi.issue(erp.engine, day27.next(), zone, NOW)
    jobs.run_once(erp.engine, SECRET, NOW)
    assert [r.state for r in erp.sql("SELECT state FROM cfdis ORDER BY id")] == ["sellada", "sellada"]
    covers = erp.sql("SELECT cfdi_id, count(*) AS n FROM cfdi_sales GROUP BY cfdi_id ORDER BY cfdi_id")
    assert [(r.cfdi_id, r.n) for r in covers] == [(first, 1), (second, 2)]


def test_fiscal_global_replacement_releases_and_cancels_with_01(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    configure_csd(erp)
    zone = _zone(erp)
    for n in range(1, 5):
        _sell(erp, h, items, n, date(2026, 11, 27))
    day = period_of("01", date(2026, 11, 27))
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        old = global_cfdi.issue(erp.engine, day, zone, NOW)
        _stamp_all(erp)
        old_uuid = erp.scalar("SELECT uuid FROM cfdis WHERE id = :i", i=old)
        # Motive 01 on a global needs its substitute: refused here, done through replace().
        assert "Sustituir" in (jobs.cancel(erp.engine, SECRET, old, "01") or "")
        first_sale = erp.scalar("SELECT min(id) FROM sales")
        new = global_cfdi.replace(erp.engine, old, {first_sale}, NOW)
        with pytest.raises(GlobalError):
            global_cfdi.replace(erp.engine, old, set(), NOW)
        _stamp_all(erp)
        [new_row] = erp.sql("SELECT state, uuid, xml FROM cfdis WHERE id = :i", i=new)
        assert new_row.state == "timbrada"
        rel = etree.fromstring(new_row.xml.encode()).find("cfdi:CfdiRelacionados", NS)
        assert rel.get("TipoRelacion") == "04"
        assert rel.find("cfdi:CfdiRelacionado", NS).get("UUID") == old_uuid
        assert pac.cancelled == {old_uuid: "01"}
    assert erp.scalar("SELECT state FROM cfdis WHERE id = :i", i=old) == "cancelada"
    assert erp.scalar("SELECT count(*) FROM cfdi_sales WHERE cfdi_id = :i AND released_at IS NULL", i=new) == 3
    # The ticket left out is free again: the next global takes it.
    with erp.engine.connect() as conn:
        assert [t["id"] for t in global_cfdi.preview(conn, day, zone).tickets] == [first_sale]
    # And the database itself refuses a second live cover of a remisión.
    from sqlalchemy.exc import IntegrityError

    from server.db.schema import cfdi_sales
    with pytest.raises(IntegrityError), write_tx(erp.engine) as conn:
        conn.execute(cfdi_sales.insert().values(cfdi_id=old, sale_id=erp.scalar(
            "SELECT sale_id FROM cfdi_sales WHERE cfdi_id = :i AND released_at IS NULL LIMIT 1", i=new)))
