"""Column types and their values, as monday.com documents them (API_NOTES §5).

This module owns what a column is (``ColumnDef``: id, title, kind and the ``settings``
monday reports), how a value sent through the API becomes a stored value, and how a
stored value reads back as ``column_values { text value }``:

    write_json(column, raw)    one value from ``column_values`` JSON (create_item,
                               create_subitem, change_multiple_column_values)
    write_simple(column, s)    the ``value`` of change_simple_column_value
    read(column, stored)       (text, value) as monday returns them

A write returns a ``Write``: the value to store (``None`` clears the cell) and the
column after the write, which differs only when ``create_labels_if_missing`` added a
status or dropdown label.  The caller applies both or neither.

Stored values keep what monday keeps: a status its label index, a dropdown its label
ids; their texts come from the column's labels when read.  Read shapes follow a
captured monday response (status ``{"index":0,"post_id":null,…}``, dropdown
``{"ids":[1,2]}`` with text ``"a, b"``, date ``{"date":"2025-02-10","icon":null,…}``,
empty text/number/date cells ``text ""`` and empty status/dropdown cells ``text null``).
The sandbox leaves out ``changed_at``: it keeps no per-cell timestamps.

Every user-visible failure is a ``MondayError`` (see ``errors.py``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from ordersync.sandbox.errors import MondayError


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


# --- stored values --------------------------------------------------------------------


@dataclass(frozen=True)
class TextValue:
    text: str


@dataclass(frozen=True)
class LongTextValue:
    text: str


@dataclass(frozen=True)
class NumberValue:
    number: str  # the decimal text as written (monday returns the value as a JSON string)


@dataclass(frozen=True)
class DateValue:
    date: str  # YYYY-MM-DD, UTC
    time: str | None = None  # HH:MM:SS, UTC


@dataclass(frozen=True)
class StatusValue:
    index: int


@dataclass(frozen=True)
class DropdownValue:
    ids: tuple[int, ...]


StoredValue = TextValue | LongTextValue | NumberValue | DateValue | StatusValue | DropdownValue


@dataclass(frozen=True)
class Write:
    """A validated write: what to store (``None`` clears) and the column afterwards."""

    value: StoredValue | None
    column: ColumnDef


def dump_value(value: StoredValue) -> dict[str, Any]:
    """A stored value as JSON, for the store's state file."""
    match value:
        case TextValue(text) | LongTextValue(text):
            return {"text": text}
        case NumberValue(number):
            return {"number": number}
        case DateValue(day, time):
            return {"date": day, "time": time}
        case StatusValue(index):
            return {"index": index}
        case DropdownValue(ids):
            return {"ids": list(ids)}


def load_value(kind: ColumnKind, data: Mapping[str, Any]) -> StoredValue:
    """The inverse of ``dump_value`` for a column of ``kind``."""
    match kind:
        case ColumnKind.TEXT:
            return TextValue(data["text"])
        case ColumnKind.LONG_TEXT:
            return LongTextValue(data["text"])
        case ColumnKind.NUMBERS:
            return NumberValue(data["number"])
        case ColumnKind.DATE:
            return DateValue(data["date"], data.get("time"))
        case ColumnKind.STATUS:
            return StatusValue(int(data["index"]))
        case ColumnKind.DROPDOWN:
            return DropdownValue(tuple(int(i) for i in data["ids"]))
    raise ValueError(f"a {kind} column holds no value")


# --- errors ---------------------------------------------------------------------------


def invalid_value(column: ColumnDef, raw: Any, message: str = INVALID_VALUE) -> MondayError:
    """monday's ColumnValueException.  ``column_value`` echoes the value sent: monday
    renders it Ruby-style (``{"text"=>"x"}``); the sandbox sends JSON — UNCERTAIN."""
    rendered = raw if isinstance(raw, str) else _dumps(raw)
    return MondayError("ColumnValueException", message, status_code=200,
                       error_data={"column_value": rendered,
                                   "column_type": ERROR_COLUMN_TYPE[column.type]})


def invalid_column_id(column_id: str) -> MondayError:
    """API_NOTES §5: "This column ID doesn't exist for the board" (third-party code)."""
    return MondayError("InvalidColumnIdException", "This column ID doesn't exist for the board",
                       status_code=200, error_data={"column_id": column_id})


# --- writing --------------------------------------------------------------------------


