"""Preflight: the boards' columns checked against the ``[monday]`` mapping before any write.

``check_boards`` reads the order board's and the subitems board's columns in one query
(``board_columns.graphql``) and checks, all at once:

- the order board exists, and ``subitems_board_id`` is *its* subitems board (the board
  its subtasks column's settings name in ``boardIds``);
- every mapped column exists on its board with the type its role writes (identity and
  customer: text; quantity: numbers; eta: date; status: status; …; a table entry's
  declared ``type``);
- where a label column has ``create_labels_if_missing = false``, the labels the sync
  will write exist (the status labels; for a dropdown or a status fed from data, the
  distinct values the database holds for its source).

Every problem becomes one line naming the config key, the column id and what the board
has; any problem raises ``BoardMismatch`` (a fatal sync error: nothing is written).  The
answer is cached per client, so a command that verifies and then syncs reads the
columns once.  ``run_sync`` calls it at the start of every run; ``plan`` and ``verify``
call it too.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ordersync.config import BoardColumn as ConfigColumn
from ordersync.config import Config
from ordersync.db import Database
from ordersync.errors import BoardMismatch
from ordersync.monday.client import MondayClient
from ordersync.monday.encoders import ColumnMapping, ColumnType
from ordersync.monday.operations import operation_text
from ordersync.sync.columns import SKIPPED_ROLES, resolve_columns

SUBTASKS = "subtasks"
MAX_LABELS_SHOWN = 8
_LABEL_TYPES = (ColumnType.STATUS, ColumnType.DROPDOWN)


@dataclass(frozen=True)
class BoardColumn:
    """One column as the board reports it."""

    id: str
    title: str
    type: str
    settings: Mapping[str, Any]

    @property
    def labels(self) -> frozenset[str]:
        """A status or dropdown column's label names."""
        raw = self.settings.get("labels")
        if isinstance(raw, Mapping):
            return frozenset(str(v) for v in raw.values())
        if isinstance(raw, list):
            return frozenset(str(x.get("name")) for x in raw if isinstance(x, Mapping))
        return frozenset()


@dataclass(frozen=True)
class Boards:
    """The columns of the order board and of its subitems board (empty if not configured)."""

    items: Mapping[str, BoardColumn]
    subitems: Mapping[str, BoardColumn]


_CACHE: weakref.WeakKeyDictionary[MondayClient, dict[str, Boards]] = weakref.WeakKeyDictionary()


def check_boards(config: Config, client: MondayClient, db: Database | None = None) -> Boards:
    """The boards' columns, checked against the mapping (see the module docstring)."""
    key = config.monday.model_dump_json()
    cached = _CACHE.setdefault(client, {})
    if key in cached:
        return cached[key]
    board_id, sub_id = config.monday.board_id, config.monday.subitems_board_id
    if board_id is None:
        return Boards({}, {})
    result = client.execute(operation_text("board_columns"),
                            {"board_ids": [b for b in (board_id, sub_id) if b]})
    found = {str(b["id"]): b for b in (result.data or {}).get("boards") or () if b}
    problems: list[str] = []
    if board_id not in found:
        raise BoardMismatch([f"monday.board_id: board {board_id} does not exist or the "
                             "MONDAY_API_TOKEN user cannot open it"])
    items = _columns(found[board_id])
    subitems = _columns(found[sub_id]) if sub_id and sub_id in found else {}
    if sub_id is not None:
        _check_subitems_board(board_id, sub_id, items, sub_id in found, problems)
    mapped = config.monday.columns or config.monday.subitem_columns
    columns = resolve_columns(config, ()) if mapped else None
    for where, entries, mapping, on_board, board in (
            ("monday.columns", config.monday.columns,
             columns.items.columns if columns else (), items, board_id),
            ("monday.subitem_columns", config.monday.subitem_columns,
             columns.subitems.columns if columns else (), subitems, sub_id)):
        if board is None or (board == sub_id and sub_id not in found):
            continue
        by_id = {m.column_id: m for m in mapping}
        for role, entry in entries.items():
            if role in SKIPPED_ROLES:
                continue
            column_id = entry if isinstance(entry, str) else entry.id
            wanted = by_id.get(column_id)
            if wanted is not None:
                _check_column(f"{where}.{role}", board, wanted, on_board, config, db,
                              isinstance(entry, ConfigColumn), problems)
    if problems:
        raise BoardMismatch(problems)
    boards = Boards(items, subitems)
    cached[key] = boards
    return boards


