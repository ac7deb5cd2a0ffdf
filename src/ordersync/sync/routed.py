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

A board monday no longer shows (deleted, archived, no longer shared: its columns read
finds nothing, or its mutations answer ``InvalidBoardIdException`` and a read confirms it)
is ``BoardGone`` for that board alone: its orders wait — with the orders whose items are on
it, whatever their route now — and every other board syncs; the report names it, its route
and the ways out.  The sync never gives a route a new board on its own: a board restored
from monday's trash would make the route two boards.  ``new_boards`` does it on request
(``ordersync sync --new-board ROUTE``): the route's gone boards leave the registry with
their groups, and the orders placed on them forget their items, to be created on the
route's new board.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ordersync.config import Config
from ordersync.db.schema import registered_columns
from ordersync.errors import BoardGone, ConfigError
from ordersync.monday.wire import MondayFatalError
from ordersync.routing import (
    Assignment,
    RegisteredBoard,
    forget_board,
    in_doubt_boards,
    item_boards,
    orders_on_board,
    place_on_board,
    registered_boards,
)
from ordersync.routing.routes import BoardFill
from ordersync.sync import store, transitions
from ordersync.sync.board_moves import move_to_board
from ordersync.sync.boards import BoardColumns, board_config, ensure_board, read_structures
from ordersync.sync.boards import template_id as template_of
from ordersync.sync.columns import resolve_columns
from ordersync.sync.context import Context
from ordersync.sync.preflight import check_boards
from ordersync.sync.report import Failure

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
    gone: dict[str, tuple[BoardGone, set[str]]] = field(default_factory=dict)
    """board id → why monday no longer shows it, and the orders that wait for it."""

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
        """The run's context for ``board``: its ids and its resolved, preflighted mapping
        (``BoardGone`` when monday no longer shows the board)."""
        if board.board_id in self.gone:
            raise self.gone[board.board_id][0]
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
            if board.board_id not in self.structures:
                raise self.lost(board)
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
                             self.registry, run_id=self.base.run_id)
        self.registry[key] = board
        if board.origin != "pinned":
            self.base.report.add(f"boards_{board.origin}")
        return board

    def by_id(self, board_id: str) -> RegisteredBoard | None:
        for board in self.registry.values():
            if board.board_id == board_id:
                return board
        return None

    def lost(self, board: RegisteredBoard) -> BoardGone:
        """``board`` is gone from monday: recorded, and the error saying so."""
        if board.board_id not in self.gone:
            pinned = self.base.config.monday.routing.boards.get(board.route) == board.board_id
            self.gone[board.board_id] = (BoardGone(board.board_id, board.name, board.route,
                                                   part=board.part, pinned=pinned), set())
        return self.gone[board.board_id][0]

    def wait(self, gone: BoardGone, uuids: Collection[str]) -> None:
        """The orders ``uuids`` wait for the gone board ``gone``."""
        self.gone.setdefault(gone.board_id, (gone, set()))[1].update(uuids)

    def still_there(self, board: RegisteredBoard) -> bool:
        """After monday answered ``InvalidBoardIdException`` writing to ``board``: whether
        it still shows the board (one read)."""
        if self.base.client is None:
            return True
        found = read_structures(self.base.client, [board.board_id])
        return board.board_id in found

    def waiting(self) -> set[str]:
        """Every order that waits for a gone board."""
        return {uuid for _, uuids in self.gone.values() for uuid in uuids}

    def report_gone(self) -> None:
        """Each gone board, its route and its waiting orders, into the run's report."""
        self.base.report.boards_gone = [
            Failure(f"board {gone.board_id} ({gone.name!r}): {len(uuids):,} order(s) wait",
                    str(gone)) for gone, uuids in self.gone.values()]


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
        try:
            ctx = boards.context(board)
        except BoardGone as gone:  # left in doubt: looked up there once it is back
            boards.wait(gone, uuids)
            continue
        logger.info("board %s: reconciling %d order(s) in doubt", board_id, len(uuids))
        reconcile(ctx, uuids)


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
        wanted = by_key[key]
        board: RegisteredBoard | None = None
        try:
            board = boards.board(assignment.boards[key])
            _send_board(boards, board, assignment, wanted, passes)
        except BoardGone as gone:  # this board only: the others go on
            boards.wait(gone, wanted)
        except MondayFatalError as exc:
            if board is None or exc.code != BOARD_GONE_CODE or boards.still_there(board):
                raise
            boards.wait(boards.lost(board), wanted)