def write_json(column: ColumnDef, raw: Any, *, create_labels_if_missing: bool = False) -> Write:
    """One value of a ``column_values`` JSON object, in the JSON or simple-string form."""
    if column.type in READ_ONLY:
        # Brief: name and subtasks are never written through column_values.  Note that
        # monday's name-column page (2026-09) lists the name as updatable — UNCERTAIN.
        raise invalid_value(column, raw)
    if raw is None or raw == "" or raw == {}:
        return Write(None, column)
    if isinstance(raw, str):  # a column that takes a simple string takes it here too
        return _write_string(column, raw, create_labels_if_missing)
    if isinstance(raw, bool) or (isinstance(raw, float) and not math.isfinite(raw)):
        raise invalid_value(column, raw)
    kind = column.type
    if isinstance(raw, int | float):
        if kind in (ColumnKind.TEXT, ColumnKind.NUMBERS):
            # A JSON number for a numbers column: accepted (UNCERTAIN — the docs show only
            # the string "3"; clients do send numbers).  Text: coerced, also UNCERTAIN.
            text = _number_text(raw)
            return Write(TextValue(text) if kind is ColumnKind.TEXT else NumberValue(text),
                         column)
        if kind is ColumnKind.STATUS and isinstance(raw, int):
            return _write_status_index(column, raw, raw)  # UNCERTAIN: bare index
        raise invalid_value(column, raw)
    if not isinstance(raw, dict):
        raise invalid_value(column, raw)
    # Keys monday adds on read (changed_at, post_id, icon) are ignored on write, so a
    # value read back can be written again; other unknown keys too (UNCERTAIN).
    if kind is ColumnKind.LONG_TEXT and isinstance(raw.get("text"), str):
        text = raw["text"]
        return Write(LongTextValue(text) if text else None, column)
    if kind is ColumnKind.DATE and "date" in raw:
        day, time = raw["date"], raw.get("time")
        if day in (None, ""):
            return Write(None, column)
        if isinstance(day, str) and (time is None or isinstance(time, str)):
            return Write(_date_value(column, raw, day, time), column)
    if kind is ColumnKind.STATUS:
        if "index" in raw:
            return _write_status_index(column, raw, raw["index"])
        if isinstance(raw.get("label"), str):
            if raw["label"] == "":
                return Write(None, column)
            return _write_status_label(column, raw, raw["label"], create_labels_if_missing)
    if kind is ColumnKind.DROPDOWN:
        return _write_dropdown_json(column, raw, create_labels_if_missing)
    raise invalid_value(column, raw)


def write_simple(column: ColumnDef, text: str | None, *,
                 create_labels_if_missing: bool = False) -> Write:
    """The ``value`` string of change_simple_column_value (``""`` or null clears)."""
    if column.type is ColumnKind.SUBTASKS:
        raise MondayError("CorrectedValueException", SIMPLE_NOT_SUPPORTED, status_code=200,
                          error_data={"column_value": text,
                                      "column_type": ERROR_COLUMN_TYPE[column.type]})
    if column.type is ColumnKind.NAME:
        raise invalid_value(column, text)
    if text is None or text == "":
        return Write(None, column)
    return _write_string(column, text, create_labels_if_missing)


def _write_string(column: ColumnDef, text: str, create: bool) -> Write:
    match column.type:
        case ColumnKind.TEXT:
            return Write(TextValue(text), column)
        case ColumnKind.LONG_TEXT:
            return Write(LongTextValue(text), column)
        case ColumnKind.NUMBERS:
            number = text.strip()
            if not _NUMBER.fullmatch(number):
                raise invalid_value(column, text)
            return Write(NumberValue(number), column)
        case ColumnKind.DATE:
            found = _SIMPLE_DATE.fullmatch(text.strip())
            if found is None:
                raise invalid_value(column, text)
            return Write(_date_value(column, text, found[1], found[2]), column)
        case ColumnKind.STATUS:
            if _is_digits(text):  # docs: numeric labels must be sent as an index
                return _write_status_index(column, text, int(text))
            return _write_status_label(column, text, text, create)
        case ColumnKind.DROPDOWN:
            parts = [part.strip() for part in text.split(",")]
            if all(_is_digits(part) for part in parts):  # "1,2" are ids, "A, B" labels
                return _dropdown_ids(column, text, parts)
            return _dropdown_labels(column, text, parts, create)
    raise invalid_value(column, text)


_NUMBER: Final = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # no exponents: UNCERTAIN
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME: Final = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
_SIMPLE_DATE: Final = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9:]+))?")


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _number_text(number: int | float) -> str:
    if isinstance(number, int):
        return str(number)
    return format(Decimal(repr(number)), "f")  # 1e-07 -> "0.0000001", never an exponent


