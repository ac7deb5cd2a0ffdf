"""Column encoders: ordersync values → monday ``column_values`` (API_NOTES §5).

Owns how one value of an order or line becomes the JSON monday takes for a column
of a given type, and which columns an update must send:

    text       "Sample text"               str (numbers and dates are written out)
    long_text  {"text": "..."}             str
    numbers    "3", "-0.25"                int, float, Decimal or a decimal string
    date       {"date": "YYYY-MM-DD"}      date, datetime (UTC date) or ISO string
    status     {"label": "Done"}           str
    dropdown   {"labels": ["S", "M"]}      str (one label) or a sequence of str

An empty value (``None``, blank text, an empty label list) encodes as ``None``, which
clears the cell.  ``encode_values`` leaves empty cells out (a new item starts empty);
``changed_values`` sends ``None`` to clear a cell that had a value.

A value a column cannot take is a ``RecordSyncError`` naming the column and the
value, raised while encoding — before any request is sent — so only that record
fails.  A mapping that writes ``name`` (the item name is ``item_name``, never a
column value) or the same column twice is a ``ConfigError``.

Numbers are written in one canonical form (no exponent, no trailing zeros, ``-0`` is
``0``) so that ``3``, ``3.0`` and ``"3.00"`` compare equal and do not cause updates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from ordersync.errors import ConfigError, RecordSyncError

NAME_COLUMN: Final = "name"
MAPPING_SOURCE: Final = "monday column mapping"

_DECIMAL_TEXT: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class ColumnType(StrEnum):
    """The monday column types ordersync writes (monday's ``ColumnType`` names)."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBERS = "numbers"
    DATE = "date"
    STATUS = "status"
    DROPDOWN = "dropdown"


@dataclass(frozen=True)
class ColumnMapping:
    """One board column ordersync keeps: where its value comes from and how it is sent."""

    column_id: str
    """The column's id on the board (``MondayConfig.columns`` maps a role to it)."""
    type: ColumnType
    """The column's monday type; decides the encoding."""
    source: str
    """The order field or column label whose value the column shows."""
    create_labels_if_missing: bool = False
    """Status/dropdown: let monday add a label it does not have yet (needs permission to
    change the board structure); otherwise an unknown label fails the record."""

    def __post_init__(self) -> None:
        if self.column_id == NAME_COLUMN:
            raise ConfigError(MAPPING_SOURCE, [
                f"column {NAME_COLUMN!r} (from {self.source!r}): the item name is never a "
                "column value; it is built from names.item"])


def encode_value(column: ColumnMapping, value: object) -> object:
    """The ``column_values`` entry for ``value`` in ``column``; ``None`` means empty."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    match column.type:
        case ColumnType.TEXT:
            return _text(column, value)
        case ColumnType.LONG_TEXT:
            if not isinstance(value, str):
                raise _refused(column, value, "expected text")
            return {"text": value}
        case ColumnType.NUMBERS:
            return _number(column, value)
        case ColumnType.DATE:
            return {"date": _date(column, value)}
        case ColumnType.STATUS:
            if not isinstance(value, str):
                raise _refused(column, value, "expected a label")
            return {"label": value.strip()}
        case ColumnType.DROPDOWN:
            labels = _labels(column, value)
            return {"labels": labels} if labels else None


def encode_values(mapping: Sequence[ColumnMapping],
                  record: Mapping[str, object]) -> dict[str, object]:
    """The ``column_values`` of a new item: every mapped column that has a value."""
    encoded = encode_all(mapping, record)
    return {column_id: value for column_id, value in encoded.items() if value is not None}


def changed_values(mapping: Sequence[ColumnMapping], new_record: Mapping[str, object],
                   old_record: Mapping[str, object]) -> dict[str, object]:
    """The ``column_values`` of an update: only the columns whose encoded value changed.

    A cell that had a value and now has none is sent as ``None`` (cleared).  An old
    value that cannot be encoded counts as different, so the new value is sent."""
    new = encode_all(mapping, new_record)
    changed: dict[str, object] = {}
    for column in mapping:
        try:
            old = encode_value(column, _source_value(column, old_record))
        except RecordSyncError:
            old = _UNENCODABLE
        if new[column.column_id] != old:
            changed[column.column_id] = new[column.column_id]
    return changed


def diff_encoded(new: Mapping[str, object],
                 old: Mapping[str, object] | None) -> dict[str, object]:
    """The entries of ``new`` (from ``encode_all``) that differ from ``old``, what the board
    last received; ``old`` unknown (``None``) → every column, empty ones as ``None`` (cleared)."""
    if old is None:
        return dict(new)
    return {column: value for column, value in new.items() if old.get(column) != value}


_UNENCODABLE: Final = object()


# --- helpers ------------------------------------------------------------------------------


def encode_all(mapping: Sequence[ColumnMapping],
               record: Mapping[str, object]) -> dict[str, object]:
    """Every mapped column's encoded value, ``None`` for an empty one."""
    encoded: dict[str, object] = {}
    for column in mapping:
        if column.column_id in encoded:
            raise ConfigError(MAPPING_SOURCE, [
                f"column {column.column_id!r} is mapped twice; a column shows one value"])
        encoded[column.column_id] = encode_value(column, _source_value(column, record))
    return encoded


def _source_value(column: ColumnMapping, record: Mapping[str, object]) -> object:
    # A missing field is a mapping mistake (a typo would otherwise clear the column on
    # every item), not an empty value.
    try:
        return record[column.source]
    except KeyError:
        raise ConfigError(MAPPING_SOURCE, [
            f"column {column.column_id!r} reads {column.source!r}, which the record does not "
            f"have (it has: {', '.join(sorted(map(str, record))) or 'nothing'})"]) from None


def _refused(column: ColumnMapping, value: object, reason: str) -> RecordSyncError:
    return RecordSyncError(f"column {column.column_id!r} ({column.type}, from "
                           f"{column.source!r}) cannot take {value!r}: {reason}")


def _text(column: ColumnMapping, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _number(column, value)
    raise _refused(column, value, "expected text")


def _number(column: ColumnMapping, value: object) -> str:
    """A number as monday's numbers column takes it: a decimal string, no exponent."""
    number: Decimal
    if isinstance(value, bool):
        raise _refused(column, value, "expected a number, not a yes/no value")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _refused(column, value, "expected a finite number")
        number = Decimal(repr(value))  # repr: the shortest text that reads back as value
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _refused(column, value, "expected a finite number")
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            raise _refused(column, value, "expected a number such as 3 or -0.25")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise _refused(column, value, "expected a number") from None
    else:
        raise _refused(column, value, "expected a number")
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")  # not normalize(): it rounds to 28 digits
    return "0" if number == 0 else text


def _date(column: ColumnMapping, value: object) -> str:
    """``YYYY-MM-DD``; monday takes dates in UTC, so an aware datetime is converted."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text).isoformat()
            return _date(column, datetime.fromisoformat(text))
        except ValueError:
            raise _refused(column, value, "expected a date such as 2025-02-10") from None
    raise _refused(column, value, "expected a date")


def _labels(column: ColumnMapping, value: object) -> list[str]:
    """Dropdown labels, stripped, blanks dropped, first occurrence kept."""
    items: Sequence[object]
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, Sequence):
        items = value
    else:
        raise _refused(column, value, "expected a label or a list of labels")
    labels: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise _refused(column, value, f"label {item!r} is not text")
        label = item.strip()
        if label and label not in labels:
            labels.append(label)
    return labels
