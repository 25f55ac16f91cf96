"""The till's backup carries everything the ERP has not accepted: unsynced sales, returns not accepted (pending,
or rejected and kept) and the queued shift records (shift, cash movements, cortes, authorizations). Imported on
another device each kind is idempotent by uuid: a second import, or an import on the device that made them, adds
nothing. A damaged record refuses the whole file; a version 1 file (sales only) is still read."""
from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest
from caja_pos.services.backup import Backup, backup_document, import_backup, read_backup
from caja_pos.services.outbox import Outbox

from poscore.payment import Payment
from tests.web.products import TERMINAL
from tests.web.shift_fakes import ANA, BETO, ShiftIdb
from tests.web.test_shifts import World


class BackupIdb(ShiftIdb):
    """ShiftIdb plus idb.js importSales / importOthers, with their observable behaviour."""

    async def importSales(self, records_json: str) -> str:
        out: dict[str, Any] = {"added": 0, "skipped": 0, "conflicts": []}
        for r in json.loads(records_json):
            if r["uuid"] in self.sales:
                out["skipped"] += 1
                continue
            self.sales[r["uuid"]] = r
            if r["state"] == "pending":
                self.outbox[r["uuid"]] = {"uuid": r["uuid"], "kind": "sale"}
            out["added"] += 1
        return json.dumps(out)

    async def importOthers(self, returns_json: str, entries_json: str, stores_json: str) -> str:
        stores, out = json.loads(stores_json), {"added": 0, "skipped": 0}
        for r in json.loads(returns_json):
            if r["uuid"] in self.returns:
                out["skipped"] += 1
                continue
            self.returns[r["uuid"]] = r
            if r["state"] == "pending":
                self.outbox[r["uuid"]] = {"uuid": r["uuid"], "kind": "return", "created_at": r["created_at"]}
            out["added"] += 1
        for e in json.loads(entries_json):
            if e["uuid"] in self.outbox or e["uuid"] in self.stores[stores[e["kind"]]]:
                out["skipped"] += 1
                continue
            self.outbox[e["uuid"]] = e
            out["added"] += 1
        return json.dumps(out)


async def _old_till() -> tuple[World, dict]:
    """A shift with a synced sale, a cash return of it pending, a sale not synced and a salida: all in its backup."""
    w = World(BackupIdb())
    await w.store.replace_cashiers([ANA, BETO])
    await w.start()
    await w.shifts.open(ANA, Decimal("500.00"))
    record = await w.sell_synced(2, 2, Payment("efectivo", Decimal("100.00")))
    await w.returns().commit(record, {0: "1"}, reason="Roto", refund_method="efectivo", authorizer="Beto")
    await w.sell(1, 1, Payment("efectivo", Decimal("10.00")))
    await w.shifts.move("salida", Decimal("20.00"), "Garrafón")
    box = Outbox(w.idb)
    doc = backup_document(await w.storage.sales(), TERMINAL, "2026-12-01T10:00:00-06:00", await w.storage.returns(),
                          await box.shift_entries())
    return w, json.loads(json.dumps(doc))


def test_the_backup_carries_returns_and_shift_records_and_import_never_duplicates() -> None:
    async def main() -> None:
        old, doc = await _old_till()
        assert doc["v"] == 2 and len(doc["sales"]) == 1
        [ret] = doc["returns"]
        assert (ret["state"], ret["total"], ret["return"]["reason"]) == ("pending", "25.50", "Roto")
        # The authorization was passed in (Beto's name); the shift and the salida are queued records.
        assert sorted(e["kind"] for e in doc["shift_records"]) == ["cash_movement", "shift"]
        backup = read_backup(json.dumps(doc))

        new = World(BackupIdb())
        box = Outbox(new.idb)
        sales, others = await import_backup(box, backup)
        assert (sales["added"], others["added"], others["skipped"]) == (1, 1 + len(doc["shift_records"]), 0)
        assert new.idb.outbox[ret["uuid"]]["kind"] == "return"
        assert all(new.idb.outbox[e["uuid"]]["record"] == e["record"] for e in doc["shift_records"])
        assert new.idb.stores["shifts"] == {}  # the other device's shift is sent from here, not opened here
        again = await import_backup(box, backup)
        assert (again[0]["added"], again[1]["added"]) == (0, 0)
        assert again[1]["skipped"] == 1 + len(doc["shift_records"])
        # On the device that made them (its shift records already in their stores or queued): nothing added.
        _, mine = await import_backup(Outbox(old.idb), backup)
        assert mine["added"] == 0

    asyncio.run(main())


def test_a_rejected_return_travels_as_kept_and_a_synced_one_stays_behind() -> None:
    async def main() -> None:
        old, _doc = await _old_till()
        [ret] = await old.storage.returns()
        await old.storage.apply_return_results([{"uuid": ret["uuid"], "state": "rejected", "error": "return_exceeds",
                                                 "message": "Se devuelve más de lo vendido"}])
        doc = backup_document([], TERMINAL, "x", await old.storage.returns(), [])
        [kept] = read_backup(json.dumps(doc)).returns
        new = World(BackupIdb())
        await import_backup(Outbox(new.idb), Backup(returns=[kept]))
        assert new.idb.returns[ret["uuid"]]["state"] == "rejected" and ret["uuid"] not in new.idb.outbox
        await old.storage.apply_return_results([{"uuid": ret["uuid"], "state": "synced", "series": "D", "folio": 1}])
        assert backup_document([], TERMINAL, "x", await old.storage.returns(), [])["returns"] == []

    asyncio.run(main())


def test_damaged_returns_or_shift_records_refuse_the_file_and_version_1_is_read() -> None:
    async def main() -> None:
        _old, doc = await _old_till()
        other = json.loads(json.dumps(doc))
        other["returns"][0]["uuid"] = "not-its-uuid"
        bad_shift = json.loads(json.dumps(doc))
        bad_shift["shift_records"][0]["record"]["uuid"] = "another"
        bad_kind = json.loads(json.dumps(doc))
        bad_kind["shift_records"][0]["kind"] = "sale"
        synced = json.loads(json.dumps(doc))
        synced["returns"][0]["state"] = "synced"
        for bad in (other, bad_shift, bad_kind, synced, {**doc, "returns": {}}):
            with pytest.raises(ValueError):
                read_backup(json.dumps(bad))
        v1 = {"format": "caja-backup", "v": 1, "terminal": "T01", "sales": doc["sales"]}
        assert read_backup(json.dumps(v1)) == Backup(sales=doc["sales"])

    asyncio.run(main())
