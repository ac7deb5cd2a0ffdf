"""The mutations the sandbox models, as field resolvers over the ``Store``.

``MUTATIONS`` maps ``("Mutation", name)`` to a resolver taking ``(source, context,
**arguments)``; ``resolvers.resolve_field`` dispatches to it.  A mutation of monday's
schema that is not in the table is answered with ``not_supported`` (code
``NOT_SUPPORTED_BY_SANDBOX``, naming it).

``JSON`` arguments (``column_values``, ``value``) may arrive as JSON text, as monday
documents, or as a JSON value (an inline object literal or a variable holding an
object); both are accepted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ordersync.sandbox.errors import MondayError

if TYPE_CHECKING:
    from ordersync.sandbox.resolvers import Context

__all__ = ["MUTATIONS", "NOT_SUPPORTED", "not_supported"]

NOT_SUPPORTED = "NOT_SUPPORTED_BY_SANDBOX"


def not_supported(mutation: str) -> MondayError:
    """monday's error shape for a mutation of the schema the sandbox does not model."""
    return MondayError(NOT_SUPPORTED, f"The sandbox does not model the mutation {mutation} "
                       "(see 'ordersync sandbox --help' for what it models)",
                       status_code=400, error_data={"mutation": mutation})


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


def _table() -> dict[tuple[str, str], Callable[..., Any]]:
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

    def update_group(_: Any, ctx: Context, *, board_id: str, group_id: str,
                     group_attribute: str, new_value: str, **__: Any) -> Any:
        return ctx.store.update_group(board_id, group_id, group_attribute, new_value)

    def create_board(_: Any, ctx: Context, *, board_name: str, board_kind: str,
                     workspace_id: str | None = None, folder_id: str | None = None,
                     description: str | None = None, template_id: str | None = None,
                     **__: Any) -> Any:
        return ctx.store.new_board(board_name, kind=board_kind, workspace_id=workspace_id,
                                   folder_id=folder_id, description=description,
                                   template_id=template_id)

    def duplicate_board(_: Any, ctx: Context, *, board_id: str, duplicate_type: str,
                        board_name: str | None = None, workspace_id: str | None = None,
                        folder_id: str | None = None, **__: Any) -> Any:
        board = ctx.store.duplicate_board(board_id, duplicate_type, name=board_name,
                                          workspace_id=workspace_id, folder_id=folder_id)
        return {"board": board, "is_async": False}

    def move_to_board(_: Any, ctx: Context, *, board_id: str, group_id: str, item_id: str,
                      columns_mapping: Any = None, subitems_columns_mapping: Any = None,
                      **__: Any) -> Any:
        return ctx.store.move_item_to_board(item_id, board_id, group_id, columns_mapping,
                                            subitems_columns_mapping)

    def create_column(_: Any, ctx: Context, *, board_id: str, title: str, column_type: str,
                      id: str | None = None, after_column_id: str | None = None,
                      defaults: Any = None, **__: Any) -> Any:
        return ctx.store.create_column(board_id, title, column_type, column_id=id,
                                       after_column_id=after_column_id, defaults=defaults)

    def change_column_title(_: Any, ctx: Context, *, board_id: str, column_id: str,
                            title: str, **__: Any) -> Any:
        return ctx.store.change_column_title(board_id, column_id, title)

    def delete_column(_: Any, ctx: Context, *, board_id: str, column_id: str,
                      **__: Any) -> Any:
        return ctx.store.delete_column(board_id, column_id)

    def archive_board(_: Any, ctx: Context, *, board_id: str, **__: Any) -> Any:
        return ctx.store.archive_board(board_id)

    def delete_board(_: Any, ctx: Context, *, board_id: str, **__: Any) -> Any:
        return ctx.store.delete_board(board_id)

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
            ("Mutation", "delete_group"): delete_group,
            ("Mutation", "update_group"): update_group,
            ("Mutation", "create_board"): create_board,
            ("Mutation", "duplicate_board"): duplicate_board,
            ("Mutation", "archive_board"): archive_board,
            ("Mutation", "delete_board"): delete_board,
            ("Mutation", "move_item_to_board"): move_to_board,
            ("Mutation", "create_column"): create_column,
            ("Mutation", "change_column_title"): change_column_title,
            ("Mutation", "delete_column"): delete_column}



MUTATIONS: dict[tuple[str, str], Callable[..., Any]] = _table()
