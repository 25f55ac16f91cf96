"""A factura's CFDI is queued by the sale intake, in the sale's transaction; the job's sweep for factura sales
without one runs at its first pass and then hourly, not every few seconds over the whole sales table."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from server.db.engine import utcnow
from server.fiscal import jobs
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable

CUSTOMER = {"id": None, "uuid": "7a7a7a7a-1111-4222-8333-666666666666", "name": "Juan Pérez Pérez",
            "rfc": "PEPJ800101AB1", "regimen_fiscal": "612", "codigo_postal": "06000", "uso_cfdi": "G03",
            "email": None}


def _sell(erp: Erp, h: Any, sale_type: str, seq: int) -> None:
    items = sellable(catalog_items(erp, h))
    kw: dict[str, Any] = {"customer": CUSTOMER} if sale_type == "factura" else {}
    [res] = post_sales(erp, h, make_sale(items[:2], seq, sale_type=sale_type, **kw))
    assert res["status"] == "accepted"


def _rows(erp: Erp, query: str) -> list[tuple[Any, ...]]:
    with erp.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query))]


def test_intake_queues_facturas_only(erp: Erp) -> None:
    h = erp.pair()
    _sell(erp, h, "remision", 1)
    _sell(erp, h, "factura", 2)
    assert _rows(erp, "SELECT s.type, c.kind, c.state FROM sales s LEFT JOIN cfdis c ON c.sale_id = s.id"
                      " ORDER BY s.id") == [("remision", None, None), ("factura", "factura", "pendiente")]


def test_sweep_queues_a_factura_the_intake_did_not(erp: Erp) -> None:
    _sell(erp, erp.pair(), "factura", 1)
    with erp.engine.begin() as conn:  # a factura synced before sales were queued at intake
        conn.execute(text("DELETE FROM cfdis"))
    jobs.run_once(erp.engine, SECRET, sweep=False)
    assert erp.scalar("SELECT count(*) FROM cfdis") == 0
    jobs.run_once(erp.engine, SECRET, sweep=True)
    assert _rows(erp, "SELECT kind, state FROM cfdis") == [("factura", "pendiente")]
    jobs.run_once(erp.engine, SECRET, sweep=True)  # idempotent
    assert erp.scalar("SELECT count(*) FROM cfdis") == 1


def test_worker_sweeps_first_then_hourly(monkeypatch: pytest.MonkeyPatch, erp: Erp) -> None:
    calls: list[tuple[datetime, bool]] = []
    passed = threading.Condition()

    def fake_run_once(engine: Any, secret: str, now: datetime, sweep: bool) -> int:
        with passed:
            calls.append((now, sweep))
            passed.notify_all()
        return 0

    monkeypatch.setattr(jobs, "run_once", fake_run_once)
    start = utcnow()
    times = [start, start + timedelta(minutes=30), start + jobs.SWEEP_EVERY - timedelta(seconds=1),
             start + jobs.SWEEP_EVERY, start + jobs.SWEEP_EVERY + timedelta(minutes=1)]
    worker = jobs.Worker(erp.engine, SECRET, interval=3600, clock=lambda: times[min(len(calls), len(times) - 1)])
    worker.start()
    try:
        for n in range(1, 6):
            with passed:
                assert passed.wait_for(lambda n=n: len(calls) >= n, timeout=10), "the worker made no pass"
            if n < 5:
                worker.wake()
    finally:
        worker.stop()
    assert [sweep for _, sweep in calls[:5]] == [True, False, False, True, False]