def _date_value(column: ColumnDef, raw: Any, day: str, time: str | None) -> DateValue:
    """Reject impossible dates and times; times keep monday's HH:MM:SS form."""
    try:
        if not _ISO_DATE.fullmatch(day):
            raise ValueError(day)
        date.fromisoformat(day)
        if time in (None, ""):
            return DateValue(day)
        found = _TIME.fullmatch(time)
        if found is None:
            raise ValueError(time)
        hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(time)
    except ValueError:
        raise invalid_value(column, raw) from None
    return DateValue(day, f"{hour:02d}:{minute:02d}:{second:02d}")


def _write_status_index(column: ColumnDef, raw: Any, index: Any) -> Write:
    if isinstance(index, str) and _is_digits(index):
        index = int(index)
    if not isinstance(index, int) or isinstance(index, bool):
        raise invalid_value(column, raw)
    if column.label_with_id(index) is None:  # an index cannot create a label
        raise invalid_value(column, raw, MISSING_LABEL)
    return Write(StatusValue(index), column)


def _write_status_label(column: ColumnDef, raw: Any, name: str, create: bool) -> Write:
    label = column.label_named(name)
    if label is not None:
        return Write(StatusValue(label.id), column)
    if not create:
        raise invalid_value(column, raw, MISSING_LABEL)
    if len(column.labels) >= MAX_STATUS_LABELS:
        raise invalid_value(column, raw, TOO_MANY_LABELS)
    used = {existing.id for existing in column.labels} | {DEFAULT_STATUS_INDEX}
    index = next(i for i in range(len(used) + 1) if i not in used)  # next free index
    return Write(StatusValue(index), _with_label(column, Label(index, name)))


def _write_dropdown_json(column: ColumnDef, raw: dict[str, Any], create: bool) -> Write:
    has_labels, has_ids = "labels" in raw, "ids" in raw
    if has_labels == has_ids:  # neither, or both: monday refuses mixing labels and ids
        raise invalid_value(column, raw)
    values = raw["labels"] if has_labels else raw["ids"]
    if not isinstance(values, list):
        raise invalid_value(column, raw)
    if not values:
        return Write(None, column)
    if has_ids:
        if not all((isinstance(v, int) and not isinstance(v, bool))
                   or (isinstance(v, str) and _is_digits(v)) for v in values):
            raise invalid_value(column, raw)
        return _dropdown_ids(column, raw, [str(v) for v in values])
    if not all(isinstance(v, str) and v for v in values):
        raise invalid_value(column, raw)
    return _dropdown_labels(column, raw, values, create)


def _dropdown_ids(column: ColumnDef, raw: Any, ids: Sequence[str]) -> Write:
    chosen = tuple(dict.fromkeys(int(i) for i in ids))
    if any(column.label_with_id(i) is None for i in chosen):
        raise invalid_value(column, raw, MISSING_LABEL)
    return Write(DropdownValue(chosen), column)


def _dropdown_labels(column: ColumnDef, raw: Any, names: Sequence[str], create: bool) -> Write:
    if any(not name for name in names):
        raise invalid_value(column, raw)
    ids: list[int] = []
    for name in names:
        label = column.label_named(name)
        if label is None:
            if not create:
                raise invalid_value(column, raw, MISSING_LABEL)
            label = Label(max((existing.id for existing in column.labels), default=0) + 1, name)
            column = _with_label(column, label)
        ids.append(label.id)
    return Write(DropdownValue(tuple(dict.fromkeys(ids))), column)


def _with_label(column: ColumnDef, label: Label) -> ColumnDef:
    return replace(column, labels=tuple(sorted((*column.labels, label), key=lambda x: x.id)))


# --- reading --------------------------------------------------------------------------


def read(column: ColumnDef, stored: StoredValue | None) -> tuple[str | None, str | None]:
    """``(text, value)`` of ``column_values``; ``value`` is a JSON string or ``None``."""
    if stored is None:
        empty_text = column.type in (ColumnKind.TEXT, ColumnKind.LONG_TEXT,
                                     ColumnKind.NUMBERS, ColumnKind.DATE)
        return ("" if empty_text else None), None
    match stored:
        case TextValue(text):
            return text, _dumps(text)
        case LongTextValue(text):
            return text, _dumps({"text": text})
        case NumberValue(number):
            return number, _dumps(number)
        case DateValue(day, None):
            return day, _dumps({"date": day, "icon": None})
        case DateValue(day, time):
            # Text: monday shows the time in the reader's zone, without seconds; the
            # sandbox's readers are in UTC (UNCERTAIN).
            return f"{day} {str(time)[:5]}", _dumps({"date": day, "time": time, "icon": None})
        case StatusValue(index):
            label = column.label_with_id(index)
            return (label.name if label else None), _dumps({"index": index, "post_id": None})
        case DropdownValue(ids):
            names = [label.name for i in ids if (label := column.label_with_id(i))]
            return ", ".join(names), _dumps({"ids": list(ids)})


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
