"""Field resolvers: what each ``(parent type, field)`` of the subset schema returns.

``resolve_field`` is the executor's one graphql-core ``field_resolver``: it dispatches
on ``(parent type, field)`` through ``RESOLVERS`` (anything not in the table falls
back to graphql-core's default: attribute or key of the same name); ``resolve_type``
names the ``ColumnValue`` implementation of a ``Cell``.  Every resolver is
synchronous and takes ``(source, context, **arguments)``; a ``MondayError`` it
raises becomes that field's error.

``JSON`` arguments (``column_values``) may arrive as a JSON string, as monday
documents, or as a JSON object (an inline object literal or a variable holding an
object); both are accepted.  Not modelled: ``query_params`` on ``items_page``
(ignored), more than one column in ``items_page_by_column_values`` (an error),
``items`` without ``ids`` (an empty list), item positions in ``create_item``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLResolveInfo, default_field_resolver

from ordersync.sandbox.columns import ColumnDef, ColumnKind, StatusValue, read
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.paging import MAX_ITEMS_LIMIT, page_of
from ordersync.sandbox.store import Board, Item, ItemState, Store

if TYPE_CHECKING:
    from ordersync.sandbox.executor import SandboxUser

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
        return _cell_field(source, info.field_name, context.store)
    parent = info.parent_type.name
    if (parent == "Mutation" and info.path.prev is None and context.fail_error is not None
            and info.path.key == context.fail_key):
        raise context.fail_error
    resolver = RESOLVERS.get((parent, info.field_name))
    if resolver is None:
        return default_field_resolver(source, info, **args)
    return resolver(source, context, **args)


def resolve_type(value: Any, info: GraphQLResolveInfo[Context], abstract_type: Any) -> str | None:
    if isinstance(value, Cell):
        return _CELL_TYPES.get(value.column.type, "TextValue")
    return None


def _json_arg(raw: Any, name: str = "column_values") -> dict[str, Any]:
    """A ``JSON`` argument: a JSON string (monday's form) or an object."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:  # code and text UNCERTAIN
            raise MondayError("InvalidArgumentException", f"{name} is not valid JSON: {exc}",
                              status_code=200) from exc
    if not isinstance(raw, dict):
        raise MondayError("InvalidArgumentException", f"{name} must be a JSON object",
                          status_code=200)
    return raw


def _json_value(raw: Any) -> Any:
    """``change_column_value``'s ``value``: JSON text (monday's form) or a JSON value."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError as exc:  # code and text UNCERTAIN
        raise MondayError("InvalidArgumentException", f"value is not valid JSON: {exc}",
                          status_code=200) from exc


def _ids(values: Sequence[Any] | None) -> list[str]:
    return [str(v) for v in values or ()]


def _boards(_: Any, ctx: Context, *, ids: Sequence[Any] | None = None, limit: int = 25,
            page: int = 1, **__: Any) -> list[Board]:
    known = {b.id: b for b in ctx.store.boards()}
    # unknown ids are left out, as monday does
    found = list(known.values()) if ids is None else [known[i] for i in _ids(ids) if i in known]
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
        found = [item for board in ctx.store.boards() for item in ctx.store.board_items(board.id)
                 if item.state is ItemState.ACTIVE]
        found.sort(key=lambda item: int(item.id), reverse=bool(newest_first))
    return page_of(found, page=page, limit=limit, max_limit=MAX_ITEMS_LIMIT)


def _by_column_values(_: Any, ctx: Context, *, board_id: str, limit: int = 25,
                      columns: Sequence[Mapping[str, Any]] | None = None,
                      cursor: str | None = None, **__: Any) -> Any:
    if cursor is not None:
        return ctx.store.next_items_page(cursor, limit=limit)
    if not columns or len(columns) != 1:  # the sandbox filters on exactly one column
        raise MondayError("InvalidArgumentException",
                          "the sandbox supports exactly one column in columns", status_code=200)
    rule = columns[0]
    return ctx.store.items_by_column_values(board_id, rule["column_id"],
                                            list(rule["column_values"]), limit=limit)


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
    return None  # symbol and the like: nothing the sandbox keeps


def _mutations() -> dict[tuple[str, str], Callable[..., Any]]:
    def create_group(_: Any, ctx: Context, *, board_id: str, group_name: str,
                     group_color: str | None = None, relative_to: str | None = None,
                     position_relative_method: str | None = None, **__: Any) -> Any:
        return ctx.store.create_group(board_id, group_name, color=group_color,
                                      relative_to=relative_to,
                                      position_relative_method=position_relative_method)

    def create_item(_: Any, ctx: Context, *, board_id: str, item_name: str,
                    group_id: str | None = None, column_values: Any = None,
                    create_labels_if_missing: bool | None = None, **__: Any) -> Any:
        return ctx.store.create_item(board_id, item_name, group_id, _json_arg(column_values),
                                     bool(create_labels_if_missing))

    def create_subitem(_: Any, ctx: Context, *, parent_item_id: str, item_name: str,
                       column_values: Any = None, create_labels_if_missing: bool | None = None,
                       **__: Any) -> Any:
        return ctx.store.create_subitem(parent_item_id, item_name, _json_arg(column_values),
                                        bool(create_labels_if_missing))

    def change_multiple(_: Any, ctx: Context, *, board_id: str, column_values: Any,
                        item_id: str | None = None, create_labels_if_missing: bool | None = None,
                        **__: Any) -> Any:
        return ctx.store.change_multiple_column_values(
            str(item_id), board_id, _json_arg(column_values), bool(create_labels_if_missing))

    def change_simple(_: Any, ctx: Context, *, board_id: str, column_id: str,
                      item_id: str | None = None, value: str | None = None,
                      create_labels_if_missing: bool | None = None, **__: Any) -> Any:
        return ctx.store.change_simple_column_value(str(item_id), board_id, column_id, value,
                                                    bool(create_labels_if_missing))

    def change_column(_: Any, ctx: Context, *, board_id: str, column_id: str, value: Any,
                      item_id: str | None = None, create_labels_if_missing: bool | None = None,
                      **__: Any) -> Any:
        return ctx.store.change_column_value(str(item_id), board_id, column_id,
                                             _json_value(value), bool(create_labels_if_missing))

    def duplicate(_: Any, ctx: Context, *, board_id: str, item_id: str | None = None,
                  **__: Any) -> Any:
        return ctx.store.duplicate_item(board_id, str(item_id))

    def archive_group(_: Any, ctx: Context, *, board_id: str, group_id: str,
                      **__: Any) -> Any:
        return ctx.store.archive_group(board_id, group_id)

    def delete_group(_: Any, ctx: Context, *, board_id: str, group_id: str, **__: Any) -> Any:
        return ctx.store.delete_group(board_id, group_id)

    def archive(_: Any, ctx: Context, *, item_id: str | None = None, **__: Any) -> Any:
        return ctx.store.archive_item(str(item_id))

    def delete(_: Any, ctx: Context, *, item_id: str | None = None, **__: Any) -> Any:
        return ctx.store.delete_item(str(item_id))

    def move(_: Any, ctx: Context, *, group_id: str, item_id: str | None = None,
             **__: Any) -> Any:
        return ctx.store.move_item_to_group(str(item_id), group_id)

    return {("Mutation", "create_group"): create_group, ("Mutation", "create_item"): create_item,
            ("Mutation", "create_subitem"): create_subitem,
            ("Mutation", "change_multiple_column_values"): change_multiple,
            ("Mutation", "change_simple_column_value"): change_simple,
            ("Mutation", "archive_item"): archive, ("Mutation", "delete_item"): delete,
            ("Mutation", "move_item_to_group"): move,
            ("Mutation", "change_column_value"): change_column,
            ("Mutation", "duplicate_item"): duplicate,
            ("Mutation", "archive_group"): archive_group,
            ("Mutation", "delete_group"): delete_group}


RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("Query", "boards"): _boards,
    ("Query", "items"): _items,
    ("Query", "next_items_page"): lambda _, ctx, *, cursor, limit=25, **__:
        ctx.store.next_items_page(cursor, limit=limit),
    ("Query", "items_page_by_column_values"): _by_column_values,
    ("Query", "complexity"): _complexity,
    ("Mutation", "complexity"): _complexity,
    ("Query", "me"): lambda _, ctx, **__: ctx.user,
    ("Query", "version"): _version,
    ("Board", "groups"): lambda board, _, *, ids=None, **__:
        [g for g in board.active_groups if ids is None or g.id in ids],
    ("Board", "columns"): _columns,
    ("Board", "board_kind"): lambda *_, **__: "public",
    ("Board", "state"): lambda *_, **__: "active",
    ("Board", "items_page"): lambda board, ctx, *, limit=25, cursor=None, **__:
        ctx.store.items_page(board.id, limit=limit, cursor=cursor),
    ("Group", "archived"): lambda group, _, **__: group.state is ItemState.ARCHIVED,
    ("Group", "deleted"): lambda group, _, **__: group.state is ItemState.DELETED,
    ("Column", "settings_str"): lambda column, _, **__: json.dumps(column.settings),
    ("Item", "board"): lambda item, ctx, **__: ctx.store.board(item.board_id),
    ("Item", "group"): lambda item, ctx, **__:
        ctx.store.board(item.board_id).group(item.group_id),
    ("Item", "column_values"): _item_cells,
    ("Item", "parent_item"): _parent_item,
    ("Item", "subitems"): lambda item, ctx, **__: list(ctx.store.subitems(item.id)),
    ("Item", "state"): lambda item, _, **__: item.state.value,
    ("Item", "created_at"): lambda item, _, **__: item.created_at.isoformat(),
    ("Item", "updated_at"): lambda item, _, **__: item.updated_at.isoformat(),
    **_mutations(),
}
