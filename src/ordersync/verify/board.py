"""Read a whole order board back: groups, items with their mapped cells, their subitems.

``read_board`` pages through ``items_page`` / ``next_items_page`` (``board_items.graphql``,
500 items a page, each item's subitems in the same request: one request per 500 items
read), selecting only the mapped columns.  A page monday finds too complex is asked for
again at half the size.  ``item_states`` looks up items the page did not show — the
ones the database recorded — with ``items(ids:)`` (100 ids a request): archived,
deleted, on another board, or not found at all (``monday.boards``, which the sync's
move pass shares).  Read-only; every value a variable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ordersync.errors import FatalSyncError
from ordersync.monday.boards import item_states
from ordersync.monday.client import MondayClient
from ordersync.monday.operations import operation_text
from ordersync.monday.wire import MondayRequestRejected

__all__ = ["BoardGroup", "BoardItem", "BoardRead", "BoardSubitem", "Cell", "item_states",
           "read_board"]


PAGE = 500
"""Items per page: monday's maximum."""
MIN_PAGE = 25


@dataclass(frozen=True)
class Cell:
    text: str | None
    value: str | None
    labels: tuple[str, ...] | None = None
    """A dropdown's labels as monday lists them (``DropdownValue.values``); ``None`` for
    other columns.  Its text joins them with ", ", which a label may hold itself."""


@dataclass(frozen=True)
class BoardSubitem:
    id: str
    name: str
    cells: Mapping[str, Cell]


@dataclass(frozen=True)
class BoardItem:
    id: str
    name: str
    group_id: str | None
    cells: Mapping[str, Cell]
    subitems: tuple[BoardSubitem, ...]


@dataclass(frozen=True)
class BoardGroup:
    id: str
    title: str
    gone: bool
    """Archived or deleted: items cannot be in it."""


@dataclass
class BoardRead:
    """What the board holds (active items only), and how many requests reading it took."""

    groups: dict[str, BoardGroup] = field(default_factory=dict)
    items: list[BoardItem] = field(default_factory=list)
    requests: int = 0

    @property
    def subitems(self) -> int:
        return sum(len(item.subitems) for item in self.items)


def read_board(client: MondayClient, board_id: str, column_ids: Sequence[str],
               subitem_column_ids: Sequence[str],
               on_page: Callable[[int], None] | None = None) -> BoardRead:
    """Every active item of ``board_id`` (see the module docstring).

    A next page monday refuses (an expired cursor, as a rule) starts the reading over from
    the first page, up to ``RESTARTS`` times; an item seen twice in one pass (items move
    between pages while people edit the board) is kept once.  Anything short of the whole
    board raises: a partial read taken as the board would have verify create the missing
    items again.
    """
    read = BoardRead()
    columns = {"column_ids": list(column_ids), "subitem_column_ids": list(subitem_column_ids)}
    limit, cursor, restarts = PAGE, None, 0
    seen: dict[str, BoardItem] = {}
    while True:
        try:
            if cursor is None:
                result = client.execute(operation_text("board_items"),
                                        {"board_id": board_id, "limit": limit, **columns})
                board = _board(result.data, board_id)
                read.groups = {str(g["id"]): BoardGroup(str(g["id"]), str(g["title"]),
                                                        bool(g.get("archived") or g.get("deleted")))
                               for g in board.get("groups") or ()}
                page = _page(board.get("items_page"), "items_page")
            else:
                result = client.execute(operation_text("next_board_items"),
                                        {"cursor": cursor, "limit": limit, **columns})
                page = _page((result.data or {}).get("next_items_page"), "next_items_page")
        except MondayRequestRejected:
            if cursor is not None and restarts < RESTARTS:
                restarts += 1  # the cursor expired or the board changed: from the start
                cursor, seen = None, {}
                continue
            if cursor is not None or limit <= MIN_PAGE:
                raise
            limit //= 2  # too complex for one request: the same page, smaller
            continue
        read.requests += 1
        for raw in page.get("items") or ():
            item = _item(raw)
            seen.setdefault(item.id, item)
        read.items = list(seen.values())
        if on_page is not None:
            on_page(len(read.items))
        cursor = page.get("cursor")
        if not cursor:
            return read


RESTARTS = 2
"""Times a board read starts over after a refused next page."""


def _board(data: Mapping[str, Any] | None, board_id: str) -> Mapping[str, Any]:
    boards = (data or {}).get("boards")
    if not boards or not isinstance(boards[0], Mapping):
        raise FatalSyncError(f"monday.com board {board_id} was not found or this token cannot "
                             "read it: check monday.board_id in the config and that the "
                             "MONDAY_API_TOKEN user can open the board")
    return boards[0]


def _page(page: Any, field_name: str) -> Mapping[str, Any]:
    if not isinstance(page, Mapping):
        raise FatalSyncError(f"monday.com answered a board read without its {field_name}: "
                             "the board was not read in full, so nothing was compared; "
                             "run again")
    return page


def _cells(raw: Mapping[str, Any]) -> dict[str, Cell]:
    return {str(c["id"]): Cell(c.get("text"), c.get("value"), _labels(c.get("values")))
            for c in raw.get("column_values") or ()}


def _labels(values: Any) -> tuple[str, ...] | None:
    if not isinstance(values, list):
        return None
    return tuple(str(v["label"]) for v in values if isinstance(v, Mapping) and v.get("label"))


def _item(raw: Mapping[str, Any]) -> BoardItem:
    subitems = tuple(BoardSubitem(str(s["id"]), str(s["name"]), _cells(s))
                     for s in raw.get("subitems") or ()
                     if s and (s.get("state") or "active") == "active")
    group = (raw.get("group") or {}).get("id")
    return BoardItem(str(raw["id"]), str(raw["name"]), str(group) if group else None,
                     _cells(raw), subitems)
