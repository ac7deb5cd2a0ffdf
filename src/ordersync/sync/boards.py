"""Each route's board made to exist, once, and the column mapping resolved on it (issue #10).

``ensure_board`` gives a route's board (part) in this order, recording it in
``monday_boards`` the moment it is known:

1. the registry (a board recorded by an earlier run);
2. ``[monday.routing.boards]`` — a pinned board (part 1), adopted as ``pinned``;
3. the account's boards by name (in ``workspace_id`` when set) — a board an earlier run
   created and crashed before recording — adopted as ``adopted``;
4. ``duplicate_board`` of the template (structure only: columns and groups, no items; monday
   gives it its own subitems board), with an Idempotency-Key per route, part, attempt and
   run, recorded as ``created``.  A server fault on it, or no answer at all, is looked up by
   name before it is sent again (a server that ignores the key would copy it twice);
   should the response be lost anyway, step 3 finds the board next time: a route never
   gets a second board.

``board_config`` resolves ``[monday.columns]`` and ``[monday.subitem_columns]`` on the
board: a column id the board has is kept; otherwise the template column of that id is
looked for on the board by title (monday does not document whether duplication keeps
column ids); otherwise it is a problem naming the key and the column.  The result is the
config as that board sees it, which the preflight (``check_boards``) then checks for
types and labels like any configured board.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ordersync.config import BoardColumn as ConfigColumn
from ordersync.config import Config
from ordersync.db import Database
from ordersync.errors import BoardGone, BoardMismatch, FatalSyncError, RetriableSyncError
from ordersync.monday.boards import find_boards_by_name
from ordersync.monday.client import MondayClient
from ordersync.monday.operations import operation_text
from ordersync.monday.wire import MondayResponseLost
from ordersync.routing import RegisteredBoard, register_board
from ordersync.routing.routes import BoardFill
from ordersync.sync.records import Fate, fate

SUBTASKS = "subtasks"


@dataclass(frozen=True)
class BoardColumns:
    """One board's columns as monday reports them, and its subitems board."""

    board_id: str
    name: str
    columns: Mapping[str, tuple[str, str]]
    """column id → (title, type)."""
    subitems_board_id: str | None


def read_structures(client: MondayClient, board_ids: list[str]) -> dict[str, BoardColumns]:
    """The columns of ``board_ids`` (one query; boards monday does not show are left out)."""
    result = client.execute(operation_text("board_columns"), {"board_ids": board_ids})
    found: dict[str, BoardColumns] = {}
    for board in (result.data or {}).get("boards") or ():
        if not board:
            continue
        columns: dict[str, tuple[str, str]] = {}
        subitems: str | None = None
        for column in board.get("columns") or ():
            columns[str(column["id"])] = (str(column.get("title") or ""),
                                          str(column.get("type") or ""))
            if column.get("type") == SUBTASKS and subitems is None:
                subitems = _linked_board(column.get("settings_str"))
        found[str(board["id"])] = BoardColumns(str(board["id"]), str(board.get("name") or ""),
                                               columns, subitems)
    return found


def _linked_board(settings: Any) -> str | None:
    try:
        parsed = json.loads(settings) if isinstance(settings, str) else settings
    except ValueError:
        return None
    ids = (parsed or {}).get("boardIds") if isinstance(parsed, dict) else None
    return str(ids[0]) if ids else None


def template_id(config: Config) -> str | None:
    return config.monday.routing.template_board_id or config.monday.board_id


