"""``run_sync``: one sync run, from the board lock to the run's record.

1. checks: a board id, a column mapping that reads columns the orders have;
2. the board's writer lock (one sync per board at a time) and a ``sync_runs`` row;
3. ``--retry-failed``: FAILED records in scope back to PENDING;
4. reconcile: records a crash or a lost response left SENDING are looked up on
   the board — items by the identity column, subitems under their item by size —
   and adopted if found, re-queued if not (whatever the run's scope);
5. capacity: the boards' fill after this run within ``items_per_board`` (else
   ``CapacityExceeded`` before any create — ``ordersync.limits.capacity_problems``);
6. the orders in scope with work (``--customer``, at most ``--limit``), in chunks:
   groups → the items of orders with none recorded looked up by identity and taken over
   (unless the run found the board empty) → items moved to their order's group (a
   changed season) → items → subitems under their parents' ids; then rounds for what
   they re-queued — board by board when ``[monday.routing] key`` routes orders to
   several boards (``sync.routed``);
7. the run's totals into ``sync_runs``, and the FAILED records the database holds.

SIGTERM, SIGHUP or Ctrl-C (``stop``) end the run between requests, recorded
``interrupted`` with its real counts.  A fatal error (token, board, permissions) stops
the run with nothing half written — the batch in flight is released to PENDING —
and is raised.  Faults beyond the retry policy end the run early too, after the
in-doubt batch was reconciled: the report says why (``stopped``) and the next run
goes on.  Records re-queued during the run (healed after their item was gone from
the board, or faulted on their own alias) get further rounds of the passes.
``dry_run`` prints every request instead of sending it and writes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace

from rich.console import Console

from ordersync.config import Config
from ordersync.customers import resolve_customers
from ordersync.db import Database
from ordersync.db.schema import create_tables, registered_columns
from ordersync.errors import CapacityExceeded, ConfigError, FatalSyncError, RetriableSyncError
from ordersync.limits import capacity_problems, planner_for
from ordersync.listings.runs import record_sync_details
from ordersync.monday.client import MondayClient
from ordersync.routing import route_orders
from ordersync.states import SyncEvent
from ordersync.sync import store, transitions
from ordersync.sync.boards import template_id as template_of
from ordersync.sync.budget import Budget
from ordersync.sync.columns import resolve_columns
from ordersync.sync.context import Context, DryRunSender
from ordersync.sync.groups import ensure_groups
from ordersync.sync.items import adopt_items, adopt_unrecorded, find_created_items, sync_items
from ordersync.sync.lock import board_lock
from ordersync.sync.moves import move_items
from ordersync.sync.preflight import check_boards
from ordersync.sync.report import SyncReport
from ordersync.sync.routed import Boards, new_boards, reconcile_routed, send_routed
from ordersync.sync.sender import Job, Sender
from ordersync.sync.stop import Stop
from ordersync.sync.subitems import adopt_subitems, find_created_subitems, sync_subitems

logger = logging.getLogger(__name__)

CHUNK_ORDERS = 2_000
"""Orders read and sent per round of the three passes (bounds memory at any volume)."""
MAX_ROUNDS = 5
"""Rounds of the passes in one run: the work, then what it re-queued (an item gone from
the board takes up to three: its subitem's update, its create, its subitems' creates)."""


@dataclass(frozen=True)
class SyncOptions:
    dry_run: bool = False
    customers: tuple[str, ...] = ()
    limit: int | None = None
    retry_failed: bool = False
    new_boards: tuple[str, ...] = ()
    """Routes whose board monday no longer shows, to give a new board (``sync.routed``)."""


@dataclass
class Progress:
    """Callbacks for a progress display: ``total`` orders, each pass's jobs as they are
    handed to the sender, then mutations as they are sent."""

    start: Callable[[int], None] = field(default=lambda total: None)
    advance: Callable[[int], None] = field(default=lambda n: None)
    send: Callable[[Sequence[Job]], None] = field(default=lambda jobs: None)


def run_sync(config: Config, db: Database, client: MondayClient | None, *,
             options: SyncOptions = SyncOptions(), progress: Progress | None = None,
             out: Console | None = None, clock: Callable[[], float] = time.monotonic,
             sleep: Callable[[float], None] = time.sleep, stop: Stop | None = None) -> SyncReport:
    """One sync run (see the module docstring); ``client`` may be None only for a dry run.
    ``stop``: a signal's request to end the run between requests (``sync.stop``)."""
    started = clock()
    routed = config.monday.routing.key is not None
    board_id = config.monday.board_id if not routed else template_of(config)
    if board_id is None:
        raise ConfigError("[monday]", ["monday.board_id: required to sync — the id of the order "
                                       "board (in its URL: …/boards/<id>); with "
                                       "[monday.routing] key, the template board's"])
    if options.new_boards and (not routed or options.dry_run):
        raise ConfigError("ordersync sync --new-board", [
            "--new-board gives a route of [monday.routing] a new board in place of one "
            "monday.com no longer shows: it needs [monday.routing] key, and writes (no "
            "--dry-run)"])
    report = SyncReport(board_id=board_id, routed=routed, dry_run=options.dry_run)
    if not db.has_table("orders"):
        if options.dry_run:
            return report
        create_tables(db)
    elif not options.dry_run:
        create_tables(db)  # adds columns a newer ordersync needs
    with db.begin() as conn:
        labels = [c.label for c in registered_columns(db, conn)]
    columns = resolve_columns(config, labels)
    # An unknown name is an error; a spelling or code becomes the customer's canonical name.
    options = replace(options, customers=resolve_customers(config, db, options.customers))
    progress = progress or Progress()
    if options.dry_run:
        sender = DryRunSender(planner_for(config), out or Console())
        ctx = Context(config, db, columns, board_id, config.monday.subitems_board_id, report,
                      sender, client, dry_run=True)
        dry_boards = Boards.open(ctx) if routed else None
        _run_passes(ctx, options, progress, dry_boards)
        if dry_boards is not None:
            dry_boards.report_gone()
        report.requests, report.mutations = sender.requests, sender.mutations
        report.elapsed_seconds = round(clock() - started, 2)
        _count_failed(db, report)
        return report
    if client is None:
        raise FatalSyncError("a sync needs a monday.com client (MONDAY_API_TOKEN)")
    if not routed:
        _require_subitems_board(config)
    with board_lock(db, board_id if not routed else f"routed-{board_id}"):
        report.run_id = store.start_run(db, board_id)
        budget = Budget(clock, sleep)
        limited = (client.limit_waits, client.limit_waited)  # the client may serve many runs
        real = Sender(client, planner_for(config), budget, on_request=progress.advance,
                      on_send=progress.send,
                      concurrency=config.monday.limits.concurrency, stop=stop)
        ctx = Context(config, db, columns, board_id, config.monday.subitems_board_id, report,
                      real, client, run_id=report.run_id)
        status, error = "ok", None
        try:
            boards = Boards.open(ctx) if routed else None
            if boards is None:  # routed: each board is preflighted before its first write
                check_boards(config, client, db)  # preflight: nothing written on a misfit
            elif options.new_boards:  # the routes' gone boards forgotten: made anew below
                report.boards_replaced = new_boards(ctx, options.new_boards)
                boards = Boards.open(ctx)
            if options.retry_failed:
                transitions.retry_failed(db, config, store.Scope(options.customers))
            if boards is None:
                reconcile(ctx)
            else:
                reconcile_routed(boards, reconcile)
            _run_passes(ctx, options, progress, boards)
            waiting: set[str] = set()
            if boards is not None:
                boards.report_gone()
                waiting = boards.waiting()
            if options.limit is None:  # what is still to send: the board is not yet true
                scope = store.Scope(options.customers)  # (orders of a gone board: said so)
                report.unsent = store.unsent(db, config, scope) - (
                    store.unsent(db, config, scope, among=sorted(waiting)) if waiting else 0)
        except RetriableSyncError as exc:  # monday kept failing, or a signal: stop, report
            status, error = "interrupted", str(exc)
            report.stopped = str(exc)
        except FatalSyncError as exc:
            status, error = "failed", str(exc)
            report.stopped = str(exc)
            raise
        except KeyboardInterrupt:  # a second Ctrl-C (see stop.py): stopped at once
            status, error = "interrupted", (
                "stopped at once (Ctrl-C, or a second signal): a request in flight is in "
                "doubt — run `ordersync sync` to check its records against the board and go on")
            raise
        except BaseException as exc:  # a bug: the run did not finish
            status, error = "interrupted", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            real.close()
            report.requests, report.mutations = real.stats.requests, real.stats.mutations
            report.complexity = budget.spent
            # Waits the sync's own budget asked for, and waits for a limit monday.com reported
            # (a 429, an exhausted budget): both are time the run spent waiting on limits.
            report.budget_waits = budget.waits + client.limit_waits - limited[0]
            report.waited_seconds = round(
                budget.waited_seconds + client.limit_waited - limited[1], 2)
            report.elapsed_seconds = round(clock() - started, 2)
            _count_failed(db, report)
            if status == "ok" and (report.counts["failed"] or report.incomplete):
                status = "partial"
            if error is None and report.boards_gone:  # said by runs, status, the report
                error = "; ".join(f.reason for f in report.boards_gone[:2])
            if error is None and report.group_failures:  # said by runs, status, the report
                error = "; ".join(f"{f.what}: {f.reason}" for f in report.group_failures[:3])
                error = f"{len(report.group_failures)} group(s) not made ({error})"
            store.finish_run(db, report.run_id, status=status, requests=report.requests,
                             complexity=report.complexity, succeeded=report.succeeded,
                             failed=report.counts["failed"], error=error)
            record_sync_details(db, report)
    return report


