"""Board operations of the store: create and duplicate boards, move items between boards.

Every order board owns a subitems board, named in its ``subitems`` (subtasks) column's
settings; a board made by ``new_board`` gets one on its first subitem, as monday's
``create_subitem`` does.  ``duplicate_board`` copies a board's structure (columns,
visible groups, its subitems board's columns) onto a new board with its own subitems
board; ``duplicate_board_with_pulses`` (and ``…_and_updates``: the sandbox keeps no
updates) copies the active items and their subitems too.  Column and group ids are
kept by default; with ``new_column_ids`` (the faults-spec setting ``column_ids=new``)
every column but ``name``, and every group, gets a new id — monday documents neither.

``move_item_to_board`` moves an active item with its subitems (ids kept) into a group
of another board.  Each value goes to the column ``columns_mapping`` names for it
(``target: null`` drops it); a column it does not name goes to the target's column of
the same id, else of the same title, if the type matches, else is dropped ("the system
will try to map … according to the column name and type", monday's changelog 2023-07;
the rest UNCERTAIN).  Text and long text convert into each other; status and dropdown
labels go by label text; a label the target lacks is dropped.  Subitems use
``subitems_columns_mapping`` the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ordersync.sandbox import refusals
from ordersync.sandbox.account import MAIN_FOLDER, MAIN_WORKSPACE
from ordersync.sandbox.column_values import (
    DropdownValue,
    LongTextValue,
    StatusValue,
    TextValue,
)
from ordersync.sandbox.columns import ColumnDef, ColumnKind, StoredValue, invalid_column_id
from ordersync.sandbox.model import Board, Group, Item, ItemState, OrderBoard
from ordersync.sandbox.store_base import GROUP_COLORS, ID, StoreBase, with_name

__all__ = ["DUPLICATE_TYPES", "BoardOps"]

DUPLICATE_TYPES = ("duplicate_board_with_structure", "duplicate_board_with_pulses",
                   "duplicate_board_with_pulses_and_updates")
Mapping_ = Sequence[Mapping[str, Any]] | None  # [ColumnMappingInput]
_TEXTS = {ColumnKind.TEXT, ColumnKind.LONG_TEXT}


class BoardOps(StoreBase):
    """``create_board``, ``create_order_board``, ``new_board``, ``duplicate_board``,
    ``move_item_to_board``."""

    def create_board(self, name: str, columns: Sequence[ColumnDef],
                     subitem_columns: Sequence[ColumnDef] = ()) -> Board:
        """A board and its subitems board; both get a ``name`` column and one group."""
        board_id, sub_id = self._new_id(), self._new_id()
        self._add_board(Board(sub_id, f"Subitems of {name}", with_name(subitem_columns),
                              (Group("topics", "Subitems", GROUP_COLORS[0], board_id=sub_id),),
                              parent_board_id=board_id))
        subtasks = ColumnDef.subtasks("subitems", "Subitems", sub_id)
        return self._add_board(Board(board_id, name, (*with_name(columns), subtasks),
                                     (Group("topics", "Group Title", GROUP_COLORS[0],
                                             board_id=board_id),),
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

    def new_board(self, name: str, *, kind: str = "public", workspace_id: ID | None = None,
                  folder_id: ID | None = None, description: str | None = None,
                  template_id: ID | None = None) -> Board:
        """``create_board``: a ``name`` column and one group (no default items: UNCERTAIN),
        or the structure of ``template_id``'s board."""
        refusals.check_board_name(name)
        place = _place(workspace_id, folder_id)
        if template_id is not None:
            template = self._boards.get(str(template_id))
            if template is None or template.parent_board_id is not None:
                raise refusals.bad_template(str(template_id))
            return self._copy(template, name, kind, place, description, with_items=False)
        board_id = self._new_id()
        return self._add_board(Board(
            board_id, name, with_name(()), (Group("topics", "Group Title", GROUP_COLORS[0],
                                                  board_id=board_id),),
            workspace_id=place[0], folder_id=place[1], kind=kind, description=description))

    def duplicate_board(self, board_id: ID, duplicate_type: str, *, name: str | None = None,
                        workspace_id: ID | None = None, folder_id: ID | None = None) -> Board:
        """A copy of a board's structure (and, ``…_with_pulses``, its active items)."""
        source = self.board(board_id)
        if source.parent_board_id is not None:
            raise refusals.on_subitems_board(source.id)
        if duplicate_type not in DUPLICATE_TYPES:  # the schema's enum has exactly these
            raise refusals.bad_template(source.id)
        title = name if name is not None else f"Duplicate of {source.name}"
        refusals.check_board_name(title)
        place = _place(workspace_id, folder_id) if workspace_id or folder_id else (
            source.workspace_id, source.folder_id)
        return self._copy(source, title, source.kind, place, source.description,
                          with_items=duplicate_type != DUPLICATE_TYPES[0])

    def archive_board(self, board_id: ID) -> Board:
        """Archive a board and its subitems board: the API no longer finds it (UNCERTAIN:
        what monday lets an archived board do); its items keep their state."""
        return self._end_board(board_id, ItemState.ARCHIVED)

    def delete_board(self, board_id: ID) -> Board:
        """Delete a board, its subitems board and every item on them: the API no longer
        finds the board (monday keeps it in its trash, which the API does not reach)."""
        return self._end_board(board_id, ItemState.DELETED)

    def _end_board(self, board_id: ID, state: ItemState) -> Board:
        board = self.board(board_id)
        if board.parent_board_id is not None:  # UNCERTAIN: monday's refusal
            raise refusals.on_subitems_board(board.id)
        if state is ItemState.DELETED:  # its items, and their subitems with them
            for item_id in self._order[board.id]:
                self._set_state(self._items[item_id], state)
        for ended in (board.id, board.subitems_board_id):
            if ended is not None and ended in self._boards:
                self._boards[ended] = replace(self._boards[ended], state=state)
        return self._boards[board.id]

    def subitems_board_of(self, board: Board) -> Board:
        """The board's subitems board, made (with a ``subitems`` column) on first use."""
        if board.subitems_board_id is not None:
            return self._boards[board.subitems_board_id]
        if board.parent_board_id is not None:
            raise refusals.subitem_of_subitem(board.id)
        sub_id = self._new_id()
        sub = self._add_board(Board(sub_id, f"Subitems of {board.name}", with_name(()),
                                    (Group("topics", "Subitems", GROUP_COLORS[0],
                                           board_id=sub_id),), parent_board_id=board.id))
        column_id = ("subitems" if board.column("subitems") is None and not self.new_column_ids
                     else self._column_id(ColumnKind.SUBTASKS))
        self._boards[board.id] = replace(
            board, subitems_board_id=sub_id,
            columns=(*board.columns, ColumnDef.subtasks(column_id, "Subitems", sub_id)))
        return sub

    def move_item_to_board(self, item_id: ID, board_id: ID, group_id: str,
                           columns_mapping: Mapping_ = None,
                           subitems_columns_mapping: Mapping_ = None) -> Item:
        """Move an active item and its subitems to a group of another board."""
        item = self._active(self.item(item_id))
        if item.parent_id is not None:  # UNCERTAIN: monday's refusal for a subitem
            raise refusals.not_found("Item", item.id)
        source, target = self.board(item.board_id), self.board(board_id)
        if target.parent_board_id is not None:
            raise refusals.on_subitems_board(target.id)
        group = self._group(target, group_id)
        children = [self._items[i] for i in self._children.get(item.id, ())
                    if self._items[i].state is not ItemState.DELETED]
        if target.id != source.id and self._live[target.id] >= self.items_limit:
            raise refusals.items_limit_reached(self.items_limit, target.id)
        values = _mapped(source, target, item.values, columns_mapping)
        if children and source.subitems_board_id is not None and target.id != source.id:
            old_sub = self._boards[source.subitems_board_id]
            new_sub = self.subitems_board_of(target)
            if self._live[new_sub.id] + len(children) > self.items_limit:
                raise refusals.items_limit_reached(self.items_limit, new_sub.id)
            for child in children:
                self._relocate(child, new_sub, new_sub.groups[0].id,
                               _mapped(old_sub, new_sub, child.values,
                                       subitems_columns_mapping))
        return self._relocate(item, self._boards[target.id], group.id, values)

    # --- internals ----------------------------------------------------------------------

    def _relocate(self, item: Item, board: Board, group_id: str,
                  values: dict[str, StoredValue]) -> Item:
        if item.board_id != board.id:
            self._order[item.board_id].remove(item.id)
            self._order[board.id].append(item.id)
            if item.state is not ItemState.DELETED:
                self._live[item.board_id] -= 1
                self._live[board.id] += 1
        moved = replace(item, board_id=board.id, group_id=group_id, values=values,
                        updated_at=self.clock.utcnow())
        self._items[item.id] = moved
        return moved

    def _copy(self, source: Board, name: str, kind: str, place: tuple[str | None, str | None],
              description: str | None, *, with_items: bool) -> Board:
        board_id = self._new_id()
        columns = {c.id: self._copied_column(c) for c in source.columns
                   if c.type is not ColumnKind.SUBTASKS}
        groups = {g.id: replace(g, id=self._group_id(g.id), board_id=board_id)
                  for g in source.active_groups}
        board = self._add_board(Board(
            board_id, name, tuple(columns.values()), tuple(groups.values()),
            workspace_id=place[0], folder_id=place[1], kind=kind, description=description,
            created_from_board_id=source.id))
        sub_columns: dict[str, ColumnDef] = {}
        if source.subitems_board_id is not None:
            old_sub = self._boards[source.subitems_board_id]
            sub_columns = {c.id: self._copied_column(c) for c in old_sub.columns}
            sub = self.subitems_board_of(board)
            self._boards[sub.id] = sub = replace(sub, columns=tuple(sub_columns.values()))
            board = self._boards[board_id]
        if with_items:
            for item in self.board_items(source.id):
                if item.state is ItemState.ACTIVE and item.group_id in groups:
                    self._copy_item(item, board, groups[item.group_id].id, columns,
                                    sub_columns)
        return self._boards[board_id]

    def _copy_item(self, item: Item, board: Board, group_id: str,
                   columns: Mapping[str, ColumnDef],
                   sub_columns: Mapping[str, ColumnDef]) -> None:
        now = self.clock.utcnow()
        copy = replace(item, id=self._new_id(), board_id=board.id, group_id=group_id,
                       created_at=now, updated_at=now,
                       values={columns[k].id: v for k, v in item.values.items() if k in columns})
        self._items[copy.id] = copy
        self._order[board.id].append(copy.id)
        self._live[board.id] += 1
        if board.subitems_board_id is None:
            return
        sub = self._boards[board.subitems_board_id]
        for child in self.subitems(item.id):
            twin = replace(child, id=self._new_id(), board_id=sub.id, group_id=sub.groups[0].id,
                           parent_id=copy.id, created_at=now, updated_at=now,
                           values={sub_columns[k].id: v for k, v in child.values.items()
                                   if k in sub_columns})
            self._items[twin.id] = twin
            self._order[sub.id].append(twin.id)
            self._live[sub.id] += 1
            self._children.setdefault(copy.id, []).append(twin.id)

    def _copied_column(self, column: ColumnDef) -> ColumnDef:
        if not self.new_column_ids or column.type is ColumnKind.NAME:
            return column
        return replace(column, id=self._column_id(column.type))

    def _group_id(self, group_id: str) -> str:
        if not self.new_column_ids:
            return group_id
        self._next_group += 1
        return f"group_mk{self._next_group:04x}"


