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

The records (``Board``, ``Group``, ``Item``, ``ItemState``, ``OrderBoard``) live in
``model.py`` and cursors and pages in ``paging.py`` (both re-exported here), their
state-file JSON in ``persistence.py``, the store's errors in ``refusals.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from ordersync.sandbox import refusals
from ordersync.sandbox.clock import Clock, SystemClock
from ordersync.sandbox.columns import (
    ColumnDef,
    ColumnKind,
    StoredValue,
    invalid_column_id,
    write_json,
    write_simple,
)
from ordersync.sandbox.inspection import board_snapshot
from ordersync.sandbox.model import Board, Group, Item, ItemState, OrderBoard
from ordersync.sandbox.paging import (
    CURSOR_EXPIRED,
    CURSOR_LIFETIME,
    DEFAULT_PAGE,
    MAX_PAGE,
    ItemsPage,
    Pager,
    check_limit,
)
from ordersync.sandbox.persistence import (
    board_from_json,
    board_to_json,
    item_from_json,
    item_to_json,
)
from ordersync.sandbox.refusals import MAX_NAME

__all__ = ["CURSOR_EXPIRED", "CURSOR_LIFETIME", "DEFAULT_PAGE", "FIRST_ID", "ID",
           "ITEMS_PER_BOARD", "MAX_NAME", "MAX_PAGE", "Board", "Group", "Item", "ItemState",
           "ItemsPage", "OrderBoard", "Store"]

ID = str | int  # GraphQL ``ID`` arrives as either

ITEMS_PER_BOARD: Final = 10_000
FIRST_ID: Final = 5_000_000_001
_GROUP_COLORS: Final = ("#579bfc", "#00c875", "#fdab3d", "#df2f4a", "#a25ddc", "#037f4c")


