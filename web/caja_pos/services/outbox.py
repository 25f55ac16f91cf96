"""Everything that still has to reach the ERP, and the one loop that sends it: offline customers, shift records
(services/shifts.py), sales (through sync.upload_sales), the void audits of cancelled sales and the returns of synced
sales (returns.upload_returns); the sync icon's count; automatic retries.

Why one `Syncer` per tab, with a cross-tab lock: two tabs may sell offline at once; when the ERP comes back only
one of them sends at a time (Web Locks) and every tab refreshes its count and lists (BroadcastChannel), so a sale
is sent once. A network error or 5xx changes nothing and the next attempt waits longer (exponential backoff with
jitter), reset by a success; when the ERP comes back (Connectivity's `on_back`) the app syncs at once anyway.

Must not decide a sale's validity or state rules (poscore.lifecycle, the ERP do), nor touch the DOM (the app
passes `show_count`, which draws the sync icon). Browser-free except `Syncer.start` (the tab channel); the JS
module is passed in for tests/web.
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Collection
from typing import Any

from storage import Storage

from caja_pos import platform
from caja_pos.net.erp import Http, HttpError, NetworkError
from caja_pos.services import backup
from caja_pos.services.returns import upload_returns
from caja_pos.services.shift_store import KINDS, STORE_OF, ShiftStore
from caja_pos.services.shifts import upload_shift_records
from caja_pos.services.sync import fetch_cfdis, upload_sales
from caja_pos.services.tasks import spawn
from caja_pos.text.labels import lang
from poscore.lifecycle import PENDING, SYNCING, UNSENT, from_states
from poscore.messages import answer_text

BASE_DELAY_S = 5.0
MAX_DELAY_S = 300.0
# Pruning reads every synced sale (IndexedDB has no index by date): at most this often, not after every sale. Synced
# sales are kept for days, so an hour late changes nothing.
PRUNE_EVERY_S = 3600.0
TICK_S = 5.0  # how often the loop re-reads the count (cheap) and checks whether a retry is due
CHANNEL = "caja-sync"
CUSTOMER_FIELDS = ("uuid", "name", "rfc", "regimen_fiscal", "codigo_postal", "uso_cfdi", "email")


async def _nothing() -> None:
    return None


def backoff_delay(failures: int, rand: Callable[[], float] = random.random) -> float:
    """Seconds before the next automatic attempt: BASE·2^failures capped at MAX, times a jitter in [0.5, 1.5)
    so that many tills coming back at once do not hit the ERP in step."""
    return min(MAX_DELAY_S, BASE_DELAY_S * (2 ** min(failures, 16))) * (0.5 + rand())


class Outbox:
    """Thin async wrappers over the outbox functions of web/idb/idb_sync.js (JSON strings across the boundary)."""

    def __init__(self, idb: Any) -> None:
        self._idb = idb

    async def counts(self) -> dict[str, int]:
        return json.loads(await self._idb.pendingCounts())

    async def cancel(self, sale_uuid: str, audit: dict, cancellable: list[str]) -> str:
        return str(await self._idb.cancelSale(sale_uuid, json.dumps(audit), json.dumps(cancellable)))

    async def voids(self) -> list[dict]:
        return json.loads(await self._idb.outboxEntries("void"))

    async def settle(self, done: list[str], failed: list[dict]) -> None:
        await self._idb.outboxSettle(json.dumps(done), json.dumps(failed))

    async def customers_synced(self, results: list[dict]) -> None:
        await self._idb.customersMarkSynced(json.dumps(results))

    async def prune_synced(self, before_iso: str) -> int:
        return int(await self._idb.pruneSynced(before_iso))

    async def import_sales(self, records: list[dict]) -> dict:
        return json.loads(await self._idb.importSales(json.dumps(records)))

    async def shift_entries(self) -> list[dict]:
        """The queued shift records' outbox entries, every kind (what a backup carries)."""
        out: list[dict] = []
        for kind, _store in KINDS:
            out += json.loads(await self._idb.outboxEntries(kind))
        return out

    async def import_others(self, returns: list[dict], shift_entries: list[dict]) -> dict:
        """A backup's returns and shift records, ONE transaction, each skipped when the device has its uuid."""
        return json.loads(await self._idb.importOthers(json.dumps(returns), json.dumps(shift_entries),
                                                       json.dumps(STORE_OF)))

    async def mark_syncing(self, only: Collection[str] | None, limit: int) -> list[dict]:
        """The `limit` unsent outbox sales with the lowest local numbers become "syncing" (no longer cancellable);
        returns their records, in local-number order."""
        # A sale left "syncing" by a tab that died mid-flight is sent again, hence UNSENT and not only pending.
        return json.loads(await self._idb.markSyncing(None if only is None else json.dumps(list(only)),
                                                      json.dumps(UNSENT), SYNCING, limit))

    async def unmark_syncing(self, uuids: list[str]) -> None:
        if uuids:
            await self._idb.unmarkSyncing(json.dumps(uuids), json.dumps(from_states(PENDING)), PENDING)

    async def lock(self) -> Any:
        """Resolves once this tab holds the sync lock; call the result to release it."""
        return await self._idb.acquireSyncLock()