def _columns(board: Mapping[str, Any]) -> dict[str, BoardColumn]:
    columns = {}
    for raw in board.get("columns") or ():
        try:
            settings = json.loads(raw.get("settings_str") or "{}")
        except ValueError:
            settings = {}
        columns[str(raw["id"])] = BoardColumn(str(raw["id"]), str(raw.get("title") or ""),
                                              str(raw.get("type") or ""),
                                              settings if isinstance(settings, dict) else {})
    return columns


def _check_subitems_board(board_id: str, sub_id: str, items: Mapping[str, BoardColumn],
                          exists: bool, problems: list[str]) -> None:
    subtasks = [c for c in items.values() if c.type == SUBTASKS]
    linked = sorted({str(b) for c in subtasks for b in c.settings.get("boardIds") or ()})
    if sub_id in linked:
        return
    if linked:
        problems.append(f"monday.subitems_board_id: board {sub_id} is not the subitems board of "
                        f"board {board_id} (its subitems column {subtasks[0].id!r} links "
                        f"{', '.join(linked)}); set subitems_board_id = \"{linked[0]}\"")
    elif not exists:
        problems.append(f"monday.subitems_board_id: board {sub_id} does not exist or the "
                        "MONDAY_API_TOKEN user cannot open it")
    else:
        problems.append(f"monday.subitems_board_id: board {board_id} has no subitems column, so "
                        f"board {sub_id} cannot be its subitems board; add a subitem to any "
                        "item by hand once (monday then creates the subitems board) and use "
                        "the id it shows")


def _check_column(path: str, board_id: str, wanted: ColumnMapping,
                  on_board: Mapping[str, BoardColumn], config: Config, db: Database | None,
                  declared: bool, problems: list[str]) -> None:
    column = on_board.get(wanted.column_id)
    if column is None:
        listed = ", ".join(f"{c.id} ({c.type})" for c in on_board.values()
                           if c.type not in ("name", SUBTASKS))
        problems.append(f"{path}: column {wanted.column_id!r} is not on board {board_id} "
                        f"(its columns: {listed or 'none'})")
        return
    if column.type != wanted.type.value:
        what = (f"is declared {wanted.type.value!r}" if declared
                else f"writes {wanted.type.value} values")
        problems.append(f"{path}: column {wanted.column_id!r} ({column.title!r}) on board "
                        f"{board_id} is a {column.type} column, but the role {what}; map the "
                        f"role to a {wanted.type.value} column"
                        + (" or correct its type" if declared else ""))
        return
    if wanted.type in _LABEL_TYPES and not wanted.create_labels_if_missing:
        missing = sorted(set(_labels_needed(wanted, config, db)) - column.labels)
        if missing:
            shown = ", ".join(repr(m) for m in missing[:MAX_LABELS_SHOWN])
            more = f" and {len(missing) - MAX_LABELS_SHOWN} more" if len(missing) > \
                MAX_LABELS_SHOWN else ""
            problems.append(f"{path}: column {wanted.column_id!r} on board {board_id} lacks the "
                            f"label(s) {shown}{more}, and create_labels_if_missing is false; add "
                            "them on the board or allow ordersync to create them")


def _labels_needed(column: ColumnMapping, config: Config, db: Database | None) -> Iterable[str]:
    """The status labels ordersync writes to ``column`` for the records the database holds
    (all of them without a database).  Labels that come from the data (a dropdown's
    delivery methods, sizes) are not checked here: an unknown one fails its record only."""
    labels = config.monday.status_labels
    if column.source not in ("order_status", "line_status"):
        return ()
    line = column.source == "line_status"
    wanted = {labels.active: "1 = 1",
              labels.cancelled: "is_cancelled = 1" if not line else
              "(o.is_cancelled = 1 OR l.sync_action = 'CANCEL')"}
    if line and config.monday.removed_lines == "zero":
        wanted[labels.removed] = "l.sync_action = 'REMOVE'"
    if db is None or not db.has_table("orders"):
        return tuple(wanted)
    source = (f"{db.table('order_lines')} l JOIN {db.table('orders')} o ON o.record_uuid = "
              "l.record_uuid" if line else db.table("orders"))
    with db.begin() as conn:
        return [label for label, where in wanted.items()
                if conn.execute(sa.text(f"SELECT 1 FROM {source} WHERE {where} LIMIT 1")).first()]
