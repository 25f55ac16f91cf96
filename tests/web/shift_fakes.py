"""In-memory stand-ins for web/idb/idb_shifts.js (cashiers, shift records with their outbox entries) and for the
ERP's cashier and shift endpoints, with the behaviour the services rely on: one write lands whole or not at all,
an outbox entry carries what is sent, the ERP answers each record by uuid and keeps each once."""
from __future__ import annotations

import json
from typing import Any

from poscore.pin import make_verifier
from tests.web.fakes import FakeIdb

SHIFT_KINDS = ("shift", "cash_movement", "corte", "authorization")


def cashier(cid: int, name: str, role: str, pin: str) -> dict:
    """A cashier as GET /api/cashiers sends it (few iterations: the tests need the same function, not the cost)."""
    verifier = make_verifier(pin, bytes([cid]) * 16, iterations=1000)
    return {"id": cid, "name": name, "role": role, "pin": verifier.to_json()}


ANA = cashier(7, "Ana", "cajero", "2580")
BETO = cashier(8, "Beto", "supervisor", "4826")


class ShiftIdb(FakeIdb):
    def __init__(self) -> None:
        super().__init__()
        self.stores: dict[str, dict[str, dict]] = {s: {} for s in
                                                    ("shifts", "cash_movements", "cortes", "authorizations")}
        self.cashier_rows: list[dict] = []
        self.fail_write: str = ""

    async def cashiersAll(self) -> str:
        return json.dumps(self.cashier_rows)

    async def cashiersReplace(self, rows: str) -> None:
        self.cashier_rows = json.loads(rows)

    async def shiftWrite(self, ops_json: str, meta_json: str) -> str:
        if self.fail_write:
            return self.fail_write
        for op in json.loads(ops_json):
            self.stores[op["store"]][op["record"]["uuid"]] = op["record"]
            if op.get("outbox"):
                self.outbox[op["record"]["uuid"]] = {"uuid": op["record"]["uuid"], "kind": op["outbox"],
                                                     "record": op.get("wire") or op["record"]}
        for k, v in json.loads(meta_json or "{}").items():
            self.meta[k] = json.dumps(v)
        return ""

    async def shiftRecords(self, store: str, shift_uuid: str | None) -> str:
        rows = [r for r in self.stores[store].values() if shift_uuid is None or r.get("shift_uuid") == shift_uuid]
        return json.dumps(rows)

    async def shiftRecord(self, store: str, uuid: str) -> Any:
        row = self.stores[store].get(uuid)
        return None if row is None else json.dumps(row)

    async def outboxEntries(self, kind: str) -> str:
        return json.dumps([e for e in self.outbox.values() if e["kind"] == kind])

    async def outboxSettle(self, done_json: str, failed_json: str) -> None:
        for uuid in json.loads(done_json):
            self.outbox.pop(uuid, None)
        for f in json.loads(failed_json):
            if f["uuid"] in self.outbox:
                self.outbox[f["uuid"]].update(error=f["error"], message=f["message"])

    async def pendingCounts(self) -> str:
        kinds = [e["kind"] for e in self.outbox.values()]
        return json.dumps({"sales": kinds.count("sale"), "voids": kinds.count("void"), "customers": 0,
                           "shift_records": sum(kinds.count(k) for k in SHIFT_KINDS)})


class ShiftErp:
    """POST /api/shifts, /api/cash_movements, /api/cortes, /api/authorizations: kept once by uuid."""

    def __init__(self) -> None:
        self.kept: dict[str, dict[str, dict]] = {}
        self.calls: list[str] = []
        self.reject: set[str] = set()

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                      headers: dict | None = None) -> Any:
        self.calls.append(path)
        if path == "/api/cashiers":
            return {"cashiers": [ANA, BETO], "supervisor_discount_pct": "15"}
        key = path.removeprefix("/api/")
        results = []
        for rec in body[key]:
            if rec["uuid"] in self.reject:
                results.append({"uuid": rec["uuid"], "status": "rejected", "error": "unknown_cashier",
                                "message": "no"})
                continue
            dup = rec["uuid"] in self.kept.setdefault(key, {})
            self.kept[key][rec["uuid"]] = rec
            results.append({"uuid": rec["uuid"], "status": "accepted", "duplicate": dup, "review": None})
        return {"results": results}
