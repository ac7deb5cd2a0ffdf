"""The sync state machine: every allowed move, the forbidden ones, and its invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersync.errors import OrderSyncError, SyncError
from ordersync.states import (
    TRANSITIONS,
    IllegalTransition,
    SyncEvent,
    SyncState,
    transition,
)

P, S, Y, F = SyncState.PENDING, SyncState.SENDING, SyncState.SYNCED, SyncState.FAILED
E = SyncEvent

ALLOWED = [
    pytest.param(None, E.ADDED, P, id="new-record-enters-pending"),
    pytest.param(P, E.BATCH_SENT, S, id="pending-batch-sent"),
    pytest.param(S, E.CONFIRMED, Y, id="sending-confirmed"),
    pytest.param(S, E.RECORD_ERROR, F, id="sending-record-error"),
    pytest.param(S, E.NOT_FOUND, P, id="in-doubt-not-found-requeued"),
    pytest.param(S, E.ADOPTED, Y, id="in-doubt-found-adopted"),
    pytest.param(F, E.RETRY, P, id="failed-retry"),
    pytest.param(Y, E.DATA_CHANGED, P, id="synced-data-changed-again"),
    pytest.param(F, E.DATA_CHANGED, P, id="failed-data-changed"),
    pytest.param(P, E.DATA_CHANGED, P, id="pending-stays-pending-on-change"),
    pytest.param(S, E.DATA_CHANGED, S, id="sending-stays-sending-on-change"),
]


@pytest.mark.parametrize(("state", "event", "expected"), ALLOWED)
def test_allowed_transition(state: SyncState | None, event: SyncEvent,
                            expected: SyncState) -> None:
    assert transition(state, event) is expected


def test_the_table_holds_exactly_the_documented_moves() -> None:
    documented = {(p.values[0], p.values[1]): p.values[2] for p in ALLOWED}
    assert dict(TRANSITIONS) == documented


FORBIDDEN = [
    pytest.param(P, E.CONFIRMED, id="pending-cannot-be-confirmed-unsent"),
    pytest.param(P, E.ADOPTED, id="pending-cannot-be-adopted"),
    pytest.param(P, E.RECORD_ERROR, id="pending-cannot-fail-unsent"),
    pytest.param(S, E.BATCH_SENT, id="sending-cannot-be-sent-twice"),
    pytest.param(S, E.RETRY, id="sending-cannot-retry"),
    pytest.param(Y, E.BATCH_SENT, id="synced-cannot-be-sent"),
    pytest.param(Y, E.CONFIRMED, id="synced-cannot-be-confirmed-again"),
    pytest.param(F, E.CONFIRMED, id="failed-cannot-be-confirmed"),
    pytest.param(F, E.BATCH_SENT, id="failed-must-retry-before-sending"),
    pytest.param(P, E.ADDED, id="existing-record-cannot-be-added"),
    pytest.param(None, E.BATCH_SENT, id="unknown-record-cannot-be-sent"),
    pytest.param(None, E.DATA_CHANGED, id="unknown-record-cannot-change"),
]


@pytest.mark.parametrize(("state", "event"), FORBIDDEN)
def test_forbidden_transition_names_state_and_event(state: SyncState | None,
                                                    event: SyncEvent) -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition(state, event)
    error = caught.value
    assert (error.state, error.event) == (state, event)
    assert event.name in str(error)
    assert (state.value if state else "not yet in the table") in str(error)


def test_illegal_transition_is_a_sync_error() -> None:
    with pytest.raises(SyncError):
        transition(SyncState.SYNCED, SyncEvent.RETRY)
    assert issubclass(IllegalTransition, OrderSyncError)


def test_illegal_transition_lists_the_allowed_events() -> None:
    with pytest.raises(IllegalTransition, match="allowed: DATA_CHANGED, RETRY"):
        transition(SyncState.FAILED, SyncEvent.CONFIRMED)


@given(st.lists(st.sampled_from(SyncEvent), max_size=60))
def test_no_event_sequence_leaves_the_enum_or_reaches_synced_but_from_sending(
        events: list[SyncEvent]) -> None:
    state: SyncState | None = None
    for event in events:
        try:
            after = transition(state, event)
        except IllegalTransition:
            continue  # an illegal event is refused and changes nothing
        assert isinstance(after, SyncState)
        assert after in set(SyncState)
        if after is SyncState.SYNCED:
            assert state is SyncState.SENDING
        state = after
    assert state is None or state in set(SyncState)
