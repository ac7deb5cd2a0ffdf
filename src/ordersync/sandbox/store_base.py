"""The store's state and the checks every operation shares (``StoreBase``).

``StoreBase`` owns the account's records — boards, items, each board's item order,
each item's subitems, the count of items per board that are not deleted — the id
sequences, the cursors' ``Pager``, the lookups (which raise monday's errors for an
unknown id) and the internal steps the operations share: validating a call's column
values before any is written, applying them, creating an item, changing an item's
state with its subitems.  The operations themselves are in ``groups.py`` (groups),
``boards.py`` (boards) and ``store.py`` (items, pages, persistence).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from ordersync.sandbox.model import Board, Group, Item, ItemState
from ordersync.sandbox.paging import Pager

__all__ = ["FIRST_ID", "GROUP_COLORS", "ID", "ITEMS_PER_BOARD", "StoreBase", "with_name"]

ID = str | int  # GraphQL ``ID`` arrives as either

ITEMS_PER_BOARD: Final = 10_000
FIRST_ID: Final = 5_000_000_001
GROUP_COLORS: Final = ("#579bfc", "#00c875", "#fdab3d", "#df2f4a", "#a25ddc", "#037f4c")


class StoreBase:
    """The records of one sandbox account and the steps its operations share."""

    def __init__(self, *, clock: Clock | None = None,
                 items_limit: int = ITEMS_PER_BOARD) -> None:
        self.clock: Clock = clock or SystemClock()
        self.items_limit = items_limit
        self.new_column_ids = False  # duplicate_board: new column and group ids (boards.py)
        self._boards: dict[str, Board] = {}
        self._items: dict[str, Item] = {}
        self._order: dict[str, list[str]] = {}  # board -> item ids, creation order
        self._children: dict[str, list[str]] = {}  # item -> subitem ids
        self._live: dict[str, int] = {}  # board -> items not deleted
        self._next_id = FIRST_ID
        self._next_group = 1
        self._pages = Pager(self.clock, self._boards, self._items, self._order)

    # --- lookups --------------------------------------------------------------------------

    def board(self, board_id: ID) -> Board:
        """An active board (an archived or deleted one is not found, as monday answers for
        it: UNCERTAIN for an archived board)."""
        board = self._boards.get(str(board_id))
        if board is None or not board.active:
            raise refusals.board_not_found(str(board_id))
        return board

    def board_record(self, board_id: ID) -> Board:
        """A board in any state (the board an item of a deleted board names)."""
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

    def live_items(self, board_id: ID) -> int:
        """Items on the board not deleted (what the items limit counts)."""
        return self._live[self.board(board_id).id]

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

    def _column_id(self, kind: ColumnKind) -> str:
        """A new column id, as monday makes them (``status_mk1a2b``)."""
        self._next_group += 1
        return f"{kind.value}_mk{self._next_group:04x}"

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
               touch: bool = True, name: str | None = None) -> Item:
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
        item = replace(item, values=values, name=item.name if name is None else name,
                       updated_at=self.clock.utcnow() if touch else item.updated_at)
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


def with_name(columns: Iterable[ColumnDef]) -> tuple[ColumnDef, ...]:
    columns = tuple(columns)
    if any(c.type is ColumnKind.NAME for c in columns):
        return columns
    return (ColumnDef("name", "Name", ColumnKind.NAME), *columns)
