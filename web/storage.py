"""The POS's IndexedDB, seen from Python: thin async wrappers over web/idb/idb.js (registered as `caja_idb`).

Everything crossing the boundary is a JSON string (or a plain str/int), as marimo's bridge does: no PyProxy
leaks, no slow `to_py()` over 100k records. Atomic writes are single JS functions (see idb.js: a transaction
cannot stay open across Python awaits).

Must not compute money, totals or states: it stores what poscore and the screens computed. Browser-free: the
JS module is passed in, so tests/web drive it with a fake.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any

CATALOG = "catalog_chunks"
CUSTOMERS = "customer_chunks"


class StorageError(Exception):
    """IndexedDB refused a write; nothing was written. `code`: "storage_full" or "storage_error" (`detail` names
    the browser's error)."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


class SequenceUsed(StorageError):
    """The sale's number was already stored (another tab sold meanwhile): nothing was written."""

    def __init__(self) -> None:
        super().__init__("sequence_used")


class ReturnsChanged(StorageError):
    """Another tab stored a return of the same sale meanwhile: nothing was written; read the returns again."""

    def __init__(self) -> None:
        super().__init__("returns_changed")


class Storage:
    def __init__(self, idb: Any) -> None:
        self._idb = idb

    # ---- meta ----
    async def get(self, key: str, default: Any = None) -> Any:
        raw = await self._idb.metaGet(key)
        # A missing key is JS null, which Pyodide hands over as JsNull (not None): test for a str instead.
        return json.loads(raw) if isinstance(raw, str) else default

    async def put(self, key: str, value: Any) -> None:
        await self._idb.metaPut(key, json.dumps(value))

    async def put_many(self, values: dict[str, Any]) -> None:
        await self._idb.metaPutMany(json.dumps(values))

    # ---- feeds stored in chunks ----
    async def chunks_clear(self, store: str) -> None:
        await self._idb.chunksClear(store)

    async def chunk_append(self, store: str, items: list[dict]) -> None:
        await self._idb.chunkAppend(store, json.dumps(items, separators=(",", ":")))

    async def chunk_append_page(self, store: str, page: Any) -> None:
        """Append a feed page (net/erp.py FeedPage) as one chunk: its `chunk()` is the JSON string, or a page
        parsed in JS that idb.js stores without its text crossing into Python."""
        await self._idb.chunkAppend(store, page.chunk())

    async def chunk_count(self, store: str) -> int:
        return int(await self._idb.chunksCount(store))

    async def chunks_compact(self, store: str, size: int) -> int:
        """Rewrite the stored chunks as one item per id (the last stored wins), `size` per chunk, in one
        transaction; returns how many chunks there are now. The content read back is the same."""
        return int(await self._idb.chunksCompact(store, size))

    async def chunks_raw(self, store: str) -> Any:
        """The chunks as a sequence of JSON strings (len() and indexing), to be converted and parsed one per
        main-thread task: converting all 100k products' text to Python at once is one multi-second task."""
        return await self._idb.chunksList(store)

    # ---- sales ----
    async def last_sequence(self) -> int:
        return int(await self._idb.lastSequence())

    async def commit_sale(self, record: dict, stock_deltas: dict[int, str]) -> None:
        """Sale + outbox + stock decrement + sequence in ONE transaction; raises SequenceUsed when the number
        was taken meanwhile, StorageError on any other refusal (a full disk…). Nothing is written when it raises."""
        await self.begin_sale(record, stock_deltas)

    def begin_sale(self, record: dict | str, stock_deltas: dict[int, str] | str,
                   on_stored: Any = None) -> Awaitable[None]:
        """commit_sale, with its transaction started before this returns (once the database is open): the caller
        may do other work while IndexedDB writes, then awaits the outcome (same errors as commit_sale). The
        record and the decrement may come as JSON text already (a sale made ahead, services/sales.py).

        `on_stored` (a function JS can call, platform.js_function) is called by idb.js with the sale's uuid once
        it is stored, in the task the transaction completed in: awaiting the outcome resumes Python only a turn
        of the loop later (Pyodide's loop runs every step as a task of its own)."""
        record_json = record if isinstance(record, str) else json.dumps(record)
        stock_json = (stock_deltas if isinstance(stock_deltas, str)
                      else json.dumps({str(k): v for k, v in stock_deltas.items()}))
        if on_stored is None:
            return self._sale_outcome(self._idb.commitSale(record_json, stock_json))
        return self._sale_outcome(self._idb.commitSale(record_json, stock_json, on_stored))

    @staticmethod
    async def _sale_outcome(pending: Any) -> None:
        code = str(await pending or "")
        if code == "sequence_used":
            raise SequenceUsed
        if code:
            kind, _, detail = code.partition(":")
            raise StorageError(kind, detail)

    async def sales(self) -> list[dict]:
        """Every sale stored, oldest first: for what needs them all (a backup, a corte), never once per sale."""
        return json.loads(await self._idb.salesAll())

    async def sales_page(self, limit: int, states: list[str] | None = None,
                         uuids: list[str] | None = None) -> list[dict]:
        """The `limit` most recent sales, newest first; with `states` or `uuids`, only the sales in one of those
        states or with one of those uuids."""
        return json.loads(await self._idb.salesPage(limit,
                                                    None if states is None else json.dumps(states),
                                                    None if uuids is None else json.dumps(uuids)))

    async def sale(self, uuid: str) -> dict | None:
        raw = await self._idb.saleGet(uuid)
        return json.loads(raw) if isinstance(raw, str) else None

    async def sale_uuids(self, state: str) -> list[str]:
        """The uuids of the sales in `state`, without reading the records."""
        return json.loads(await self._idb.saleUuids(state))

    async def sales_awaiting_cfdi(self, limit: int) -> list[str]:
        """Synced facturas without their CFDI yet, most recent first, at most `limit`."""
        return json.loads(await self._idb.salesAwaitingCfdi(limit))

    async def outbox_sales(self) -> list[dict]:
        return json.loads(await self._idb.outboxSales())

    async def apply_sale_results(self, updates: list[dict]) -> None:
        await self._idb.applySaleResults(json.dumps(updates))

    # ---- returns of synced sales ----
    async def commit_return(self, record: dict, stock_deltas: dict[int, str], expected: list[str]) -> None:
        """Return + outbox entry + stock put back in ONE durable transaction, if the sale's returns on the device are
        still `expected` (uuids, rejected ones left out); raises ReturnsChanged or StorageError ("sale_missing",
        a full disk…). Nothing is written when it raises."""
        code = str(await self._idb.commitReturn(json.dumps(record),
                                                json.dumps({str(k): v for k, v in stock_deltas.items()}),
                                                json.dumps(expected)) or "")
        if code == "returns_changed":
            raise ReturnsChanged
        if code:
            kind, _, detail = code.partition(":")
            raise StorageError(kind, detail)

    async def returns(self) -> list[dict]:
        return json.loads(await self._idb.returnsAll())

    async def outbox_returns(self) -> list[dict]:
        return json.loads(await self._idb.outboxReturns())

    async def apply_return_results(self, updates: list[dict]) -> None:
        if updates:
            await self._idb.applyReturnResults(json.dumps(updates))

    # ---- local stock ----
    async def stock_deltas(self) -> list[dict]:
        return json.loads(await self._idb.stockDeltas())

    async def stock_forget(self, sale_uuids: list[str]) -> None:
        if sale_uuids:
            await self._idb.stockForget(json.dumps(sale_uuids))

    # ---- customers created offline ----
    async def add_local_customer(self, customer: dict) -> None:
        await self._idb.customerAddLocal(json.dumps(customer))

    async def local_customers(self) -> list[dict]:
        return json.loads(await self._idb.customersLocal())

    # ---- device ----
    async def request_persist(self) -> bool:
        return bool(await self._idb.requestPersist())

    async def estimate(self) -> dict:
        return json.loads(await self._idb.storageEstimate())
