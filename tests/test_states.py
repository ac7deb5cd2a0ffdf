"""The sync state machine: every allowed move, the forbidden ones, and its invariants."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersync.errors import OrderSyncError, SyncError
from ordersync.states import (
    TRANSITIONS,
    IllegalTransition,
    SyncEvent,
    SyncState,
    bind_moves,
    parse_moves,
    transition,
)
from ordersync.sync import transitions

P, S, Y, F = SyncState.PENDING, SyncState.SENDING, SyncState.SYNCED, SyncState.FAILED
E = SyncEvent

ALLOWED = [
    pytest.param(None, E.ADDED, P, id="new-record-enters-pending"),
    pytest.param(P, E.BATCH_SENT, S, id="pending-batch-sent"),
    pytest.param(S, E.CONFIRMED, Y, id="sending-confirmed"),
    pytest.param(S, E.ADOPTED, Y, id="in-doubt-found-adopted"),
    pytest.param(S, E.CHANGED_IN_FLIGHT, P, id="confirmed-but-changed-meanwhile"),
    pytest.param(S, E.REQUEUED, P, id="sending-requeued"),
    pytest.param(S, E.RECORD_ERROR, F, id="sending-record-error"),
    pytest.param(P, E.RECORD_ERROR, F, id="value-refused-before-sending"),
    pytest.param(S, E.FAULTS_EXHAUSTED, F, id="faults-in-record-attempts-sends"),
    pytest.param(P, E.NOTHING_TO_SEND, Y, id="nothing-to-send"),
    pytest.param(Y, E.GONE, P, id="synced-item-gone-from-the-board"),
    pytest.param(S, E.GONE, P, id="update-refused-item-not-found"),
    pytest.param(P, E.GONE, P, id="pending-line-of-a-gone-item"),
    pytest.param(P, E.FOUND, P, id="create-found-on-the-board-by-identity"),
    pytest.param(F, E.RETRY, P, id="failed-retry"),
    pytest.param(Y, E.DRIFTED, P, id="verify-repair-sends-a-drifted-record-again"),
    pytest.param(P, E.DRIFTED, P, id="verify-repair-of-a-pending-record"),
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
    pytest.param(P, E.REQUEUED, id="pending-cannot-be-requeued"),
    pytest.param(F, E.GONE, id="failed-stays-failed-when-its-item-is-gone"),
    pytest.param(S, E.FOUND, id="in-doubt-is-adopted-not-found"),
    pytest.param(Y, E.FOUND, id="synced-is-not-found-again"),
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
def test_no_event_sequence_leaves_the_enum_or_reaches_synced_unconfirmed(
        events: list[SyncEvent]) -> None:
    state: SyncState | None = None
    for event in events:
        try:
            after = transition(state, event)
        except IllegalTransition:
            continue  # an illegal event is refused and changes nothing
        assert isinstance(after, SyncState)
        assert after in set(SyncState)
        if after is SyncState.SYNCED:  # only what the board confirmed, or had no need of
            assert state is SyncState.SENDING or event is SyncEvent.NOTHING_TO_SEND
        state = after
    assert state is None or state in set(SyncState)


# --- the code makes exactly the table's moves --------------------------------------------------


def _statements_writing_sync_state() -> dict[str, str]:
    """Every .sql file that writes ``sync_state`` (INSERT or SET), by name."""
    folder = resources.files("ordersync.db").joinpath("sql")
    found = {}
    for entry in folder.iterdir():
        text = entry.read_text("utf-8")
        body = " ".join(line for line in text.splitlines() if not line.startswith("--"))
        head = re.split(r"\b(WHERE|FROM|SELECT|VALUES)\b", body, maxsplit=1)[0]
        if re.match(r"\s*(UPDATE|INSERT)\b", body) and "sync_state" in head:
            found[entry.name.removesuffix(".sql")] = text
    return found


def test_every_statement_writing_sync_state_declares_moves_the_table_allows() -> None:
    statements = _statements_writing_sync_state()
    assert set(transitions.STATEMENTS) <= set(statements)
    for name, text in statements.items():
        moves = parse_moves(text)  # raises IllegalTransition for a move the table forbids
        assert moves, f"{name}.sql writes sync_state but declares no '-- moves:'"


def test_the_declared_moves_are_exactly_the_table() -> None:
    declared = {move for text in _statements_writing_sync_state().values()
                for move in parse_moves(text)}
    assert declared == set(TRANSITIONS)


def test_no_python_module_writes_sync_state_but_through_the_statements() -> None:
    source = resources.files("ordersync")
    offenders = []
    for path in Path(str(source)).rglob("*.py"):
        text = path.read_text("utf-8")
        if re.search(r"SET[^\"']*sync_state\s*=", text):
            offenders.append(path.name)
    assert offenders == []


def test_a_move_the_statement_does_not_declare_is_refused_before_it_runs() -> None:
    with pytest.raises(IllegalTransition):
        transitions.orders_release(None, None, [("u", None)],  # type: ignore[arg-type]
                                   SyncEvent.FAULTS_EXHAUSTED, state=SyncState.PENDING)


def test_bind_moves_gives_the_table_states() -> None:
    bound = bind_moves(parse_moves("-- moves: SENDING CONFIRMED, SENDING CHANGED_IN_FLIGHT"))
    assert bound == {"from_states": ["SENDING"], "to_CONFIRMED": "SYNCED",
                     "to_CHANGED_IN_FLIGHT": "PENDING"}
