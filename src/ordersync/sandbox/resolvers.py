"""Field resolvers: what each ``(parent type, field)`` of monday's schema returns.

``resolve_field`` is the executor's one graphql-core ``field_resolver``.  It dispatches
on ``(parent type, field)`` through ``RESOLVERS`` (queries and fields here, mutations in
``mutations.py``, the account's records in ``account.py``); a field not in the table
reads the attribute or key of the same name, and a field the sandbox keeps nothing
for answers with its documented shape (``shapes.py``).  A mutation not in the table is
``NOT_SUPPORTED_BY_SANDBOX``.  ``resolve_type`` names the ``ColumnValue``
implementation of a ``Cell`` (and the type of a ``Blank``).  Every resolver is
synchronous and takes ``(source, context, **arguments)``; a ``MondayError`` it raises
becomes that field's error.

Not modelled: item positions in ``create_item``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLResolveInfo

from ordersync.sandbox.account import MAIN_FOLDER, MAIN_WORKSPACE, QUERIES, SandboxUser
from ordersync.sandbox.columns import ColumnDef, ColumnKind, StatusValue, read
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.mutations import MUTATIONS, not_supported
from ordersync.sandbox.paging import MAX_ITEMS_LIMIT, page_of
from ordersync.sandbox.shapes import MISSING, Blank, blank_value
from ordersync.sandbox.store import Board, Item, ItemState, Store

__all__ = ["DEFAULT_API_VERSION", "RESOLVERS", "Cell", "Context", "resolve_field",
           "resolve_type"]

DEFAULT_API_VERSION = "2026-07"  # monday's Current version per API_NOTES §1 (2026-09 docs)
_CELL_TYPES: Mapping[ColumnKind, str] = {
    ColumnKind.TEXT: "TextValue", ColumnKind.LONG_TEXT: "LongTextValue",
    ColumnKind.NUMBERS: "NumbersValue", ColumnKind.DATE: "DateValue",
    ColumnKind.STATUS: "StatusValue", ColumnKind.DROPDOWN: "DropdownValue",
    ColumnKind.SUBTASKS: "SubtasksValue",
}


@dataclass
class Context:
    """What every resolver sees: the store, ``me``, the request's version and complexity,
    and the mutation key that fault injection makes fail (with its error)."""

    store: Store
    user: SandboxUser
    api_version: str
    complexity: dict[str, int] | None
    fail_key: str | None = None
    fail_error: MondayError | None = None


@dataclass(frozen=True)
class Cell:
    """One ``column_values`` entry: a column and the item it belongs to."""

    column: ColumnDef
    item: Item


def resolve_field(source: Any, info: GraphQLResolveInfo[Context], **args: Any) -> Any:
    context: Context = info.context
    if isinstance(source, Cell):
        value = _cell_field(source, info.field_name, context.store)
    elif isinstance(source, Blank):
        value = MISSING
    else:
        parent = info.parent_type.name
        if parent == "Mutation" and info.path.prev is None and (
                context.fail_error is not None and info.path.key == context.fail_key):
            raise context.fail_error
        resolver = RESOLVERS.get((parent, info.field_name))
        if resolver is not None:
            value = resolver(source, context, **args)
        elif parent == "Mutation":
            raise not_supported(info.field_name)
        elif isinstance(source, Mapping):
            value = source.get(info.field_name, MISSING)
        else:
            value = getattr(source, info.field_name, MISSING)
    return blank_value(info.schema, info.return_type) if value is MISSING else value


def resolve_type(value: Any, info: GraphQLResolveInfo[Context], abstract_type: Any) -> str | None:
    if isinstance(value, Cell):
        return _CELL_TYPES.get(value.column.type, "TextValue")
    if isinstance(value, Blank):
        return value.type_name
    return None


def _ids(values: Sequence[Any] | None) -> list[str]:
    return [str(v) for v in values or ()]


def _boards(_: Any, ctx: Context, *, ids: Sequence[Any] | None = None, limit: int = 25,
            page: int = 1, state: str = "active", board_kind: str | None = None,
            workspace_ids: Sequence[Any] | None = None, **__: Any) -> list[Board]:
    """Boards by id (unknown ids left out, as monday does) or all of them, filtered by
    state (active by default: an archived or deleted board is left out), kind and
    workspace; then paged."""
    known = {b.id: b for b in ctx.store.boards()}
    found = list(known.values()) if ids is None else [known[i] for i in _ids(ids) if i in known]
    spaces = None if workspace_ids is None else {str(w) for w in workspace_ids}
    found = [b for b in found if state in ("all", b.state.value)
             and board_kind in (None, b.kind)
             and (spaces is None or (b.workspace_id or MAIN_WORKSPACE.id) in spaces)]
    return page_of(found, page=page, limit=limit)


def _items(_: Any, ctx: Context, *, ids: Sequence[Any] | None = None, limit: int = 25,
           page: int = 1, exclude_nonactive: bool | None = None,
           newest_first: bool | None = None, **__: Any) -> list[Item]:
    """Items by id in any state (``state`` says which; ``exclude_nonactive`` keeps the
    active ones), unknown ids left out; without ids, the account's active items.
    ``page``/``limit`` apply either way (limit at most 100, as monday documents)."""
    if ids is not None:
        found = [item for item_id in _ids(ids) if (item := ctx.store.find_item(item_id))
                 is not None and (not exclude_nonactive or item.state is ItemState.ACTIVE)]
    else:
        found = [item for board in ctx.store.boards() if board.active
                 for item in ctx.store.board_items(board.id) if item.state is ItemState.ACTIVE]
        found.sort(key=lambda item: int(item.id), reverse=bool(newest_first))
    return page_of(found, page=page, limit=limit, max_limit=MAX_ITEMS_LIMIT)


def _by_column_values(_: Any, ctx: Context, *, board_id: str, limit: int = 25,
                      columns: Sequence[Mapping[str, Any]] | None = None,
                      cursor: str | None = None, **__: Any) -> Any:
    if cursor is not None:
        return ctx.store.next_items_page(cursor, limit=limit)
    return ctx.store.items_by_columns(
        board_id, [(rule["column_id"], list(rule["column_values"])) for rule in columns or ()],
        limit=limit)


def _complexity(_: Any, ctx: Context, **__: Any) -> dict[str, int] | None:
    return ctx.complexity


def _version(_: Any, ctx: Context, **__: Any) -> dict[str, str]:
    kind = "current" if ctx.api_version == DEFAULT_API_VERSION else "maintenance"
    return {"kind": kind, "value": ctx.api_version, "display_name": ctx.api_version}


def _columns(board: Board, _: Context, *, ids: Sequence[str] | None = None,
             types: Sequence[str] | None = None, **__: Any) -> list[ColumnDef]:
    return [c for c in board.columns if (ids is None or c.id in ids)
            and (types is None or c.type.value in types)]


def _item_cells(item: Item, ctx: Context, *, ids: Sequence[str] | None = None,
                types: Sequence[str] | None = None, **__: Any) -> list[Cell]:
    board = ctx.store.board(item.board_id)
    return [Cell(c, item) for c in _columns(board, ctx, ids=ids, types=types)
            if c.type is not ColumnKind.NAME]


def _parent_item(item: Item, ctx: Context, **__: Any) -> Item | None:
    return None if item.parent_id is None else ctx.store.item(item.parent_id)


def _cell_field(cell: Cell, name: str, store: Store) -> Any:
    column, stored = cell.column, cell.item.values.get(cell.column.id)
    text: str | None
    value: str | None
    if column.type is ColumnKind.SUBTASKS:
        subitems = store.subitems(cell.item.id)
        text = ", ".join(s.name for s in subitems)
        value = json.dumps({"linkedPulseIds": [{"linkedPulseId": int(s.id)} for s in subitems]})
        found: dict[str, Any] = {"text": text, "value": value if subitems else None,
                                 "subitems_ids": [s.id for s in subitems]}
    else:
        text, value = read(column, stored)
        found = {"text": text, "value": value}
    if name in found:
        return found[name]
    if name == "id":
        return column.id
    if name == "type":
        return column.type.value
    if name == "column":
        return column
    if name in ("index", "is_done"):
        index = stored.index if isinstance(stored, StatusValue) else None
        return index if name == "index" else (None if index is None else index == 1)
    if name == "label":
        return text
    if name == "number":
        return None if not text else float(text)
    if name in ("date", "time"):
        return getattr(stored, name, None)
    if name == "values":
        ids = getattr(stored, "ids", ())
        return [{"id": str(label.id), "label": label.name} for i in ids
                if (label := column.label_with_id(i)) is not None]
    if name == "is_leaf":
        return not store.subitems(cell.item.id)
    if name == "display_value" and column.type is ColumnKind.SUBTASKS:
        return text or ""
    if name == "subitems" and column.type is ColumnKind.SUBTASKS:
        return list(store.subitems(cell.item.id))
    if name == "updated_at":
        return cell.item.updated_at.isoformat()
    return MISSING  # symbol and the like: nothing the sandbox keeps


RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("Query", "boards"): _boards,
    ("Query", "items"): _items,
    ("Query", "next_items_page"): lambda _, ctx, *, cursor, limit=25, **__:
        ctx.store.next_items_page(cursor, limit=limit),
    ("Query", "items_page_by_column_values"): _by_column_values,
    ("Query", "complexity"): _complexity,
    ("Mutation", "complexity"): _complexity,
    ("Query", "version"): _version,
    ("Board", "groups"): lambda board, _, *, ids=None, **__:
        [g for g in board.active_groups if ids is None or g.id in ids],
    ("Board", "columns"): _columns,
    ("Board", "board_kind"): lambda board, _, **__: board.kind,
    ("Board", "state"): lambda board, _, **__: board.state.value,
    ("Board", "items_page"): lambda board, ctx, *, limit=25, cursor=None, query_params=None,
        **__: ctx.store.items_page(board.id, limit=limit, cursor=cursor,
                                   query_params=query_params),
    ("Board", "items_count"): lambda board, ctx, **__: ctx.store.live_items(board.id),
    ("Board", "items_limit"): lambda _, ctx, **__: ctx.store.items_limit,
    ("Board", "permissions"): lambda *_, **__: "everyone",
    ("Board", "type"): lambda board, _, **__:
        "board" if board.parent_board_id is None else "sub_items_board",
    ("Board", "url"): lambda board, _, **__: f"https://sandbox.monday.com/boards/{board.id}",
    ("Board", "workspace_id"): lambda board, _, **__: board.workspace_id or MAIN_WORKSPACE.id,
    ("Board", "workspace"): lambda *_, **__: MAIN_WORKSPACE,
    ("Board", "board_folder_id"): lambda board, _, **__: board.folder_id,
    ("Board", "folder"): lambda board, _, **__:
        MAIN_FOLDER if board.folder_id == MAIN_FOLDER.id else None,
    ("Board", "top_group"): lambda board, _, **__:
        (board.active_groups or board.groups)[0],
    ("Group", "items_page"): lambda group, ctx, *, limit=25, cursor=None, query_params=None,
        **__: ctx.store.group_items_page(group, limit=limit, cursor=cursor,
                                         query_params=query_params),
    ("Group", "position"): lambda group, _, **__: f"{group.position:.3f}",
    ("Group", "archived"): lambda group, _, **__: group.state is ItemState.ARCHIVED,
    ("Group", "deleted"): lambda group, _, **__: group.state is ItemState.DELETED,
    ("Column", "settings_str"): lambda column, _, **__: json.dumps(column.settings),
    ("Item", "board"): lambda item, ctx, **__: ctx.store.board_record(item.board_id),
    ("Item", "group"): lambda item, ctx, **__:
        ctx.store.board_record(item.board_id).group(item.group_id),
    ("Item", "column_values"): _item_cells,
    ("Item", "parent_item"): _parent_item,
    ("Item", "subitems"): lambda item, ctx, **__: list(ctx.store.subitems(item.id)),
    ("Item", "state"): lambda item, _, **__: item.state.value,
    ("Item", "creator_id"): lambda _, ctx, **__: ctx.user.id,
    ("Item", "url"): lambda item, _, **__:
        f"https://sandbox.monday.com/boards/{item.board_id}/pulses/{item.id}",
    ("Item", "relative_link"): lambda item, _, **__:
        f"/boards/{item.board_id}/pulses/{item.id}",
    ("Item", "created_at"): lambda item, _, **__: item.created_at.isoformat(),
    ("Item", "updated_at"): lambda item, _, **__: item.updated_at.isoformat(),
    **MUTATIONS,
    **QUERIES,
}
