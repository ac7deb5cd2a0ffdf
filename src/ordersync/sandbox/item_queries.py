"""``items_page(query_params:)``: which items a filtered page shows, and in what order.

``compile_query(board, query_params, today)`` checks a whole ``ItemsQuery`` against the
board before any page is read and returns an ``ItemQuery``: a predicate over items and
the ``order_by`` keys.  Rules (``ItemsQueryRule``) combine with ``and``/``or`` and nest
through ``groups``; ``ids`` keeps only those items.

Supported, per column type (the types ordersync maps, and the item name):

    text, long_text, name   any_of, not_any_of (whole text, case-insensitive),
                            contains_text, not_contains_text, is_empty, is_not_empty
    numbers                 any_of, not_any_of, greater_than(_or_equals),
                            lower_than(_or_equal), between, is_empty, is_not_empty
    date                    the same as numbers, on YYYY-MM-DD dates; a value may be
                            "TODAY", "TOMORROW", "YESTERDAY", and "EXACT" is skipped
                            (monday writes ``["EXACT", "2026-03-01"]``)
    status                  any_of, not_any_of (label indexes, or label texts),
                            is_empty, is_not_empty
    dropdown                any_of, not_any_of (label ids, or label texts),
                            is_empty, is_not_empty

Anything else (another operator, another column type, ``compare_attribute``, a value
of the wrong shape) is refused with ``InvalidArgumentException`` naming it — never
silently ignored.  UNCERTAIN: monday's exact codes and texts for these refusals.
"""

from __future__ import annotations

import datetime as dt
import operator as op
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ordersync.sandbox.column_values import DateValue, DropdownValue, StatusValue
from ordersync.sandbox.columns import ColumnDef, ColumnKind, invalid_column_id, read
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.model import Board, Item

__all__ = ["ItemQuery", "compile_query"]

Predicate = Callable[[Item], bool]
_TEXT = frozenset({ColumnKind.TEXT, ColumnKind.LONG_TEXT, ColumnKind.NAME})
_ORDERED = frozenset({ColumnKind.NUMBERS, ColumnKind.DATE})
_EMPTINESS = frozenset({"is_empty", "is_not_empty"})
_SETS = frozenset({"any_of", "not_any_of"})
_COMPARISONS: Mapping[str, Callable[[Any, Any], bool]] = {
    "greater_than": op.gt, "greater_than_or_equals": op.ge,
    "lower_than": op.lt, "lower_than_or_equal": op.le}
_OPERATORS: Mapping[ColumnKind, frozenset[str]] = {
    **{kind: _EMPTINESS | _SETS | {"contains_text", "not_contains_text"} for kind in _TEXT},
    **{kind: _EMPTINESS | _SETS | set(_COMPARISONS) | {"between"} for kind in _ORDERED},
    ColumnKind.STATUS: _EMPTINESS | _SETS,
    ColumnKind.DROPDOWN: _EMPTINESS | _SETS,
}


@dataclass(frozen=True)
class ItemQuery:
    """A compiled ``query_params``: which items match, and the sort keys."""

    matches: Predicate
    order_by: tuple[tuple[ColumnDef, bool], ...] = ()  # (column, descending)

    def sort(self, items: Sequence[Item]) -> list[Item]:
        """``items`` (in board order) sorted by ``order_by``; empty cells last."""
        ordered = list(items)
        for column, descending in reversed(self.order_by):
            keyed = [(_key(column, i), i) for i in ordered]
            present = [pair for pair in keyed if pair[0] is not None]
            present.sort(key=lambda pair: pair[0], reverse=descending)
            ordered = [i for _, i in present] + [i for key, i in keyed if key is None]
        return ordered


def compile_query(board: Board, params: Mapping[str, Any], today: dt.date) -> ItemQuery:
    """Check ``params`` (an ``ItemsQuery``) against ``board``; refuse what is unsupported."""
    matches = _group(board, params, today)
    ids = params.get("ids")
    if ids is not None:
        wanted = {str(i) for i in ids}
        inner = matches
        matches = lambda item: item.id in wanted and inner(item)  # noqa: E731
    order = tuple((_column(board, o["column_id"]), o.get("direction") == "desc")
                  for o in params.get("order_by") or ())
    return ItemQuery(matches, order)


def _group(board: Board, params: Mapping[str, Any], today: dt.date) -> Predicate:
    parts = [_rule(board, r, today) for r in params.get("rules") or ()]
    parts += [_group(board, g, today) for g in params.get("groups") or ()]
    if not parts:
        return lambda _: True
    if params.get("operator", "and") == "or":
        return lambda item: any(p(item) for p in parts)
    return lambda item: all(p(item) for p in parts)


