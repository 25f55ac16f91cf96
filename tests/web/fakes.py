"""In-memory stand-ins for web/idb/idb.js and the ERP's HTTP API, with the same observable behaviour the glue
relies on (JSON strings in and out, chunks in key order, one-transaction sale commit refusing a used sequence).
"""
from __future__ import annotations

import json
from typing import Any

from caja_pos.net.erp import HttpError, NetworkError


class JsNull:
    """What Pyodide hands Python for JS null (not None)."""


class FakeIdb:
    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.chunks: dict[str, dict[int, str]] = {"catalog_chunks": {}, "customer_chunks": {}}
        self.sales: dict[str, dict] = {}
        self.pages_read: list[int] = []  # how many records each salesPage answered (Ventas reads a page, not all)
        self.outbox: dict[str, dict] = {}
        self.stock: dict[str, dict] = {}
        self.customers_local: dict[str, dict] = {}
        self.returns: dict[str, dict] = {}
        self.fail_commit: str | None = None
        self.answering = False  # True while commitSale's on_stored runs
        self.marked_log: list[list[str]] = []  # the uuids each markSyncing marked

    async def metaGet(self, key: str) -> Any:
        return self.meta.get(key, JsNull())

    async def metaPut(self, key: str, value: str) -> None:
        self.meta[key] = value

    async def metaPutMany(self, values: str) -> None:
        for k, v in json.loads(values).items():
            self.meta[k] = json.dumps(v)

    async def chunksClear(self, store: str) -> None:
        self.chunks[store].clear()

    async def chunkAppend(self, store: str, value: str) -> int:
        key = max(self.chunks[store], default=-1) + 1
        self.chunks[store][key] = value
        return key

    async def chunksCount(self, store: str) -> int:
        return len(self.chunks[store])

    async def chunksCompact(self, store: str, size: int) -> int:
        items: dict = {}
        for k in sorted(self.chunks[store]):
            for item in json.loads(self.chunks[store][k]):
                items[item["id"]] = item
        merged = list(items.values())
        self.chunks[store] = {n: json.dumps(merged[i:i + size], separators=(",", ":"))
                              for n, i in enumerate(range(0, len(merged), size))}
        return len(self.chunks[store])

    async def chunksList(self, store: str) -> list[str]:
        return [self.chunks[store][k] for k in sorted(self.chunks[store])]

    async def lastSequence(self) -> int:
        return json.loads(self.meta.get("seq", "0"))

    async def commitSale(self, record_json: str, stock_json: str, on_stored: Any = None) -> str:
        if self.fail_commit:
            return self.fail_commit  # idb.js's error code; nothing written: the transaction aborted
        record = json.loads(record_json)
        if json.loads(self.meta.get("seq", "0")) >= record["seq"]:
            return "sequence_used"
        self.sales[record["uuid"]] = record
        self.outbox[record["uuid"]] = {"uuid": record["uuid"], "kind": "sale"}
        self.stock[record["uuid"]] = {"sale_uuid": record["uuid"], "deltas": json.loads(stock_json)}
        self.meta["seq"] = json.dumps(record["seq"])
        if on_stored is not None:  # as idb.js: told once stored, before the answer reaches the caller
            self.answering = True
            on_stored(record["uuid"])
            self.answering = False
        return ""

    async def salesAll(self) -> str:
        return json.dumps(sorted(self.sales.values(), key=lambda r: r["seq"]))

    async def salesPage(self, limit: int, states_json: str | None, uuids_json: str | None) -> str:
        states = None if states_json is None else set(json.loads(states_json))
        uuids = None if uuids_json is None else set(json.loads(uuids_json))
        rows = [r for r in sorted(self.sales.values(), key=lambda r: -r["seq"])
                if ((states is None and uuids is None) or (states is not None and r["state"] in states)
                     or (uuids is not None and r["uuid"] in uuids))]
        self.pages_read.append(min(limit, len(rows)))
        # idb.js: a row is the record without its SALE body, plus the sale's terminal
        return json.dumps([{**{k: v for k, v in r.items() if k != "sale"}, "terminal": (r.get("sale") or {}).get("terminal")}
                           for r in rows[:limit]])

    async def saleGet(self, uuid: str) -> str | None:
        return json.dumps(self.sales[uuid]) if uuid in self.sales else None

    async def saleUuids(self, state: str) -> str:
        return json.dumps(sorted(u for u, r in self.sales.items() if r["state"] == state))

    async def salesAwaitingCfdi(self, limit: int) -> str:
        """idb.js reads the sparse "cfdi_due" index that applySaleResults keeps: synced facturas without a CFDI."""
        due = [r for r in self.sales.values() if r.get("type") == "factura" and r["state"] == "synced"
               and not r.get("cfdi")]
        return json.dumps([r["uuid"] for r in sorted(due, key=lambda r: -r["seq"])][:limit])

    async def outboxSales(self) -> str:
        # IndexedDB's getAll answers in key order: the outbox is keyed by uuid.
        return json.dumps([self.sales[u] for u in sorted(self.outbox) if u in self.sales])

    async def markSyncing(self, only_json: str | None, from_json: str, to: str, limit: int) -> str:
        only = None if only_json is None else set(json.loads(only_json))
        states = json.loads(from_json)
        unsent = sorted((self.sales[u] for u, e in self.outbox.items() if e["kind"] == "sale" and u in self.sales
                         and (only is None or u in only) and self.sales[u]["state"] in states),
                        key=lambda r: r["seq"])
        batch = unsent[:limit]
        for record in batch:
            record["state"] = to
        self.marked_log.append([r["uuid"] for r in batch])
        return json.dumps(batch)

    async def unmarkSyncing(self, uuids_json: str, from_json: str, to: str) -> None:
        for u in json.loads(uuids_json):
            if u in self.sales and self.sales[u]["state"] in json.loads(from_json):
                self.sales[u]["state"] = to

    async def applySaleResults(self, updates_json: str) -> None:
        for u in json.loads(updates_json):
            if u["uuid"] in self.sales:
                self.sales[u["uuid"]].update(u)
                if u["state"] in ("synced", "rejected"):
                    self.outbox.pop(u["uuid"], None)

    async def stockDeltas(self) -> str:
        return json.dumps(list(self.stock.values()))

    async def stockForget(self, uuids_json: str) -> None:
        for u in json.loads(uuids_json):
            self.stock.pop(u, None)

    async def commitReturn(self, record_json: str, stock_json: str, expected_json: str) -> str:
        """idb_returns.js: refuses when the sale's returns (not rejected) are not the expected ones."""
        record = json.loads(record_json)
        if record["sale_uuid"] not in self.sales:
            return "sale_missing"
        seen = sorted(r["uuid"] for r in self.returns.values()
                      if r["sale_uuid"] == record["sale_uuid"] and r["state"] != "rejected")
        if seen != sorted(json.loads(expected_json)):
            return "returns_changed"
        self.returns[record["uuid"]] = record
        self.outbox[record["uuid"]] = {"uuid": record["uuid"], "kind": "return", "queued": len(self.returns)}
        self.stock[record["uuid"]] = {"sale_uuid": record["uuid"], "deltas": json.loads(stock_json)}
        return ""

    async def returnsAll(self) -> str:
        return json.dumps(sorted(self.returns.values(), key=lambda r: r["created_at"]))

    async def outboxReturns(self) -> str:
        # As IndexedDB's getAll: in key (uuid) order, not in the order they were stored.
        entries = [e for _, e in sorted(self.outbox.items()) if e.get("kind") == "return"]
        rows = [(self.returns[e["uuid"]], e.get("queued", 0)) for e in entries]
        pending = sorted(((r, q) for r, q in rows if r["state"] == "pending"), key=lambda rq: (rq[0]["created_at"], rq[1]))
        return json.dumps([r for r, _ in pending])

    async def applyReturnResults(self, updates_json: str) -> None:
        for u in json.loads(updates_json):
            if u["uuid"] in self.returns:
                self.returns[u["uuid"]].update(u)
                self.outbox.pop(u["uuid"], None)
                if u["state"] == "rejected":
                    self.stock.pop(u["uuid"], None)

    async def customerAddLocal(self, customer_json: str) -> None:
        c = json.loads(customer_json)
        self.customers_local[c["uuid"]] = c

    async def customersLocal(self) -> str:
        return json.dumps(list(self.customers_local.values()))


