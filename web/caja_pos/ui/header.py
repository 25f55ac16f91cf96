"""The header's sync icon (its count of what is still to send and its tooltip) and the cashier now selling, in the
till's language.

Must not count anything itself: the outbox service counts and calls `show_pending`.
"""
from __future__ import annotations

from caja_pos.text.labels import L
from caja_pos.ui.dom import by_id


def show_pending(count: int) -> None:
    icon = by_id("sync-icon")
    badge = by_id("sync-badge")
    icon.dataset.state = "pending" if count else "synced"
    icon.dataset.count = str(count)
    badge.textContent = str(count)
    badge.hidden = count == 0
    icon.title = L("pending_n", n=count) if count else L("all_synced")


def show_cashier(enabled: bool, name: str | None, shift_state: str | None) -> None:
    """Who sells now and whether the shift is open ("abierto"), closed ("cerrado") or not opened (None)."""
    button = by_id("cashier-button")
    if button is None:
        return
    button.hidden = not enabled
    button.textContent = f"{L('cashier_label')}: {name or L('cashier_none')}"
    button.dataset.shift = shift_state or "none"
    button.title = L("shift_opened") if shift_state == "abierto" else L("shift_needed")
