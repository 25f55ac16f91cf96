"""The sync and backup glue against fakes: the Syncer's run (customers → sales → voids; one sale only), network errors
changing nothing and growing the backoff, void audits settled per answer, the sync panel's wording, and the
backup file format (export only unsynced, import refuses foreign files, pruning cutoff)."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from caja_pos.net.erp import NetworkError
from caja_pos.screens.syncpanel import customers_message, sales_message
from caja_pos.services.backup import backup_document, prune_cutoff, read_backup
from caja_pos.services.outbox import BASE_DELAY_S, MAX_DELAY_S, Syncer, backoff_delay
from caja_pos.services.sync import SALES_BATCH
from caja_pos.services.till import Till
from storage import Storage

from poscore.payment import Payment
from tests.web.fakes import FakeErp, FakeIdb
from tests.web.products import TERMINAL, product


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


class OutboxIdb(FakeIdb):
    """FakeIdb plus the outbox functions of idb_sync.js, with the same observable behaviour."""

    async def pendingCounts(self) -> str:
        carried = {r["sale"]["customer"]["uuid"] for r in self.sales.values()
                   if r["sale"].get("customer") and r["state"] not in ("rejected", "cancelled")}
        customers = [c for c in self.customers_local.values()
                     if not c.get("synced") and c.get("id") is None and c["uuid"] not in carried]
        kinds = [e["kind"] for e in self.outbox.values()]
        return json.dumps({"sales": kinds.count("sale"), "voids": kinds.count("void"), "customers": len(customers),
                           "returns": kinds.count("return")})

    async def cancelSale(self, uuid: str, audit_json: str, cancellable_json: str) -> str:
        record = self.sales.get(uuid)
        if record is None:
            return "missing"
        if record["state"] not in json.loads(cancellable_json):
            return str(record["state"])
        audit = json.loads(audit_json)
        record["state"] = "cancelled"
        self.outbox.pop(uuid, None)
        self.stock.pop(uuid, None)
        self.outbox[audit["uuid"]] = {"uuid": audit["uuid"], "kind": "void", "void": audit}
        return "ok"

    async def outboxEntries(self, kind: str) -> str:
        return json.dumps([e for e in self.outbox.values() if e["kind"] == kind])

    async def outboxSettle(self, done_json: str, failed_json: str) -> None:
        for uuid in json.loads(done_json):
            self.outbox.pop(uuid, None)
        for f in json.loads(failed_json):
            if f["uuid"] in self.outbox:
                self.outbox[f["uuid"]].update(error=f["error"], message=f["message"])

    async def customersMarkSynced(self, results_json: str) -> None:
        for r in json.loads(results_json):
            self.customers_local[r["uuid"]].update(id=r["id"], synced=True)

    async def acquireSyncLock(self) -> Any:
        return lambda: None


class VoidsErp(FakeErp):
    def __init__(self) -> None:
        super().__init__([])
        self.voids_answer: Any = lambda v: {"uuid": v["uuid"], "status": "accepted", "duplicate": False}
        self.customers_in: list[dict] = []

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                      timeout_ms: int = 0) -> Any:
        if path == "/api/voids":
            self.calls.append((method, path))
            if self.down:
                raise NetworkError("refused")
            return {"results": [self.voids_answer(v) for v in body["voids"]]}
        if path == "/api/customers":
            self.calls.append((method, path))
            if self.down:
                raise NetworkError("refused")
            self.customers_in.extend(body["customers"])
            return {"results": [{"uuid": c["uuid"], "status": "accepted", "id": 900 + i}
                                for i, c in enumerate(body["customers"])]}
        return await super().request(method, path, body, token, timeout_ms)


def paired_syncer(idb: OutboxIdb, erp: VoidsErp) -> Syncer:
    """A Syncer over the fakes, for a device already paired (token "tok")."""
    syncer = Syncer(Storage(idb), erp, idb, rand=lambda: 0.5)
    syncer.token = "tok"
    return syncer


def _store_sales(storage: Storage, n: int) -> list[dict]:
    till = Till(TERMINAL)
    till.catalog.add([product(1, "10.00", "1000.000")])
    for i in range(n):
        till.cart.add(1, 1)
        seq = till.next_seq(_run(storage.last_sequence()))
        sale = till.build_sale([Payment("efectivo", Decimal(10))], f"uuid-{i}", seq, "2026-11-27T10:00:00-06:00")
        _run(storage.commit_sale(Till.sale_record(sale, "2026-11-27T10:00:00-06:00"), Till.stock_decrement(sale)))
        till.committed(sale)
    return _run(storage.sales())


def _accept_all(sale: dict) -> dict:
    return {"uuid": sale["uuid"], "status": "accepted", "series": "R", "folio": sale["seq"]}


def _setup(n: int = 2) -> tuple[OutboxIdb, VoidsErp, Syncer, list[dict]]:
    idb, erp = OutboxIdb(), VoidsErp()
    syncer = paired_syncer(idb, erp)
    records = _store_sales(syncer.storage, n)
    erp.sales_answer = _accept_all
    return idb, erp, syncer, records


async def _no_prune(storage: Any, box: Any) -> int:
    return 0


@pytest.fixture(autouse=True)
def _skip_prune(monkeypatch: pytest.MonkeyPatch) -> None:
    from caja_pos.services import backup

    monkeypatch.setattr(backup, "prune", _no_prune)  # pruning reads the browser clock (services/clock.py)


def test_a_full_run_sends_customers_then_sales_then_voids_and_empties_the_count() -> None:
    idb, erp, syncer, records = _setup(2)
    idb.customers_local["c1"] = {"uuid": "c1", "name": "Ferretería", "rfc": None, "id": None}
    audit = {"uuid": "v1", "sale_uuid": records[1]["uuid"], "number": records[1]["number"], "total": "10.00"}
    assert _run(syncer.box.cancel(records[1]["uuid"], audit, ["pending"])) == "ok"
    assert _run(syncer.box.counts()) == {"sales": 1, "voids": 1, "customers": 1, "returns": 0}

    report = _run(syncer._locked(None))
    assert (report["customers"], report["accepted"], report["voids"], report["error"]) == (1, 1, 1, None)
    assert [p for _, p in erp.calls] == ["/api/customers", "/api/sales", "/api/voids"]
    assert [s["uuid"] for s in erp.received] == [records[0]["uuid"]]  # the cancelled sale is never sent
    assert _run(syncer.box.counts()) == {"sales": 0, "voids": 0, "customers": 0, "returns": 0}
    assert idb.customers_local["c1"]["id"] == 900
    assert syncer.failures == 0


def test_cancel_refuses_a_synced_sale_and_restores_stock_of_a_pending_one() -> None:
    idb, erp, syncer, records = _setup(2)
    _run(syncer._locked(records[0]["uuid"]))  # only that one
    assert [s["uuid"] for s in erp.received] == [records[0]["uuid"]]
    assert idb.sales[records[0]["uuid"]]["state"] == "synced" and idb.sales[records[1]["uuid"]]["state"] == "pending"
    assert _run(syncer.box.cancel(records[0]["uuid"], {"uuid": "v0"}, ["pending"])) == "synced"
    assert "v0" not in idb.outbox
    assert _run(syncer.box.cancel(records[1]["uuid"], {"uuid": "v1"}, ["pending"])) == "ok"
    assert records[1]["uuid"] not in idb.stock and idb.outbox["v1"]["kind"] == "void"


def test_network_error_changes_nothing_and_backs_off_until_a_success() -> None:
    idb, erp, syncer, _records = _setup(2)
    erp.down = True
    for expected in (1, 2, 3):
        assert _run(syncer._locked(None))["error"] == "network"
        assert syncer.failures == expected
    assert _run(syncer.box.counts())["sales"] == 2
    assert all(r["state"] == "pending" for r in idb.sales.values())
    erp.down = False
    assert _run(syncer._locked(None))["accepted"] == 2
    assert syncer.failures == 0


def test_a_sale_in_flight_cannot_be_cancelled_and_is_pending_again_after_a_network_error() -> None:
    idb, erp, syncer, records = _setup(1)
    uuid = records[0]["uuid"]
    seen: list[str] = []

    def answer(sale: dict) -> dict:  # while the ERP holds the request, the cashier tries to cancel
        seen.append(_run_in_thread(syncer.box.cancel(uuid, {"uuid": "v"}, ["pending"])))
        raise NetworkError("connection reset")

    erp.sales_answer = answer
    assert _run(syncer._locked(None))["error"] == "network"
    assert seen == ["syncing"] and "v" not in idb.outbox
    assert idb.sales[uuid]["state"] == "pending"  # nothing known: it will be sent again
    assert _run(syncer.box.cancel(uuid, {"uuid": "v"}, ["pending"])) == "ok"


def test_sales_go_in_batches_of_the_lowest_numbers_and_a_failing_run_marks_only_the_first() -> None:
    idb, erp, syncer, records = _setup(2 * SALES_BATCH + 5)
    by_number = [r["uuid"] for r in sorted(records, key=lambda r: r["seq"])]
    assert by_number != sorted(by_number)  # the outbox is read in uuid order: the batches must not follow it

    def refuse(sale: dict) -> dict:  # the ERP answers 5xx (as BrowserHttp raises it): nothing is known
        raise NetworkError("503")

    erp.sales_answer = refuse
    assert _run(syncer._locked(None))["error"] == "network"
    # One batch marked and put back, not every unsent sale: a failing run after each sale stays cheap.
    assert idb.marked_log == [by_number[:SALES_BATCH]]
    assert {r["state"] for r in idb.sales.values()} == {"pending"}

    idb.marked_log.clear()
    erp.sales_answer = _accept_all
    report = _run(syncer._locked(None))
    assert (report["accepted"], report["error"]) == (2 * SALES_BATCH + 5, None)
    assert idb.marked_log == [by_number[:SALES_BATCH], by_number[SALES_BATCH:2 * SALES_BATCH],
                              by_number[2 * SALES_BATCH:]]
    assert [s["uuid"] for s in erp.received[SALES_BATCH:]] == by_number  # folios follow the local numbers
    assert _run(syncer.box.counts())["sales"] == 0


def test_a_batch_the_erp_answers_only_in_part_ends_the_run_and_its_rest_is_sent_again() -> None:
    idb, erp, syncer, records = _setup(SALES_BATCH + 3)
    by_number = [r["uuid"] for r in sorted(records, key=lambda r: r["seq"])]
    erp.sales_answer = lambda s: None if s["uuid"] == by_number[1] else _accept_all(s)
    _orig = erp.request

    async def request(method: str, path: str, body: Any = None, token: str | None = None,
                      timeout_ms: int = 0) -> Any:
        answer = await _orig(method, path, body, token, timeout_ms)
        if path == "/api/sales":  # one sale left out of the answer
            answer["results"] = [r for r in answer["results"] if r is not None]
        return answer

    erp.request = request  # type: ignore[method-assign]
    report = _run(syncer._locked(None))
    assert (report["accepted"], report["error"]) == (SALES_BATCH - 1, None)
    assert len(idb.marked_log) == 1  # the next batch would have started with the unanswered sale: not sent now
    assert idb.sales[by_number[1]]["state"] == "pending"
    assert [u for u in by_number if idb.sales[u]["state"] == "pending"] == [by_number[1], *by_number[SALES_BATCH:]]
    erp.sales_answer = _accept_all
    assert _run(syncer._locked(None))["accepted"] == 4


def _run_in_thread(coro: Any) -> Any:
    import threading

    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(asyncio.run(coro)))
    thread.start()
    thread.join()
    return out[0]


def test_a_rejected_void_stays_queued_with_its_reason() -> None:
    idb, erp, syncer, records = _setup(1)
    _run(syncer.box.cancel(records[0]["uuid"], {"uuid": "v1"}, ["pending"]))
    erp.voids_answer = lambda v: {"uuid": v["uuid"], "status": "rejected", "error": "malformed", "message": "Mal"}
    report = _run(syncer._locked(None))
    assert report["void_rejected"] == [("v1", "Mal")]
    assert idb.outbox["v1"]["message"] == "Mal"
    assert "1 cancelación(es) rechazada(s): v1: Mal" in sales_message(report)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    assert backoff_delay(0, lambda: 0.5) == BASE_DELAY_S
    assert backoff_delay(3, lambda: 0.5) == BASE_DELAY_S * 8
    assert backoff_delay(3, lambda: 0.0) == BASE_DELAY_S * 4  # jitter spans [0.5, 1.5)
    assert backoff_delay(50, lambda: 0.99) < MAX_DELAY_S * 1.5
    assert backoff_delay(50, lambda: 0.5) == MAX_DELAY_S


def test_sync_panel_wording() -> None:
    assert sales_message({"accepted": 3, "rejected": [], "error": None}) == \
        "La sincronización se ha realizado correctamente"
    assert sales_message({"error": "network", "rejected": []}).startswith("Sin conexión")
    assert sales_message({"error": None, "rejected": [("T01-000003", "Producto inactivo")]}) == \
        "1 venta(s) rechazada(s): T01-000003: Producto inactivo"
    assert customers_message({"error": None, "customer_rejected": [("Ana", "RFC no válido")]}) == \
        "1 cliente(s) rechazado(s): Ana: RFC no válido"


def test_backup_exports_only_unsynced_and_import_reads_only_valid_caja_backups() -> None:
    records = _store_sales(Storage(OutboxIdb()), 5)
    for record, state in zip(records, ("pending", "synced", "rejected", "cancelled", "syncing"), strict=True):
        record["state"] = state
    doc = backup_document(records, TERMINAL, "2026-11-27T10:00:00-06:00")
    assert [r["state"] for r in doc["sales"]] == ["pending", "rejected", "syncing"]
    back = read_backup(json.dumps(doc)).sales
    assert [r["state"] for r in back] == ["pending", "rejected", "pending"]  # mid-flight → pending again
    tampered = json.loads(json.dumps(doc))
    tampered["sales"][0]["sale"]["totals"]["total"] = "1.00"
    for bad in ('{"format": "other", "v": 1, "sales": []}', "[]", '{"format": "caja-backup", "v": 1}',
                '{"format": "caja-backup", "v": 1, "sales": [{"uuid": "x"}]}', json.dumps(tampered)):
        with pytest.raises(ValueError):
            read_backup(bad)


def test_prune_cutoff_keeps_at_least_a_day() -> None:
    now = datetime(2026, 11, 27, 16, 0, tzinfo=timezone(timedelta(hours=-6)))
    assert prune_cutoff(now, 30) == "2026-10-28T16:00:00-06:00"
    assert prune_cutoff(now, 0) == "2026-11-26T16:00:00-06:00"


def test_synced_sales_are_pruned_once_an_hour_not_after_every_sale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pruning reads every synced sale: a till syncing after each sale prunes at its first run, then hourly."""
    from types import SimpleNamespace

    from caja_pos.services import backup, outbox

    _idb, _erp, syncer, _records = _setup(1)
    pruned: list[bool] = []

    async def prune(storage: Any, box: Any) -> int:
        pruned.append(True)
        return 0

    monkeypatch.setattr(backup, "prune", prune)
    clock = [1000.0]
    monkeypatch.setattr(outbox, "time", SimpleNamespace(monotonic=lambda: clock[0]))  # outbox's clock only
    for _ in range(3):
        _run(syncer.run())
    assert len(pruned) == 1
    clock[0] += outbox.PRUNE_EVERY_S
    _run(syncer.run())
    assert len(pruned) == 2