class FakeErp:
    """Answers the paths the POS calls, from in-memory products/customers and a sales handler."""

    def __init__(self, products: list[dict], customers: list[dict] | None = None, version: int = 5) -> None:
        self.products = products
        self.customers = customers or []
        self.version = version
        self.down = False
        self.calls: list[tuple[str, str]] = []
        self.sales_answer: Any = None  # callable(sale) -> result dict
        self.returns_answer: Any = None  # callable(RETURN) -> result dict
        self.returns_received: list[dict] = []
        self.sale_returns: dict[str, list[dict]] = {}  # GET /api/returns/of-sale: sale uuid -> accepted returns
        self.received: list[dict] = []
        self.cfdis: dict[str, dict] = {}  # sale uuid -> {"uuid", "qr"} once "stamped"
        self.cfdis_asked: list[list[str]] = []

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                      timeout_ms: int = 0) -> Any:
        self.calls.append((method, path))
        if self.down:
            raise NetworkError("refused")
        if path.startswith(("/api/catalog", "/api/customers")):
            return self._feed(path)
        if path == "/api/sales":
            self.received.extend(body["sales"])
            return {"results": [self.sales_answer(s) for s in body["sales"]]}
        if path.startswith("/api/returns/of-sale?sale_uuid="):
            uuid = path.split("=", 1)[1]
            return {"sale_uuid": uuid, "returns": self.sale_returns.get(uuid, [])}
        if path == "/api/returns":
            self.returns_received.extend(body["returns"])
            return {"results": [self.returns_answer(r) for r in body["returns"]]}
        if path == "/api/cfdis":
            self.cfdis_asked.append(list(body["sales"]))
            return {"cfdis": [{"sale": s, **self.cfdis[s]} for s in body["sales"] if s in self.cfdis]}
        if path == "/api/pair":
            if body["code"] != "123456":
                raise HttpError(400, {"error": "pairing_code_invalid", "message": "Código inválido"})
            return {"token": "tok", "terminal": {"code": "T01"}}
        raise AssertionError(path)

    def _feed(self, path: str) -> dict:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(path)
        q = {k: int(v[0]) for k, v in parse_qs(parts.query).items()}
        rows = self.products if parts.path == "/api/catalog" else self.customers
        newer = [r for r in rows if r["version"] > q["since"]]
        page = [r for r in newer if r["id"] > q["after"]][: q["limit"]]
        more = len([r for r in newer if r["id"] > q["after"]]) > len(page)
        return {"total": len(newer), "version": self.version, "items": page,
                "next_after": page[-1]["id"] if page and more else None}