async def upload_customers(http: Any, storage: Any, box: Outbox, token: str) -> dict:
    """POST /api/customers with the customers created offline that the ERP does not know yet (idempotent by
    uuid). Returns {"accepted": n, "rejected": [(name, message)]}; raises NetworkError."""
    report: dict[str, Any] = {"accepted": 0, "rejected": []}
    todo = [c for c in await storage.local_customers() if not c.get("synced") and c.get("id") is None]
    if not todo:
        return report
    body = {"customers": [{k: c.get(k) for k in CUSTOMER_FIELDS} for c in todo]}
    answer = await http.request("POST", "/api/customers", body, token=token)
    names = {c["uuid"]: c.get("name", "") for c in todo}
    accepted = []
    for r in answer.get("results", []):
        if r.get("status") == "accepted":
            accepted.append({"uuid": r["uuid"], "id": r.get("id")})
        else:
            report["rejected"].append((names.get(r.get("uuid"), ""), answer_text(r, lang())))
    await box.customers_synced(accepted)
    report["accepted"] = len(accepted)
    return report


async def upload_voids(http: Any, box: Outbox, token: str) -> dict:
    """POST /api/voids with the queued audits; accepted (or duplicate) ones leave the outbox, rejected ones stay
    with their reason (an audit is never dropped silently). Raises NetworkError."""
    entries = await box.voids()
    report: dict[str, Any] = {"accepted": 0, "rejected": []}
    if not entries:
        return report
    answer = await http.request("POST", "/api/voids", {"voids": [e["void"] for e in entries]}, token=token)
    done, failed = [], []
    for r in answer.get("results", []):
        if r.get("status") == "accepted":
            done.append(r["uuid"])
        else:
            failed.append({"uuid": r.get("uuid"), "error": r.get("error"), "params": r.get("params") or {},
                           "message": r.get("message")})
            report["rejected"].append((r.get("uuid"), answer_text(r, lang())))
    await box.settle(done, failed)
    report["accepted"] = len(done)
    return report


