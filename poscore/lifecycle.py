"""Local states of a sale in the browser, and which changes between them are allowed.

``pending`` (completed, not yet accepted) → ``syncing`` → ``synced`` (series + folio) |
``rejected`` (error + message, kept forever) | back to ``pending`` (network error or 5xx:
"nothing known", retry later). A ``pending`` sale may be ``cancelled`` (a void is queued).
A synced sale cannot be cancelled here, nor can anything leave ``synced``, ``rejected`` or
``cancelled``. The state lives beside the SALE JSON in IndexedDB, never inside it.

Must not: store or send anything (web/ does), or read the clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from .messages import t

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


class InvalidTransition(ValueError):
    """A state change the lifecycle does not allow (``code`` is ``invalid_transition``)."""

    def __init__(self, old: str, new: str) -> None:
        self.code = "invalid_transition"
        self.message = f"{t(self.code)}: {old} → {new}"
        super().__init__(self.message)


def can_transition(old: str, new: str) -> bool:
    """True when a sale in state ``old`` may move to ``new``."""
    return new in TRANSITIONS.get(old, frozenset())


def from_states(new: str) -> list[str]:
    """The states a sale may be in to move to ``new`` (the browser's store is given these, never its own list)."""
    return [s for s in STATES if can_transition(s, new)]


@dataclass(frozen=True, slots=True)
class LocalStatus:
    """A sale's local state plus what came with it (folio when synced, error when rejected)."""

    state: str = "pending"
    series: str | None = None
    folio: int | None = None
    error: str | None = None
    message: str | None = None

    def _to(self, new: str, **fields: object) -> LocalStatus:
        if not can_transition(self.state, new):
            raise InvalidTransition(self.state, new)
        return LocalStatus(new, **fields)  # type: ignore[arg-type]

    def syncing(self) -> LocalStatus:
        return self._to("syncing")

    def retry(self) -> LocalStatus:
        """Back to pending after a network error or a 5xx (the outcome is unknown)."""
        return self._to("pending")

    def synced(self, series: str, folio: int) -> LocalStatus:
        return self._to("synced", series=series, folio=folio)

    def rejected(self, error: str, message: str | None = None) -> LocalStatus:
        return self._to("rejected", error=error, message=message if message is not None else t(error))

    def cancelled(self) -> LocalStatus:
        return self._to("cancelled")

    def to_json(self) -> dict:
        return {"state": self.state, "series": self.series, "folio": self.folio,
                "error": self.error, "message": self.message}

    @classmethod
    def from_json(cls, d: dict) -> LocalStatus:
        """Read a stored status; raises ``ValueError`` for an unknown state."""
        state = d.get("state")
        if state not in STATES:
            raise ValueError(f"unknown sale state: {state!r}")
        return cls(state, d.get("series"), d.get("folio"), d.get("error"), d.get("message"))