def test_no_automatic_run_while_the_erp_is_known_unreachable() -> None:
    """While the wifi icon is red, a stored sale (`soon`) only asks whether the ERP answers, and the loop's turns
    (`tick`) leave the outbox alone: each failing run would mark, read and unmark every unsynced sale, once per sale
    sold offline. Once the ERP answers again the same calls send everything."""
    idb, erp, syncer, _records = _setup(3)
    reachable = [False]
    syncer.reachable = lambda: reachable[0]
    probes: list[bool] = []

    async def probe() -> None:  # the app's heartbeat check: one request, nothing stored
        probes.append(True)

    syncer.probe = probe

    async def sell_offline() -> None:
        syncer.soon()
        await syncer.tick()
        await asyncio.sleep(0)  # a spawned run would start here

    _run(sell_offline())
    assert erp.calls == [] and idb.marked_log == [] and probes == [True]  # asked once, at the sale
    assert _run(syncer.box.counts())["sales"] == 3

    reachable[0] = True

    async def back() -> None:
        syncer.soon()
        for _ in range(200):  # the spawned run's steps, each a turn of the loop
            if (await syncer.box.counts())["sales"] == 0:
                return
            await asyncio.sleep(0)

    _run(back())
    assert ("POST", "/api/sales") in erp.calls and idb.marked_log
    assert _run(syncer.box.counts())["sales"] == 0
