"""Routing: every order on a board, within monday's items-per-board limit (issue #10).

    routes.py    route values, board names, the deterministic overflow rule (pure)
    registry.py  the orders as routing sees them; the board registry (monday_boards)
    boards.py    each route's board made to exist: registry, pin, by name, duplicate_board
    columns.py   the column mapping resolved on each board (by id, else by title)

``route_orders`` is what ``plan`` and ``sync`` both call: every order's board, and each
board's fill now and after the sync.  Without ``[monday.routing] key`` every order has the
one route ``""`` on ``monday.board_id``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from ordersync.config import Config
from ordersync.db import Database
from ordersync.routing.registry import (
    RegisteredBoard,
    RoutedOrders,
    forget_board,
    in_doubt_boards,
    item_boards,
    moved_to_board,
    orders_on_board,
    place_on_board,
    register_board,
    registered_boards,
    routed_orders,
)
from ordersync.routing.routes import Assignment, BoardFill, Placement, RouteKey, assign

SINGLE_ROUTE = ""
"""The route of every order when no routing key is set."""

__all__ = ["SINGLE_ROUTE", "Assignment", "BoardFill", "Placement", "RegisteredBoard",
           "RouteKey", "RoutedOrders", "assign", "forget_board", "in_doubt_boards",
           "item_boards", "moved_to_board", "orders_on_board", "place_on_board",
           "register_board", "registered_boards", "route_orders", "routed_orders"]


def route_orders(config: Config, db: Database, *,
                 scope: Collection[str] | None = None) -> Assignment:
    """Every order's board and each board's fill (read-only; empty before the first load).

    ``scope``: the record_uuids this run sends (default every order); the others stay
    where they are."""
    limits, routing = config.monday.limits, config.monday.routing
    if not (db.has_table("orders") and db.has_table("order_lines")):
        return Assignment()
    registry = registered_boards(db)
    with db.transaction(dry_run=True) as conn:
        if routing.key is None:
            single = routed_orders(config, db, conn, single_route=SINGLE_ROUTE)
            known = ({(SINGLE_ROUTE, 1): config.monday.board_id}
                     if config.monday.board_id else {})
            return assign(_scoped(single.placements, scope), known,
                          {SINGLE_ROUTE: _single_name(config)},
                          limit=limits.items_per_board, overflow="stop")
        routed = routed_orders(config, db, conn)
    known = {key: board.board_id for key, board in registry.items()}
    for route, board_id in routing.boards.items():
        if (route, 1) not in known and board_id not in known.values():
            known[route, 1] = board_id
    return assign(_scoped(routed.placements, scope), known, routed.names,
                  limit=limits.items_per_board, overflow=routing.overflow)


def _scoped(placements: tuple[Placement, ...],
            scope: Collection[str] | None) -> tuple[Placement, ...]:
    if scope is None:
        return placements
    wanted = set(scope)
    return tuple(p if p.record_uuid in wanted else replace(p, in_scope=False)
                 for p in placements)


def _single_name(config: Config) -> str:
    return f"board {config.monday.board_id}" if config.monday.board_id else "the order board"
