"""Local states of a sale in the browser, and which changes between them are allowed.

``pending`` (completed, not yet accepted) → ``syncing`` → ``synced`` (series + folio) |
``rejected`` (error + message, kept forever) | back to ``pending`` (network error or 5xx:
"nothing known", retry later). A ``pending`` sale may be ``cancelled`` (a void is queued).
A synced sale cannot be cancelled here, nor can anything leave ``synced``, ``rejected`` or
``cancelled``. The state lives beside the SALE JSON in IndexedDB, never inside it.

Must not: store or send anything (web/ does), or read the clock.
"""

from __future__ import annotations

STATES = ("pending", "syncing", "synced", "rejected", "cancelled")
PENDING, SYNCING, SYNCED, REJECTED, CANCELLED = STATES
UNSENT = (PENDING, SYNCING)  # still to send: a "syncing" sale whose answer never came is sent again
UNSYNCED = (PENDING, SYNCING, REJECTED)  # not (yet) in the ERP: what a backup carries, Ventas' "pending" filter

TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"syncing", "cancelled"}),
    "syncing": frozenset({"synced", "rejected", "pending"}),
    "synced": frozenset(),
    "rejected": frozenset(),
    "cancelled": frozenset(),
}


def can_transition(old: str, new: str) -> bool:
    """True when a sale in state ``old`` may move to ``new``."""
    return new in TRANSITIONS.get(old, frozenset())


def from_states(new: str) -> list[str]:
    """The states a sale may be in to move to ``new`` (the browser's store is given these, never its own list)."""
    return [s for s in STATES if can_transition(s, new)]
