"""A factura's ticket shows its UUID once stamped: after a sync the till asks the ERP (POST /api/cfdis) for the
stamped CFDIs of its synced facturas, keeps the UUID and the SAT's verification address on the sale record, and the
reprint from Ventas (screens/ticket.lines_for → poscore.ticket) prints the UUID and the QR."""
from __future__ import annotations

import asyncio
from decimal import Decimal

from caja_pos.screens.ticket import lines_for
from caja_pos.services.outbox import Outbox
from caja_pos.services.sync import fetch_cfdis, upload_sales
from caja_pos.services.till import Till
from storage import Storage

from poscore.customer import Customer
from poscore.payment import Payment
from poscore.ticket import ticket_text
from tests.web.fakes import FakeErp, FakeIdb
from tests.web.products import TERMINAL, product

UUID = "5FB2822E-396D-4725-8521-CDC4BDD20CCF"
QR = ("https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=" + UUID
      + "&re=EKU9003173C9&rr=PEPJ800101AB1&tt=10.00&fe=AbCdEf12")
CUSTOMER = Customer("Juan Pérez", rfc="PEPJ800101AB1", regimen_fiscal="612", codigo_postal="06000",
                    uso_cfdi="G03")


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def _sell(storage: Storage) -> list[str]:
    till = Till(TERMINAL)
    till.catalog.add([product(1, "10.00", "100.000")])
    uuids = []
    for i, kind in enumerate(("factura", "remision")):
        till.cart.add(1, 1)
        till.customer, till.sale_type = (CUSTOMER, kind) if kind == "factura" else (None, kind)
        seq = till.next_seq(_run(storage.last_sequence()))
        sale = till.build_sale([Payment("efectivo", Decimal(10))], f"uuid-{i}", seq, "2026-11-27T10:00:00-06:00")
        _run(storage.commit_sale(Till.sale_record(sale, "t"), Till.stock_decrement(sale)))
        till.committed(sale)
        uuids.append(sale.uuid)
    return uuids


def test_the_stamped_uuid_reaches_the_reprinted_ticket() -> None:
    idb = FakeIdb()
    storage = Storage(idb)
    factura, remision = _sell(storage)
    erp = FakeErp([])
    erp.sales_answer = lambda s: {"uuid": s["uuid"], "status": "accepted", "series": "F" if s["type"] == "factura"
                                  else "R", "folio": 1}
    assert _run(upload_sales(erp, storage, Outbox(idb), "tok"))["accepted"] == 2
    record = next(r for r in _run(storage.sales()) if r["uuid"] == factura)
    text = ticket_text(lines_for(record, {"name": "Abarrotes"}, 58, "es"))
    assert "Factura en proceso de timbrado" in text and UUID not in text
    # Not stamped yet: only the factura is asked for, nothing changes.
    assert _run(fetch_cfdis(erp, storage, "tok")) == 0
    assert erp.cfdis_asked == [[factura]]
    erp.cfdis[factura] = {"uuid": UUID, "qr": QR}
    assert _run(fetch_cfdis(erp, storage, "tok")) == 1
    record = next(r for r in _run(storage.sales()) if r["uuid"] == factura)
    assert record["cfdi"] == {"uuid": UUID, "qr": QR} and record["state"] == "synced"
    lines = lines_for(record, {"name": "Abarrotes"}, 58, "es")
    text = ticket_text(lines)
    # 36 characters wrap on 58 mm paper (32 a line): the UUID is all there, in order.
    assert "Folio fiscal (UUID)" in text and UUID in "".join(text.split()) and "timbrado" not in text
    assert [x.qr for x in lines if x.qr] == [QR]
    # Once known it is not asked again, and a remisión never is.
    assert _run(fetch_cfdis(erp, storage, "tok")) == 0 and len(erp.cfdis_asked) == 2
    assert all(remision not in asked for asked in erp.cfdis_asked)
