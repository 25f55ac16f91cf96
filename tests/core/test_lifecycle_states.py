"""The named states and the from-states the browser's store is given (poscore.lifecycle)."""
from __future__ import annotations

from poscore.lifecycle import (
    CANCELLED,
    PENDING,
    REJECTED,
    STATES,
    SYNCED,
    SYNCING,
    UNSENT,
    UNSYNCED,
    can_transition,
    from_states,
)


def test_named_states_are_the_lifecycle_states() -> None:
    assert (PENDING, SYNCING, SYNCED, REJECTED, CANCELLED) == STATES
    assert set(UNSENT) < set(UNSYNCED) and SYNCED not in UNSYNCED and CANCELLED not in UNSYNCED


def test_from_states_are_exactly_the_allowed_transitions() -> None:
    assert from_states(CANCELLED) == [PENDING]  # a sale being sent can no longer be cancelled here
    assert from_states(PENDING) == [SYNCING]  # an unanswered send goes back to pending
    assert from_states(SYNCED) == [SYNCING] and from_states(REJECTED) == [SYNCING]
    for new in STATES:
        assert from_states(new) == [old for old in STATES if can_transition(old, new)]
