"""Backup of what has not reached the ERP, for a broken tablet: the unsynced sales, the returns not yet accepted
(pending or rejected) and the queued shift records (shifts, cash movements, cortes, authorizations), exported to a
JSON file (Blob download) and imported on another paired device — idempotent by uuid (idb.js importSales skips a
uuid already present and never reuses a local number; importOthers skips a return or shift record the device
already has). Also the pruning of synced sales kept for reprinting.

Pruning removes only `synced` sales older than the setting (`keep_days`, default DEFAULT_KEEP_DAYS); pending,
rejected and cancelled sales are never pruned (idb.js pruneSynced enforces it in the transaction).

Must not change a sale's content or state, nor send anything to the ERP (the imported sales go through the
ordinary outbox).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from storage import Storage

from caja_pos import platform
from caja_pos.services import clock
from caja_pos.services.device_store import SalesRecords
from caja_pos.text.labels import L
from poscore.lifecycle import PENDING, REJECTED, SYNCING, UNSYNCED
from poscore.returns import Return
from poscore.sale import check_sale
from poscore.shift_records import Authorization, CashMovement, CorteRecord, ShiftOpened

FORMAT = "caja-backup"
VERSION = 2  # 2 added returns and shift records; a version 1 file (sales only) is still read
DEFAULT_KEEP_DAYS = 30
_RECORD_KEYS = ("uuid", "seq", "number", "state", "created_at", "sale")
_RETURN_KEYS = ("uuid", "sale_uuid", "number", "state", "created_at", "total", "return")
_RETURN_STATES = (PENDING, REJECTED)  # a rejected return is kept on the device for good: the copy keeps it too
# What each shift record kind must read as (the outbox entry carries the record as the ERP receives it).
_SHIFT_RECORDS: dict[str, Any] = {"shift": ShiftOpened, "cash_movement": CashMovement, "corte": CorteRecord,
                  "authorization": Authorization}


@dataclass
class Backup:
    sales: list[dict] = field(default_factory=list)
    returns: list[dict] = field(default_factory=list)
    shift_records: list[dict] = field(default_factory=list)  # outbox entries {uuid, kind, created_at, record}


def backup_document(records: list[dict], terminal: dict, exported_at: str, returns: list[dict] | None = None,
                    shift_entries: list[dict] | None = None) -> dict:
    """The file's content: the unsynced sale records, the returns not accepted and the queued shift records, as
    stored, with who exported them and when."""
    return {"format": FORMAT, "v": VERSION, "terminal": terminal.get("code"), "exported_at": exported_at,
            "sales": [r for r in records if r.get("state") in UNSYNCED],
            "returns": [r for r in returns or [] if r.get("state") in _RETURN_STATES],
            "shift_records": list(shift_entries or [])}


def read_backup(text: str) -> Backup:
    """The records of a backup file; raises ValueError when it is not one (a damaged or edited record refuses
    the whole file)."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("v") not in (1, VERSION):
        raise ValueError("not a caja backup")
    return Backup(_sales(data), _returns(data.get("returns", [])), _shift_entries(data.get("shift_records", [])))


def _sales(data: dict) -> list[dict]:
    records = data.get("sales")
    if not isinstance(records, list):
        raise ValueError("no sales")  # noqa: TRY004 - callers catch ValueError for any bad file
    out = []
    for r in records:
        if not isinstance(r, dict) or any(k not in r for k in _RECORD_KEYS) or not isinstance(r["seq"], int):
            raise ValueError("malformed record")
        # The same rules as the ERP (poscore.check_sale): a damaged or edited file is refused as a whole.
        sale = r["sale"]
        if check_sale(sale) or sale.get("uuid") != r["uuid"] or sale.get("number") != r["number"] \
                or sale.get("seq") != r["seq"]:
            raise ValueError(f"invalid sale {r.get('number')!r}")
        # A sale that was mid-flight on the old device is simply pending here: the ERP dedupes by uuid.
        out.append({**r, "state": PENDING if r["state"] == SYNCING else r["state"]})
    return out


