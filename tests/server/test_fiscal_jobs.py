"""The CFDI job on SQLite and PostgreSQL: a synced factura is sealed without a PAC ("sin timbrar"), stamped
through satcfdi's SW Sapien client against a local stand-in of its protocol, retried with backoff while the
PAC is down, kept with the PAC's code when rejected and stamped after the customer is fixed, never stamped
twice, cancelled with a SAT motive."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select, text

from server.db.engine import as_utc, utcnow
from server.db.schema import cfdis
from server.fiscal import jobs
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable

CUSTOMER = {"id": None, "uuid": "7a7a7a7a-1111-4222-8333-444444444444", "name": "Juan Pérez Pérez",
            "rfc": "PEPJ800101AB1", "regimen_fiscal": "612", "codigo_postal": "06000", "uso_cfdi": "G03",
            "email": None}


def _cfdi(erp: Erp) -> Any:
    with erp.engine.connect() as conn:  # Core, so timestamps come back as datetimes on SQLite too
        [row] = conn.execute(select(cfdis)).all()
    return row


@pytest.fixture
def sold(erp: Erp) -> Erp:
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    [res] = post_sales(erp, h, make_sale(items[:3], 1, sale_type="factura", customer=CUSTOMER))
    assert res["status"] == "accepted"
    # Sync queued the factura's CFDI with the sale (one pendiente row, nothing sealed) and did no CFDI work.
    row = _cfdi(erp)
    assert (row.kind, row.state, row.xml, row.attempts) == ("factura", "pendiente", None, 0)
    assert row.sale_id == erp.scalar("SELECT id FROM sales")
    return erp


def test_fiscal_without_csd_waits_pendiente_then_seals_sin_timbrar(sold: Erp) -> None:
    jobs.run_once(sold.engine, SECRET)
    row = _cfdi(sold)
    assert (row.state, row.error_code) == ("pendiente", "sin_csd")
    configure_csd(sold)
    jobs.run_once(sold.engine, SECRET)
    row = _cfdi(sold)
    assert row.state == "sellada" and row.uuid is None  # no PAC: sealed, waiting "sin timbrar"
    root = etree.fromstring(row.xml.encode())
    sale_total = sold.scalar("SELECT total FROM sales")
    assert root.get("Total") == f"{sale_total // 100}.{sale_total % 100:02d}"
    assert (root.get("Serie"), root.get("Folio")) == ("F", "1")
    # Running again does nothing more (idempotent by sale).
    assert jobs.run_once(sold.engine, SECRET) == 0
    assert sold.scalar("SELECT count(*) FROM cfdis") == 1


def test_fiscal_stamped_through_the_pac_stand_in(sold: Erp) -> None:
    configure_csd(sold)
    with StandIn() as pac:
        configure_pac(sold, pac.url, TOKEN)
        jobs.run_once(sold.engine, SECRET)  # seal
        jobs.run_once(sold.engine, SECRET)  # stamp
        row = _cfdi(sold)
        assert row.state == "timbrada" and len(row.uuid) == 36
        assert b"TimbreFiscalDigital" in row.xml.encode() and row.uuid in row.xml
        assert pac.requests == ["/v4/cfdi33/stamp/v4"]
        assert jobs.run_once(sold.engine, SECRET) == 0
        assert pac.requests == ["/v4/cfdi33/stamp/v4"]  # never twice for the same sale

        assert jobs.cancel(sold.engine, SECRET, row.id, "02") is None
        assert pac.cancelled == {row.uuid: "02"}
        assert _cfdi(sold).state == "cancelada" and _cfdi(sold).cancel_motive == "02"


def test_fiscal_pac_down_is_retried_with_backoff(sold: Erp) -> None:
    configure_csd(sold)
    with StandIn() as pac:
        configure_pac(sold, pac.url, TOKEN)
        jobs.run_once(sold.engine, SECRET)
        pac.status_override = 503
        now = utcnow()
        jobs.run_once(sold.engine, SECRET, now)
        row = _cfdi(sold)
        assert (row.state, row.attempts, row.error_code) == ("sellada", 1, "pac_unreachable")
        assert as_utc(row.next_attempt_at) == now + timedelta(seconds=30)
        assert jobs.run_once(sold.engine, SECRET, now + timedelta(seconds=10)) == 0  # not due yet
        jobs.run_once(sold.engine, SECRET, now + timedelta(seconds=31))
        assert _cfdi(sold).attempts == 2
        assert as_utc(_cfdi(sold).next_attempt_at) == now + timedelta(seconds=31 + 60)
        pac.status_override = None
        jobs.run_once(sold.engine, SECRET, now + timedelta(minutes=5))
        assert _cfdi(sold).state == "timbrada"


def test_fiscal_pac_unreachable_port_is_retried(sold: Erp) -> None:
    configure_csd(sold)
    with StandIn() as pac:
        url = pac.url
    configure_pac(sold, url, TOKEN)  # nothing listens there any more
    jobs.run_once(sold.engine, SECRET)
    jobs.run_once(sold.engine, SECRET)
    row = _cfdi(sold)
    assert (row.state, row.error_code, row.attempts) == ("sellada", "pac_unreachable", 1)


def test_fiscal_pac_rejection_keeps_the_sale_and_retry_after_fixing_the_customer(sold: Erp) -> None:
    configure_csd(sold)
    with StandIn() as pac:
        configure_pac(sold, pac.url, TOKEN)
        pac.reject_rfc["PEPJ800101AB1"] = ("CFDI40145", "El campo Nombre del receptor no corresponde al RFC")
        jobs.run_once(sold.engine, SECRET)
        jobs.run_once(sold.engine, SECRET)
        row = _cfdi(sold)
        assert (row.state, row.error_code) == ("rechazada", "CFDI40145")
        assert "Nombre del receptor" in row.error_message
        assert sold.scalar("SELECT count(*) FROM sales") == 1
        # The admin fixes the customer in Clientes (here: its registered name) and retries.
        with sold.engine.begin() as conn:
            conn.execute(text("UPDATE customers SET name = 'JUAN PEREZ PEREZ' WHERE uuid = :u"), {"u": CUSTOMER["uuid"]})
        del pac.reject_rfc["PEPJ800101AB1"]
        assert jobs.retry(sold.engine, row.id)
        jobs.run_once(sold.engine, SECRET)
        jobs.run_once(sold.engine, SECRET)
        row = _cfdi(sold)
        assert row.state == "timbrada" and 'Nombre="JUAN PEREZ PEREZ"' in row.xml


def test_fiscal_worker_thread_runs_with_the_app_lifespan(sold: Erp) -> None:
    import time
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from server.app import create_app

    configure_csd(sold)
    app = create_app(replace(sold.settings, fiscal_worker=True))
    try:
        with TestClient(app):  # the lifespan starts the worker; its first pass runs at once
            deadline = time.monotonic() + 30
            while _cfdi_or_none(sold) != "sellada":
                assert time.monotonic() < deadline, "the worker never sealed the CFDI"
                app.state.fiscal_worker.wake()
                threading_wait(0.05)
    finally:
        app.state.engine.dispose()


def _cfdi_or_none(erp: Erp) -> str | None:
    with erp.engine.connect() as conn:
        return conn.execute(select(cfdis.c.state)).scalar()


def threading_wait(seconds: float) -> None:
    import threading
    threading.Event().wait(seconds)  # between polls of the condition above


def test_fiscal_cfdi_sealed_days_ago_is_sealed_again_before_stamping(sold: Erp) -> None:
    # The PAC refuses a Fecha older than 72 hours: a CFDI that waited "sin timbrar" gets a fresh Fecha.
    configure_csd(sold)
    then = utcnow() - timedelta(days=4)
    jobs.run_once(sold.engine, SECRET, then)
    old_xml = _cfdi(sold).xml
    with StandIn() as pac:
        configure_pac(sold, pac.url, TOKEN)
        jobs.run_once(sold.engine, SECRET)  # stale: back to pendiente, no request to the PAC
        assert pac.requests == [] and _cfdi(sold).state == "pendiente"
        jobs.run_once(sold.engine, SECRET)  # sealed with today's Fecha
        jobs.run_once(sold.engine, SECRET)  # stamped
        row = _cfdi(sold)
        assert row.state == "timbrada" and row.xml != old_xml and pac.requests == ["/v4/cfdi33/stamp/v4"]


def test_fiscal_pac_that_never_answers_is_given_up_and_retried(sold: Erp, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from server.fiscal import pac as pacmod

    configure_csd(sold)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        monkeypatch.setattr(pacmod, "TIMEOUT", 0.5)
        configure_pac(sold, f"http://127.0.0.1:{silent.getsockname()[1]}", TOKEN)
        jobs.run_once(sold.engine, SECRET)
        jobs.run_once(sold.engine, SECRET)
        row = _cfdi(sold)
        assert (row.state, row.error_code, row.attempts) == ("sellada", "pac_unreachable", 1)
    finally:
        silent.close()


def test_fiscal_stamp_whose_answer_was_lost_is_recovered_not_stamped_twice(sold: Erp) -> None:
    configure_csd(sold)
    with StandIn() as pac:
        configure_pac(sold, pac.url, TOKEN)
        jobs.run_once(sold.engine, SECRET)  # sealed
        xml = _cfdi(sold).xml
        # The PAC stamped it but the answer never arrived (as if the ERP died mid-request).
        status, first = pac._stamp(xml.encode())
        assert status == 200
        pac.previous_as_307 = True
        jobs.run_once(sold.engine, SECRET)
        row = _cfdi(sold)
        assert (row.state, row.uuid) == ("timbrada", first["data"]["uuid"])
        assert len(pac.stamped) == 1


def test_fiscal_csd_stored_under_another_server_secret_is_reported_not_a_crash(sold: Erp) -> None:
    configure_csd(sold)
    jobs.run_once(sold.engine, "another-secret")
    row = _cfdi(sold)
    assert (row.state, row.error_code) == ("pendiente", "sin_csd") and "CAJA_SECRET_KEY" in row.error_message
