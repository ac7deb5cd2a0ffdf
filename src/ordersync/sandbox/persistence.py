"""The state file's JSON form of boards and items (``--state FILE``).

This module owns how one board (with its item order) and one item are written to and
read from the JSON that ``Store.to_json`` / ``Store.from_json`` keep; the store itself
adds its id counters and rebuilds its indexes.  Columns and column values use their
own JSON forms (``ColumnDef.to_json``, ``dump_value`` / ``load_value``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ordersync.sandbox.columns import ColumnDef, ColumnKind, dump_value, load_value
from ordersync.sandbox.model import Board, Group, Item, ItemState

__all__ = ["board_from_json", "board_to_json", "item_from_json", "item_to_json"]


def board_to_json(board: Board, item_ids: Sequence[str]) -> dict[str, Any]:
    """A board and the ids of its items in creation order."""
    return {"id": board.id, "name": board.name,
            "columns": [c.to_json() for c in board.columns],
            "groups": [[g.id, g.title, g.color, g.state.value, g.position] for g in board.groups],
            "subitems_board_id": board.subitems_board_id,
            "parent_board_id": board.parent_board_id,
            "workspace_id": board.workspace_id, "folder_id": board.folder_id,
            "kind": board.kind, "description": board.description,
            "created_from_board_id": board.created_from_board_id, "state": board.state.value,
            "items": list(item_ids)}


def board_from_json(data: Mapping[str, Any]) -> Board:
    """The board of ``board_to_json`` (its ``items`` are the caller's to read)."""
    return Board(data["id"], data["name"],
                 tuple(ColumnDef.from_json(c) for c in data["columns"]),
                 tuple(replace(_group(g), board_id=data["id"]) for g in data["groups"]),
                 data["subitems_board_id"], data["parent_board_id"],
                 data.get("workspace_id"), data.get("folder_id"), data.get("kind", "public"),
                 data.get("description"), data.get("created_from_board_id"),
                 ItemState(data.get("state", ItemState.ACTIVE.value)))


def item_to_json(item: Item) -> dict[str, Any]:
    return {"id": item.id, "board_id": item.board_id, "group_id": item.group_id,
            "name": item.name, "state": item.state.value,
            "values": {k: dump_value(v) for k, v in item.values.items()},
            "created_at": item.created_at.isoformat(),
            "updated_at": item.updated_at.isoformat(), "parent_id": item.parent_id}


def item_from_json(data: Mapping[str, Any], kinds: Mapping[str, ColumnKind]) -> Item:
    """The item of ``item_to_json``; ``kinds`` maps its board's column ids to their kinds."""
    return Item(data["id"], data["board_id"], data["group_id"], data["name"],
                ItemState(data["state"]),
                {k: load_value(kinds[k], v) for k, v in data["values"].items()},
                datetime.fromisoformat(data["created_at"]),
                datetime.fromisoformat(data["updated_at"]), data["parent_id"])


def _group(data: Sequence[Any]) -> Group:
    """``[id, title, color, state, position]`` (older state files stop after color)."""
    group_id, title, color, *rest = data
    return Group(group_id, title, color, ItemState(rest[0]) if rest else ItemState.ACTIVE,
                 float(rest[1]) if len(rest) > 1 else 65536.0)
