"""Read-only lookups of boards: what ``plan`` and ``sync`` need to know about a board
before they write to it.

``find_groups`` reads a board's groups by title.  Values are variables.
"""

from __future__ import annotations

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
