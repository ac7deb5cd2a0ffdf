"""A board cell read back (``column_values { text value }``) in the form the sync sends.

``board_form`` turns what monday shows in a cell into the encoded value ``encoders``
would send for it, so ``verify`` compares the board with the database in one form:

    text       the text                      long_text  {"text": the text}
    numbers    the canonical number text     date       {"date": the value's date}
    status     {"label": the text}           dropdown   {"labels": the labels}

A dropdown's labels are the ones monday lists for the cell (``DropdownValue.values``):
its text joins them with ", ", and a label may hold ", " itself (``SEA, THEN AIR``), so
the text is split only when no labels were read.  An empty cell is ``None``, as
``encode_value`` encodes an empty value.  A cell whose text
its column type cannot hold (a number column showing ``abc``) keeps its text, which
differs from every encoded value.  ``same`` compares two encoded values as the board
shows them (a dropdown's labels as a set: the board orders them its own way).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ordersync.errors import RecordSyncError
from ordersync.monday.encoders import ColumnMapping, ColumnType, encode_value

DROPDOWN_JOIN = ", "


def board_form(column: ColumnMapping, text: str | None, value: str | None,
               labels: Sequence[str] | None = None) -> object:
    """The encoded value equal to what the cell shows (see the module docstring);
    ``labels``: a dropdown's labels as monday lists them."""
    raw: Any = text
    if column.type is ColumnType.DATE:
        raw = _date_of(value) or (text or "")[:10]
    elif column.type is ColumnType.DROPDOWN:
        raw = list(labels) if labels is not None else \
            [t for t in (text or "").split(DROPDOWN_JOIN) if t.strip()]
    try:
        return encode_value(column, raw)
    except RecordSyncError:
        return text


def same(column: ColumnMapping, expected: object, shown: object) -> bool:
    """Whether the board shows ``expected`` (both encoded values)."""
    if column.type is ColumnType.DROPDOWN and isinstance(expected, dict) \
            and isinstance(shown, dict):
        return set(expected.get("labels") or ()) == set(shown.get("labels") or ())
    return expected == shown


def shown_text(value: object) -> str:
    """An encoded value as a person reads it, for a report."""
    if value is None:
        return "(empty)"
    if isinstance(value, dict):
        inner = value.get("text", value.get("date", value.get("label", value.get("labels"))))
        if isinstance(inner, list):
            return DROPDOWN_JOIN.join(map(str, inner))
        return str(inner)
    return str(value)


def _date_of(value: str | None) -> str | None:
    if not value:
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    day = parsed.get("date") if isinstance(parsed, dict) else None
    return str(day) if day else None
