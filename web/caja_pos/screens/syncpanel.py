"""The outcomes of "Datos sincronizados" (sync icon → Ventas, Clientes, Catálogo) in the help page's words:
"La sincronización se ha realizado correctamente", or how many failed and why, or that the ERP is unreachable.

The panel itself (its three buttons, #sync-result) is opened by screens/menu.Menu; this module runs each option
through the function it is given (the outbox's run, the feeds' refresh) and writes the outcome. `sales_message` is pure so tests/web can check the wording.

Must not send anything itself (web/caja_pos/services/outbox.py, web/caja_pos/services/sync.py do) nor decide a sale's fate (the ERP does).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from caja_pos.screens.sale_text import rejection_text
from caja_pos.text.labels import L
from caja_pos.ui.dom import by_id
from poscore.lifecycle import REJECTED


def _reasons(items: list[tuple[Any, Any]]) -> str:
    return "; ".join(f"{who}: {why}" for who, why in items)


def sales_message(report: dict | None) -> str:
    """One line for a sync report of services/outbox.Syncer (sales, plus the customers and voids sent with them)."""
    if report is None:
        return L("sync_offline")
    if report.get("error") == "network":
        return L("sync_offline")
    parts = []
    if report.get("rejected"):
        parts.append(L("sync_failed", n=len(report["rejected"]), reasons=_reasons(report["rejected"])))
    if report.get("customer_rejected"):
        parts.append(L("customers_failed", n=len(report["customer_rejected"]),
                       reasons=_reasons(report["customer_rejected"])))
    if report.get("shift_rejected"):
        parts.append(L("shift_records_failed", n=len(report["shift_rejected"]),
                       reasons=_reasons(report["shift_rejected"])))
    if report.get("void_rejected"):
        parts.append(L("voids_failed", n=len(report["void_rejected"]), reasons=_reasons(report["void_rejected"])))
    if report.get("return_rejected"):
        parts.append(L("returns_failed", n=len(report["return_rejected"]),
                       reasons=_reasons(report["return_rejected"])))
    if report.get("error"):
        parts.append(str(report["error"]))
    return " · ".join(parts) if parts else L("sync_ok")


def kept_message(returns: list[dict]) -> str:
    """The rejected returns still on this device ("Devoluciones rechazadas que se conservan: …"), or ""."""
    kept = [(r.get("number"), rejection_text(r)) for r in returns if r.get("state") == REJECTED]
    return L("returns_kept", n=len(kept), reasons=_reasons(kept)) if kept else ""


def customers_message(report: dict | None) -> str:
    """Clientes: only the customers part of the report matters here."""
    if report is None or report.get("error") == "network":
        return L("sync_offline")
    if report.get("customer_rejected"):
        return L("customers_failed", n=len(report["customer_rejected"]),
                 reasons=_reasons(report["customer_rejected"]))
    return L("sync_ok")


def _say(text: str) -> None:
    result = by_id("sync-result")
    if result is not None:  # the panel may have been closed meanwhile
        result.textContent = text


SyncRun = Callable[[], Awaitable[dict | None]]


async def sync_sales(run: SyncRun) -> None:
    _say(sales_message(await run()))


async def sync_customers(run: SyncRun) -> None:
    # A full run: customers go first, and sending the sales that carry them does no harm.
    _say(customers_message(await run()))


async def sync_catalog(refresh: Callable[[], Awaitable[bool]]) -> None:
    ok = await refresh()
    _say(L("sync_ok") if ok else L("sync_offline"))
