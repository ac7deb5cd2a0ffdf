"""``run_verify``: read the board, compare it with the database, and (``repair``) fix it.

1. preflight (``sync.preflight``): the boards' columns fit the mapping;
2. one pass: the board read in pages of 500 items with their subitems, the recorded
   items it did not show looked up by id (archived / deleted / elsewhere), compared with
   the database kind by kind, recorded in ``verify_runs``;
3. with ``repair``: records an interrupted sync left in doubt settled first by a sync
   (and the pass repeated, so they are compared too); extras deleted if
   ``delete_extras`` (never otherwise); the repair plan written under the board's writer
   lock (records back to PENDING with the action that puts them right); the ordinary
   sync run to send it (``run_sync``: the one writer of the board); and a second pass to
   show the result — repeated (``REPAIR_ROUNDS``) while that pass still finds records to
   put right, e.g. ones the sync re-queued after a server fault.

A verify without ``repair`` sends no mutation.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.console import Console

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.schema import create_tables, registered_columns
from ordersync.errors import ConfigError
from ordersync.monday.client import MondayClient
from ordersync.monday.operations import Call
from ordersync.monday.wire import GraphQLResult
from ordersync.sync import Progress, SyncOptions, SyncReport, run_sync
from ordersync.sync.budget import Budget
from ordersync.sync.columns import resolve_columns
from ordersync.sync.context import Context, DryRunSender
from ordersync.sync.engine import planner_for
from ordersync.sync.lock import board_lock
from ordersync.sync.preflight import check_boards
from ordersync.sync.sender import Job, Outcome, Sender
from ordersync.sync.store import Scope
from ordersync.verify import store
from ordersync.verify.board import item_states, read_board
from ordersync.verify.compare import Comparison, columns_read, compare
from ordersync.verify.report import VerifyReport

REPAIR_ROUNDS = 3
"""Repair and verify again at most this often: a record the repair's sync re-queued (a
server fault on its alias, a limit) is put right by the next round."""


@dataclass(frozen=True)
class VerifyOptions:
    customers: tuple[str, ...] = ()
    repair: bool = False
    delete_extras: bool = False


@dataclass
class VerifyProgress:
    """Callbacks for a progress display: items read so far; the repair's sync."""

    reading: Callable[[int], None] = field(default=lambda items: None)
    sync: Progress = field(default_factory=Progress)


@dataclass(frozen=True)
class VerifyResult:
    found: VerifyReport
    """The first pass: how the board differed."""
    sync: SyncReport | None = None
    """The repair's (last) sync run."""
    after: VerifyReport | None = None
    """The pass after the repair."""

    @property
    def final(self) -> VerifyReport:
        return self.after or self.found


def run_verify(config: Config, db: Database, client: MondayClient, *,
               options: VerifyOptions = VerifyOptions(),
               progress: VerifyProgress | None = None,
               clock: Callable[[], float] = time.monotonic,
               sleep: Callable[[float], None] = time.sleep) -> VerifyResult:
    """Verify (and repair) the configured board; see the module docstring."""
    board_id = config.monday.board_id
    if board_id is None:
        raise ConfigError("[monday]", ["monday.board_id: required to verify — the id of the "
                                       "order board (in its URL: …/boards/<id>)"])
    progress = progress or VerifyProgress()
    create_tables(db)
    check_boards(config, client, db)
    found, plan = _pass(config, db, client, options, progress)
    if not options.repair:
        return VerifyResult(found)
    sync_options = SyncOptions(customers=options.customers)
    if found.in_doubt:  # settle what an interrupted sync left in doubt, then compare it too
        run_sync(config, db, client, options=sync_options, progress=progress.sync, clock=clock,
                 sleep=sleep)
        found, plan = _pass(config, db, client, options, progress)
    if plan.extras and options.delete_extras:
        found.mutations, found.deleted = _delete(config, client, plan.extras, clock, sleep)
    for _ in range(REPAIR_ROUNDS):
        with board_lock(db, board_id):
            store.apply_repair(db, board_id, plan)
        synced = run_sync(config, db, client, options=sync_options, progress=progress.sync,
                          clock=clock, sleep=sleep)
        after, plan = _pass(config, db, client, options, progress, repaired=True)
        if after.equal or synced.stopped or not plan.records:
            break  # equal, stopped, or only extras / FAILED records left: another round
            # would change nothing
    return VerifyResult(found, synced, after)


def _pass(config: Config, db: Database, client: MondayClient, options: VerifyOptions,
          progress: VerifyProgress, *, repaired: bool = False) -> tuple[VerifyReport,
                                                                       store.RepairPlan]:
    assert config.monday.board_id is not None
    started = store.now()
    report = VerifyReport(config.monday.board_id, repaired=repaired)

    def observe(result: GraphQLResult) -> None:
        report.requests += 1
        if result.complexity is not None and result.complexity.query is not None:
            report.complexity += result.complexity.query

    client.observers.append(observe)
    try:
        with db.begin() as conn:
            labels = [c.label for c in registered_columns(db, conn)]
        columns = resolve_columns(config, labels)
        expected = store.load_expected(db, config, Scope(options.customers),
                                       columns.order_sources)
        item_ids, subitem_ids = columns_read(columns)
        board = read_board(client, config.monday.board_id, item_ids, subitem_ids,
                           on_page=progress.reading)
        seen = {item.id for item in board.items}
        unseen = [o.item_id for o in expected.orders if o.item_id and o.item_id not in seen]
        states, _ = item_states(client, unseen) if unseen else ({}, 0)
        ctx = Context(config, db, columns, config.monday.board_id,
                      config.monday.subitems_board_id, SyncReport(),
                      DryRunSender(planner_for(config), Console(file=io.StringIO())), client,
                      dry_run=True)
        report.items_read, report.subitems_read = len(board.items), board.subitems
        plan = compare(Comparison(ctx, expected, board, states,
                                  frozenset(c.strip().upper() for c in options.customers)),
                       report)
    finally:
        client.observers.remove(observe)
    report.run_id = store.record_run(db, report, started)
    return report, plan


class _Deletes:
    """Counts the extras monday deleted (one already gone counts as deleted)."""

    def __init__(self) -> None:
        self.deleted = 0

    def sending(self, batch: Sequence[Job]) -> None:
        """Nothing to mark: a delete repeats safely."""

    def finished(self, batch: Sequence[Job], outcomes: Sequence[Outcome]) -> None:
        self.deleted += sum(1 for o in outcomes if o.ok or (
            o.error is not None and "NotFound" in o.error.code))

    def in_doubt(self, batch: Sequence[Job], error: Exception) -> None:
        """The next verify shows what is left."""

    def unsent(self, batch: Sequence[Job], error: Exception) -> None:
        """Nothing was marked."""


def _delete(config: Config, client: MondayClient, ids: Sequence[str],
            clock: Callable[[], float], sleep: Callable[[float], None]) -> tuple[int, int]:
    """Delete the extra items and subitems; (mutations sent, deleted)."""
    sender = Sender(client, planner_for(config), Budget(clock, sleep),
                    concurrency=config.monday.limits.concurrency)
    handler = _Deletes()
    try:
        sender.send([Job(Call("delete_item", {"item_id": i}), i, token=f"extra/{i}")
                     for i in dict.fromkeys(ids)], handler)
    finally:
        sender.close()
    return sender.stats.mutations, handler.deleted
