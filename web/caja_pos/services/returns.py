"""Returns (devoluciones) of synced sales at this till: building one with poscore against what this device already
returned of the sale, storing it durably (record, outbox entry, stock put back: ONE IndexedDB transaction), and
sending the pending ones to POST /api/returns with the ERP's answers applied.

Why "what this device already returned": a return's amounts depend on the units returned before it
(poscore.returns). Online, Devolver asks the ERP for the sale's accepted returns of every till
(GET /api/returns/of-sale) and counts them too, so it offers only what is left and its amounts are the ERP's.
Offline, the till knows only its own returns; the ERP recomputes with all of them and answers `return_exceeds` or
`return_stale` when another till got there first. That answer is kept with the return (never dropped) and its
stock record goes, so the local stock follows the ERP; opening Devolver again online makes a return that fits.

Must not compute amounts or decide what may be returned (poscore.returns does), nor touch the DOM.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from uuid import uuid4

from storage import ReturnsChanged, Storage, StorageError

from caja_pos.net.erp import Http, HttpError, NetworkError
from caja_pos.services import clock
from caja_pos.services.sync import answer_updates
from caja_pos.services.till import Till
from caja_pos.text.labels import lang
from poscore.autofactura import normalize_code, ticket_code
from poscore.lifecycle import PENDING, REJECTED, SYNCED
from poscore.money import ZERO, to_decimal
from poscore.numbering import folio_label
from poscore.returns import Return, make_return, return_line_amounts
from poscore.sale import Sale

__all__ = ["Authorize", "Returns", "ReturnsChanged", "StorageError", "counted_before", "find_sale", "refund_of",
           "returned_units", "sale_returns_at_erp", "upload_returns"]

# Asks a supervisor to authorize a return (`reason`: what is being authorized, for the PIN dialog; `subject`: the
# sale's uuid, for the authorization's record): their name, "" when this till has no supervisors, None if refused.
Authorize = Callable[[str, str], Awaitable[str | None]]
# The ERP's returns of a sale (GET /api/returns/of-sale's list), None when it could not be asked (offline).
OthersOf = Callable[[str], Awaitable[list[dict] | None]]
OTHERS_TIMEOUT_MS = 4000  # Devolver waits this long for the ERP before counting this device's returns only
COMMIT_TRIES = 3  # returns of the same sale stored by other tabs between two tries
RETURNS_BATCH = 100  # the ERP accepts up to 500


def returned_units(records: list[dict]) -> dict[int, Decimal]:
    """Units already returned per sale line index, from the sale's return records (rejected ones gave nothing)."""
    out: dict[int, Decimal] = {}
    for r in records:
        if r.get("state") == REJECTED:
            continue
        for x in Return.from_json(r["return"]).lines:
            out[x.line] = out.get(x.line, ZERO) + x.qty
    return out


def counted_before(records: list[dict], others: list[dict] | None) -> dict[int, Decimal]:
    """Units already returned per sale line: this device's returns plus, when the ERP answered, its accepted
    returns from every till (one of this device's that the ERP lists counts once)."""
    if others is None:
        return returned_units(records)
    listed = {r.get("uuid") for r in others}
    out = returned_units([r for r in records if r.get("uuid") not in listed])
    for r in others:
        for x in r.get("lines") or []:
            out[int(x["line"])] = out.get(int(x["line"]), ZERO) + to_decimal(x["qty"])
    return out


async def sale_returns_at_erp(http: Http, token: str, sale_uuid: str) -> list[dict] | None:
    """The sale's accepted returns as the ERP lists them, or None when it cannot be asked now."""
    try:
        answer = await http.request("GET", f"/api/returns/of-sale?sale_uuid={quote(sale_uuid)}", token=token,
                                    timeout_ms=OTHERS_TIMEOUT_MS)
    except (NetworkError, HttpError):
        return None
    found = answer.get("returns") if isinstance(answer, dict) else None
    return found if isinstance(found, list) else None


def sale_folio(record: dict) -> str | None:
    """The ERP folio label of a synced sale record ("R-12"), else None."""
    if record.get("state") == SYNCED and record.get("series") and record.get("folio") is not None:
        return folio_label(record["series"], int(record["folio"]))
    return None


def return_record(ret: Return, sale_record: dict, created_at: str, nth: int) -> dict:
    """The `returns` store record: the RETURN JSON plus its local state and what Ventas shows. It carries a copy of
    the SALE, so its ticket prints even after the sale's record was pruned; `number` names it on this device (the
    sale's number and the return's place among the sale's returns: "T01-000007-D1")."""
    return {"uuid": ret.uuid, "sale_uuid": ret.sale_uuid, "number": f"{sale_record['number']}-D{nth}",
            "sale_number": sale_record["number"], "sale_folio": sale_folio(sale_record), "state": PENDING,
            "created_at": created_at, "total": str(ret.refund), "refund_method": ret.refund_method,
            "return": ret.to_json(), "sale": sale_record["sale"]}


def refund_of(sale: Sale, units: dict[int, str], before: dict[int, Decimal]) -> Decimal:
    """What returning `units` would give back now (the screen's running total); raises ReturnError."""
    total = ZERO
    for index, text in units.items():
        total += return_line_amounts(sale.lines[index], before.get(index, ZERO), to_decimal(text)).total
    return total


