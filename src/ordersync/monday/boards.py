"""Read-only lookups of boards: what ``plan`` and ``sync`` need to know about a board
before they write to it.

``read_groups`` reads a board's active groups by title, and whether the board shows any
item at all (the first item of its first page, in the same request: a sync that finds the
board empty needs no lookup before creating items); ``active_group_ids`` the ids of the
groups it still has (archived and deleted groups take no items, so neither counts);
``item_states`` says where items are (state and board) by id; ``find_boards_by_name`` pages
through the account's boards (in one workspace when given) for the ones of a name — how a
board created by a run that crashed before recording it is found again.  Values are
variables.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from ordersync.monday.client import MondayClient
from ordersync.monday.operations import operation_text


@dataclass(frozen=True)
class BoardGroups:
    """A board's active groups, and whether it shows any item."""

    groups: dict[str, str]
    """title → id (the first group when titles repeat)."""
    has_items: bool
    """Whether the board shows an item (active: archived and deleted ones are not shown)."""


def read_groups(client: MondayClient, board_id: str) -> BoardGroups:
    """The board's active groups by title, and whether it shows any item (one request)."""
    result = client.execute(operation_text("board_groups"), {"board_id": board_id,
                                                             "items": 1})
    groups: dict[str, str] = {}
    for group_id, title in _active_groups(result.data):
        groups.setdefault(title, group_id)
    has_items = any(((board or {}).get("items_page") or {}).get("items")
                    for board in (result.data or {}).get("boards") or ())
    return BoardGroups(groups, has_items)


def find_groups(client: MondayClient, board_id: str) -> dict[str, str]:
    """The board's active groups: title → id (the first group when titles repeat)."""
    return read_groups(client, board_id).groups


def active_group_ids(client: MondayClient, board_id: str) -> set[str]:
    """The ids of the board's active groups (one query)."""
    result = client.execute(operation_text("board_groups"), {"board_id": board_id,
                                                             "items": 1})
    return {group_id for group_id, _ in _active_groups(result.data)}


def _active_groups(data: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(id, title) of the groups of a ``board_groups`` answer that are neither archived nor
    deleted: whether monday lists those at all is not documented (the fields exist), so
    they are skipped here — an archived group adopted by title would take no item."""
    return [(str(group["id"]), str(group["title"]))
            for board in (data or {}).get("boards") or () if board
            for group in board.get("groups") or ()
            if group and not group.get("archived") and not group.get("deleted")]


BOARDS_PAGE = 100
"""Boards per page when looking boards up by name."""


def find_boards_by_name(client: MondayClient, names: Collection[str], *,
                        workspace_id: str | None = None) -> dict[str, list[str]]:
    """name → ids of the boards of that name (oldest first), for each of ``names`` found."""
    wanted = set(names)
    found: dict[str, list[str]] = {}
    page = 1
    while wanted:
        result = client.execute(operation_text("boards_page"), {
            "limit": BOARDS_PAGE, "page": page,
            "workspace_ids": [workspace_id] if workspace_id is not None else None})
        boards = [b for b in (result.data or {}).get("boards") or () if b]
        for board in boards:
            if board.get("name") in wanted:
                found.setdefault(str(board["name"]), []).append(str(board["id"]))
        if len(boards) < BOARDS_PAGE:
            break
        page += 1
    for ids in found.values():
        ids.sort(key=int)
    return found


STATE_CHUNK = 100
"""Ids per ``items(ids:)`` lookup (monday's maximum)."""


def item_states(client: MondayClient, item_ids: Sequence[str]) -> tuple[dict[str, tuple[str, str]],
                                                                        int]:
    """item id → (state, board id) for the ids monday knows; and the requests it took."""
    found: dict[str, tuple[str, str]] = {}
    ids = sorted(set(item_ids), key=int)
    requests = 0
    for start in range(0, len(ids), STATE_CHUNK):
        chunk = ids[start:start + STATE_CHUNK]
        result = client.execute(operation_text("items_state"),
                                {"item_ids": chunk, "limit": len(chunk)})
        requests += 1
        for raw in (result.data or {}).get("items") or ():
            board = (raw.get("board") or {}).get("id")
            found[str(raw["id"])] = (str(raw.get("state") or "active"), str(board or ""))
    return found, requests
