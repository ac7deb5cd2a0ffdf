"""What a column is: its kind, labels and settings, and monday's column errors.

This module owns ``ColumnKind``, ``Label`` and ``ColumnDef`` (id, title, kind and the
``settings`` monday reports, with ``to_json`` / ``from_json`` for the state file), the
status label limits and colours, the texts of monday's column-value errors and the
``MondayError``s built from them (``invalid_value``, ``invalid_column_id``).

Values written to a column live in ``column_values.py``; ``columns.py`` is the public
entry point (``write_json``, ``write_simple``, ``read``) and re-exports all of this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from ordersync.sandbox.errors import MondayError

__all__ = ["DEFAULT_STATUS_INDEX", "DEFAULT_STATUS_LABELS", "DOCS_URL", "ERROR_COLUMN_TYPE",
           "INVALID_VALUE", "MAX_STATUS_LABELS", "MISSING_LABEL", "READ_ONLY",
           "SIMPLE_NOT_SUPPORTED", "TOO_MANY_LABELS", "ColumnDef", "ColumnKind", "Label",
           "compact_json", "invalid_column_id", "invalid_value"]


class ColumnKind(StrEnum):
    """The column types the sandbox serves (monday's ``ColumnType`` names)."""

    NAME = "name"  # the item name: listed among a board's columns, never a column value
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBERS = "numbers"
    DATE = "date"
    STATUS = "status"
    DROPDOWN = "dropdown"
    SUBTASKS = "subtasks"  # the subitems column: read-only


READ_ONLY: Final = frozenset({ColumnKind.NAME, ColumnKind.SUBTASKS})

# error_data.column_type.  From 2025-04 monday sends a "plain type" there; its doc example
# shows "color" for a status column (formerly "ColorColumn").  The other names are
# monday's internal type names as webhooks report them — UNCERTAIN for error_data.
ERROR_COLUMN_TYPE: Final[Mapping[ColumnKind, str]] = {
    ColumnKind.NAME: "name",
    ColumnKind.TEXT: "text",
    ColumnKind.LONG_TEXT: "long-text",
    ColumnKind.NUMBERS: "numeric",
    ColumnKind.DATE: "date",
    ColumnKind.STATUS: "color",
    ColumnKind.DROPDOWN: "dropdown",
    ColumnKind.SUBTASKS: "subtasks",
}

MAX_STATUS_LABELS: Final = 40  # status column doc
DEFAULT_STATUS_INDEX: Final = 5  # monday's blank default label; never given to a named label
DEFAULT_STATUS_LABELS: Final[Mapping[int, str]] = {0: "Working on it", 1: "Done", 2: "Stuck"}

# index -> (color, border, var_name), as seen in real settings_str; other indexes get
# the default grey (UNCERTAIN: monday has a colour for each index up to 19 and beyond).
_STATUS_COLORS: Final[Mapping[int, tuple[str, str, str]]] = {
    0: ("#fdab3d", "#e99729", "orange"),
    1: ("#00c875", "#00b461", "green-shadow"),
    2: ("#df2f4a", "#ce3048", "red-shadow"),
    3: ("#007eb5", "#3db0df", "blue-links"),
    7: ("#579bfc", "#4387e8", "bright-blue"),
    10: ("#333333", "#000", "soft-black"),
    105: ("#9aadbd", "#9aadbd", "winter"),
    109: ("#5559df", "#5559df", "indigo"),
    110: ("#401694", "#401694", "dark_indigo"),
    156: ("#9d99b9", "#9d99b9", "purple_gray"),
}
_GREY: Final = ("#c4c4c4", "#b0b0b0", "grey")

DOCS_URL: Final = "https://developer.monday.com/api-reference/docs/change-column-values"
# Generic text: a captured legacy ColumnValueException body (community.monday.com, 2024).
INVALID_VALUE: Final = ("invalid value, please check our API documentation for the correct "
                        f"data structure for this column. {DOCS_URL}")
# Changelog "2025-04 … ColumnValueException" example (API_NOTES §5).  monday's dropdown
# error is said to list the existing labels; its exact text is UNCERTAIN, so dropdowns
# use this text too.
MISSING_LABEL: Final = ("invalid value - label does not exist in column. Please check our API "
                        "documentation for the correct data structure for this column. "
                        f"{DOCS_URL}")
# UNCERTAIN: monday documents the 40-label cap but not the error's text.
TOO_MANY_LABELS: Final = (f"invalid value - a status column can have at most {MAX_STATUS_LABELS} "
                          "labels. Please check our API documentation for the correct data "
                          f"structure for this column. {DOCS_URL}")
# UNCERTAIN: code from error-handling.md ("simple string on a column that doesn't accept
# it"); the message is the sandbox's own.
SIMPLE_NOT_SUPPORTED: Final = ("This column type does not support simple string values; send a "
                               f"JSON value instead. {DOCS_URL}")


@dataclass(frozen=True)
class Label:
    """A status label (``id`` = its index) or a dropdown label (``id`` = its id)."""

    id: int
    name: str


@dataclass(frozen=True)
class ColumnDef:
    """One column of a board.  ``settings`` renders what monday's ``Column.settings`` holds."""

    id: str
    title: str
    type: ColumnKind
    labels: tuple[Label, ...] = ()  # status / dropdown
    board_ids: tuple[str, ...] = ()  # subtasks: the subitems board

    @classmethod
    def status(cls, id: str, title: str,
               labels: Mapping[int, str] = DEFAULT_STATUS_LABELS) -> ColumnDef:
        """A status column; without labels, monday's defaults (Working on it/Done/Stuck)."""
        if len(labels) > MAX_STATUS_LABELS or DEFAULT_STATUS_INDEX in labels:
            raise ValueError(f"status labels: at most {MAX_STATUS_LABELS}, index 5 is reserved")
        return cls(id, title, ColumnKind.STATUS,
                   tuple(Label(i, n) for i, n in sorted(labels.items())))

    @classmethod
    def dropdown(cls, id: str, title: str, labels: Sequence[str] = ()) -> ColumnDef:
        """A dropdown column whose labels get ids 1, 2, … as monday numbers them."""
        return cls(id, title, ColumnKind.DROPDOWN,
                   tuple(Label(i, n) for i, n in enumerate(labels, start=1)))

    @classmethod
    def subtasks(cls, id: str, title: str, subitems_board_id: str) -> ColumnDef:
        return cls(id, title, ColumnKind.SUBTASKS, board_ids=(subitems_board_id,))

    @property
    def settings(self) -> dict[str, Any]:
        """The column's settings JSON (API_NOTES §4 for subtasks; real settings_str shapes)."""
        if self.type is ColumnKind.STATUS:
            order = sorted([label.id for label in self.labels] + [DEFAULT_STATUS_INDEX])
            colors = {str(label.id): dict(zip(("color", "border", "var_name"),
                                              _STATUS_COLORS.get(label.id, _GREY), strict=True))
                      for label in self.labels}
            return {"done_colors": [1],
                    "labels": {str(label.id): label.name for label in self.labels},
                    "labels_positions_v2": {str(i): pos for pos, i in enumerate(order)},
                    "labels_colors": colors}
        if self.type is ColumnKind.DROPDOWN:
            return {"limit_select": False, "hide_footer": False,
                    "labels": [{"id": label.id, "name": label.name} for label in self.labels],
                    "deactivated_labels": []}
        if self.type is ColumnKind.SUBTASKS:
            return {"allowMultipleItems": True, "itemTypeName": "column.subtasks.title",
                    "displayType": "BOARD_INLINE", "boardIds": [int(b) for b in self.board_ids]}
        return {}

    def label_named(self, name: str) -> Label | None:
        # Exact match; whether monday matches labels case-insensitively is UNCERTAIN.
        return next((label for label in self.labels if label.name == name), None)

    def label_with_id(self, label_id: int) -> Label | None:
        return next((label for label in self.labels if label.id == label_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "type": self.type.value,
                "labels": [[label.id, label.name] for label in self.labels],
                "board_ids": list(self.board_ids)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColumnDef:
        return cls(data["id"], data["title"], ColumnKind(data["type"]),
                   tuple(Label(int(i), str(n)) for i, n in data.get("labels", ())),
                   tuple(str(b) for b in data.get("board_ids", ())))



# --- errors ---------------------------------------------------------------------------


def invalid_value(column: ColumnDef, raw: Any, message: str = INVALID_VALUE) -> MondayError:
    """monday's ColumnValueException.  ``column_value`` echoes the value sent: monday
    renders it Ruby-style (``{"text"=>"x"}``); the sandbox sends JSON — UNCERTAIN."""
    rendered = raw if isinstance(raw, str) else compact_json(raw)
    return MondayError("ColumnValueException", message, status_code=200,
                       error_data={"column_value": rendered,
                                   "column_type": ERROR_COLUMN_TYPE[column.type]})


def invalid_column_id(column_id: str) -> MondayError:
    """API_NOTES §5: "This column ID doesn't exist for the board" (third-party code)."""
    return MondayError("InvalidColumnIdException", "This column ID doesn't exist for the board",
                       status_code=200, error_data={"column_id": column_id})



def compact_json(value: Any) -> str:
    """``value`` as monday writes JSON into a response: no spaces, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