def ensure_board(config: Config, db: Database, client: MondayClient, fill: BoardFill,
                 registry: Mapping[tuple[str, int], RegisteredBoard], *,
                 run_id: int | None = None) -> RegisteredBoard:
    """The board of ``fill`` (route, part), found or created once (see the module docstring).
    ``run_id`` is part of the Idempotency-Key: a route given a new board in place of a gone
    one (``sync --new-board``) is not answered with the gone board's creation, replayed."""
    known = registry.get((fill.route, fill.part))
    if known is not None:
        return known
    routing = config.monday.routing
    pinned = routing.boards.get(fill.route) if fill.part == 1 else None
    if pinned is not None:
        return _record(db, client, fill, pinned, "pinned")
    same_name = find_boards_by_name(client, [fill.name], workspace_id=routing.workspace_id)
    if fill.name in same_name:
        return _record(db, client, fill, same_name[fill.name][0], "adopted")
    template = template_id(config)
    if template is None:
        raise BoardMismatch([
            f"monday.routing.template_board_id: route {fill.route!r} needs a new board "
            f"({fill.name!r}) and there is no template board to copy; set template_board_id "
            f"(or monday.board_id), or pin the route in [monday.routing.boards]"])
    attempts = config.monday.retry.max_attempts
    for attempt in range(1, attempts + 1):
        try:
            result = client.execute(operation_text("duplicate_board"), {
                "board_id": template, "board_name": fill.name,
                "workspace_id": routing.workspace_id, "folder_id": routing.folder_id},
                idempotency_key=f"board/{fill.route}/{fill.part}/{attempt}/run {run_id}",
                resend_unanswered=False)
        except MondayResponseLost as exc:  # made or not? looked up by name, not sent again
            client.back_off(exc.error, attempt)
        else:
            made = ((result.data or {}).get("duplicate_board") or {}).get("board") or {}
            if not result.errors and made.get("id"):
                return _record(db, client, fill, str(made["id"]), "created")
            error = result.errors[0] if result.errors else None
            if error is not None and fate(error) is not Fate.FAULT:
                raise FatalSyncError(f"monday.com refused to create board {fill.name!r} from "
                                     f"template board {template} ({error.code}: "
                                     f"{error.message}); check that the token's user may "
                                     "create boards in the workspace")
        # a server fault or no answer: the board may have been made — found by name, it is
        # adopted
        same_name = find_boards_by_name(client, [fill.name], workspace_id=routing.workspace_id)
        if fill.name in same_name:
            return _record(db, client, fill, same_name[fill.name][0], "adopted")
    raise RetriableSyncError(f"monday.com kept failing to create board {fill.name!r} "
                             f"({attempts} attempts); run the sync again to go on")


def _record(db: Database, client: MondayClient, fill: BoardFill, board_id: str,
            origin: str) -> RegisteredBoard:
    structure = read_structures(client, [board_id]).get(board_id)
    if structure is None and origin == "pinned":  # the pin names a board monday lost
        raise BoardGone(board_id, fill.name, fill.route, part=fill.part, pinned=True)
    if structure is None:
        raise BoardMismatch([f"monday.routing: board {board_id} (for route {fill.route!r}) "
                             "does not exist or the MONDAY_API_TOKEN user cannot open it"])
    board = RegisteredBoard(fill.route, fill.part, fill.name, board_id,
                            structure.subitems_board_id, origin)  # type: ignore[arg-type]
    with db.begin() as conn:
        register_board(conn, db, board)
    return board


def board_config(config: Config, board: RegisteredBoard,
                 structures: Mapping[str, BoardColumns]) -> Config:
    """``config`` as ``board`` sees it: its ids, and the column mapping resolved on it."""
    template = template_id(config)
    tmpl = structures.get(template) if template else None
    tmpl_sub = structures.get(tmpl.subitems_board_id or "") if tmpl else None
    target = structures.get(board.board_id)
    target_sub = structures.get(board.subitems_board_id or "")
    problems: list[str] = []
    columns = _remap(config.monday.columns, "monday.columns", tmpl, target, board, problems)
    sub_columns = _remap(config.monday.subitem_columns, "monday.subitem_columns", tmpl_sub,
                         target_sub, board, problems)
    if problems:
        raise BoardMismatch(problems)
    monday = config.monday.model_copy(update={
        "board_id": board.board_id, "subitems_board_id": board.subitems_board_id,
        "columns": columns, "subitem_columns": sub_columns})
    return config.model_copy(update={"monday": monday})


def _remap(entries: Mapping[str, str | ConfigColumn], where: str,
           template: BoardColumns | None, target: BoardColumns | None, board: RegisteredBoard,
           problems: list[str]) -> dict[str, str | ConfigColumn]:
    if target is None:  # the preflight names a board it cannot read
        return dict(entries)
    titles: dict[str, list[str]] = {}
    for column_id, (title, _) in target.columns.items():
        titles.setdefault(title, []).append(column_id)
    resolved: dict[str, str | ConfigColumn] = {}
    for role, entry in entries.items():
        column_id = entry if isinstance(entry, str) else entry.id
        if column_id in target.columns:
            resolved[role] = entry
            continue
        title = template.columns.get(column_id, ("", ""))[0] if template else ""
        matches = titles.get(title, []) if title else []
        if len(matches) == 1:
            resolved[role] = (matches[0] if isinstance(entry, str)
                              else entry.model_copy(update={"id": matches[0]}))
            continue
        found = (f"{len(matches)} columns titled {title!r}" if matches else
                 f"none titled {title!r} (the template's)" if title else
                 "the template board has no such column either")
        problems.append(f"{where}.{role}: board {board.board_id} ({board.name!r}, route "
                        f"{board.route!r}) has no column {column_id!r} and {found}; add the "
                        "column to the board, or pin the route to a board that has it")
    return resolved
