"""The closed sets that describe an order's life, and the sync state machine.

Change kinds, sync states and actions are Enums; ``TRANSITIONS`` is the table of allowed
sync moves and ``transition`` applies one, raising ``IllegalTransition`` for any other.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from ordersync.errors import SyncError


class ChangeKind(StrEnum):
    """What the last merge found for an order."""

    NEW = "NEW"
    CHANGED = "CHANGED"
    UNCHANGED = "UNCHANGED"
    CANCELLED = "CANCELLED"
    REMOVED = "REMOVED"


class SyncState(StrEnum):
    """Where a header or line stands with the board."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    SYNCED = "SYNCED"
    FAILED = "FAILED"


class SyncAction(StrEnum):
    """What the board needs for a header or line."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    CANCEL = "CANCEL"
    REMOVE = "REMOVE"


class FileStatus(StrEnum):
    """Where a source file stands in ``ingest_files``."""

    LOADING = "loading"  # being staged; rows of a file left here by a crash are discarded
    STAGED = "staged"  # rows are in staging, waiting for merge
    MERGED = "merged"
    FAILED = "failed"
    MISSING = "missing"  # read before, gone from the folder now (sources.missing_files)


# --- the sync state machine (issue #4, issue #8) -----------------------------------------
#
#   (new) ──added──▶ PENDING ──batch sent──▶ SENDING ──confirmed / adopted──▶ SYNCED
#                    │  ▲  ▲                    │ │ │                            │
#                    │  │  └──── re-queued ─────┘ │ └─record error / faults in   │
#                    │  │  (a fault with attempts │   record_attempts sends──▶ FAILED
#                    │  │  left, a limit, in doubt│                              │
#                    │  │  and not on the board)  └─changed in flight──▶ PENDING │
#                    │  └────────── retry (--retry-failed) / data changed ───────┘
#                    │  ◀── its item is gone from the board (not found, verify) ── SYNCED
#                    ├──a create whose item the board already has (found by identity):
#                    │  PENDING again, the item's id recorded, its values sent as an update
#                    ├──value refused before sending──▶ FAILED
#                    └──nothing to send──▶ SYNCED
#
# A data change leaves PENDING as it is and leaves SENDING as it is: an in-doubt record must
# be reconciled with the board before anything else happens to it (merge_update.sql).
# Every statement that writes ``sync_state`` declares its moves as (state, event) pairs
# (``-- moves:`` in its .sql file) and binds the states this table gives (``bind_moves``);
# ``tests/test_states.py`` checks that the declared moves are exactly this table.


class SyncEvent(StrEnum):
    """Something that happens to a header or line; ``transition`` says where it leads."""

    ADDED = "added"  # the merge found a new record
    BATCH_SENT = "batch sent"  # SENDING is committed before the request goes out
    CONFIRMED = "confirmed"  # the board acknowledged the record's mutation
    ADOPTED = "in doubt, found and adopted"  # the board has the item: take it over
    CHANGED_IN_FLIGHT = "confirmed, but the merge changed it meanwhile"  # send the change
    REQUEUED = "re-queued"  # not applied (a fault with attempts left, a limit, in doubt
    # and not on the board, a request never sent): sent again
    RECORD_ERROR = "record error"  # monday refused this record (or its value, before sending)
    FAULTS_EXHAUSTED = "faults in record_attempts sends"  # given up until --retry-failed
    NOTHING_TO_SEND = "nothing to send"  # already as the board needs it, or never on it
    GONE = "its item is gone from the board"  # deleted or archived there: re-created
    FOUND = "not recorded, found on the board"  # about to be created, but the board has it
    # (looked up by identity): its id is recorded and its values sent as an update
    DRIFTED = "verify found the board differing"  # --repair: sent again (or re-created)
    RETRY = "retry"  # a failed record is queued again (--retry-failed)
    DATA_CHANGED = "data changed"  # the merge saw the record's data change


_P, _S, _Y, _F = SyncState.PENDING, SyncState.SENDING, SyncState.SYNCED, SyncState.FAILED

TRANSITIONS: Final[Mapping[tuple[SyncState | None, SyncEvent], SyncState]] = MappingProxyType({
    # ``None`` is a record not yet in the table.
    (None, SyncEvent.ADDED): _P,
    (_P, SyncEvent.BATCH_SENT): _S,
    (_S, SyncEvent.CONFIRMED): _Y,
    (_S, SyncEvent.ADOPTED): _Y,
    (_S, SyncEvent.CHANGED_IN_FLIGHT): _P,
    (_S, SyncEvent.REQUEUED): _P,
    (_S, SyncEvent.RECORD_ERROR): _F,
    (_P, SyncEvent.RECORD_ERROR): _F,  # a value refused before sending; a refused move
    (_S, SyncEvent.FAULTS_EXHAUSTED): _F,
    (_P, SyncEvent.NOTHING_TO_SEND): _Y,
    (_Y, SyncEvent.GONE): _P,
    (_S, SyncEvent.GONE): _P,  # an update or a move refused: the item is not found
    (_P, SyncEvent.GONE): _P,  # a line waiting for an item that turned out gone
    (_P, SyncEvent.FOUND): _P,  # a create whose item (or subitem) the board already has
    (_F, SyncEvent.RETRY): _P,
    (_Y, SyncEvent.DRIFTED): _P,
    (_P, SyncEvent.DRIFTED): _P,
    (_Y, SyncEvent.DATA_CHANGED): _P,
    (_F, SyncEvent.DATA_CHANGED): _P,
    (_P, SyncEvent.DATA_CHANGED): _P,
    (_S, SyncEvent.DATA_CHANGED): _S,
})
"""Every allowed move: (state before, event) → state after.  Anything else is illegal."""


class IllegalTransition(SyncError):
    """An event that cannot happen to a record in its current state: a bug, not bad data."""

    def __init__(self, state: SyncState | None, event: SyncEvent) -> None:
        self.state = state
        self.event = event
        shown = "a record not yet in the table" if state is None else f"a {state} record"
        allowed = sorted(e.name for (s, e) in TRANSITIONS if s == state)
        super().__init__(f"illegal sync transition: event {event.name} ({event.value!r}) "
                         f"cannot happen to {shown} (allowed: {', '.join(allowed)})")


def transition(state: SyncState | None, event: SyncEvent) -> SyncState:
    """The state a record in ``state`` (``None``: not yet recorded) moves to on ``event``."""
    try:
        return TRANSITIONS[state, event]
    except KeyError:
        raise IllegalTransition(state, event) from None


Move = tuple[SyncState | None, SyncEvent]
"""One declared move: the state a statement moves records from, and the event."""


def parse_moves(text: str) -> list[Move]:
    """The moves a SQL statement declares in its ``-- moves:`` line:
    ``-- moves: SENDING CONFIRMED, SENDING CHANGED_IN_FLIGHT, NEW ADDED``.  Each must be in
    the table (``IllegalTransition`` otherwise: a statement that would make an illegal move
    is refused before it runs)."""
    moves: list[Move] = []
    for line in text.splitlines():
        if not line.startswith("-- moves:"):
            continue
        for pair in line.removeprefix("-- moves:").split(","):
            state, event = pair.split()
            move = (None if state == "NEW" else SyncState[state], SyncEvent[event])
            transition(*move)
            moves.append(move)
    return moves


def bind_moves(moves: list[Move]) -> dict[str, object]:
    """Bind parameters for a statement's declared moves: ``:from_states`` (every state it
    moves records from) and ``:to_EVENT`` for each event (the state the table gives it;
    one event must lead to one state within a statement)."""
    targets: dict[str, str] = {}
    for state, event in moves:
        after = transition(state, event).value
        if targets.setdefault(f"to_{event.name}", after) != after:
            raise ValueError(f"event {event.name} leads to two states in one statement")
    froms = sorted({s.value for s, _ in moves if s is not None})
    return {"from_states": froms, **targets}


def data_changed_states() -> dict[str, str]:
    """The merge's bindings (``merge_*.sql``, ``lines_*.sql``): ``:pending`` for a new or
    changed record, ``:sending`` for one in doubt, which stays in doubt."""
    added = transition(None, SyncEvent.ADDED)
    assert transition(SyncState.SYNCED, SyncEvent.DATA_CHANGED) is added
    return {"pending": added.value,
            "sending": transition(SyncState.SENDING, SyncEvent.DATA_CHANGED).value}