class Store:
    """All boards and items of one sandbox account."""

    def __init__(self, *, clock: Clock | None = None,
                 items_limit: int = ITEMS_PER_BOARD) -> None:
        self.clock: Clock = clock or SystemClock()
        self.items_limit = items_limit
        self._boards: dict[str, Board] = {}
        self._items: dict[str, Item] = {}
        self._order: dict[str, list[str]] = {}  # board -> item ids, creation order
        self._children: dict[str, list[str]] = {}  # item -> subitem ids
        self._live: dict[str, int] = {}  # board -> items not deleted
        self._next_id = FIRST_ID
        self._next_group = 1
        self._pages = Pager(self.clock, self._boards, self._items, self._order)

    # --- boards and groups --------------------------------------------------------------

    def create_board(self, name: str, columns: Sequence[ColumnDef],
                     subitem_columns: Sequence[ColumnDef] = ()) -> Board:
        """A board and its subitems board; both get a ``name`` column and one group."""
        board_id, sub_id = self._new_id(), self._new_id()
        self._add_board(Board(sub_id, f"Subitems of {name}", _with_name(subitem_columns),
                              (Group("topics", "Subitems", _GROUP_COLORS[0]),),
                              parent_board_id=board_id))
        subtasks = ColumnDef.subtasks("subitems", "Subitems", sub_id)
        return self._add_board(Board(board_id, name, (*_with_name(columns), subtasks),
                                     (Group("topics", "Group Title", _GROUP_COLORS[0]),),
                                     subitems_board_id=sub_id))

    def create_order_board(self, name: str = "Orders") -> OrderBoard:
        """A board with the columns an order board has (ids in ``OrderBoard``)."""
        ids = OrderBoard("", "")
        board = self.create_board(name, [
            ColumnDef(ids.identity, "Order Key", ColumnKind.TEXT),
            ColumnDef(ids.customer, "Customer", ColumnKind.TEXT),
            ColumnDef(ids.notes, "Notes", ColumnKind.LONG_TEXT),
            ColumnDef(ids.quantity, "Total Qty", ColumnKind.NUMBERS),
            ColumnDef(ids.eta, "ETA", ColumnKind.DATE),
            ColumnDef.status(ids.status, "Status"),
            ColumnDef.dropdown(ids.delivery, "Delivery Method", ["SEA", "AIR"]),
        ], [
            ColumnDef.dropdown(ids.size, "Size", ["XS", "S", "M", "L", "XL", "XXL"]),
            ColumnDef(ids.order_qty, "Order Qty", ColumnKind.NUMBERS),
            ColumnDef.status(ids.line_status, "Status"),
        ])
        assert board.subitems_board_id is not None
        return replace(ids, board_id=board.id, subitems_board_id=board.subitems_board_id)

    def create_group(self, board_id: ID, name: str, *, color: str | None = None,
                     relative_to: str | None = None,
                     position_relative_method: str | None = None) -> Group:
        """A group: below ``relative_to`` (above with ``before_at``); without it, at the
        top (``before_at``: the bottom).  Top as the default is UNCERTAIN."""
        board = self.board(board_id)
        refusals.check_group_name(name)
        groups = list(board.groups)
        if relative_to is not None:
            anchor = self._group(board, relative_to)
            at = groups.index(anchor) + (0 if position_relative_method == "before_at" else 1)
        else:
            at = len(groups) if position_relative_method == "before_at" else 0
        group = Group(f"group_mk{self._next_group:04x}", name,
                      color or _GROUP_COLORS[self._next_group % len(_GROUP_COLORS)])
        self._next_group += 1
        groups.insert(at, group)
        self._boards[board.id] = replace(board, groups=tuple(groups))
        return group

    def archive_group(self, board_id: ID, group_id: str) -> Group:
        """Archive a group and every item in it (with their subitems)."""
        return self._end_group(board_id, group_id, ItemState.ARCHIVED)

    def delete_group(self, board_id: ID, group_id: str) -> Group:
        """Delete a group (active or archived) and every item in it."""
        return self._end_group(board_id, group_id, ItemState.DELETED)

    def _end_group(self, board_id: ID, group_id: str, state: ItemState) -> Group:
        board = self.board(board_id)
        group = board.group(group_id)
        if group is None or group.state is ItemState.DELETED:
            raise refusals.not_found("Group", group_id)
        if group.state is state:  # archiving an archived group changes nothing (UNCERTAIN)
            return group
        if group.active and len(board.active_groups) == 1:
            raise refusals.last_group(board.id, group_id)
        for item_id in self._order[board.id]:
            item = self._items[item_id]
            if item.group_id == group.id and item.state is not ItemState.DELETED:
                self._set_state(item, state)
        ended = replace(group, state=state)
        self._boards[board.id] = replace(board, groups=tuple(
            ended if g.id == group.id else g for g in board.groups))
        return ended

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
        """A subitem on the parent board's subitems board; values use its column ids."""
        parent = self._active(self.item(parent_item_id))
        board = self._boards[parent.board_id]
        if board.subitems_board_id is None:
            raise refusals.subitem_of_subitem(parent.id)
        sub_board = self._boards[board.subitems_board_id]
        return self._create(sub_board, sub_board.groups[0], name, column_values,
                            create_labels_if_missing, parent.id)

    def change_multiple_column_values(self, item_id: ID, board_id: ID,
                                      values: Mapping[str, Any],
                                      create_labels_if_missing: bool = False) -> Item:
        board, item = self._item_on(board_id, item_id)
        changes = self._validate(board, values, create_labels_if_missing, json_form=True)
        return self._apply(board, item, changes)

    def change_simple_column_value(self, item_id: ID, board_id: ID, column_id: str,
                                   value: str | None,
                                   create_labels_if_missing: bool = False) -> Item:
        board, item = self._item_on(board_id, item_id)
        changes = self._validate(board, {column_id: value}, create_labels_if_missing,
                                 json_form=False)
        return self._apply(board, item, changes)

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

    def board(self, board_id: ID) -> Board:
        board = self._boards.get(str(board_id))
        if board is None:
            raise refusals.board_not_found(str(board_id))
        return board

    def boards(self) -> tuple[Board, ...]:
        return tuple(self._boards.values())

    def item(self, item_id: ID) -> Item:
        """An item in any state (monday's ``items(ids:)`` also returns inactive ones)."""
        item = self._items.get(str(item_id))
        if item is None:
            raise refusals.not_found("Item", str(item_id))
        return item

    def find_item(self, item_id: ID) -> Item | None:
        """An item in any state, or None for an id the account never had."""
        return self._items.get(str(item_id))

    def board_items(self, board_id: ID) -> tuple[Item, ...]:
        """Every item of a board in board order, in any state."""
        return tuple(self._items[i] for i in self._order[self.board(board_id).id])

    def subitems(self, item_id: ID) -> tuple[Item, ...]:
        """The active subitems of an item, in creation order."""
        item = self.item(item_id)
        return tuple(sub for sub_id in self._children.get(item.id, ())
                     if (sub := self._items[sub_id]).state is ItemState.ACTIVE)

    def items_page(self, board_id: ID, *, limit: int = DEFAULT_PAGE, cursor: str | None = None,
                   group_id: str | None = None) -> ItemsPage:
        """Active items in board order; ``cursor`` continues like ``next_items_page``."""
        board = self.board(board_id)
        check_limit(limit)
        if cursor is not None:
            return self.next_items_page(cursor, limit=limit)
        if group_id is not None:
            self._group(board, group_id)
        return self._pages.first_page(board.id, limit, group_id=group_id)

    def next_items_page(self, cursor: str, *, limit: int = DEFAULT_PAGE) -> ItemsPage:
        check_limit(limit)
        return self._pages.next_page(cursor, limit)

    def items_by_column_values(self, board_id: ID, column_id: str,
                               values: Sequence[str | None], *,
                               limit: int = DEFAULT_PAGE) -> ItemsPage:
        """items_page_by_column_values for one column: active items whose text equals one
        of ``values`` (whole value, case-insensitive; ``""``/null match empty cells)."""
        board = self.board(board_id)
        check_limit(limit)
        column = board.column(column_id)
        if column is None:
            raise invalid_column_id(column_id)
        if column.type is ColumnKind.SUBTASKS:
            raise refusals.not_filterable(column)
        return self._pages.first_page(board.id, limit, match=(column_id, tuple(values)))

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

    # --- internals ------------------------------------------------------------------------

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id - 1)

    def _add_board(self, board: Board) -> Board:
        ids = [c.id for c in board.columns]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate column ids on board {board.name!r}: {ids}")
        self._boards[board.id] = board
        self._order.setdefault(board.id, [])
        self._live.setdefault(board.id, 0)
        return board

    def _group(self, board: Board, group_id: str) -> Group:
        """An active group of ``board`` (archived and deleted ones take no items)."""
        group = board.group(group_id)
        if group is None or not group.active:
            raise refusals.not_found("Group", group_id)
        return group

    def _active(self, item: Item) -> Item:
        if item.state is not ItemState.ACTIVE:  # UNCERTAIN: code for an inactive item
            raise refusals.not_found("Item", item.id)
        return item

    def _item_on(self, board_id: ID, item_id: ID) -> tuple[Board, Item]:
        board, item = self.board(board_id), self.item(item_id)
        if item.board_id != board.id:
            raise refusals.item_not_on_board(item.id, board.id)
        if item.state is not ItemState.ACTIVE:
            raise refusals.inactive_item(item.id)
        return board, item

    def _create(self, board: Board, group: Group, name: str, values: Mapping[str, Any] | None,
                create_labels: bool, parent_id: str | None) -> Item:
        refusals.check_item_name(name)
        if self._live[board.id] >= self.items_limit:
            raise refusals.items_limit_reached(self.items_limit, board.id)
        changes = self._validate(board, values or {}, create_labels, json_form=True)
        now = self.clock.utcnow()
        item = Item(self._new_id(), board.id, group.id, name, ItemState.ACTIVE, {}, now, now,
                    parent_id)
        self._order[board.id].append(item.id)
        self._live[board.id] += 1
        if parent_id is not None:
            self._children.setdefault(parent_id, []).append(item.id)
        return self._apply(board, item, changes, touch=False)

    def _validate(self, board: Board, values: Mapping[str, Any], create_labels: bool, *,
                  json_form: bool) -> dict[str, tuple[ColumnDef, StoredValue | None]]:
        """Every value of one call, checked before anything is written."""
        if not isinstance(values, Mapping):
            raise refusals.not_a_json_object()
        changes: dict[str, tuple[ColumnDef, StoredValue | None]] = {}
        for column_id, raw in values.items():
            column = board.column(column_id)
            if column is None:
                raise invalid_column_id(column_id)
            written = (write_json(column, raw, create_labels_if_missing=create_labels)
                       if json_form else
                       write_simple(column, raw, create_labels_if_missing=create_labels))
            changes[column_id] = (written.column, written.value)
        return changes

    def _apply(self, board: Board, item: Item,
               changes: Mapping[str, tuple[ColumnDef, StoredValue | None]], *,
               touch: bool = True) -> Item:
        if any(column != board.column(column.id) for column, _ in changes.values()):
            columns = {column.id: column for column, _ in changes.values()}
            self._boards[board.id] = replace(
                board, columns=tuple(columns.get(c.id, c) for c in board.columns))
        values = dict(item.values)
        for column_id, (_, value) in changes.items():
            if value is None:
                values.pop(column_id, None)
            else:
                values[column_id] = value
        item = replace(item, values=values, updated_at=self.clock.utcnow() if touch
                       else item.updated_at)
        self._items[item.id] = item
        return item

    def _set_state(self, item: Item, state: ItemState) -> None:
        now = self.clock.utcnow()
        children = [self._items[i] for i in self._children.get(item.id, ())]
        for target in (item, *children):
            if target.state is ItemState.DELETED:
                continue
            if state is ItemState.DELETED:
                self._live[target.board_id] -= 1
            self._items[target.id] = replace(target, state=state, updated_at=now)


def _with_name(columns: Iterable[ColumnDef]) -> tuple[ColumnDef, ...]:
    columns = tuple(columns)
    if any(c.type is ColumnKind.NAME for c in columns):
        return columns
    return (ColumnDef("name", "Name", ColumnKind.NAME), *columns)

