"""Local sale states and their allowed transitions."""

from __future__ import annotations

from itertools import pairwise

import pytest

from poscore.lifecycle import CANCELLED, PENDING, STATES, can_transition, from_states


def test_happy_path_and_retry() -> None:
    path = ["pending", "syncing", "pending", "syncing", "synced"]
    assert all(can_transition(a, b) for a, b in pairwise(path))


def test_cancel_only_before_sync() -> None:
    assert can_transition("pending", "cancelled")
    assert not can_transition("syncing", "cancelled") and not can_transition("synced", "cancelled")
    assert from_states(CANCELLED) == [PENDING]  # what the browser's store is told it may cancel


@pytest.mark.parametrize("final", ["synced", "rejected", "cancelled"])
def test_final_states_are_final(final: str) -> None:
    assert not any(can_transition(final, new) for new in STATES)


def test_transition_table() -> None:
    allowed = {(a, b) for a in STATES for b in STATES if can_transition(a, b)}
    assert allowed == {("pending", "syncing"), ("pending", "cancelled"), ("syncing", "synced"),
                       ("syncing", "rejected"), ("syncing", "pending")}
    assert not can_transition("draft", "pending")
