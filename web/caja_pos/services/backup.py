"""Backup of the sales that have not reached the ERP, for a broken tablet: export them to a JSON file (Blob
download) and import such a file on another paired device — idempotent by uuid (idb.js importSales skips a
uuid already present and never reuses a local number). Also the pruning of synced sales kept for reprinting.

Pruning removes only `synced` sales older than the setting (`keep_days`, default DEFAULT_KEEP_DAYS); pending,
rejected and cancelled sales are never pruned (idb.js pruneSynced enforces it in the transaction).

Must not change a sale's content or state, nor send anything to the ERP (the imported sales go through the
ordinary outbox).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Protocol

from storage import Storage

from caja_pos import platform
from caja_pos.services import clock
from caja_pos.services.device_store import SalesRecords
from caja_pos.text.labels import L
from poscore.lifecycle import PENDING, SYNCING, UNSYNCED
from poscore.sale import check_sale

FORMAT = "caja-backup"
VERSION = 1
DEFAULT_KEEP_DAYS = 30
_RECORD_KEYS = ("uuid", "seq", "number", "state", "created_at", "sale")


def backup_document(records: list[dict], terminal: dict, exported_at: str) -> dict:
    """The file's content: the unsynced sale records as stored, with who exported them and when."""
    return {"format": FORMAT, "v": VERSION, "terminal": terminal.get("code"), "exported_at": exported_at,
            "sales": [r for r in records if r.get("state") in UNSYNCED]}


def read_backup(text: str) -> list[dict]:
    """The sale records of a backup file; raises ValueError when it is not one."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("v") != VERSION:
        raise ValueError("not a caja backup")
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


def prune_cutoff(now: datetime, keep_days: int) -> str:
    """ISO time before which synced sales may go (same offset as the stored `created_at`)."""
    return (now - timedelta(days=max(1, keep_days))).isoformat()


class SalesBox(Protocol):
    """What backup needs of the outbox (services/outbox.Outbox), which itself calls `prune`."""

    async def import_sales(self, records: list[dict]) -> dict: ...

    async def prune_synced(self, before_iso: str) -> int: ...


async def export_unsynced(records: SalesRecords, terminal: dict) -> str:
    now = clock.now()
    doc = backup_document(await records.sales(), terminal, now.isoformat())
    name = f"caja-respaldo-{doc['terminal'] or 'pos'}-{now.strftime('%Y%m%d-%H%M')}.json"
    platform.download_text(name, "application/json", json.dumps(doc, ensure_ascii=False, indent=1))
    return L("backup_exported", n=len(doc["sales"]), file=name)


async def import_file(box: SalesBox, file: Any) -> str:
    """Store the sales of a backup file; the caller then refreshes the count and syncs soon."""
    text = str(await file.text())
    try:
        records = read_backup(text)
    except ValueError:
        return L("backup_invalid")
    result = await box.import_sales(records)
    message = L("backup_imported", added=result["added"], skipped=result["skipped"])
    if result["conflicts"]:
        message += L("backup_conflicts", numbers=", ".join(result["conflicts"]))
    return message


async def prune(storage: Storage, box: SalesBox) -> int:
    days = int(await storage.get("keep_days", DEFAULT_KEEP_DAYS) or DEFAULT_KEEP_DAYS)
    return await box.prune_synced(prune_cutoff(clock.now(), days))
