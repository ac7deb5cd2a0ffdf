"""The database side of routing: the orders as routing sees them, and the board registry.

``monday_boards`` records each board a route was given — (route value, part) → board id,
its subitems board, and whether ordersync created it (``duplicate_board``), found it on
monday by name (``adopted``) or was told it (``pinned``).  A board is recorded the moment
it is known, so it is created at most once; the rows are never rewritten.  A board monday
no longer shows is forgotten only on request (``forget_board``: ``ordersync sync
--new-board``), the route then given a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.schema import registered_columns
from ordersync.names import NameTemplate
from ordersync.routing.routes import Placement, RouteKey, render
from ordersync.states import SyncState

Origin = Literal["created", "adopted", "pinned"]


@dataclass(frozen=True)
class RegisteredBoard:
    """One row of ``monday_boards``."""

    route: str
    part: int
    name: str
    board_id: str
    subitems_board_id: str | None
    origin: Origin


@dataclass(frozen=True)
class RoutedOrders:
    """Every order's placement, and each route's board name (part 1)."""

    placements: tuple[Placement, ...]
    names: dict[str, str]


def registered_boards(db: Database) -> dict[RouteKey, RegisteredBoard]:
    """Every registered board (empty when the table does not exist yet)."""
    if not db.has_table("monday_boards"):
        return {}
    with db.begin() as conn:
        rows = conn.execute(sa.text(db.sql("boards_registered"))).all()
    return {(r.route_value, int(r.part)): RegisteredBoard(
        r.route_value, int(r.part), r.board_name, r.board_id, r.subitems_board_id, r.origin)
        for r in rows}


def register_board(conn: Connection, db: Database, board: RegisteredBoard) -> None:
    conn.execute(sa.text(db.sql("board_register")), {
        "route_value": board.route, "part": board.part, "board_name": board.name,
        "board_id": board.board_id, "subitems_board_id": board.subitems_board_id,
        "origin": board.origin})


def forget_board(conn: Connection, db: Database, board_id: str) -> None:
    """A board gone from monday, out of the registry with its groups."""
    for table in ("monday_boards", "monday_groups"):
        conn.execute(sa.text(f"DELETE FROM {db.table(table)} WHERE board_id = :b"),
                     {"b": board_id})


def orders_on_board(conn: Connection, db: Database, board_id: str) -> list[str]:
    """The record_uuids of the orders placed on ``board_id``."""
    return [str(u) for u in conn.execute(sa.text(
        f"SELECT record_uuid FROM {db.table('orders')} WHERE monday_board_id = :b "
        "ORDER BY record_uuid"), {"b": board_id}).scalars()]


def routed_orders(config: Config, db: Database, conn: Connection, *,
                  single_route: str | None = None) -> RoutedOrders:
    """Every order with its route value (``[monday.routing] key`` over its columns), or
    ``single_route`` for every order when it is given."""
    routing = config.monday.routing
    key, name = routing.key_template, routing.name_template
    names_of = {c.label: c.name for c in registered_columns(db, conn)}
    wanted = () if key is None or name is None else (*key.columns, *name.columns)
    labels = [label for label in dict.fromkeys(wanted) if label in names_of]
    selected = "".join(f", o.{db.quote(names_of[label])} AS r{i}"
                       for i, label in enumerate(labels))
    rows = conn.execute(sa.text(db.sql("routing_orders", route_columns=selected))).all()
    placements: list[Placement] = []
    names: dict[str, str] = {}
    for row in rows:
        values = {label: row[4 + i] for i, label in enumerate(labels)}
        route = single_route if key is None or name is None else render(key, values)
        if route is not None and route not in names and name is not None:
            names[route] = _board_name(name, values, route)
        placements.append(Placement(
            row.record_uuid, row.business_key, route,
            row.monday_board_id or (config.monday.board_id if row.monday_item_id else None),
            bool(row.on_board), int(row.subitems_now), int(row.subitems_after),
            has_item=row.monday_item_id is not None))
    return RoutedOrders(tuple(placements), names)


def _board_name(template: NameTemplate, values: dict[str, object], route: str) -> str:
    return render(template, values) or route


def place_on_board(conn: Connection, db: Database, board_id: str, uuids: Sequence[str]) -> None:
    """Record ``board_id`` for the orders ``uuids`` without an item, before their creates."""
    for start in range(0, len(uuids), _CHUNK):
        conn.execute(sa.text(db.sql("routing_assign")).bindparams(
            sa.bindparam("uuids", expanding=True)),
            {"board_id": board_id, "uuids": list(uuids[start:start + _CHUNK])})


def moved_to_board(conn: Connection, db: Database,
                   rows: Sequence[tuple[str, str, str | None]]) -> None:
    """(record_uuid, board id, group id): the order's item is on that board, in that group."""
    if rows:
        conn.execute(sa.text(db.sql("routing_moved")), [
            {"record_uuid": u, "board_id": b, "group_id": g} for u, b, g in rows])


def in_doubt_boards(config: Config, db: Database) -> dict[str, str]:
    """record_uuid → the board of each order with a record in doubt (SENDING)."""
    with db.begin() as conn:
        rows = conn.execute(sa.text(db.sql("routing_in_doubt")),
                            {"sending": SyncState.SENDING.value}).all()
    legacy = config.monday.board_id
    return {str(r.record_uuid): str(r.monday_board_id or legacy) for r in rows
            if r.monday_board_id or legacy}


_CHUNK = 1_000
"""Orders per statement (a bound list per chunk)."""


def item_boards(config: Config, db: Database, uuids: Sequence[str]) -> dict[str, str]:
    """record_uuid → the board its item is on, for the orders of ``uuids`` with an item."""
    found: dict[str, str] = {}
    with db.begin() as conn:
        for start in range(0, len(uuids), _CHUNK):
            rows = conn.execute(sa.text(db.sql("routing_boards_of")).bindparams(
                sa.bindparam("uuids", expanding=True)),
                {"uuids": list(uuids[start:start + _CHUNK])}).all()
            found |= {str(r.record_uuid): str(r.monday_board_id or config.monday.board_id)
                      for r in rows if r.monday_board_id or config.monday.board_id}
    return found