def find_sale(records: list[dict], text: str, autofactura_key: str | None = None) -> dict | None:
    """The sale record a typed or scanned text names: its local number ("T01-000007", or just 7), its ERP folio
    ("R-12"), or its ticket's self-invoicing code (typed, or the whole scanned QR address that ends with it)."""
    wanted = text.strip().upper()
    if not wanted:
        return None
    # The code as typed (poscore reads it as the ERP's page does: case, spaces, O for 0) or the scanned QR's
    # address, whose query ends with it.
    code = normalize_code(text.strip().rsplit("c=", 1)[-1])
    for r in records:
        folio = sale_folio(r)
        if wanted == str(r.get("number", "")).upper() or (folio and wanted in (folio, folio.replace("-", ""))):
            return r
        if wanted.isdigit() and int(wanted) == r.get("seq"):
            return r
    if code and autofactura_key:
        for r in records:
            # A Ventas page row carries the sale's terminal without the sale's body (idb.js salesPage).
            terminal = r["sale"]["terminal"] if "sale" in r else r["terminal"]
            if ticket_code(autofactura_key, r["uuid"], terminal, r["number"],
                           to_decimal(r["total"])) == code:
                return r
    return None


def stock_back(ret: Return) -> dict[int, str]:
    """The units that come back into this device's stock, per product."""
    out: dict[int, Decimal] = {}
    for x in ret.lines:
        out[x.product_id] = out.get(x.product_id, ZERO) + x.qty
    return {pid: str(q) for pid, q in out.items()}


class Returns:
    def __init__(self, storage: Storage, till: Till, now: Callable[[], datetime] = clock.now) -> None:
        self.storage = storage
        self.till = till
        self.now = now
        # Who returns and in which shift (services/shifts.py `sale_fields`): {} on a till without cashiers.
        self.stamp: Callable[[], dict] = dict
        self.others: OthersOf | None = None  # set once paired: sale_returns_at_erp with the terminal's token
        self._others: dict[str, list[dict] | None] = {}  # the ERP's answer when Devolver opened, per sale

    async def of_sale(self, sale_uuid: str) -> list[dict]:
        return [r for r in await self.storage.returns() if r.get("sale_uuid") == sale_uuid]

    async def returnable(self, sale_record: dict) -> tuple[Sale, dict[int, Decimal]]:
        """The sale and the units already returned of each line: by this device, and by every till when the ERP
        can be asked now (its answer is kept for the commit that follows)."""
        uuid = sale_record["uuid"]
        self._others[uuid] = await self.others(uuid) if self.others is not None else None
        return Sale.from_json(sale_record["sale"]), counted_before(await self.of_sale(uuid), self._others[uuid])

    async def commit(self, sale_record: dict, units: dict[int, str], *, reason: str, refund_method: str,
                     cashier: str | None = None, authorizer: str | None = None) -> dict:
        """Store a return of `units` (sale line index → quantity text) of the sale; returns its record.

        Raises poscore's ReturnError (nothing to return, more than is left, no reason…), ReturnsChanged after
        COMMIT_TRIES races with other tabs, or StorageError. Nothing is stored when it raises.
        """
        sale = Sale.from_json(sale_record["sale"])
        stamp = self.stamp()
        cashier = cashier or stamp.get("cashier")
        for attempt in range(COMMIT_TRIES):
            done = await self.of_sale(sale.uuid)
            ret = make_return(sale, units, counted_before(done, self._others.get(sale.uuid)), uuid=str(uuid4()), terminal=self.till.code,
                              device_time=self.now().isoformat(), reason=reason, refund_method=refund_method,
                              cashier=cashier, authorizer=authorizer, shift_uuid=stamp.get("shift_uuid"))
            record = return_record(ret, sale_record, self.now().isoformat(), len(done) + 1)
            # The shift whose drawer paid the refund (its corte counts it); the RETURN carries it to the ERP too.
            record["shift_uuid"] = stamp.get("shift_uuid")
            deltas = stock_back(ret)
            try:
                await self.storage.commit_return(record, deltas, [r["uuid"] for r in done
                                                                  if r.get("state") != REJECTED])
            except ReturnsChanged:
                if attempt == COMMIT_TRIES - 1:
                    raise
                continue
            self.till.set_deltas(await self.storage.stock_deltas())  # the units are back on the shelf at once
            return record
        raise AssertionError("unreachable")


async def upload_returns(http: Http, storage: Storage, token: str) -> dict:
    """POST /api/returns with the pending returns, oldest first, and apply the ERP's per-return answers.

    Returns {"accepted": n, "rejected": [(sale number, message)], "error": None | "network" | message}. A network
    error or 5xx leaves every return pending (the uuid makes the replay safe).
    """
    report: dict[str, Any] = {"accepted": 0, "rejected": [], "error": None}
    pending = await storage.outbox_returns()
    for i in range(0, len(pending), RETURNS_BATCH):
        batch = pending[i:i + RETURNS_BATCH]
        try:
            answer = await http.request("POST", "/api/returns", {"returns": [r["return"] for r in batch]},
                                        token=token)
        except NetworkError:
            report["error"] = "network"
            break
        except HttpError as exc:
            report["error"] = exc.text(lang())
            break
        await storage.apply_return_results(answer_updates(answer, batch, "sale_number", report))
    return report