def _place(workspace_id: ID | None, folder_id: ID | None) -> tuple[str | None, str | None]:
    """The account has one workspace and one folder (``account.py``)."""
    if workspace_id is not None and str(workspace_id) != MAIN_WORKSPACE.id:
        raise refusals.not_found("Workspace", str(workspace_id))
    if folder_id is not None and str(folder_id) != MAIN_FOLDER.id:
        raise refusals.not_found("Folder", str(folder_id))
    return (None if workspace_id is None else str(workspace_id),
            None if folder_id is None else str(folder_id))


def _mapped(source: Board, target: Board, values: Mapping[str, StoredValue],
            mapping: Mapping_) -> dict[str, StoredValue]:
    """An item's values re-keyed for ``target`` (see the module docstring)."""
    explicit: dict[str, str | None] = {}
    for entry in mapping or ():
        if source.column(str(entry["source"])) is None:
            raise invalid_column_id(str(entry["source"]))
        target_id = entry.get("target")
        if target_id is not None and target.column(str(target_id)) is None:
            raise invalid_column_id(str(target_id))
        explicit[str(entry["source"])] = None if target_id is None else str(target_id)
    moved: dict[str, StoredValue] = {}
    for column_id, stored in values.items():
        column = source.column(column_id)
        if column is None:
            continue
        if column_id in explicit:
            wanted = explicit[column_id]
            found = None if wanted is None else target.column(wanted)
        else:
            found = target.column(column_id) or next(
                (c for c in target.columns if c.title == column.title), None)
        if found is None or not (found.type is column.type or {found.type, column.type} == _TEXTS):
            continue
        converted = _relabelled(column, found, stored)
        if converted is not None:
            moved[found.id] = converted
    return moved


def _relabelled(source: ColumnDef, target: ColumnDef,
                stored: StoredValue) -> StoredValue | None:
    def label_id(old: int) -> int | None:
        label = source.label_with_id(old)
        new = target.label_named(label.name) if label is not None else None
        return None if new is None else new.id

    if target.type is ColumnKind.LONG_TEXT and isinstance(stored, TextValue):
        return LongTextValue(stored.text)
    if target.type is ColumnKind.TEXT and isinstance(stored, LongTextValue):
        return TextValue(stored.text)
    if isinstance(stored, StatusValue):
        new_index = label_id(stored.index)
        return None if new_index is None else StatusValue(new_index)
    if isinstance(stored, DropdownValue):
        ids = tuple(i for i in (label_id(old) for old in stored.ids) if i is not None)
        return DropdownValue(ids) if ids else None
    return stored
