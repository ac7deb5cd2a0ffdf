"""One verify pass: a board read and compared with the orders placed on it — the one
configured board, or (``[monday.routing] key``) every routed board (issue #10).

``board_pass`` reads one board in pages with its subitems, looks up the recorded items the
pages did not show (archived / deleted / on another board), compares, and records the
board's ``verify_runs`` row.  ``routed_pass`` runs it for every board of the registry
(and any board orders were placed on before routing was set), each with its own subitems
board and its column mapping resolved and preflighted as the routed sync does
(``sync.routed.Boards``), against the orders placed on it (``orders.monday_board_id``).
An order's item found on another routed board is counted once, on the order's board, as
``item_on_another_board``; the repair moves it back.  A board monday no longer shows is one
``board_gone`` difference, its orders not compared (``sync.routed``: they wait for the
board, or ``sync --new-board``), and the other boards are.  Orders on no board yet are compared
with an empty board (they are the next sync's creates).  All boards' rows of one pass share
its start time, which is how ``status`` shows the pass as one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import datetime

from rich.console import Console

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.schema import registered_columns
from ordersync.errors import BoardGone
from ordersync.limits import planner_for
from ordersync.monday.client import MondayClient
from ordersync.monday.wire import GraphQLResult
from ordersync.routing import RegisteredBoard
from ordersync.sync import SyncReport
from ordersync.sync.boards import template_id
from ordersync.sync.columns import identity_text, resolve_columns
from ordersync.sync.context import Context, DryRunSender
from ordersync.sync.routed import Boards
from ordersync.sync.store import Scope
from ordersync.verify import store
from ordersync.verify.board import BoardRead, item_states, read_board
from ordersync.verify.compare import Comparison, columns_read, compare
from ordersync.verify.report import Finding, Kind, VerifyReport, totals

UNPLACED = "(no board yet)"
"""The report's board for orders routing has not placed yet."""

Plans = dict[str, store.RepairPlan]
"""board id → the repair plan of that board."""


def base_context(config: Config, db: Database, client: MondayClient, board_id: str) -> Context:
    """A read-only (dry-run) context on ``board_id`` with the configured mapping."""
    with db.begin() as conn:
        labels = [c.label for c in registered_columns(db, conn)]
    return Context(config, db, resolve_columns(config, labels), board_id,
                   config.monday.subitems_board_id, SyncReport(),
                   DryRunSender(planner_for(config), Console(file=io.StringIO())), client,
                   dry_run=True)


def board_pass(ctx: Context, expected: store.Expected, client: MondayClient, *,
               customers: frozenset[str], repaired: bool, started: datetime,
               reading: Callable[[int], None] | None = None, routed: frozenset[str] = frozenset(),
               others: Mapping[str, frozenset[str]] | None = None,
               record: bool = True) -> tuple[VerifyReport, store.RepairPlan]:
    """Read ``ctx``'s board, compare it with ``expected``, record the row (``record``)."""
    report = VerifyReport(ctx.board_id, repaired=repaired)

    def observe(result: GraphQLResult) -> None:
        report.requests += 1
        if result.complexity is not None and result.complexity.query is not None:
            report.complexity += result.complexity.query

    client.observers.append(observe)
    try:
        if record:
            item_ids, subitem_ids = columns_read(ctx.columns)
            board = read_board(client, ctx.board_id, item_ids, subitem_ids,
                               on_page=reading)
        else:
            board = BoardRead()
        seen = {item.id for item in board.items}
        unseen = [o.item_id for o in expected.orders if o.item_id and o.item_id not in seen]
        states, _ = item_states(client, unseen) if unseen else ({}, 0)
        report.items_read, report.subitems_read = len(board.items), board.subitems
        plan = compare(Comparison(ctx, expected, board, states, customers, routed,
                                  others or {}), report)
    finally:
        client.observers.remove(observe)
    if record:
        report.run_id = store.record_run(db=ctx.db, report=report, started=started)
    return report, plan


def routed_pass(config: Config, db: Database, client: MondayClient, *,
                customers: tuple[str, ...], repaired: bool,
                reading: Callable[[int], None] | None = None) -> tuple[VerifyReport, Plans]:
    """Every routed board's pass (see the module docstring); their totals and plans."""
    started = store.now()
    base = base_context(config, db, client, template_id(config) or UNPLACED)
    expected = store.load_expected(db, config, Scope(customers), base.columns.order_sources)
    boards = Boards.open(base)
    registered = _boards(config, boards, expected)
    ids = frozenset(b.board_id for b in registered)
    items: dict[str, list[tuple[str | None, str]]] = {}
    for order in expected.orders:
        if order.item_id:
            items.setdefault(identity_text(order.business_key), []).append(
                (expected.boards.get(order.record_uuid), order.item_id))
    scope = frozenset(c.strip().upper() for c in customers)
    reports: list[VerifyReport] = []
    plans: Plans = {}
    for board in registered:
        try:
            ctx = boards.context(board)
        except BoardGone as gone:  # this board only: the others are compared
            reports.append(_gone_pass(db, gone, expected.on_board(board.board_id, {}),
                                      repaired=repaired, started=started))
            continue
        with db.begin() as conn:
            groups = store.board_groups(db, conn, board.board_id)
        others = {key: frozenset(i for b, i in found if b != board.board_id)
                  for key, found in items.items()}
        report, plan = board_pass(ctx, expected.on_board(board.board_id, groups), client,
                                  customers=scope, repaired=repaired, started=started,
                                  reading=reading, routed=ids - {board.board_id},
                                  others=others)
        report.board_name = board.name
        reports.append(report)
        plans[board.board_id] = plan
    unplaced = expected.on_board(None, {})
    if any(not o.is_cancelled for o in unplaced.orders):
        report, _ = board_pass(base, unplaced, client, customers=scope, repaired=repaired,
                               started=started, record=False)
        report.board_id = report.board_name = UNPLACED
        reports.append(report)
    return totals(reports, repaired=repaired), plans


def _gone_pass(db: Database, gone: BoardGone, expected: store.Expected, *, repaired: bool,
               started: datetime) -> VerifyReport:
    """The pass of a board monday no longer shows: one difference saying so, its orders
    not compared."""
    report = VerifyReport(gone.board_id, repaired=repaired, board_name=gone.name)
    report.add(Finding(Kind.BOARD_GONE, f"board {gone.board_id} ({gone.name!r})",
                       detail=f"{len(expected.orders):,} order(s) not compared: {gone}"))
    report.run_id = store.record_run(db=db, report=report, started=started)
    return report


def _boards(config: Config, boards: Boards, expected: store.Expected) -> list[RegisteredBoard]:
    """The registry's boards, then any other board orders are placed on (the template board,
    for orders synced before routing was set)."""
    found = sorted(boards.registry.values(), key=lambda b: (b.route, b.part))
    known = {b.board_id for b in found}
    for board_id in sorted({b for b in expected.boards.values() if b and b not in known}):
        found.append(RegisteredBoard("", 0, board_id, board_id,
                                     config.monday.subitems_board_id, "pinned"))
    return found