class Syncer:
    """One per tab. `run()` sends everything (a call during a run joins it); `run(only=uuid)` sends one sale (and
    the pending ones numbered before it)."""

    def __init__(self, storage: Storage, http: Http, idb: Any, rand: Callable[[], float] = random.random) -> None:
        self.storage = storage
        self.http = http
        self.token: str | None = None  # set once the device is paired; nothing is sent before
        self.box = Outbox(idb)
        self.shift_box = ShiftStore(idb)  # shifts, cash movements, cortes, authorizations: same outbox, same loop
        self.rand = rand
        self.failures = 0
        self.next_attempt = 0.0
        self.listeners: list[Callable[[], Any]] = []  # e.g. the open Ventas window re-renders
        self._task: asyncio.Future | None = None
        self._pruned_at: float | None = None  # time.monotonic() of the last pruning, None before the first
        self._post: Callable[[str], Any] | None = None  # to the other tabs (BroadcastChannel), once started
        self.show_count: Callable[[int], None] = lambda count: None  # the sync icon (ui/header.py), set by the app
        # False while the ERP is known not to answer (the wifi icon, services/connectivity.py, set by the app):
        # no automatic run then; the app runs one when the ERP answers again.
        self.reachable: Callable[[], bool] = lambda: True
        self.probe: Callable[[], Any] = _nothing  # a coroutine asking the ERP whether it answers (the app's heartbeat check)

    # ---------- the count on the sync icon ----------
    async def update_badge(self) -> int:
        counts = await self.box.counts()
        count = (counts["sales"] + counts["voids"] + counts["customers"] + counts.get("shift_records", 0)
                 + counts.get("returns", 0))
        extra = getattr(self.http, "extra_headers", None)
        if isinstance(extra, dict):  # the back office shows each terminal's unsynced sales
            extra["X-Caja-Pending"] = str(counts["sales"])
        self.show_count(count)
        return count

    async def changed(self, broadcast: bool = True) -> None:
        """Something stored changed: refresh this tab, and tell the other tabs."""
        await self.update_badge()
        for listener in list(self.listeners):
            result = listener()
            if asyncio.iscoroutine(result):
                await result
        if broadcast and self._post is not None:
            self._post("changed")

    # ---------- running ----------
    async def run(self, only: str | None = None) -> dict | None:
        if self.token is None:
            return None
        if only is not None:
            report = await self._locked(only)
        else:
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._locked(None))
            report = await self._task
        await self.changed()
        return report

    async def _locked(self, only: str | None) -> dict:
        release = await self.box.lock()
        try:
            report = await self._run(only)
        finally:
            release()
        if report["error"]:  # unreachable, 5xx, or a whole-request refusal (401 revoked…): wait longer each time
            self.failures += 1
        else:
            self.failures = 0
        if only is None and report["error"] is None and self._prune_due():
            await backup.prune(self.storage, self.box)  # synced sales past the setting's days; never pending or rejected
        self.next_attempt = time.monotonic() + backoff_delay(self.failures, self.rand)
        return report

    def _prune_due(self) -> bool:
        now = time.monotonic()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY_S:
            return False
        self._pruned_at = now
        return True

    async def _run(self, only: str | None) -> dict:
        http, storage, token = self.http, self.storage, self.token
        assert token is not None
        report: dict[str, Any] = {"accepted": 0, "rejected": [], "error": None, "customers": 0, "voids": 0,
                                  "void_rejected": [], "customer_rejected": [], "shift_records": 0,
                                  "shift_rejected": [], "returns": 0, "return_rejected": []}
        try:
            if only is None:
                c = await upload_customers(http, storage, self.box, token)
                report["customers"], report["customer_rejected"] = c["accepted"], c["rejected"]
                # The shifts before the sales that name them (the ERP also takes a sale whose shift comes later).
                s = await upload_shift_records(http, self.shift_box, token)
                report["shift_records"], report["shift_rejected"] = s["accepted"], s["rejected"]
            sales = await upload_sales(http, storage, self.box, token,
                                       None if only is None else await self._up_to(only))
            report.update(accepted=sales["accepted"], rejected=sales["rejected"], error=sales["error"])
            if only is None and sales["error"] is None:
                v = await upload_voids(http, self.box, token)
                report["voids"], report["void_rejected"] = v["accepted"], v["rejected"]
                # After the sales: a return names a synced sale, and the ERP must know the sale first.
                r = await upload_returns(http, storage, token)
                report["returns"], report["return_rejected"] = r["accepted"], r["rejected"]
                report["error"] = r["error"]
                # Facturas stamped since: their UUID and SAT QR go on the ticket reprinted from Ventas.
                report["cfdis"] = await fetch_cfdis(http, storage, token)
        except NetworkError:
            report["error"] = "network"
        except HttpError as exc:
            report["error"] = exc.text(lang())
        return report

    async def _up_to(self, uuid: str) -> list[str]:
        """One sale sent on its own goes with the pending sales made before it: folios follow local numbers."""
        records = [r for r in await self.storage.outbox_sales() if r.get("state") in UNSENT]
        seq = next((int(r["seq"]) for r in records if r["uuid"] == uuid), None)
        earlier = [r["uuid"] for r in records if seq is not None and int(r["seq"]) < seq]
        return [*earlier, uuid]

    # ---------- automatic ----------
    def start(self) -> None:
        """Listen to the other tabs and keep retrying while anything is pending."""
        self._post = platform.broadcast_channel(CHANNEL, lambda: spawn(self.changed(broadcast=False)))
        spawn(self._loop())

    def soon(self) -> None:
        """A run now, after something was stored; while the ERP is known not to answer, only a question whether it
        answers again (`probe`: when it does, the wifi icon turns green and that runs the sync).

        Why not a run anyway: a run reads every pending sale and writes the batch it sends twice (marked as being
        sent, then back when the request fails), so while the till sells offline each new sale would cost a pass
        over the unsynced ones (measured when a run marked every pending sale, 100 sales stored offline: "Cobrar"
        p50 5 → 18 ms, p95 10 → 61 ms, the next sale's transaction queued behind those writes). A probe is one
        request and nothing stored; on a flaky link it brings the sync back at the next sale rather than at the
        next heartbeat. While the ERP answers but refuses (5xx), runs do go on after each sale: one batch marked
        and unmarked each (sync.upload_sales), not every unsent sale."""
        spawn(self.run() if self.reachable() else self.probe())

    async def tick(self) -> None:
        """One turn of the automatic loop: the count on the icon, and a retry when one is due and the ERP is not
        known to be unreachable."""
        pending = await self.update_badge()
        if pending and self.reachable() and time.monotonic() >= self.next_attempt:
            await self.run()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            try:
                await self.tick()
            except Exception as exc:  # noqa: BLE001 - a storage hiccup must not end the loop for the page's life
                print("caja: sync loop:", exc)
