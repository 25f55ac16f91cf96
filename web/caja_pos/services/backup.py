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
from typing import Any

from caja_pos import platform
from caja_pos.services import clock
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


async def export_unsynced(app: Any) -> str:
    now = clock.now()
    doc = backup_document(await app.storage.sales(), app.till.terminal if app.till else {}, now.isoformat())
    name = f"caja-respaldo-{doc['terminal'] or 'pos'}-{now.strftime('%Y%m%d-%H%M')}.json"
    platform.download_text(name, "application/json", json.dumps(doc, ensure_ascii=False, indent=1))
    return L("backup_exported", n=len(doc["sales"]), file=name)


async def import_file(app: Any, file: Any) -> str:
    text = str(await file.text())
    try:
        records = read_backup(text)
    except ValueError:
        return L("backup_invalid")
    result = await app.syncer.box.import_sales(records)
    message = L("backup_imported", added=result["added"], skipped=result["skipped"])
    if result["conflicts"]:
        message += L("backup_conflicts", numbers=", ".join(result["conflicts"]))
    await app.syncer.changed()
    app.sync_soon()
    return message


async def prune(app: Any) -> int:
    days = int(await app.storage.get("keep_days", DEFAULT_KEEP_DAYS) or DEFAULT_KEEP_DAYS)
    return await app.syncer.box.prune_synced(prune_cutoff(clock.now(), days))