BOARD_GONE_CODE = "InvalidBoardIdException"


def _send_board(boards: Boards, board: RegisteredBoard, assignment: Assignment,
                wanted: list[str], passes: Passes) -> None:
    """The run's work for one board (see the module docstring)."""
    ctx = boards.context(board)
    if not ctx.dry_run:
        with ctx.db.begin() as conn:
            place_on_board(conn, ctx.db, board.board_id, wanted)
    moving = [u for u in wanted if assignment.placed.get(u, board.board_id)
              != board.board_id]
    if moving:
        sources = _sources(boards, assignment.placed, moving)
        stranded = set(moving) - set(sources)  # their items are on a gone board: they wait
        moving = [u for u in moving if u in sources]
        wanted = [u for u in wanted if u not in stranded]
        if moving:
            move_to_board(ctx, moving, sources)
    logger.info("board %s (%s): %d order(s) to send", board.board_id, board.name,
                len(wanted))
    passes(ctx, wanted)
    for _ in range(MOVE_ROUNDS):  # moves a fault held back: again, then their updates
        if ctx.dry_run or not moving:
            break
        on = item_boards(ctx.config, ctx.db, moving)
        moving = [u for u in moving if on.get(u, board.board_id) != board.board_id]
        if moving:
            sources = _sources(boards, on, moving)
            moving = [u for u in moving if u in sources]
            if moving:
                move_to_board(ctx, moving, sources)
                passes(ctx, moving)


def _sources(boards: Boards, placed: Mapping[str, str],
             uuids: Sequence[str]) -> dict[str, Context]:
    """record_uuid → the context of the board its item is on now; an order whose item is
    on a gone board is left out and waits for it (its item is not made a second time)."""
    found: dict[str, Context] = {}
    for uuid in uuids:
        board_id = placed[uuid]
        board = boards.by_id(board_id) or RegisteredBoard(
            "", 0, board_id, board_id, boards.base.config.monday.subitems_board_id, "pinned")
        try:
            found[uuid] = boards.context(board)
        except BoardGone as gone:
            boards.wait(gone, [uuid])
    return found


def new_boards(ctx: Context, routes: Sequence[str]) -> list[str]:
    """``ordersync sync --new-board``: forget each route's boards monday no longer shows
    (see the module docstring), so this run gives the route a new board and creates its
    orders there; what was done, one line a board.  A route with no registered board, or
    whose boards are all still on monday, or pinned to the gone board, changes nothing and
    is an error."""
    assert ctx.client is not None
    registry = registered_boards(ctx.db)
    pins = ctx.config.monday.routing.boards
    problems, gone = [], []
    for route in dict.fromkeys(routes):
        boards = [b for (r, _), b in sorted(registry.items()) if r == route]
        if not boards:
            known = ", ".join(repr(r) for r in sorted({r for r, _ in registry})) or "none yet"
            problems.append(f"--new-board {route!r}: no board is recorded for that route "
                            f"(routes with a board: {known})")
            continue
        shown = read_structures(ctx.client, [b.board_id for b in boards])
        lost = [b for b in boards if b.board_id not in shown]
        if not lost:
            problems.append(f"--new-board {route!r}: its board(s) "
                            f"{', '.join(b.board_id for b in boards)} are on monday.com — "
                            "a new board replaces only one monday no longer shows")
        for board in lost:
            if pins.get(route) == board.board_id:
                problems.append(f"--new-board {route!r}: [monday.routing.boards] pins the "
                                f"route to board {board.board_id}, which is gone: pin it to "
                                "another board (or remove the pin), then run again")
            else:
                gone.append(board)
    if problems:
        raise ConfigError("ordersync sync --new-board", problems)
    done = []
    for board in gone:
        with ctx.db.begin() as conn:
            uuids = orders_on_board(conn, ctx.db, board.board_id)
            forget_board(conn, ctx.db, board.board_id)
            transitions.orders_board_gone(conn, ctx.db, uuids, (
                f"board {board.board_id} ({board.name!r}) was gone from monday.com: created "
                f"again on route {board.route!r}'s new board (--new-board)"))
            ctx.events(conn, [store.Event(u, None, "new_board", "requeued",
                                          monday_id=board.board_id) for u in uuids])
        done.append(f"board {board.board_id} ({board.name!r}, route {board.route!r}) "
                    f"forgotten: its {len(uuids):,} order(s) go to a new board")
        logger.info(done[-1])
    return done