def _returns(records: Any) -> list[dict]:
    if not isinstance(records, list):
        raise ValueError("no returns")  # noqa: TRY004 - callers catch ValueError for any bad file
    for r in records:
        if not isinstance(r, dict) or any(k not in r for k in _RETURN_KEYS) or r["state"] not in _RETURN_STATES:
            raise ValueError("malformed return")
        try:
            ret = Return.from_json(r["return"])
        except Exception as exc:
            raise ValueError(f"invalid return {r.get('number')!r}") from exc
        if ret.uuid != r["uuid"] or ret.sale_uuid != r["sale_uuid"]:
            raise ValueError(f"invalid return {r.get('number')!r}")
    return list(records)


def _shift_entries(entries: Any) -> list[dict]:
    if not isinstance(entries, list):
        raise ValueError("no shift records")  # noqa: TRY004 - callers catch ValueError for any bad file
    out = []
    for e in entries:
        if not isinstance(e, dict) or e.get("kind") not in _SHIFT_RECORDS or not isinstance(e.get("record"), dict):
            raise ValueError("malformed shift record")
        try:
            record = _SHIFT_RECORDS[e["kind"]].from_json(e["record"])
        except Exception as exc:
            raise ValueError(f"invalid shift record {e.get('uuid')!r}") from exc
        if record.uuid != e.get("uuid"):
            raise ValueError(f"invalid shift record {e.get('uuid')!r}")
        out.append({"uuid": e["uuid"], "kind": e["kind"], "created_at": e.get("created_at"), "record": e["record"]})
    return out


def prune_cutoff(now: datetime, keep_days: int) -> str:
    """ISO time before which synced sales may go (same offset as the stored `created_at`)."""
    return (now - timedelta(days=max(1, keep_days))).isoformat()


class SalesBox(Protocol):
    """What backup needs of the outbox (services/outbox.Outbox), which itself calls `prune`."""

    async def import_sales(self, records: list[dict]) -> dict: ...

    async def shift_entries(self) -> list[dict]: ...

    async def import_others(self, returns: list[dict], shift_entries: list[dict]) -> dict: ...

    async def prune_synced(self, before_iso: str) -> int: ...


async def export_unsynced(records: SalesRecords, box: SalesBox, terminal: dict) -> str:
    now = clock.now()
    doc = backup_document(await records.sales(), terminal, now.isoformat(), await records.returns(),
                          await box.shift_entries())
    name = f"caja-respaldo-{doc['terminal'] or 'pos'}-{now.strftime('%Y%m%d-%H%M')}.json"
    platform.download_text(name, "application/json", json.dumps(doc, ensure_ascii=False, indent=1))
    message = L("backup_exported", n=len(doc["sales"]), file=name)
    if doc["returns"] or doc["shift_records"]:
        message += L("backup_others", returns=len(doc["returns"]), shift=len(doc["shift_records"]))
    return message


async def import_backup(box: SalesBox, backup: Backup) -> tuple[dict, dict]:
    """Store a backup's records (each kind idempotent by uuid): the sales' and the others' counts."""
    sales = await box.import_sales(backup.sales)
    others = await box.import_others(backup.returns, backup.shift_records)
    return sales, others


async def import_file(box: SalesBox, file: Any) -> str:
    """Store the sales of a backup file; the caller then refreshes the count and syncs soon."""
    text = str(await file.text())
    try:
        backup = read_backup(text)
    except ValueError:
        return L("backup_invalid")
    result, others = await import_backup(box, backup)
    message = L("backup_imported", added=result["added"], skipped=result["skipped"])
    if result["conflicts"]:
        message += L("backup_conflicts", numbers=", ".join(result["conflicts"]))
    if backup.returns or backup.shift_records:
        message += L("backup_others_imported", added=others["added"], skipped=others["skipped"])
    return message


async def prune(storage: Storage, box: SalesBox) -> int:
    days = int(await storage.get("keep_days", DEFAULT_KEEP_DAYS) or DEFAULT_KEEP_DAYS)
    return await box.prune_synced(prune_cutoff(clock.now(), days))