def _rule(board: Board, rule: Mapping[str, Any], today: dt.date) -> Predicate:
    column = _column(board, str(rule["column_id"]))
    operator = rule.get("operator") or "any_of"
    if operator not in _OPERATORS.get(column.type, frozenset()):
        raise _refused(f"The operator {operator} is not supported for {column.type} columns "
                       "in the sandbox's query_params", column, operator)
    if rule.get("compare_attribute") is not None:
        raise _refused("compare_attribute is not supported in the sandbox's query_params",
                       column, operator)
    raw = rule.get("compare_value")
    values = list(raw) if isinstance(raw, list) else [raw]
    if operator in _EMPTINESS:
        empty = operator == "is_empty"
        return lambda item: (_key(column, item) is None) == empty
    if column.type in _TEXT:
        return _text_rule(column, operator, values)
    if column.type in _ORDERED:
        return _ordered_rule(column, operator, values, today)
    return _label_rule(column, operator, values)


def _text_rule(column: ColumnDef, operator: str, values: list[Any]) -> Predicate:
    wanted = [str(v).casefold() for v in values if v is not None]
    if operator in ("contains_text", "not_contains_text"):
        negate = operator == "not_contains_text"
        return lambda item: negate != any(w in (_text(column, item) or "").casefold()
                                          for w in wanted)
    negate = operator == "not_any_of"
    return lambda item: negate != ((_text(column, item) or "").casefold() in wanted)


def _ordered_rule(column: ColumnDef, operator: str, values: list[Any],
                  today: dt.date) -> Predicate:
    bounds = [_bound(column, v, operator, today) for v in values
              if not (column.type is ColumnKind.DATE and str(v).upper() == "EXACT")]
    if operator == "between":
        if len(bounds) != 2:
            raise _refused("between takes two values", column, operator)
        low, high = sorted(bounds)
        return lambda item: (key := _key(column, item)) is not None and low <= key <= high
    if operator in _COMPARISONS:
        if len(bounds) != 1:
            raise _refused(f"{operator} takes one value", column, operator)
        compare, bound = _COMPARISONS[operator], bounds[0]
        return lambda item: (key := _key(column, item)) is not None and compare(key, bound)
    negate = operator == "not_any_of"
    return lambda item: negate != (_key(column, item) in bounds)


def _label_rule(column: ColumnDef, operator: str, values: list[Any]) -> Predicate:
    wanted: set[int] = set()
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            wanted.add(value)
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            wanted.add(int(value))
        elif isinstance(value, str) and (label := column.label_named(value)) is not None:
            wanted.add(label.id)
        else:
            raise _refused(f"{value!r} is not a label of column {column.id}", column, operator)
    negate = operator == "not_any_of"
    return lambda item: negate != bool(_labels(item, column) & wanted)


def _column(board: Board, column_id: str) -> ColumnDef:
    column = board.column(column_id)
    if column is None:
        raise invalid_column_id(column_id)
    return column


def _bound(column: ColumnDef, value: Any, operator: str, today: dt.date) -> Any:
    if column.type is ColumnKind.NUMBERS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _refused(f"{value!r} is not a number", column, operator) from None
    relative = {"TODAY": 0, "TOMORROW": 1, "YESTERDAY": -1}.get(str(value).upper())
    if relative is not None:
        return (today + dt.timedelta(days=relative)).isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _refused(f"{value!r} is not a date (YYYY-MM-DD)", column, operator) from None


def _text(column: ColumnDef, item: Item) -> str | None:
    if column.type is ColumnKind.NAME:
        return item.name
    return read(column, item.values.get(column.id))[0]


def _labels(item: Item, column: ColumnDef) -> set[int]:
    stored = item.values.get(column.id)
    if isinstance(stored, StatusValue):
        return {stored.index}
    if isinstance(stored, DropdownValue):
        return set(stored.ids)
    return set()


def _key(column: ColumnDef, item: Item) -> Any:
    """The comparable value of a cell, None when empty."""
    stored = item.values.get(column.id)
    if column.type is ColumnKind.NUMBERS:
        text = _text(column, item)
        return float(text) if text else None
    if column.type is ColumnKind.DATE:
        return stored.date if isinstance(stored, DateValue) else None
    if column.type in (ColumnKind.STATUS, ColumnKind.DROPDOWN):
        return min(_labels(item, column)) if _labels(item, column) else None
    return _text(column, item) or None


def _refused(message: str, column: ColumnDef, operator: str) -> MondayError:
    return MondayError("InvalidArgumentException", message, status_code=200,
                       error_data={"column_id": column.id, "operator": operator})
