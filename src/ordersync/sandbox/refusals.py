"""The ``MondayError``s the store raises when it refuses a call (API_NOTES §4–§6).

This module owns the codes, texts and ``error_data`` of the store's refusals (unknown
board, group or item, an item on another board or not active, item and group names,
the items-per-board limit, malformed ``column_values``, an unfilterable column) and
``wire_id``, the form ids take in ``error_data``.  Column-value errors live with the
columns (``column_defs.py``); cursor and page-size errors with the pages (``paging.py``).
"""

from __future__ import annotations

from typing import Final

from ordersync.sandbox.columns import ColumnDef
from ordersync.sandbox.errors import MondayError

__all__ = ["MAX_NAME", "bad_group_position", "bad_template", "board_not_found",
           "check_board_name", "check_group_name",
           "check_item_name", "cursor_with_query", "inactive_item", "item_not_on_board",
           "items_limit_reached", "last_group", "no_columns", "not_a_json_object",
           "not_filterable", "not_found",
           "on_subitems_board", "subitem_of_subitem", "wire_id"]

MAX_NAME: Final = 255  # item, subitem and group names (API_NOTES §6)


def check_item_name(name: str) -> None:
    # Codes: API_NOTES §5/§6 (InvalidItemNameException for an empty name: mondaycom/mcp
    # PR #413).  Texts UNCERTAIN; length counts code points (monday's unit UNCERTAIN).
    if not name.strip():
        raise MondayError("InvalidItemNameException", "Item name can't be empty",
                          status_code=200)
    if len(name) > MAX_NAME:
        raise MondayError("ItemNameTooLongException",
                          f"Item name must be between 1 and {MAX_NAME} characters",
                          status_code=200, error_data={"name_length": len(name)})


def check_board_name(name: str) -> None:
    if not name.strip() or len(name) > MAX_NAME:  # code and text UNCERTAIN
        raise MondayError("InvalidArgumentException",
                          f"Board name must be between 1 and {MAX_NAME} characters",
                          status_code=200, error_data={"board_name": name})


def bad_template(board_id: str) -> MondayError:
    # API_NOTES §5: CreateBoardException for a bad template or duplicate source; text UNCERTAIN
    return MondayError("CreateBoardException", "The template or source board is invalid",
                       status_code=200, error_data={"board_id": wire_id(board_id)})


def check_group_name(name: str) -> None:
    if not name or len(name) > MAX_NAME:  # code and text UNCERTAIN; limit: groups.md
        raise MondayError("InvalidArgumentException",
                          f"Group name must be between 1 and {MAX_NAME} characters",
                          status_code=200, error_data={"group_name": name})


def board_not_found(board_id: str) -> MondayError:
    # API_NOTES §5 (mondaycom/mcp fixture; live bodies add 200)
    return MondayError("InvalidBoardIdException",
                       "The board does not exist. Please check your board ID and try "
                       "again", status_code=200,
                       error_data={"board_id": wire_id(board_id)})


def not_found(kind: str, resource_id: str) -> MondayError:
    # Code: API_NOTES §5 — one code for a missing item, group, board or user, with no
    # documented error_data (none is sent: a client cannot count on learning which id was
    # missing, e.g. whether a create_item's group was deleted); status_code 404 as monday
    # reports it inside a 200 body; text UNCERTAIN.  ``resource_id`` names the missing
    # thing at the call site only.
    return MondayError("ResourceNotFoundException", f"{kind} not found", status_code=404)


def last_group(board_id: str, group_id: str) -> MondayError:
    # API_NOTES §5: DeleteLastGroupException, 409 (here inside a 200 body, as a field
    # error beside other aliases' data); text UNCERTAIN.
    return MondayError("DeleteLastGroupException",
                       "A board must have at least one group; its last group can't be "
                       "deleted or archived", status_code=409,
                       error_data={"board_id": wire_id(board_id), "group_id": group_id})


def bad_group_position(value: str) -> MondayError:
    # code and text UNCERTAIN
    return MondayError("InvalidArgumentException", f"Invalid group position: {value!r}",
                       status_code=200, error_data={"new_value": value})


def cursor_with_query() -> MondayError:
    # API_NOTES §4: "query_params and cursor cannot be combined"; code and text UNCERTAIN
    return MondayError("InvalidArgumentException",
                       "cursor and query_params can't be used together; continue with "
                       "next_items_page", status_code=200)


def on_subitems_board(board_id: str) -> MondayError:
    # code from §5; text UNCERTAIN
    return MondayError("InvalidArgumentException",
                       "Items can't be created on a subitems board; use create_subitem",
                       status_code=200, error_data={"board_id": wire_id(board_id)})


def subitem_of_subitem(parent_id: str) -> MondayError:
    # a subitem of a subitem: UNCERTAIN code/text
    return MondayError("InvalidArgumentException", "Subitems can't have subitems",
                       status_code=200, error_data={"item_id": wire_id(parent_id)})


def item_not_on_board(item_id: str, board_id: str) -> MondayError:
    # text seen in the wild (API_NOTES §5)
    return MondayError("ResourceNotFoundException", "Item not found in board",
                       status_code=404, error_data={"item_id": wire_id(item_id),
                                                    "board_id": wire_id(board_id)})


def inactive_item(item_id: str) -> MondayError:
    # text seen in the wild; code UNCERTAIN
    return MondayError("InvalidArgumentException",
                       "Cannot change column value for inactive items",
                       status_code=200, error_data={"item_id": wire_id(item_id)})


def items_limit_reached(limit: int, board_id: str) -> MondayError:
    # API_NOTES §5 (which items count: UNCERTAIN; the store counts all not deleted)
    return MondayError("ItemsLimitationException",
                       f"exceeded the limit of {limit:,} items per board",
                       status_code=200, error_data={"board_id": wire_id(board_id)})


def not_a_json_object() -> MondayError:
    # UNCERTAIN: monday's answer to e.g. a list
    return MondayError("InvalidArgumentException", "column_values must be a JSON object",
                       status_code=200)


def no_columns() -> MondayError:
    # items_page_by_column_values needs columns or a cursor; code and text UNCERTAIN
    return MondayError("InvalidArgumentException",
                       "items_page_by_column_values needs columns or a cursor",
                       status_code=200)


def not_filterable(column: ColumnDef) -> MondayError:
    # code UNCERTAIN
    return MondayError("InvalidArgumentException",
                       f"Column type {column.type} is not supported for filtering",
                       status_code=200, error_data={"column_id": column.id})


def wire_id(resource_id: str) -> int | str:
    """monday's error_data carries numeric ids as numbers (``{"board_id": 123}``)."""
    return int(resource_id) if resource_id.isascii() and resource_id.isdigit() else resource_id
