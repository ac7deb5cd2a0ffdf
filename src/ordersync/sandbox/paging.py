"""Paging through a board's items: page sizes, cursors and the pages they walk.

This module owns ``items_page`` / ``next_items_page`` / ``items_by_column_values``
paging for the store: the ``limit`` check, ``ItemsPage``, the cursor tokens a ``Pager``
issues (valid 60 minutes from the first page, on ``clock.now()``; not kept in the state
file, only their sequence number is) and which items a page shows (active ones, in board
order, optionally of one group, matching columns' texts or ``query_params``).  ``Store``
checks board, group and column ids and then asks its ``Pager`` for the page.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, TypeVar

from ordersync.sandbox.clock import Clock
from ordersync.sandbox.columns import ColumnKind, read
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.item_queries import ItemQuery
from ordersync.sandbox.model import Board, Item, ItemState

__all__ = ["CURSOR_EXPIRED", "CURSOR_LIFETIME", "DEFAULT_PAGE", "MAX_ITEMS_LIMIT", "MAX_PAGE",
           "CursorSpec", "ItemsPage", "Pager", "check_limit", "page_of"]

MAX_PAGE: Final = 500
MAX_ITEMS_LIMIT: Final = 100  # Query.items: "up to 100 items at a time" (items docs)
T = TypeVar("T")
Match = tuple[tuple[str, tuple[str | None, ...]], ...]
DEFAULT_PAGE: Final = 25
CURSOR_LIFETIME: Final = 60 * 60.0  # seconds from the first page, not sliding (§4)
# API_NOTES §2.8, legacy body of the expired-cursor error (new-format code UNCERTAIN).
CURSOR_EXPIRED: Final = ("CursorExpiredError: The cursor provided for pagination has expired. "
                         "Please refresh your query and obtain a new cursor to continue "
                         "fetching items")


@dataclass(frozen=True)
class ItemsPage:
    items: tuple[Item, ...]
    cursor: str | None  # None: no more pages


@dataclass(frozen=True)
class CursorSpec:
    board_id: str
    group_id: str | None
    match: Match | None  # items_page_by_column_values: every (column, texts) must match
    position: int  # index into the board's item order (or into ``order``)
    issued_at: float  # clock.now() of the first page
    query: ItemQuery | None = None  # items_page(query_params:)
    order: tuple[str, ...] | None = None  # query_params.order_by: item ids, sorted


class Pager:
    """The cursors of one store and the pages they walk.

    ``boards``, ``items`` and ``order`` are the store's own mappings (board id -> board,
    item id -> item, board id -> item ids in creation order), read live on every page.
    """

    def __init__(self, clock: Clock, boards: Mapping[str, Board], items: Mapping[str, Item],
                 order: Mapping[str, Sequence[str]]) -> None:
        self.clock = clock
        self.seq = 0  # cursors issued so far; kept in the state file
        self._boards = boards
        self._items = items
        self._order = order
        self._cursors: dict[str, CursorSpec] = {}

    def first_page(self, board_id: str, limit: int, *, group_id: str | None = None,
                   match: Match | None = None,
                   query: ItemQuery | None = None) -> ItemsPage:
        """The first page of a board's visible items; ids and ``limit`` already checked."""
        order = None
        if query is not None and query.order_by:
            items = [self._items[i] for i in self._order[board_id]]
            order = tuple(i.id for i in query.sort(items))
        return self._page(CursorSpec(board_id, group_id, match, 0, self.clock.now(), query,
                                     order), limit)

    def next_page(self, cursor: str, limit: int) -> ItemsPage:
        """The page after ``cursor`` (next_items_page); ``limit`` already checked."""
        spec = self._cursors.get(cursor)
        if spec is None:  # UNCERTAIN: monday's answer to a cursor it never issued
            raise MondayError("CursorException",
                              "CursorNotFoundError: The cursor provided for pagination is "
                              "invalid. Please refresh your query and obtain a new cursor to "
                              "continue fetching items", status_code=200)
        if self.clock.now() - spec.issued_at >= CURSOR_LIFETIME:
            raise MondayError("CursorException", CURSOR_EXPIRED, status_code=200)
        return self._page(spec, limit)

    def _page(self, spec: CursorSpec, limit: int) -> ItemsPage:
        order = spec.order if spec.order is not None else self._order[spec.board_id]
        board = self._boards[spec.board_id]
        found: list[Item] = []
        position = spec.position
        while position < len(order) and len(found) < limit:
            item = self._items[order[position]]
            position += 1
            if _visible(item, spec, board):
                found.append(item)
        more = any(_visible(self._items[i], spec, board) for i in order[position:])
        cursor = self._issue(replace(spec, position=position)) if more else None
        return ItemsPage(tuple(found), cursor)

    def _issue(self, spec: CursorSpec) -> str:
        self.seq += 1
        digest = hashlib.sha256(f"ordersync-sandbox-cursor:{self.seq}".encode()).digest()
        token = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        self._cursors[token] = spec
        if self.seq % 1000 == 0:  # forget cursors long expired (memory)
            cutoff = self.clock.now() - 24 * CURSOR_LIFETIME
            self._cursors = {k: v for k, v in self._cursors.items() if v.issued_at > cutoff}
        return token


def page_of(found: Sequence[T], *, page: int, limit: int,
            max_limit: int | None = None) -> list[T]:
    """Page ``page`` (from 1) of ``limit`` results, as monday's ``page``/``limit``
    arguments page ``boards``, ``items``, ``users`` and ``workspaces``, ids given or not.

    A limit above ``max_limit`` is capped to it (UNCERTAIN: monday may refuse instead);
    a page or limit below 1 is monday's InvalidArgumentException (text UNCERTAIN)."""
    if isinstance(limit, bool) or limit < 1 or page < 1:
        raise MondayError("InvalidArgumentException",
                          "page and limit must be positive numbers", status_code=200,
                          error_data={"page": page, "limit": limit})
    if max_limit is not None:
        limit = min(limit, max_limit)
    start = (page - 1) * limit
    return list(found[start:start + limit])


def check_limit(limit: int) -> None:
    """A page size must be 1…``MAX_PAGE``."""
    if isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:  # code §5; text UNCERTAIN
        raise MondayError("InvalidArgumentException",
                          f"limit must be between 1 and {MAX_PAGE}", status_code=200,
                          error_data={"limit": limit})


def _visible(item: Item, spec: CursorSpec, board: Board) -> bool:
    if item.state is not ItemState.ACTIVE:
        return False
    if spec.group_id is not None and item.group_id != spec.group_id:
        return False
    if spec.query is not None and not spec.query.matches(item):
        return False
    return spec.match is None or all(_matches(item, board, column_id, wanted)
                                     for column_id, wanted in spec.match)


def _matches(item: Item, board: Board, column_id: str, wanted: tuple[str | None, ...]) -> bool:
    """One column of items_page_by_column_values: any of ``wanted``, whole text."""
    column = board.column(column_id)
    assert column is not None
    if column.type is ColumnKind.NAME:
        texts = [item.name]
    else:
        text = read(column, item.values.get(column_id))[0] or ""
        texts = text.split(", ") if column.type is ColumnKind.DROPDOWN and text else [text]
    return any((w or "").casefold() == t.casefold() for w in wanted for t in texts)
