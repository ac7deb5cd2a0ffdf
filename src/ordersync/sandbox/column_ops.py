"""Column operations of the store: create, rename and delete a board's columns.

What people do to a board's structure by hand, through the API: ``create_column``
(the column types the sandbox models — text, long text, numbers, date, status, dropdown;
status and dropdown labels from ``defaults``), ``change_column_title`` and
``delete_column`` (its values leave every item; the name column cannot be deleted).
A column id given to ``create_column`` must be 1–20 lower-case letters, digits or
underscores and new on the board; without one the sandbox makes ``<type>_mk<hex>``.
Codes and texts of the refusals are UNCERTAIN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from ordersync.sandbox import refusals
from ordersync.sandbox.columns import ColumnDef, ColumnKind, invalid_column_id
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.model import Board
from ordersync.sandbox.store_base import ID, StoreBase

__all__ = ["ColumnOps"]

_COLUMN_ID: Final = re.compile(r"[a-z0-9_]{1,20}")
_CREATABLE: Final = frozenset({ColumnKind.TEXT, ColumnKind.LONG_TEXT, ColumnKind.NUMBERS,
                               ColumnKind.DATE, ColumnKind.STATUS, ColumnKind.DROPDOWN})


class ColumnOps(StoreBase):
    """``create_column``, ``change_column_title``, ``delete_column``."""

    def create_column(self, board_id: ID, title: str, column_type: str, *,
                      column_id: str | None = None, after_column_id: str | None = None,
                      defaults: Any = None) -> ColumnDef:
        board = self.board(board_id)
        kind = next((k for k in _CREATABLE if k.value == column_type), None)
        if kind is None:
            raise MondayError("NOT_SUPPORTED_BY_SANDBOX",
                              f"The sandbox does not model {column_type} columns",
                              status_code=400, error_data={"column_type": column_type})
        _check_title(title)
        if column_id is None:
            column_id = self._column_id(kind)
        elif not _COLUMN_ID.fullmatch(column_id) or board.column(column_id) is not None:
            raise MondayError("InvalidArgumentException",
                              f"Invalid or existing column id {column_id!r}", status_code=200,
                              error_data={"column_id": column_id})
        column = _new_column(kind, column_id, title, _defaults(defaults))
        columns = list(board.columns)
        at = len(columns)
        if after_column_id is not None:
            anchor = board.column(str(after_column_id))
            if anchor is None:
                raise invalid_column_id(str(after_column_id))
            at = columns.index(anchor) + 1
        columns.insert(at, column)
        self._boards[board.id] = replace(board, columns=tuple(columns))
        return column

    def change_column_title(self, board_id: ID, column_id: str, title: str) -> ColumnDef:
        board, column = self._column(board_id, column_id)
        _check_title(title)
        renamed = replace(column, title=title)
        self._boards[board.id] = replace(board, columns=tuple(
            renamed if c.id == column.id else c for c in board.columns))
        return renamed

    def delete_column(self, board_id: ID, column_id: str) -> ColumnDef:
        board, column = self._column(board_id, column_id)
        if column.type in (ColumnKind.NAME, ColumnKind.SUBTASKS):
            raise MondayError("InvalidArgumentException",
                              f"The {column.type} column can't be deleted", status_code=200,
                              error_data={"column_id": column.id})
        self._boards[board.id] = replace(board, columns=tuple(
            c for c in board.columns if c.id != column.id))
        for item_id in self._order[board.id]:
            item = self._items[item_id]
            if column.id in item.values:
                self._items[item_id] = replace(item, values={
                    k: v for k, v in item.values.items() if k != column.id})
        return column

    def _column(self, board_id: ID, column_id: str) -> tuple[Board, ColumnDef]:
        board = self.board(board_id)
        column = board.column(column_id)
        if column is None:
            raise invalid_column_id(column_id)
        return board, column


def _check_title(title: str) -> None:
    if not title.strip() or len(title) > refusals.MAX_NAME:
        raise MondayError("InvalidArgumentException", "Column title must be 1–255 characters",
                          status_code=200, error_data={"title": title})


def _defaults(raw: Any) -> Mapping[str, Any]:
    """``defaults`` as JSON text or an object (``{"labels": …}`` or ``{"settings": {…}}``)."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise MondayError("InvalidArgumentException", "defaults is not valid JSON",
                              status_code=200) from None
    if not isinstance(raw, Mapping):
        raise MondayError("InvalidArgumentException", "defaults must be a JSON object",
                          status_code=200)
    settings = raw.get("settings")
    return settings if isinstance(settings, Mapping) else raw


def _new_column(kind: ColumnKind, column_id: str, title: str,
                defaults: Mapping[str, Any]) -> ColumnDef:
    labels = defaults.get("labels")
    if kind is ColumnKind.STATUS:
        if isinstance(labels, Mapping) and labels:
            try:
                return ColumnDef.status(column_id, title,
                                        {int(i): str(n) for i, n in labels.items()})
            except ValueError as exc:
                raise MondayError("InvalidArgumentException", f"status labels: {exc}",
                                  status_code=200) from None
        return ColumnDef.status(column_id, title)
    if kind is ColumnKind.DROPDOWN:
        names = [str(label["name"]) if isinstance(label, Mapping) else str(label)
                 for label in labels or ()] if isinstance(labels, list) else []
        return ColumnDef.dropdown(column_id, title, names)
    return ColumnDef(column_id, title, kind)
