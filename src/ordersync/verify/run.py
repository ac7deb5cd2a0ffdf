"""``run_verify``: read the board, compare it with the database, and (``repair``) fix it.
With ``[monday.routing] key`` every routed board, each against the orders placed on it
(``passes.routed_pass``); the repair runs the routed sync.

1. preflight (``sync.preflight``): the boards' columns fit the mapping (routed: each
   board's, as it is read);
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

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ordersync.config import Config
from ordersync.customers import resolve_customers
from ordersync.db import Database
from ordersync.db.schema import create_tables
from ordersync.errors import ConfigError
from ordersync.limits import planner_for
from ordersync.monday.client import MondayClient
from ordersync.monday.operations import Call
from ordersync.sync import Progress, SyncOptions, SyncReport, run_sync
from ordersync.sync.boards import template_id
from ordersync.sync.budget import Budget
from ordersync.sync.lock import board_lock
from ordersync.sync.preflight import check_boards
from ordersync.sync.sender import Job, Outcome, Sender
from ordersync.sync.store import Scope
from ordersync.verify import store
from ordersync.verify.passes import Plans, base_context, board_pass, routed_pass
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
    """Verify (and repair) the configured board, or every routed board; see the module
    docstring."""
    routed = config.monday.routing.key is not None
    board_id = config.monday.board_id if not routed else template_id(config)
    if board_id is None:
        raise ConfigError("[monday]", ["monday.board_id: required to verify — the id of the "
                                       "order board (in its URL: …/boards/<id>); with "
                                       "[monday.routing] key, the template board's"])
    progress = progress or VerifyProgress()
    create_tables(db)
    # An unknown name is an error; a spelling or code becomes the customer's canonical name.
    options = replace(options, customers=resolve_customers(config, db, options.customers))
    if not routed:
        check_boards(config, client, db)  # routed: each board is checked as it is read

    def one_pass(repaired: bool) -> tuple[VerifyReport, Plans]:
        if routed:
            return routed_pass(config, db, client, customers=options.customers,
                               repaired=repaired, reading=progress.reading)
        assert board_id is not None
        ctx = base_context(config, db, client, board_id)
        expected = store.load_expected(db, config, Scope(options.customers),
                                       ctx.columns.order_sources)
        report, plan = board_pass(
            ctx, expected, client, customers=frozenset(c.strip().upper()
                                                       for c in options.customers),
            repaired=repaired, started=store.now(), reading=progress.reading)
        return report, {board_id: plan}

    found, plans = one_pass(False)
    if not options.repair:
        return VerifyResult(found)
    sync_options = SyncOptions(customers=options.customers)
    synced: SyncReport | None = None

    def sync() -> SyncReport:  # every round's run in the one report verify prints
        run = run_sync(config, db, client, options=sync_options, progress=progress.sync,
                       clock=clock, sleep=sleep)
        run.board_differs, run.board_differs_since = 0, None  # what this repair puts right
        return run if synced is None else synced.then(run)

    if found.in_doubt:  # settle what an interrupted sync left in doubt, then compare it too
        synced = sync()
        found, plans = one_pass(False)
    extras = [i for plan in plans.values() for i in plan.extras]
    if extras and options.delete_extras:
        found.mutations, found.deleted = _delete(config, client, extras, clock, sleep)
    for _ in range(REPAIR_ROUNDS):
        with board_lock(db, board_id if not routed else f"routed-{board_id}"):
            for on, plan in plans.items():
                store.apply_repair(db, on, plan)
            renames = {sub: named for plan in plans.values()
                       for sub, named in plan.renames.items()}
            if renames:
                _rename(config, client, renames, clock, sleep)
        synced = sync()
        after, plans = one_pass(True)
        if after.equal or synced.stopped or not any(p.records for p in plans.values()):
            break  # equal, stopped, or only extras / FAILED records left: another round
            # would change nothing
    return VerifyResult(found, synced, after)


class _Done:
    """Counts the calls monday did (a delete of what is already gone counts as done); a
    delete or a rename repeats safely, and what did not go through shows in the next pass."""

    def __init__(self) -> None:
        self.done = 0

    def sending(self, batch: Sequence[Job]) -> None:
        """Nothing to mark."""

    def finished(self, batch: Sequence[Job], outcomes: Sequence[Outcome]) -> None:
        self.done += sum(1 for o in outcomes if o.ok or (
            o.error is not None and "NotFound" in o.error.code))

    def lost(self, batch: Sequence[Job], error: Exception) -> Sequence[Job]:
        """A delete or a rename repeats safely: all of them again."""
        return batch

    def in_doubt(self, batch: Sequence[Job], error: Exception) -> str | None:
        """The next verify shows what is left."""
        return "the next verify shows what is left"

    def unsent(self, batch: Sequence[Job], error: Exception) -> None:
        """Nothing was marked."""


def _send(config: Config, client: MondayClient, jobs: Sequence[Job],
          clock: Callable[[], float], sleep: Callable[[float], None]) -> tuple[int, int]:
    """Send ``jobs`` within the budget; (mutations sent, calls done)."""
    sender = Sender(client, planner_for(config), Budget(clock, sleep),
                    concurrency=config.monday.limits.concurrency)
    handler = _Done()
    try:
        sender.send(list(jobs), handler)
    finally:
        sender.close()
    return sender.stats.mutations, handler.done


def _rename(config: Config, client: MondayClient, renames: dict[str, tuple[str, str]],
            clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
    """Give subitems renamed on the board their size's name back."""
    _send(config, client, [Job(Call("change_multiple_column_values", {
        "board_id": board, "item_id": sub,
        "column_values": json.dumps({"name": name}, ensure_ascii=False)}),
        sub, token=f"rename/{sub}/{name}") for sub, (board, name) in renames.items()],
        clock, sleep)


def _delete(config: Config, client: MondayClient, ids: Sequence[str],
            clock: Callable[[], float], sleep: Callable[[float], None]) -> tuple[int, int]:
    """Delete the extra items and subitems; (mutations sent, deleted)."""
    return _send(config, client, [Job(Call("delete_item", {"item_id": i}), i,
                                      token=f"extra/{i}") for i in dict.fromkeys(ids)],
                 clock, sleep)
