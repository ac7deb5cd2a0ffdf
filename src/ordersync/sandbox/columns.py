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

This module keeps the three entry points; the rest lives in ``column_defs.py`` (what a
column is, its error texts and errors) and ``column_values.py`` (stored values, their
state-file JSON, the per-type writers), and is re-exported here.
"""

from __future__ import annotations

import math
from typing import Any

from ordersync.sandbox.column_defs import (
    DEFAULT_STATUS_INDEX,
    DEFAULT_STATUS_LABELS,
    DOCS_URL,
    ERROR_COLUMN_TYPE,
    INVALID_VALUE,
    MAX_STATUS_LABELS,
    MISSING_LABEL,
    READ_ONLY,
    SIMPLE_NOT_SUPPORTED,
    TOO_MANY_LABELS,
    ColumnDef,
    ColumnKind,
    Label,
    compact_json,
    invalid_column_id,
    invalid_value,
)
from ordersync.sandbox.column_values import (
    DateValue,
    DropdownValue,
    LongTextValue,
    NumberValue,
    StatusValue,
    StoredValue,
    TextValue,
    Write,
    date_value,
    dump_value,
    load_value,
    number_text,
    write_dropdown_json,
    write_status_index,
    write_status_label,
    write_string,
)
from ordersync.sandbox.errors import MondayError

__all__ = ["DEFAULT_STATUS_INDEX", "DEFAULT_STATUS_LABELS", "DOCS_URL", "ERROR_COLUMN_TYPE",
           "INVALID_VALUE", "MAX_STATUS_LABELS", "MISSING_LABEL", "READ_ONLY",
           "SIMPLE_NOT_SUPPORTED", "TOO_MANY_LABELS", "ColumnDef", "ColumnKind", "DateValue",
           "DropdownValue", "Label", "LongTextValue", "NumberValue", "StatusValue",
           "StoredValue", "TextValue", "Write", "dump_value", "invalid_column_id",
           "invalid_value", "load_value", "read", "write_json", "write_simple"]


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
        return write_string(column, raw, create_labels_if_missing)
    if isinstance(raw, bool) or (isinstance(raw, float) and not math.isfinite(raw)):
        raise invalid_value(column, raw)
    kind = column.type
    if isinstance(raw, int | float):
        if kind in (ColumnKind.TEXT, ColumnKind.NUMBERS):
            # A JSON number for a numbers column: accepted (UNCERTAIN — the docs show only
            # the string "3"; clients do send numbers).  Text: coerced, also UNCERTAIN.
            text = number_text(raw)
            return Write(TextValue(text) if kind is ColumnKind.TEXT else NumberValue(text),
                         column)
        if kind is ColumnKind.STATUS and isinstance(raw, int):
            return write_status_index(column, raw, raw)  # UNCERTAIN: bare index
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
            return Write(date_value(column, raw, day, time), column)
    if kind is ColumnKind.STATUS:
        if "index" in raw:
            return write_status_index(column, raw, raw["index"])
        if isinstance(raw.get("label"), str):
            if raw["label"] == "":
                return Write(None, column)
            return write_status_label(column, raw, raw["label"], create_labels_if_missing)
    if kind is ColumnKind.DROPDOWN:
        return write_dropdown_json(column, raw, create_labels_if_missing)
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
    return write_string(column, text, create_labels_if_missing)



# --- reading --------------------------------------------------------------------------


def read(column: ColumnDef, stored: StoredValue | None) -> tuple[str | None, str | None]:
    """``(text, value)`` of ``column_values``; ``value`` is a JSON string or ``None``."""
    if stored is None:
        empty_text = column.type in (ColumnKind.TEXT, ColumnKind.LONG_TEXT,
                                     ColumnKind.NUMBERS, ColumnKind.DATE)
        return ("" if empty_text else None), None
    match stored:
        case TextValue(text):
            return text, compact_json(text)
        case LongTextValue(text):
            return text, compact_json({"text": text})
        case NumberValue(number):
            return number, compact_json(number)
        case DateValue(day, None):
            return day, compact_json({"date": day, "icon": None})
        case DateValue(day, time):
            # Text: monday shows the time in the reader's zone, without seconds; the
            # sandbox's readers are in UTC (UNCERTAIN).
            return f"{day} {str(time)[:5]}", compact_json({"date": day, "time": time, "icon": None})
        case StatusValue(index):
            label = column.label_with_id(index)
            return (label.name if label else None), compact_json({"index": index, "post_id": None})
        case DropdownValue(ids):
            names = [label.name for i in ids if (label := column.label_with_id(i))]
            return ", ".join(names), compact_json({"ids": list(ids)})