def _count_failed(db: Database, report: SyncReport) -> None:
    """The FAILED records the database holds after the run, whichever run failed them."""
    failed = store.failed_records(db, examples=0)
    report.failed_orders, report.failed_lines = failed.orders, failed.lines
    report.board_differs, report.board_differs_since = store.board_drift(db)


def _require_subitems_board(config: Config) -> None:
    if config.monday.subitem_columns and config.monday.subitems_board_id is None:
        raise ConfigError("[monday]", [
            "monday.subitems_board_id: required with subitem_columns — the id of the order "
            "board's subitems board (`ordersync sandbox --create-board` prints it; on monday, "
            "open a subitem's column menu)"])


def reconcile(ctx: Context, only: Collection[str] | None = None) -> None:
    """Settle every record an earlier run left SENDING (see the module docstring); with
    ``only``, the records of those orders (the ones placed on ``ctx``'s board)."""
    item_labels = ctx.columns.order_sources
    requeued = SyncEvent.REQUEUED
    wanted = set(only) if only is not None else None
    orders = [o for o in store.in_doubt_orders(ctx.db, item_labels)
              if wanted is None or o.record_uuid in wanted]
    if orders:
        logger.info("reconciling %d in-doubt order(s) with the board", len(orders))
        creates = [o for o in orders if o.item_id is None]
        adopted = find_created_items(ctx, creates) if creates else {}
        with ctx.db.begin() as conn:
            events = adopt_items(ctx, conn, adopted)
            requeue = [o for o in orders if o.record_uuid not in adopted]
            transitions.orders_release(conn, ctx.db, [
                (o.record_uuid, "in doubt after an interrupted run: sent again")
                for o in requeue], requeued)
            ctx.events(conn, events + [store.Event(o.record_uuid, None, "reconcile",
                                                   "requeued") for o in requeue])
            ctx.report.add("requeued", len(requeue))
    lines = [line for line in store.in_doubt_lines(ctx.db)
             if wanted is None or line.record_uuid in wanted]
    if lines:
        logger.info("reconciling %d in-doubt line(s) with the board", len(lines))
        new_lines = [line for line in lines if line.subitem_id is None and line.item_id]
        found = find_created_subitems(ctx, new_lines) if new_lines else {}
        with ctx.db.begin() as conn:
            events = adopt_subitems(ctx, conn, [
                (line, found[line.record_uuid, line.size_code], line.sent_values)
                for line in new_lines if (line.record_uuid, line.size_code) in found])
            again = [line for line in lines if (line.record_uuid, line.size_code) not in found]
            transitions.lines_release(conn, ctx.db, [
                (line, "in doubt after an interrupted run: sent again") for line in again],
                requeued)
            ctx.events(conn, events + [store.Event(line.record_uuid, line.size_code,
                                                   "reconcile", "requeued") for line in again])
            ctx.report.add("requeued", len(again))


