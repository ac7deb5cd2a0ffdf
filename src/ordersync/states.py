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


# --- the sync state machine (issue #4) ---------------------------------------------------
#
#   (new) ──added──▶ PENDING ──batch sent──▶ SENDING ──confirmed / in doubt, adopted──▶ SYNCED
#                     ▲  ▲                     │ │                                        │
#                     │  └── in doubt, ────────┘ └──record error──▶ FAILED                │
#                     │      not found                              │                     │
#                     └────────────── retry / data changed ─────────┴── data changed ─────┘
#
# A data change leaves PENDING as it is and leaves SENDING as it is: an in-doubt record must
# be reconciled with the board before anything else happens to it (merge_update.sql).


class SyncEvent(StrEnum):
    """Something that happens to a header or line; ``transition`` says where it leads."""

    ADDED = "added"  # the merge found a new record
    BATCH_SENT = "batch sent"  # SENDING is committed before the request goes out
    CONFIRMED = "confirmed"  # the board acknowledged the record's mutation
    RECORD_ERROR = "record error"  # monday refused this record only
    NOT_FOUND = "in doubt, not found on the board (re-queued)"
    ADOPTED = "in doubt, found and adopted"  # the board has the item: take it over
    RETRY = "retry"  # a failed record is queued again
    DATA_CHANGED = "data changed"  # the merge saw the record's data change


TRANSITIONS: Final[Mapping[tuple[SyncState | None, SyncEvent], SyncState]] = MappingProxyType({
    # ``None`` is a record not yet in the table.
    (None, SyncEvent.ADDED): SyncState.PENDING,
    (SyncState.PENDING, SyncEvent.BATCH_SENT): SyncState.SENDING,
    (SyncState.SENDING, SyncEvent.CONFIRMED): SyncState.SYNCED,
    (SyncState.SENDING, SyncEvent.RECORD_ERROR): SyncState.FAILED,
    (SyncState.SENDING, SyncEvent.NOT_FOUND): SyncState.PENDING,
    (SyncState.SENDING, SyncEvent.ADOPTED): SyncState.SYNCED,
    (SyncState.FAILED, SyncEvent.RETRY): SyncState.PENDING,
    (SyncState.SYNCED, SyncEvent.DATA_CHANGED): SyncState.PENDING,
    (SyncState.FAILED, SyncEvent.DATA_CHANGED): SyncState.PENDING,
    (SyncState.PENDING, SyncEvent.DATA_CHANGED): SyncState.PENDING,
    (SyncState.SENDING, SyncEvent.DATA_CHANGED): SyncState.SENDING,
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
