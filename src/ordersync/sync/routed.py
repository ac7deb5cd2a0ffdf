"""The sync board by board, when ``[monday.routing] key`` routes orders to several boards
(issue #10).  ``run_sync`` calls these in place of its single-board steps:

- ``reconcile_routed``: the records an earlier run left in doubt, board by board — each
  order is looked up on the board it was placed on (``orders.monday_board_id``);
- ``send_routed``: for each board the run's work goes to (route and part order): the board
  found or created once (``sync.boards.ensure_board``), the column mapping resolved on it
  and preflighted (``check_boards``: nothing is written to a board that does not fit), the
  new orders placed on it before their creates are sent (so a crash looks them up there),
  the items whose route changed moved onto it (``sync.board_moves``), then the usual passes
  (groups → group moves → items → subitems) with that board's ids and columns.

The capacity check (``limits.capacity_problems``) has run before: no board is created and
nothing is sent when a board would pass ``items_per_board``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from ordersync.config import Config
from ordersync.db.schema import registered_columns
from ordersync.routing import (
    Assignment,
    RegisteredBoard,
    in_doubt_boards,
    item_boards,
    place_on_board,
    registered_boards,
)
from ordersync.routing.routes import BoardFill
from ordersync.sync.board_moves import move_to_board
from ordersync.sync.boards import BoardColumns, board_config, ensure_board, read_structures
from ordersync.sync.boards import template_id as template_of
from ordersync.sync.columns import resolve_columns
from ordersync.sync.context import Context
from ordersync.sync.preflight import check_boards

logger = logging.getLogger(__name__)

MOVE_ROUNDS = 3
"""Further tries, within the run, of board moves a fault held back (then their updates)."""

Reconcile = Callable[[Context, Collection[str]], None]
Passes = Callable[[Context, Sequence[str]], None]


@dataclass
class Boards:
    """The boards of one run: registry rows, their columns, each board's context."""

    base: Context
    registry: dict[tuple[str, int], RegisteredBoard]
    structures: dict[str, BoardColumns]
    contexts: dict[str, Context]

    @classmethod
    def open(cls, base: Context) -> Boards:
        return cls(base, registered_boards(base.db), {}, {})

    def _read_template(self) -> None:
        """The template board's columns and its subitems board's (once, when first needed:
        a run with nothing to send reads nothing)."""
        template = template_of(self.base.config)
        if self.base.client is None or template is None or template in self.structures:
            return
        self.structures |= read_structures(self.base.client, [template])
        sub = self.structures[template].subitems_board_id if template in self.structures \
            else None
        if sub:
            self.structures |= read_structures(self.base.client, [sub])

    def context(self, board: RegisteredBoard) -> Context:
        """The run's context for ``board``: its ids and its resolved, preflighted mapping."""
        if board.board_id in self.contexts:
            return self.contexts[board.board_id]
        base = self.base
        config = base.config
        if base.client is not None:
            self._read_template()
            wanted = [b for b in (board.board_id, board.subitems_board_id)
                      if b and b not in self.structures]
            if wanted:
                self.structures |= read_structures(base.client, wanted)
            config = board_config(base.config, board, self.structures)
            check_boards(config, base.client, base.db)
        else:
            config = _with_board(config, board)
        with base.db.begin() as conn:
            labels = [c.label for c in registered_columns(base.db, conn)]
        ctx = replace(base, config=config, columns=resolve_columns(config, labels),
                      board_id=board.board_id, subitems_board_id=board.subitems_board_id,
                      new_items={}, held=set(), again=set(), recreated=set())
        self.contexts[board.board_id] = ctx
        return ctx

    def board(self, fill: BoardFill) -> RegisteredBoard:
        key = (fill.route, fill.part)
        if key in self.registry:
            return self.registry[key]
        if self.base.dry_run or self.base.client is None:
            return RegisteredBoard(fill.route, fill.part, fill.name,
                                   fill.board_id or f"<new board {fill.name}>", None, "created")
        board = ensure_board(self.base.config, self.base.db, self.base.client, fill,
                             self.registry)
        self.registry[key] = board
        if board.origin != "pinned":
            self.base.report.add(f"boards_{board.origin}")
        return board

    def by_id(self, board_id: str) -> RegisteredBoard | None:
        for board in self.registry.values():
            if board.board_id == board_id:
                return board
        return None


def _with_board(config: Config, board: RegisteredBoard) -> Config:
    monday = config.monday.model_copy(update={"board_id": board.board_id,
                                              "subitems_board_id": board.subitems_board_id})
    return config.model_copy(update={"monday": monday})


def reconcile_routed(boards: Boards, reconcile: Reconcile) -> None:
    """Each board's in-doubt records looked up on that board."""
    placed = in_doubt_boards(boards.base.config, boards.base.db)
    by_board: dict[str, list[str]] = {}
    for uuid, board_id in placed.items():
        by_board.setdefault(board_id, []).append(uuid)
    for board_id, uuids in sorted(by_board.items()):
        board = boards.by_id(board_id)
        if board is None:  # the template board (orders synced before routing was set)
            board = RegisteredBoard("", 0, board_id, board_id,
                                    boards.base.config.monday.subitems_board_id, "pinned")
        logger.info("board %s: reconciling %d order(s) in doubt", board_id, len(uuids))
        reconcile(boards.context(board), uuids)


def send_routed(boards: Boards, assignment: Assignment, uuids: Sequence[str],
                passes: Passes) -> None:
    """The run's work, board by board (see the module docstring)."""
    by_key: dict[tuple[str, int], list[str]] = {}
    boardless: list[str] = []
    for uuid in uuids:
        key = assignment.targets.get(uuid)
        if key is not None:
            by_key.setdefault(key, []).append(uuid)
        else:
            boardless.append(uuid)
    if boardless:  # cancelled before they reached a board: settled, nothing is sent
        passes(boards.base, boardless)
    for key in sorted(by_key):
        fill = assignment.boards[key]
        board = boards.board(fill)
        ctx = boards.context(board)
        wanted = by_key[key]
        if not ctx.dry_run:
            with ctx.db.begin() as conn:
                place_on_board(conn, ctx.db, board.board_id, wanted)
        moving = [u for u in wanted if assignment.placed.get(u, board.board_id)
                  != board.board_id]
        if moving:
            move_to_board(ctx, moving, _sources(boards, assignment.placed, moving))
        logger.info("board %s (%s): %d order(s) to send", board.board_id, board.name,
                    len(wanted))
        passes(ctx, wanted)
        for _ in range(MOVE_ROUNDS):  # moves a fault held back: again, then their updates
            if ctx.dry_run or not moving:
                break
            on = item_boards(ctx.config, ctx.db, moving)
            moving = [u for u in moving if on.get(u, board.board_id) != board.board_id]
            if moving:
                move_to_board(ctx, moving, _sources(boards, on, moving))
                passes(ctx, moving)


def _sources(boards: Boards, placed: Mapping[str, str],
             uuids: Sequence[str]) -> dict[str, Context]:
    """record_uuid → the context of the board its item is on now."""
    found: dict[str, Context] = {}
    for uuid in uuids:
        board_id = placed[uuid]
        board = boards.by_id(board_id) or RegisteredBoard(
            "", 0, board_id, board_id, boards.base.config.monday.subitems_board_id, "pinned")
        found[uuid] = boards.context(board)
    return found
