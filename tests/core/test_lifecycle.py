"""Local sale states and their allowed transitions."""

from __future__ import annotations

import pytest

from poscore.lifecycle import STATES, InvalidTransition, LocalStatus, can_transition


def test_happy_path_and_retry() -> None:
    s = LocalStatus()
    assert s.state == "pending"
    s = s.syncing().retry().syncing().synced("R", 123)
    assert (s.state, s.series, s.folio) == ("synced", "R", 123)
    assert LocalStatus.from_json(s.to_json()) == s


def test_rejected_keeps_the_reason() -> None:
    s = LocalStatus().syncing().rejected("totals_mismatch")
    assert (s.state, s.error, s.message) == ("rejected", "totals_mismatch", "Los totales no cuadran con las líneas")
    assert LocalStatus().syncing().rejected("x", "texto").message == "texto"


def test_cancel_only_before_sync() -> None:
    assert LocalStatus().cancelled().state == "cancelled"
    synced = LocalStatus().syncing().synced("R", 1)
    with pytest.raises(InvalidTransition) as err:
        synced.cancelled()
    assert err.value.code == "invalid_transition"
    with pytest.raises(InvalidTransition):
        LocalStatus().syncing().cancelled()


@pytest.mark.parametrize("final", ["synced", "rejected", "cancelled"])
def test_final_states_are_final(final: str) -> None:
    assert not any(can_transition(final, new) for new in STATES)


def test_transition_table() -> None:
    allowed = {(a, b) for a in STATES for b in STATES if can_transition(a, b)}
    assert allowed == {("pending", "syncing"), ("pending", "cancelled"), ("syncing", "synced"),
                       ("syncing", "rejected"), ("syncing", "pending")}
    assert not can_transition("draft", "pending")
    with pytest.raises(InvalidTransition):
        LocalStatus().synced("R", 1)
    with pytest.raises(ValueError):
        LocalStatus.from_json({"state": "lost"})
