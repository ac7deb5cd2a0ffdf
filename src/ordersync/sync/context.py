"""What every pass of one sync run shares: config, database, board, columns, sender, report."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.console import Console

from ordersync.config import Config
from ordersync.db import Database
from ordersync.errors import FatalSyncError
from ordersync.monday.batching import BatchPlanner
from ordersync.monday.client import MondayClient
from ordersync.monday.operations import build_mixed_batch
from ordersync.monday.wire import WireError
from ordersync.sync import store
from ordersync.sync.columns import SyncColumns
from ordersync.sync.report import SyncReport
from ordersync.sync.sender import Handler, Job, Outcome

logger = logging.getLogger(__name__)


class JobSender(Protocol):
    def send(self, jobs: Sequence[Job], handler: Handler) -> None: ...


@dataclass
class DryRunSender:
    """Prints the requests a sync would send (documents and variables); sends nothing."""

    planner: BatchPlanner
    out: Console
    requests: int = 0
    mutations: int = 0

    def send(self, jobs: Sequence[Job], handler: Handler) -> None:
        pending = list(jobs)
        while pending:
            take = self.planner.fits([job.call for job in pending[:self.planner.max_calls]])
            batch, pending = pending[:take], pending[take:]
            document = build_mixed_batch([job.call for job in batch],
                                         with_complexity=self.planner.with_complexity)
            self.requests += 1
            self.mutations += len(batch)
            self.out.print(f"# request {self.requests}: {len(batch)} mutation(s)", markup=False)
            self.out.print(document.query, markup=False, highlight=False)
            self.out.print(json.dumps(document.variables, indent=2, ensure_ascii=False),
                           markup=False, highlight=False)


@dataclass
class Context:
    """One run's shared state."""

    config: Config
    db: Database
    columns: SyncColumns
    board_id: str
    subitems_board_id: str | None
    report: SyncReport
    sender: JobSender
    client: MondayClient | None
    run_id: int | None = None
    dry_run: bool = False
    new_items: dict[str, str] = field(default_factory=dict)
    """Dry run: record_uuid → a placeholder for the id its item would get."""
    held: set[str] = field(default_factory=set)
    """Orders whose item could not be moved to its group: not updated this round."""
    again: set[str] = field(default_factory=set)
    """Orders with a record re-queued for another round of this run (a fault on its alias
    with attempts left, an item or subitem gone from the board and healed)."""
    recreated: set[str] = field(default_factory=set)
    """Orders whose item was gone from the board: counted when it is created again."""
    round: int = 1
    """The round of the passes this run is in (part of every send's Idempotency-Key)."""
    run_sends: Counter[tuple[str, Hashable]] = field(default_factory=Counter)
    """(kind, record key) → sends of that record in this run."""
    board_items: dict[str, bool] = field(default_factory=dict)
    """board id → whether the board showed any item when this run first read its groups
    (``groups.ensure_groups``, before the run created anything there).  Shared by the
    boards of a routed run (keyed by board)."""

    not_on_board: set[tuple[str, str]] = field(default_factory=set)
    """(board id, record_uuid) of orders a lookup by identity did not find on that board
    since they were last sent in this run: no need to look them up again before a create."""

    def may_hold_unrecorded(self) -> bool:
        """Whether this board may hold an item the database does not record (an earlier
        database's, a restored backup's, one a planner made): unless the run found it empty
        before its first create, yes — what appears on an empty board during the run is
        the run's own, confirmed or in doubt (and in-doubt records are looked up)."""
        return self.board_items.get(self.board_id, True)

    def runs(self, kind: str, key: Hashable, before: int) -> int:
        """Runs in which a record was sent, this one included: ``before`` (its ``attempts``
        as loaded this round) plus one if this is its first send of the run (later rounds
        load the count this run already raised)."""
        return before + (1 if self.run_sends[kind, key] <= 1 else 0)

    def events(self, conn: Any, events: Sequence[store.Event]) -> None:
        if self.run_id is not None:
            store.write_events(conn, self.db, self.run_id, events)

    def events_now(self, events: Sequence[store.Event]) -> None:
        if self.run_id is not None and events:
            with self.db.begin() as conn:
                store.write_events(conn, self.db, self.run_id, events)

    @property
    def record_attempts(self) -> int:
        return self.config.monday.retry.record_attempts

    @property
    def sends_per_run(self) -> int:
        """Sends of one record in one run when its own alias meets server faults: as many
        as the client's tries of one request (``retry.max_attempts``)."""
        return self.config.monday.retry.max_attempts


BOARD_FULL_CODES = frozenset({"ItemsLimitationException"})


class BoardFull(FatalSyncError):
    """monday refuses new items on a board that holds as many as it may: stop creating."""

    def __init__(self, board_id: str | None, error: WireError) -> None:
        super().__init__(
            f"board {board_id or '(subitems)'} is full — monday.com refused new items "
            f"({error.code}: {error.message}); archive or delete items there, or give each "
            "season its own board, then run again (the orders not yet sent stay PENDING)")


def check_board_full(outcomes: Sequence[Outcome], board_id: str | None) -> None:
    """Raise ``BoardFull`` after a request in which monday said the board is full: every
    further create would fail the same way and spend its budget for nothing."""
    for outcome in outcomes:
        if outcome.error is not None and is_board_full(outcome.error):
            raise BoardFull(board_id, outcome.error)


def is_board_full(error: WireError) -> bool:
    return error.code in BOARD_FULL_CODES


def error_text(error: WireError | Exception) -> str:
    """monday's code and message for ``last_error`` (request id included when known)."""
    if isinstance(error, WireError):
        request = f" (request id {error.request_id})" if error.request_id else ""
        return f"{error.code}: {error.message}{request}"
    return str(error)


def error_event_fields(error: WireError | Exception) -> dict[str, Any]:
    if isinstance(error, WireError):
        return {"error_code": error.code, "error_message": error.message,
                "request_id": error.request_id}
    return {"error_code": getattr(error, "code", None) or type(error).__name__,
            "error_message": str(error), "request_id": getattr(error, "request_id", None)}
