"""The sandbox's state: boards, groups, items, subitems and their column values.

    Store
      Board      columns (columns.ColumnDef), ordered groups; an order board owns a
                 subitems board, named in its ``subitems`` (subtasks) column's settings
      Item       name, group, state, column values, created/updated times; a subitem
                 also names its parent item
      cursors    items_page / next_items_page, 60 minutes from the first page

Operations are plain methods, no GraphQL.  Each validates its ids and values and
raises ``MondayError`` with monday's codes (API_NOTES §4–§6); a call that fails
changes nothing (all column values of a call are validated before any is written).
Ids are monday-style numeric strings from one increasing sequence shared by boards and
items, never reused.

``to_json`` / ``Store.from_json`` keep the state in a file (``--state FILE``; cursors
are not kept); ``snapshot(board_id)`` is what a planner sees on a board.  Item times
use ``clock.utcnow()``, cursor lifetimes ``clock.now()`` (``clock.py``).

This module holds the item operations, the pages and persistence; the shared state and
steps are in ``store_base.py``, group operations in ``groups.py``, board operations in
``boards.py``, column operations in ``column_ops.py``.  The records (``Board``,
``Group``, ``Item``, ``ItemState``, ``OrderBoard``) live in ``model.py`` and cursors and
pages in ``paging.py`` (both re-exported here), their state-file JSON in
``persistence.py``, the store's errors in ``refusals.py``, ``query_params`` in
``item_queries.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ordersync.sandbox import refusals
from ordersync.sandbox.boards import BoardOps
from ordersync.sandbox.clock import Clock
from ordersync.sandbox.column_ops import ColumnOps
from ordersync.sandbox.columns import ColumnKind, invalid_column_id, invalid_value
from ordersync.sandbox.groups import GroupOps
from ordersync.sandbox.inspection import board_snapshot
from ordersync.sandbox.item_queries import compile_query
from ordersync.sandbox.model import Board, Group, Item, ItemState, OrderBoard
from ordersync.sandbox.paging import (
    CURSOR_EXPIRED,
    CURSOR_LIFETIME,
    DEFAULT_PAGE,
    MAX_PAGE,
    ItemsPage,
    check_limit,
)
from ordersync.sandbox.persistence import (
    board_from_json,
    board_to_json,
    item_from_json,
    item_to_json,
)
from ordersync.sandbox.refusals import MAX_NAME
from ordersync.sandbox.store_base import FIRST_ID, ID, ITEMS_PER_BOARD

__all__ = ["CURSOR_EXPIRED", "CURSOR_LIFETIME", "DEFAULT_PAGE", "FIRST_ID", "ID",
           "ITEMS_PER_BOARD", "MAX_NAME", "MAX_PAGE", "Board", "Group", "Item", "ItemState",
           "ItemsPage", "OrderBoard", "Store"]


class Store(BoardOps, GroupOps, ColumnOps):
    """All boards and items of one sandbox account."""

    # --- items ----------------------------------------------------------------------------

    def create_item(self, board_id: ID, name: str, group_id: str | None = None,
                    column_values: Mapping[str, Any] | None = None,
                    create_labels_if_missing: bool = False) -> Item:
        """An item at the end of its group (default: the board's first group)."""
        board = self.board(board_id)
        if board.parent_board_id is not None:
            raise refusals.on_subitems_board(board.id)
        if group_id is not None:
            group = self._group(board, group_id)
        elif board.active_groups:
            group = board.active_groups[0]
        else:  # UNCERTAIN: monday keeps at least one group (DeleteLastGroupException)
            raise refusals.not_found("Group", "")
        return self._create(board, group, name, column_values, create_labels_if_missing, None)

    def create_subitem(self, parent_item_id: ID, name: str,
                       column_values: Mapping[str, Any] | None = None,
                       create_labels_if_missing: bool = False) -> Item:
        """A subitem on the parent board's subitems board (made on the board's first
        subitem, as monday does); values use the subitems board's column ids."""
        parent = self._active(self.item(parent_item_id))
        board = self._boards[parent.board_id]
        if board.parent_board_id is not None:
            raise refusals.subitem_of_subitem(parent.id)
        sub_board = self.subitems_board_of(board)
        return self._create(sub_board, sub_board.groups[0], name, column_values,
                            create_labels_if_missing, parent.id)

    def change_multiple_column_values(self, item_id: ID, board_id: ID,
                                      values: Mapping[str, Any],
                                      create_labels_if_missing: bool = False) -> Item:
        board, item = self._item_on(board_id, item_id)
        rest, name = _split_name(board, values)
        changes = self._validate(board, rest, create_labels_if_missing, json_form=True)
        return self._apply(board, item, changes, name=name)

    def change_simple_column_value(self, item_id: ID, board_id: ID, column_id: str,
                                   value: str | None,
                                   create_labels_if_missing: bool = False) -> Item:
        board, item = self._item_on(board_id, item_id)
        rest, name = _split_name(board, {column_id: value})
        changes = self._validate(board, rest, create_labels_if_missing, json_form=False)
        return self._apply(board, item, changes, name=name)

    def change_column_value(self, item_id: ID, board_id: ID, column_id: str, value: Any,
                            create_labels_if_missing: bool = False) -> Item:
        """One column in its JSON form (``value`` already decoded from the JSON scalar)."""
        return self.change_multiple_column_values(item_id, board_id, {column_id: value},
                                                  create_labels_if_missing)

    def duplicate_item(self, board_id: ID, item_id: ID) -> Item:
        """A copy of an active item (name and values) right after it in its group.

        UNCERTAIN: whether monday copies subitems (the API documents only
        ``with_updates``); the sandbox copies the item alone, as no update is kept."""
        board, item = self._item_on(board_id, item_id)
        if item.parent_id is not None:  # UNCERTAIN: monday's answer for a subitem
            raise refusals.on_subitems_board(board.id)
        if self._live[board.id] >= self.items_limit:
            raise refusals.items_limit_reached(self.items_limit, board.id)
        now = self.clock.utcnow()
        copy = replace(item, id=self._new_id(), created_at=now, updated_at=now)
        order = self._order[board.id]
        order.insert(order.index(item.id) + 1, copy.id)
        self._live[board.id] += 1
        self._items[copy.id] = copy
        return copy

    def archive_item(self, item_id: ID) -> Item:
        """Archive an item and its subitems (archiving an archived item changes nothing)."""
        item = self.item(item_id)
        if item.state is ItemState.DELETED:  # UNCERTAIN: monday's answer here
            raise refusals.not_found("Item", item.id)
        if item.state is ItemState.ACTIVE:
            self._set_state(item, ItemState.ARCHIVED)
        return self._items[item.id]

    def move_item_to_group(self, item_id: ID, group_id: str) -> Item:
        """Move an active item (not a subitem) to another group of its board."""
        item = self._active(self.item(item_id))
        if item.parent_id is not None:  # UNCERTAIN: monday's exact refusal for a subitem
            raise refusals.not_found("Item", item.id)
        board = self.board(item.board_id)
        self._group(board, group_id)
        if item.group_id != group_id:
            self._items[item.id] = replace(item, group_id=group_id,
                                           updated_at=self.clock.utcnow())
        return self._items[item.id]

    def delete_item(self, item_id: ID) -> Item:
        """Delete an item and its subitems; the id is never reused."""
        item = self.item(item_id)
        if item.state is not ItemState.DELETED:
            self._set_state(item, ItemState.DELETED)
        return self._items[item.id]

    # --- lookups --------------------------------------------------------------------------

    def items_page(self, board_id: ID, *, limit: int = DEFAULT_PAGE, cursor: str | None = None,
                   group_id: str | None = None,
                   query_params: Mapping[str, Any] | None = None) -> ItemsPage:
        """Active items in board order (filtered and sorted by ``query_params``, see
        ``item_queries.py``); ``cursor`` continues like ``next_items_page``."""
        board = self.board(board_id)
        check_limit(limit)
        if cursor is not None and query_params is not None:
            raise refusals.cursor_with_query()
        if cursor is not None:
            return self.next_items_page(cursor, limit=limit)
        if group_id is not None:
            self._group(board, group_id)
        query = (None if query_params is None
                 else compile_query(board, query_params, self.clock.utcnow().date()))
        return self._pages.first_page(board.id, limit, group_id=group_id, query=query)

    def group_items_page(self, group: Group, *, limit: int = DEFAULT_PAGE,
                         cursor: str | None = None,
                         query_params: Mapping[str, Any] | None = None) -> ItemsPage:
        """``Group.items_page``: the active items of one group."""
        return self.items_page(group.board_id, limit=limit, cursor=cursor, group_id=group.id,
                               query_params=query_params)

    def next_items_page(self, cursor: str, *, limit: int = DEFAULT_PAGE) -> ItemsPage:
        check_limit(limit)
        return self._pages.next_page(cursor, limit)

    def items_by_column_values(self, board_id: ID, column_id: str,
                               values: Sequence[str | None], *,
                               limit: int = DEFAULT_PAGE) -> ItemsPage:
        """items_page_by_column_values for one column (see ``items_by_columns``)."""
        return self.items_by_columns(board_id, [(column_id, values)], limit=limit)

    def items_by_columns(self, board_id: ID,
                         columns: Sequence[tuple[str, Sequence[str | None]]], *,
                         limit: int = DEFAULT_PAGE) -> ItemsPage:
        """items_page_by_column_values: active items whose text equals one of each
        column's values (whole value, case-insensitive; ``""``/null match empty cells),
        any of a column's values, every column (API_NOTES §4)."""
        board = self.board(board_id)
        check_limit(limit)
        if not columns:
            raise refusals.no_columns()
        for column_id, _ in columns:
            column = board.column(column_id)
            if column is None:
                raise invalid_column_id(column_id)
            if column.type is ColumnKind.SUBTASKS:
                raise refusals.not_filterable(column)
        match = tuple((column_id, tuple(values)) for column_id, values in columns)
        return self._pages.first_page(board.id, limit, match=match)

    # --- persistence and inspection -------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1, "next_id": self._next_id, "next_group": self._next_group,
            "cursor_seq": self._pages.seq,
            "boards": [board_to_json(b, self._order[b.id]) for b in self._boards.values()],
            "items": [item_to_json(i) for i in self._items.values()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, clock: Clock | None = None,
                  items_limit: int = ITEMS_PER_BOARD) -> Store:
        store = cls(clock=clock, items_limit=items_limit)
        store._next_id, store._next_group = data["next_id"], data["next_group"]
        store._pages.seq = data["cursor_seq"]
        for b in data["boards"]:
            store._add_board(board_from_json(b))
            store._order[b["id"]] = list(b["items"])
        for i in data["items"]:
            kinds = {c.id: c.type for c in store._boards[i["board_id"]].columns}
            item = item_from_json(i, kinds)
            store._items[item.id] = item
            if item.parent_id is not None:
                store._children.setdefault(item.parent_id, []).append(item.id)
            if item.state is not ItemState.DELETED:
                store._live[item.board_id] += 1
        return store

    def snapshot(self, board_id: ID) -> dict[str, Any]:
        """What a planner sees: groups in order, their active items with column texts
        (``""`` for empty cells), each item's active subitems (``inspection.py``)."""
        return board_snapshot(self, self.board(board_id))


def _split_name(board: Board, values: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The values without the ``name`` column, and the new item name if one is set:
    monday renames an item through ``{"name": "…"}`` (its name-column docs; Pipedream's
    "Update Item Name" does this).  A name that is not a string is a ColumnValueException."""
    rest = dict(values)
    column = board.column("name")
    if "name" not in rest or column is None or column.type is not ColumnKind.NAME:
        return rest, None
    name = rest.pop("name")
    if not isinstance(name, str):
        raise invalid_value(column, name)
    refusals.check_item_name(name)
    return rest, name
