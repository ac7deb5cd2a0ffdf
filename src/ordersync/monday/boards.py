"""Read-only lookups of boards: what ``plan`` and ``sync`` need to know about a board
before they write to it.

``find_groups`` reads a board's groups by title; ``find_boards_by_name`` pages through
the account's boards (in one workspace when given) for the ones of a name — how a board
created by a run that crashed before recording it is found again.  Values are variables.
"""

from __future__ import annotations

from collections.abc import Collection

from ordersync.monday.client import MondayClient
from ordersync.monday.operations import operation_text


def find_groups(client: MondayClient, board_id: str) -> dict[str, str]:
    """The board's groups: title → id (the first group when titles repeat)."""
    result = client.execute(operation_text("board_groups"), {"board_id": board_id})
    groups: dict[str, str] = {}
    for board in (result.data or {}).get("boards") or ():
        for group in board.get("groups") or ():
            groups.setdefault(str(group["title"]), str(group["id"]))
    return groups


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
