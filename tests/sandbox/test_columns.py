"""Column values as monday documents them: what a client may write, and what it reads back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersync.sandbox.columns import (
    INVALID_VALUE,
    MISSING_LABEL,
    TOO_MANY_LABELS,
    ColumnDef,
    ColumnKind,
    DateValue,
    DropdownValue,
    Label,
    LongTextValue,
    NumberValue,
    StatusValue,
    StoredValue,
    TextValue,
    dump_value,
    invalid_column_id,
    load_value,
    read,
    write_json,
    write_simple,
)
from ordersync.sandbox.errors import MondayError

TEXT = ColumnDef("order_key", "Order Key", ColumnKind.TEXT)
LONG = ColumnDef("notes", "Notes", ColumnKind.LONG_TEXT)
NUMBERS = ColumnDef("qty", "Qty", ColumnKind.NUMBERS)
DATE = ColumnDef("eta", "ETA", ColumnKind.DATE)
STATUS = ColumnDef.status("status", "Status")  # 0 Working on it, 1 Done, 2 Stuck
DROPDOWN = ColumnDef.dropdown("size", "Size", ["S", "M", "L"])  # ids 1, 2, 3
SUBTASKS = ColumnDef.subtasks("subitems", "Subitems", "5000000002")
NAME = ColumnDef("name", "Name", ColumnKind.NAME)
WRITABLE = [TEXT, LONG, NUMBERS, DATE, STATUS, DROPDOWN]


def rejection(column: ColumnDef, raw: Any, *, simple: bool = False,
              create: bool = False) -> MondayError:
    write = write_simple if simple else write_json
    with pytest.raises(MondayError) as caught:
        write(column, raw, create_labels_if_missing=create)
    return caught.value


# --- writes monday accepts ------------------------------------------------------------------

JSON_WRITES = [
    pytest.param(TEXT, "Sample", TextValue("Sample"), id="text-string"),
    pytest.param(TEXT, 12, TextValue("12"), id="text-json-number-coerced"),
    pytest.param(LONG, {"text": "line 1\nline 2"}, LongTextValue("line 1\nline 2"),
                 id="long-text-object"),
    pytest.param(LONG, "plain", LongTextValue("plain"), id="long-text-simple-string"),
    pytest.param(NUMBERS, "3", NumberValue("3"), id="numbers-int-string"),
    pytest.param(NUMBERS, "3.5", NumberValue("3.5"), id="numbers-decimal-string"),
    pytest.param(NUMBERS, "-0.25", NumberValue("-0.25"), id="numbers-negative"),
    pytest.param(NUMBERS, " 7 ", NumberValue("7"), id="numbers-padded"),
    pytest.param(NUMBERS, 3, NumberValue("3"), id="numbers-json-int"),
    pytest.param(NUMBERS, 3.5, NumberValue("3.5"), id="numbers-json-float"),
    pytest.param(NUMBERS, 1e-7, NumberValue("0.0000001"), id="numbers-json-float-no-exponent"),
    pytest.param(DATE, {"date": "1993-08-27"}, DateValue("1993-08-27"), id="date-only"),
    pytest.param(DATE, {"date": "1993-08-27", "time": "18:00:00"},
                 DateValue("1993-08-27", "18:00:00"), id="date-and-time"),
    pytest.param(DATE, {"date": "1993-08-27", "time": "18:05"},
                 DateValue("1993-08-27", "18:05:00"), id="date-time-without-seconds"),
    pytest.param(DATE, {"date": "2024-02-29", "icon": None, "changed_at": "2024-03-01T10:00Z"},
                 DateValue("2024-02-29"), id="date-read-back-keys-ignored"),
    pytest.param(DATE, "2019-06-03 13:25:00", DateValue("2019-06-03", "13:25:00"),
                 id="date-simple-string"),
    pytest.param(STATUS, {"label": "Done"}, StatusValue(1), id="status-label"),
    pytest.param(STATUS, {"index": 2}, StatusValue(2), id="status-index"),
    pytest.param(STATUS, {"index": "2"}, StatusValue(2), id="status-index-as-string"),
    pytest.param(STATUS, {"index": 0, "post_id": None, "changed_at": "2019-03-01T17:24:57Z"},
                 StatusValue(0), id="status-read-back-value"),
    pytest.param(STATUS, "Stuck", StatusValue(2), id="status-simple-label"),
    pytest.param(STATUS, "1", StatusValue(1), id="status-simple-index"),
    pytest.param(DROPDOWN, {"labels": ["S", "L"]}, DropdownValue((1, 3)), id="dropdown-labels"),
    pytest.param(DROPDOWN, {"ids": [2]}, DropdownValue((2,)), id="dropdown-ids"),
    pytest.param(DROPDOWN, {"ids": ["1", "2"]}, DropdownValue((1, 2)), id="dropdown-id-strings"),
    pytest.param(DROPDOWN, {"labels": ["S", "S"]}, DropdownValue((1,)), id="dropdown-duplicates"),
    pytest.param(DROPDOWN, "M, L", DropdownValue((2, 3)), id="dropdown-simple-labels"),
    pytest.param(DROPDOWN, "1,3", DropdownValue((1, 3)), id="dropdown-simple-ids"),
]


@pytest.mark.parametrize(("column", "raw", "stored"), JSON_WRITES)
def test_documented_json_values_are_stored(column: ColumnDef, raw: Any,
                                           stored: StoredValue) -> None:
    written = write_json(column, raw)

    assert written.value == stored
    assert written.column == column  # nothing created


SIMPLE_WRITES = [
    pytest.param(TEXT, "Sample text", TextValue("Sample text"), id="text"),
    pytest.param(LONG, "Some long text", LongTextValue("Some long text"), id="long-text"),
    pytest.param(NUMBERS, "3", NumberValue("3"), id="numbers"),
    pytest.param(NUMBERS, "0", NumberValue("0"), id="numbers-zero-is-a-value"),
    pytest.param(DATE, "2019-06-03", DateValue("2019-06-03"), id="date"),
    pytest.param(DATE, "2019-06-03 13:25:00", DateValue("2019-06-03", "13:25:00"),
                 id="date-and-time"),
    pytest.param(STATUS, "Done", StatusValue(1), id="status-label"),
    pytest.param(STATUS, "2", StatusValue(2), id="status-index"),
    pytest.param(DROPDOWN, "S, M", DropdownValue((1, 2)), id="dropdown-labels"),
    pytest.param(DROPDOWN, "1,2", DropdownValue((1, 2)), id="dropdown-ids"),
]


@pytest.mark.parametrize(("column", "text", "stored"), SIMPLE_WRITES)
def test_documented_simple_strings_are_stored(column: ColumnDef, text: str,
                                              stored: StoredValue) -> None:
    assert write_simple(column, text).value == stored


# --- writes monday refuses ------------------------------------------------------------------

INVALID = [
    pytest.param(TEXT, {"text": "x"}, False, INVALID_VALUE, "text", id="text-object"),
    pytest.param(TEXT, ["a"], False, INVALID_VALUE, "text", id="text-list"),
    pytest.param(TEXT, True, False, INVALID_VALUE, "text", id="text-boolean"),
    pytest.param(LONG, 5, False, INVALID_VALUE, "long-text", id="long-text-number"),
    pytest.param(LONG, {"txt": "x"}, False, INVALID_VALUE, "long-text", id="long-text-wrong-key"),
    pytest.param(NUMBERS, "abc", False, INVALID_VALUE, "numeric", id="numbers-word"),
    pytest.param(NUMBERS, "3 apples", True, INVALID_VALUE, "numeric", id="numbers-simple-word"),
    pytest.param(NUMBERS, "1e5", False, INVALID_VALUE, "numeric", id="numbers-exponent"),
    pytest.param(NUMBERS, "1,5", False, INVALID_VALUE, "numeric", id="numbers-decimal-comma"),
    pytest.param(NUMBERS, {"number": 3}, False, INVALID_VALUE, "numeric", id="numbers-object"),
    pytest.param(NUMBERS, float("nan"), False, INVALID_VALUE, "numeric", id="numbers-nan"),
    pytest.param(NUMBERS, True, False, INVALID_VALUE, "numeric", id="numbers-boolean"),
    pytest.param(DATE, {"date": "2023-02-30"}, False, INVALID_VALUE, "date", id="date-feb-30"),
    pytest.param(DATE, "2023-13-01", True, INVALID_VALUE, "date", id="date-month-13"),
    pytest.param(DATE, {"date": "2023-01-01", "time": "25:00:00"}, False, INVALID_VALUE, "date",
                 id="date-hour-25"),
    pytest.param(DATE, "01/02/2023", True, INVALID_VALUE, "date", id="date-day-first"),
    pytest.param(DATE, "20230101", True, INVALID_VALUE, "date", id="date-basic-iso"),
    pytest.param(DATE, 20230101, False, INVALID_VALUE, "date", id="date-number"),
    pytest.param(STATUS, {"label": "Shipped"}, False, MISSING_LABEL, "color",
                 id="status-unknown-label"),
    pytest.param(STATUS, "Shipped", True, MISSING_LABEL, "color", id="status-simple-unknown"),
    pytest.param(STATUS, {"index": 7}, False, MISSING_LABEL, "color", id="status-unknown-index"),
    pytest.param(STATUS, "5", True, MISSING_LABEL, "color", id="status-default-index"),
    pytest.param(STATUS, {"label": 5}, False, INVALID_VALUE, "color", id="status-label-number"),
    pytest.param(STATUS, ["Done"], False, INVALID_VALUE, "color", id="status-list"),
    pytest.param(DROPDOWN, {"labels": ["S"], "ids": [1]}, False, INVALID_VALUE, "dropdown",
                 id="dropdown-labels-and-ids"),
    pytest.param(DROPDOWN, {"labels": ["XXL"]}, False, MISSING_LABEL, "dropdown",
                 id="dropdown-unknown-label"),
    pytest.param(DROPDOWN, "S, XXL", True, MISSING_LABEL, "dropdown",
                 id="dropdown-simple-unknown-label"),
    pytest.param(DROPDOWN, {"ids": [9]}, False, MISSING_LABEL, "dropdown",
                 id="dropdown-unknown-id"),
    pytest.param(DROPDOWN, "9", True, MISSING_LABEL, "dropdown", id="dropdown-simple-unknown-id"),
    pytest.param(DROPDOWN, {"labels": "S"}, False, INVALID_VALUE, "dropdown",
                 id="dropdown-labels-not-a-list"),
    pytest.param(DROPDOWN, {"ids": [True]}, False, INVALID_VALUE, "dropdown",
                 id="dropdown-boolean-id"),
    pytest.param(DROPDOWN, {"label": "S"}, False, INVALID_VALUE, "dropdown",
                 id="dropdown-status-shape"),
    pytest.param(SUBTASKS, {"subitems_ids": [1]}, False, INVALID_VALUE, "subtasks",
                 id="subtasks-read-only"),
    pytest.param(NAME, "Renamed", False, INVALID_VALUE, "name", id="name-via-column-values"),
]


@pytest.mark.parametrize(("column", "raw", "simple", "message", "column_type"), INVALID)
def test_invalid_values_are_column_value_exceptions(column: ColumnDef, raw: Any, simple: bool,
                                                    message: str, column_type: str) -> None:
    error = rejection(column, raw, simple=simple)

    assert (error.code, error.message, error.status_code) == (
        "ColumnValueException", message, 200)
    assert error.error_data is not None
    assert error.error_data["column_type"] == column_type


def test_unknown_status_label_error_is_mondays_payload() -> None:
    error = rejection(STATUS, {"label": "Shipped"})

    assert error.to_payload() == {
        "message": "invalid value - label does not exist in column. Please check our API "
                   "documentation for the correct data structure for this column. "
                   "https://developer.monday.com/api-reference/docs/change-column-values",
        "extensions": {"code": "ColumnValueException", "status_code": 200,
                       "error_data": {"column_value": '{"label":"Shipped"}',
                                      "column_type": "color"}}}


def test_a_simple_string_on_the_subitems_column_is_a_corrected_value_exception() -> None:
    error = rejection(SUBTASKS, "1,2", simple=True)

    assert error.code == "CorrectedValueException"
    assert error.error_data == {"column_value": "1,2", "column_type": "subtasks"}


def test_unknown_column_id_error_is_mondays_payload() -> None:
    assert invalid_column_id("statuz").to_payload() == {
        "message": "This column ID doesn't exist for the board",
        "extensions": {"code": "InvalidColumnIdException", "status_code": 200,
                       "error_data": {"column_id": "statuz"}}}


# --- create_labels_if_missing ---------------------------------------------------------------


def test_missing_status_label_is_created_at_the_next_free_index() -> None:
    written = write_json(STATUS, {"label": "Shipped"}, create_labels_if_missing=True)

    assert written.value == StatusValue(3)
    assert written.column.label_with_id(3) == Label(3, "Shipped")
    assert written.column.settings["labels"] == {
        "0": "Working on it", "1": "Done", "2": "Stuck", "3": "Shipped"}
    assert STATUS.label_named("Shipped") is None  # the input column is left as it was


def test_new_status_labels_skip_the_default_index_5() -> None:
    column = ColumnDef.status("s", "S", {0: "a", 1: "b", 2: "c", 3: "d", 4: "e"})

    written = write_simple(column, "f", create_labels_if_missing=True)

    assert written.value == StatusValue(6)


def test_a_status_column_holds_at_most_40_labels() -> None:
    names = {i: f"L{i}" for i in range(41) if i != 5}  # 40 labels
    full = ColumnDef.status("s", "S", names)
    almost = ColumnDef.status("s", "S", {i: n for i, n in names.items() if i != 40})

    error = rejection(full, "New", simple=True, create=True)

    assert (error.code, error.message) == ("ColumnValueException", TOO_MANY_LABELS)
    assert write_simple(almost, "New", create_labels_if_missing=True).value == StatusValue(40)


def test_an_index_never_creates_a_label() -> None:
    error = rejection(STATUS, {"index": 9}, create=True)

    assert error.message == MISSING_LABEL


def test_missing_dropdown_labels_are_created_with_the_next_ids() -> None:
    written = write_json(DROPDOWN, {"labels": ["M", "XL", "XXL"]}, create_labels_if_missing=True)

    assert written.value == DropdownValue((2, 4, 5))
    assert written.column.settings["labels"] == [
        {"id": 1, "name": "S"}, {"id": 2, "name": "M"}, {"id": 3, "name": "L"},
        {"id": 4, "name": "XL"}, {"id": 5, "name": "XXL"}]


def test_missing_dropdown_labels_from_a_simple_string_are_created() -> None:
    written = write_simple(DROPDOWN, "S, XL", create_labels_if_missing=True)

    assert written.value == DropdownValue((1, 4))
    assert read(written.column, written.value) == ("S, XL", '{"ids":[1,4]}')


# --- clearing -------------------------------------------------------------------------------

CLEARS = [pytest.param(column, raw, id=f"{column.type}-{label}")
          for column in WRITABLE
          for raw, label in ((None, "null"), ("", "empty-string"), ({}, "empty-object"))] + [
    pytest.param(LONG, {"text": ""}, id="long-text-empty-text"),
    pytest.param(DATE, {"date": ""}, id="date-empty-date"),
    pytest.param(STATUS, {"label": ""}, id="status-empty-label"),
    pytest.param(DROPDOWN, {"labels": []}, id="dropdown-no-labels"),
    pytest.param(DROPDOWN, {"ids": []}, id="dropdown-no-ids"),
]


@pytest.mark.parametrize(("column", "raw"), CLEARS)
def test_clearing_values(column: ColumnDef, raw: Any) -> None:
    assert write_json(column, raw).value is None


@pytest.mark.parametrize("column", WRITABLE, ids=[c.type.value for c in WRITABLE])
def test_clearing_with_an_empty_simple_string(column: ColumnDef) -> None:
    assert write_simple(column, "").value is None
    assert write_simple(column, None).value is None


# --- reading back ---------------------------------------------------------------------------

READS = [
    pytest.param(TEXT, TextValue("abc"), "abc", '"abc"', id="text"),
    pytest.param(LONG, LongTextValue("def"), "def", '{"text":"def"}', id="long-text"),
    pytest.param(NUMBERS, NumberValue("10"), "10", '"10"', id="numbers"),
    pytest.param(DATE, DateValue("2025-02-10"), "2025-02-10",
                 '{"date":"2025-02-10","icon":null}', id="date"),
    pytest.param(DATE, DateValue("2025-02-10", "09:30:00"), "2025-02-10 09:30",
                 '{"date":"2025-02-10","time":"09:30:00","icon":null}', id="date-and-time"),
    pytest.param(STATUS, StatusValue(0), "Working on it", '{"index":0,"post_id":null}',
                 id="status"),
    pytest.param(DROPDOWN, DropdownValue((1, 2)), "S, M", '{"ids":[1,2]}', id="dropdown"),
    pytest.param(TEXT, None, "", None, id="text-empty"),
    pytest.param(LONG, None, "", None, id="long-text-empty"),
    pytest.param(NUMBERS, None, "", None, id="numbers-empty"),
    pytest.param(DATE, None, "", None, id="date-empty"),
    pytest.param(STATUS, None, None, None, id="status-empty"),
    pytest.param(DROPDOWN, None, None, None, id="dropdown-empty"),
    pytest.param(SUBTASKS, None, None, None, id="subtasks"),
]


@pytest.mark.parametrize(("column", "stored", "text", "value"), READS)
def test_read_gives_text_and_value_as_monday_returns_them(
        column: ColumnDef, stored: StoredValue | None, text: str | None,
        value: str | None) -> None:
    assert read(column, stored) == (text, value)


def test_status_settings_have_mondays_layout() -> None:
    assert STATUS.settings == {
        "done_colors": [1],
        "labels": {"0": "Working on it", "1": "Done", "2": "Stuck"},
        "labels_positions_v2": {"0": 0, "1": 1, "2": 2, "5": 3},
        "labels_colors": {
            "0": {"color": "#fdab3d", "border": "#e99729", "var_name": "orange"},
            "1": {"color": "#00c875", "border": "#00b461", "var_name": "green-shadow"},
            "2": {"color": "#df2f4a", "border": "#ce3048", "var_name": "red-shadow"}}}


def test_dropdown_and_subtasks_settings() -> None:
    assert DROPDOWN.settings == {
        "limit_select": False, "hide_footer": False, "deactivated_labels": [],
        "labels": [{"id": 1, "name": "S"}, {"id": 2, "name": "M"}, {"id": 3, "name": "L"}]}
    assert SUBTASKS.settings == {"allowMultipleItems": True,
                                 "itemTypeName": "column.subtasks.title",
                                 "displayType": "BOARD_INLINE", "boardIds": [5000000002]}
    assert TEXT.settings == {}


@pytest.mark.parametrize("column", [*WRITABLE, SUBTASKS, NAME], ids=lambda c: c.type.value)
def test_column_definitions_survive_json(column: ColumnDef) -> None:
    assert ColumnDef.from_json(json.loads(json.dumps(column.to_json()))) == column


@pytest.mark.parametrize(("column", "stored"), [
    pytest.param(TEXT, TextValue("a"), id="text"),
    pytest.param(LONG, LongTextValue("b"), id="long-text"),
    pytest.param(NUMBERS, NumberValue("-1.5"), id="numbers"),
    pytest.param(DATE, DateValue("2025-01-01", "10:00:00"), id="date"),
    pytest.param(STATUS, StatusValue(2), id="status"),
    pytest.param(DROPDOWN, DropdownValue((3, 1)), id="dropdown"),
])
def test_stored_values_survive_json(column: ColumnDef, stored: StoredValue) -> None:
    assert load_value(column.type, json.loads(json.dumps(dump_value(stored)))) == stored


# --- round trip: write, read, write the value read ------------------------------------------

_LABEL_NAMES = st.text(min_size=1).filter(lambda s: not (s.isascii() and s.isdigit()))
_PLAIN_NAMES = st.from_regex(r"[A-Za-z][A-Za-z ]{0,8}[A-Za-z]", fullmatch=True)
_DATES = st.dates().map(date.isoformat)
_TIMES = st.times().map(lambda t: t.strftime("%H:%M:%S"))

ROUND_TRIPS = [
    pytest.param(TEXT, st.text(min_size=1), id="text"),
    pytest.param(LONG, st.one_of(st.text(min_size=1), st.text(min_size=1).map(
        lambda t: {"text": t})), id="long-text"),
    pytest.param(NUMBERS, st.one_of(
        st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{1,6})?", fullmatch=True),
        st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False)),
        id="numbers"),
    pytest.param(DATE, st.one_of(
        _DATES.map(lambda d: {"date": d}), _DATES,
        st.tuples(_DATES, _TIMES).map(lambda p: {"date": p[0], "time": p[1]}),
        st.tuples(_DATES, _TIMES).map(" ".join)), id="date"),
    pytest.param(STATUS, st.one_of(
        _LABEL_NAMES.map(lambda n: {"label": n}), _LABEL_NAMES,
        st.sampled_from([0, 1, 2]).map(lambda i: {"index": i})), id="status"),
    pytest.param(DROPDOWN, st.one_of(
        st.lists(st.text(min_size=1), min_size=1, max_size=4).map(lambda ls: {"labels": ls}),
        st.lists(_PLAIN_NAMES, min_size=1, max_size=4).map(", ".join),
        st.lists(st.sampled_from([1, 2, 3]), min_size=1).map(lambda ids: {"ids": ids})),
        id="dropdown"),
]


@pytest.mark.parametrize(("column", "values"), ROUND_TRIPS)
@given(data=st.data())
def test_writing_back_a_value_read_stores_the_same_value(
        column: ColumnDef, values: st.SearchStrategy[Any], data: st.DataObject) -> None:
    first = write_json(column, data.draw(values), create_labels_if_missing=True)
    _, value = read(first.column, first.value)

    assert value is not None
    again = write_json(first.column, json.loads(value))

    assert again == first