def _run_passes(ctx: Context, options: SyncOptions, progress: Progress,
                boards: Boards | None) -> None:
    """The work in scope, checked against every board's capacity first; on one board, or
    board by board when routed (``sync.routed``)."""
    scope = store.Scope(options.customers)
    uuids = store.select_work(ctx.db, ctx.config, scope, options.limit)
    assignment = route_orders(ctx.config, ctx.db, scope=uuids)
    problems = capacity_problems(ctx.config, assignment)
    if problems:  # before any create: monday would refuse them and the budget be lost
        raise CapacityExceeded(problems)
    progress.start(len(uuids))
    if boards is None:
        _run_rounds(ctx, uuids)
    else:
        send_routed(boards, assignment, uuids, _run_rounds)


def _run_rounds(ctx: Context, uuids: Sequence[str]) -> None:
    """The passes over ``uuids``, then further rounds (at most ``MAX_ROUNDS`` in all) for
    the orders re-queued meanwhile: healed after their item or group was gone from the
    board, or faulted on their own alias with attempts left."""
    for round_ in range(MAX_ROUNDS):
        for start in range(0, len(uuids), CHUNK_ORDERS):
            _run_chunk(ctx, uuids[start:start + CHUNK_ORDERS])
        if ctx.dry_run or not ctx.again:
            return
        uuids = sorted(ctx.again - store.held_back(ctx.db, sorted(ctx.again)))
        ctx.again.clear()
        if not uuids:
            return
        ctx.held.clear()
        ctx.round += 1
        logger.info("round %d: %d order(s) sent again (healed, or a fault on their alias)",
                    round_ + 2, len(uuids))


def _run_chunk(ctx: Context, uuids: Sequence[str]) -> None:
    orders = store.load_orders(ctx.db, uuids, ctx.columns.order_sources)
    names = {o.group_name for o in orders
             if o.group_name is not None and (o.item_id is not None or not o.is_cancelled)}
    group_ids = ensure_groups(ctx, names) if names else {}
    orders = adopt_unrecorded(ctx, orders)  # never a second item for one the board has
    move_items(ctx, orders, group_ids)
    sync_items(ctx, orders, group_ids)
    sync_subitems(ctx, store.load_lines(ctx.db, uuids))
