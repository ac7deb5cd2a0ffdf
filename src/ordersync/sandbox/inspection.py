"""What a planner sees on a board: ``Store.snapshot`` (tests, the demo, ``Sandbox.board``).

This module owns the snapshot's shape: the board's visible groups in order, each with
its active items (name and column texts, ``""`` for an empty cell) and each item's
active subitems.  Archived and deleted items, and archived or deleted groups, are not
on it, as they are not on the board a person looks at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ordersync.sandbox.columns import ColumnKind, read
from ordersync.sandbox.model import Board, Item, ItemState

if TYPE_CHECKING:
    from ordersync.sandbox.store import Store

__all__ = ["board_snapshot"]


def board_snapshot(store: Store, board: Board) -> dict[str, Any]:
    """``{"id", "name", "groups": [{"id", "title", "items": [{…, "subitems"}]}]}``."""
    sub_board = (store.board(board.subitems_board_id)
                 if board.subitems_board_id is not None else None)

    def row(item: Item, on: Board) -> dict[str, Any]:
        return {"id": item.id, "name": item.name, "values": {
            c.id: read(c, item.values.get(c.id))[0] or "" for c in on.columns
            if c.type not in (ColumnKind.NAME, ColumnKind.SUBTASKS)}}

    active = [item for item in store.board_items(board.id)
              if item.state is ItemState.ACTIVE]
    return {"id": board.id, "name": board.name, "groups": [
        {"id": g.id, "title": g.title, "items": [
            {**row(item, board),
             "subitems": [row(s, sub_board) for s in store.subitems(item.id)
                          if sub_board is not None]}
            for item in active if item.group_id == g.id]}
        for g in board.active_groups]}
