"""The header's sync icon: its count of what is still to send and its tooltip, in the till's language.

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
