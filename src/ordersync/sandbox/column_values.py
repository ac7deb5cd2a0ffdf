"""The values a column holds: stored value types, their JSON form, and per-type writers.

This module owns the stored values (``TextValue`` … ``DropdownValue``, ``StoredValue``),
``Write`` (a validated write: the value and the column afterwards), ``dump_value`` /
``load_value`` for the store's state file, and the writers for each column kind that
``columns.write_json`` and ``columns.write_simple`` dispatch to: the simple-string form
(``write_string``), numbers, dates, status indexes and labels, dropdown ids and labels
(creating labels when ``create_labels_if_missing`` asks for it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Final

from ordersync.sandbox.column_defs import (
    DEFAULT_STATUS_INDEX,
    MAX_STATUS_LABELS,
    MISSING_LABEL,
    TOO_MANY_LABELS,
    ColumnDef,
    ColumnKind,
    Label,
    invalid_value,
)

__all__ = ["DateValue", "DropdownValue", "LongTextValue", "NumberValue", "StatusValue",
           "StoredValue", "TextValue", "Write", "date_value", "dump_value", "load_value",
           "number_text", "write_dropdown_json", "write_status_index",
           "write_status_label", "write_string"]

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



# --- per-type writers -----------------------------------------------------------------


def write_string(column: ColumnDef, text: str, create: bool) -> Write:
    """The simple-string form of a value, for any writable column kind."""
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
            return Write(date_value(column, text, found[1], found[2]), column)
        case ColumnKind.STATUS:
            if _is_digits(text):  # docs: numeric labels must be sent as an index
                return write_status_index(column, text, int(text))
            return write_status_label(column, text, text, create)
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


def number_text(number: int | float) -> str:
    """A JSON number as the decimal text a numbers column stores."""
    if isinstance(number, int):
        return str(number)
    return format(Decimal(repr(number)), "f")  # 1e-07 -> "0.0000001", never an exponent


def date_value(column: ColumnDef, raw: Any, day: str, time: str | None) -> DateValue:
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


def write_status_index(column: ColumnDef, raw: Any, index: Any) -> Write:
    """A status label chosen by index (an int or digits); never creates a label."""
    if isinstance(index, str) and _is_digits(index):
        index = int(index)
    if not isinstance(index, int) or isinstance(index, bool):
        raise invalid_value(column, raw)
    if column.label_with_id(index) is None:  # an index cannot create a label
        raise invalid_value(column, raw, MISSING_LABEL)
    return Write(StatusValue(index), column)


def write_status_label(column: ColumnDef, raw: Any, name: str, create: bool) -> Write:
    """A status label chosen by name, created at the next free index if ``create``."""
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


def write_dropdown_json(column: ColumnDef, raw: dict[str, Any], create: bool) -> Write:
    """A dropdown's JSON form: ``{"labels": [...]}`` or ``{"ids": [...]}``, not both."""
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

