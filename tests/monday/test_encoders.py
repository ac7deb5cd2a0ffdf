"""Column encoders: what ordersync sends as column values, checked against the sandbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersync.errors import ConfigError, RecordSyncError
from ordersync.monday.encoders import (
    ColumnMapping,
    ColumnType,
    changed_values,
    encode_value,
    encode_values,
)
from ordersync.sandbox.columns import (
    ColumnDef,
    ColumnKind,
    DateValue,
    DropdownValue,
    LongTextValue,
    NumberValue,
    StatusValue,
    TextValue,
    write_json,
)

TEXT = ColumnMapping("order_key", ColumnType.TEXT, "ORDER KEY")
LONG = ColumnMapping("notes", ColumnType.LONG_TEXT, "NOTES")
NUMBERS = ColumnMapping("qty", ColumnType.NUMBERS, "TOTAL QTY")
DATE = ColumnMapping("eta", ColumnType.DATE, "PLANNED DELIVERY DATE")
STATUS = ColumnMapping("status", ColumnType.STATUS, "ORDER TYPE")
DROPDOWN = ColumnMapping("sizes", ColumnType.DROPDOWN, "SIZES")
MAPPING = [TEXT, LONG, NUMBERS, DATE, STATUS, DROPDOWN]

# The same columns as the sandbox board holds them.
BOARD = {
    "order_key": ColumnDef("order_key", "Order Key", ColumnKind.TEXT),
    "notes": ColumnDef("notes", "Notes", ColumnKind.LONG_TEXT),
    "qty": ColumnDef("qty", "Qty", ColumnKind.NUMBERS),
    "eta": ColumnDef("eta", "ETA", ColumnKind.DATE),
    "status": ColumnDef.status("status", "Status", {0: "BULK", 1: "CANCELLED", 2: "SAMPLE"}),
    "sizes": ColumnDef.dropdown("sizes", "Sizes", ["S", "M", "L"]),
}

RECORD: dict[str, object] = {
    "ORDER KEY": "AAG-1|SEA|ST-9", "NOTES": "line 1\nline 2", "TOTAL QTY": 120,
    "PLANNED DELIVERY DATE": date(2025, 2, 10), "ORDER TYPE": "BULK", "SIZES": ["S", "L"],
}


# --- one value per column type ------------------------------------------------------------

VALID = [
    pytest.param(TEXT, "Sample text", "Sample text", id="text"),
    pytest.param(TEXT, " padded ", " padded ", id="text-kept-as-written"),
    pytest.param(TEXT, 4711, "4711", id="text-from-int"),
    pytest.param(TEXT, date(2025, 2, 10), "2025-02-10", id="text-from-date"),
    pytest.param(LONG, "a\nb", {"text": "a\nb"}, id="long-text"),
    pytest.param(NUMBERS, 3, "3", id="numbers-int"),
    pytest.param(NUMBERS, 3.0, "3", id="numbers-whole-float"),
    pytest.param(NUMBERS, 3.5, "3.5", id="numbers-float"),
    pytest.param(NUMBERS, -0.25, "-0.25", id="numbers-negative"),
    pytest.param(NUMBERS, 1e-7, "0.0000001", id="numbers-no-exponent-small"),
    pytest.param(NUMBERS, 1e22, "10000000000000000000000", id="numbers-no-exponent-large"),
    pytest.param(NUMBERS, Decimal("12.50"), "12.5", id="numbers-decimal"),
    pytest.param(NUMBERS, Decimal("1E+2"), "100", id="numbers-decimal-exponent"),
    pytest.param(NUMBERS, " 7 ", "7", id="numbers-padded-string"),
    pytest.param(NUMBERS, "+3.50", "3.5", id="numbers-signed-string"),
    pytest.param(NUMBERS, "-0.0", "0", id="numbers-negative-zero"),
    pytest.param(NUMBERS, 0, "0", id="numbers-zero-is-a-value"),
    pytest.param(DATE, date(2025, 2, 10), {"date": "2025-02-10"}, id="date"),
    pytest.param(DATE, datetime(2025, 2, 10, 23, 30), {"date": "2025-02-10"},
                 id="date-from-naive-datetime"),
    pytest.param(DATE, datetime(2025, 2, 11, 1, 0, tzinfo=timezone(timedelta(hours=3))),
                 {"date": "2025-02-10"}, id="date-from-aware-datetime-in-utc"),
    pytest.param(DATE, "2025-02-10", {"date": "2025-02-10"}, id="date-iso-string"),
    pytest.param(DATE, "2025-02-10T08:00:00", {"date": "2025-02-10"}, id="date-iso-datetime"),
    pytest.param(STATUS, "BULK", {"label": "BULK"}, id="status"),
    pytest.param(STATUS, " BULK ", {"label": "BULK"}, id="status-stripped"),
    pytest.param(DROPDOWN, "M", {"labels": ["M"]}, id="dropdown-one-label"),
    pytest.param(DROPDOWN, ["S", " L", "S", ""], {"labels": ["S", "L"]},
                 id="dropdown-stripped-deduplicated"),
    pytest.param(DROPDOWN, ("L", "M"), {"labels": ["L", "M"]}, id="dropdown-tuple-keeps-order"),
]


@pytest.mark.parametrize(("column", "value", "expected"), VALID)
def test_value_is_encoded_as_monday_documents(column: ColumnMapping, value: object,
                                              expected: object) -> None:
    assert encode_value(column, value) == expected


EMPTY = [
    pytest.param(column, value, id=f"{column.type}-{label}")
    for column in MAPPING
    for label, value in (("none", None), ("blank", "  "))
] + [pytest.param(DROPDOWN, [], id="dropdown-no-labels"),
     pytest.param(DROPDOWN, ["", " "], id="dropdown-blank-labels")]


@pytest.mark.parametrize(("column", "value"), EMPTY)
def test_empty_value_encodes_as_none(column: ColumnMapping, value: object) -> None:
    assert encode_value(column, value) is None


INVALID = [
    pytest.param(TEXT, ["a"], id="text-list"),
    pytest.param(TEXT, True, id="text-boolean"),
    pytest.param(LONG, 5, id="long-text-number"),
    pytest.param(NUMBERS, "abc", id="numbers-word"),
    pytest.param(NUMBERS, "3 apples", id="numbers-trailing-word"),
    pytest.param(NUMBERS, "1,5", id="numbers-decimal-comma"),
    pytest.param(NUMBERS, "1e5", id="numbers-exponent-string"),
    pytest.param(NUMBERS, "NaN", id="numbers-nan-string"),
    pytest.param(NUMBERS, float("nan"), id="numbers-nan"),
    pytest.param(NUMBERS, float("inf"), id="numbers-infinity"),
    pytest.param(NUMBERS, Decimal("Infinity"), id="numbers-decimal-infinity"),
    pytest.param(NUMBERS, True, id="numbers-boolean"),
    pytest.param(NUMBERS, date(2025, 1, 1), id="numbers-date"),
    pytest.param(DATE, "2023-02-30", id="date-feb-30"),
    pytest.param(DATE, "10/02/2025", id="date-day-first"),
    pytest.param(DATE, "soon", id="date-word"),
    pytest.param(DATE, 20250210, id="date-number"),
    pytest.param(STATUS, 1, id="status-number"),
    pytest.param(STATUS, ["BULK"], id="status-list"),
    pytest.param(DROPDOWN, 3, id="dropdown-number"),
    pytest.param(DROPDOWN, ["S", 3], id="dropdown-label-not-text"),
]


@pytest.mark.parametrize(("column", "value"), INVALID)
def test_value_the_column_cannot_take_fails_the_record(column: ColumnMapping,
                                                       value: object) -> None:
    with pytest.raises(RecordSyncError) as caught:
        encode_value(column, value)
    message = str(caught.value)
    assert repr(column.column_id) in message
    assert repr(value) in message


def test_bad_value_fails_encode_values_before_anything_is_sent() -> None:
    record = {**RECORD, "TOTAL QTY": "twelve"}
    with pytest.raises(RecordSyncError,
                       match=r"column 'qty' \(numbers, from 'TOTAL QTY'\) cannot take 'twelve'"):
        encode_values(MAPPING, record)


# --- the mapping --------------------------------------------------------------------------


def test_encode_values_builds_column_values_for_every_mapped_column() -> None:
    assert encode_values(MAPPING, RECORD) == {
        "order_key": "AAG-1|SEA|ST-9", "notes": {"text": "line 1\nline 2"}, "qty": "120",
        "eta": {"date": "2025-02-10"}, "status": {"label": "BULK"},
        "sizes": {"labels": ["S", "L"]}}


def test_encode_values_leaves_empty_cells_out() -> None:
    record = {**RECORD, "NOTES": None, "SIZES": []}
    assert set(encode_values(MAPPING, record)) == {"order_key", "qty", "eta", "status"}


@pytest.mark.parametrize("column_type", list(ColumnType))
def test_name_is_refused_as_a_column(column_type: ColumnType) -> None:
    with pytest.raises(ConfigError, match="item name is never a column value"):
        ColumnMapping("name", column_type, "AAG ORDER NUMBER")


def test_a_column_mapped_twice_is_refused() -> None:
    twice = [TEXT, ColumnMapping("order_key", ColumnType.TEXT, "NOTES")]
    with pytest.raises(ConfigError, match="'order_key' is mapped twice"):
        encode_values(twice, RECORD)


def test_a_source_the_record_lacks_is_a_mapping_error_not_a_cleared_cell() -> None:
    record = {k: v for k, v in RECORD.items() if k != "ORDER TYPE"}
    with pytest.raises(ConfigError, match="'status' reads 'ORDER TYPE'"):
        encode_values(MAPPING, record)


# --- updates send only what changed ------------------------------------------------------


def test_unchanged_record_sends_nothing() -> None:
    assert changed_values(MAPPING, RECORD, dict(RECORD)) == {}


def test_only_the_changed_column_is_sent() -> None:
    new = {**RECORD, "TOTAL QTY": 150}
    assert changed_values(MAPPING, new, RECORD) == {"qty": "150"}


def test_formatting_noise_is_not_a_change() -> None:
    old = {**RECORD, "TOTAL QTY": "120.00", "PLANNED DELIVERY DATE": "2025-02-10",
           "ORDER TYPE": "BULK ", "SIZES": ["S", "S", "L"]}
    assert changed_values(MAPPING, RECORD, old) == {}


def test_a_cleared_cell_is_sent_as_none() -> None:
    new = {**RECORD, "NOTES": None, "SIZES": []}
    assert changed_values(MAPPING, new, RECORD) == {"notes": None, "sizes": None}


def test_an_old_value_that_cannot_be_encoded_counts_as_changed() -> None:
    old = {**RECORD, "TOTAL QTY": "twelve"}
    assert changed_values(MAPPING, RECORD, old) == {"qty": "120"}


def test_a_bad_new_value_still_fails_the_record() -> None:
    with pytest.raises(RecordSyncError, match="'qty'"):
        changed_values(MAPPING, {**RECORD, "TOTAL QTY": "twelve"}, RECORD)


field_values = st.fixed_dictionaries({
    "ORDER KEY": st.sampled_from(["A", "B"]),
    "NOTES": st.sampled_from([None, "x", "y"]),
    "TOTAL QTY": st.sampled_from([None, 1, 2, 2.0, "2"]),
    "PLANNED DELIVERY DATE": st.sampled_from([None, date(2025, 1, 1), "2025-01-01",
                                              date(2025, 1, 2)]),
    "ORDER TYPE": st.sampled_from([None, "BULK", "SAMPLE"]),
    "SIZES": st.sampled_from([[], ["S"], ["S", "M"], ["M", "S"]]),
})


@given(field_values, field_values)
def test_changed_values_is_exactly_the_columns_whose_encoding_differs(
        new: dict[str, object], old: dict[str, object]) -> None:
    changed = changed_values(MAPPING, new, old)
    for column in MAPPING:
        before = encode_value(column, old[column.source])
        after = encode_value(column, new[column.source])
        if before == after:
            assert column.column_id not in changed
        else:
            assert changed[column.column_id] == after
    # Applying the update to the old cells gives the new cells.
    cells = dict(encode_values(MAPPING, old))
    cells.update(changed)
    assert {k: v for k, v in cells.items() if v is not None} == encode_values(MAPPING, new)


# --- the sandbox accepts every encoded value ----------------------------------------------


def test_column_types_are_sandbox_column_kinds() -> None:
    assert {t.value for t in ColumnType} <= {k.value for k in ColumnKind}


def test_encoded_record_is_stored_by_the_sandbox_as_sent() -> None:
    stored = {column_id: write_json(BOARD[column_id], value).value
              for column_id, value in encode_values(MAPPING, RECORD).items()}
    assert stored == {
        "order_key": TextValue("AAG-1|SEA|ST-9"), "notes": LongTextValue("line 1\nline 2"),
        "qty": NumberValue("120"), "eta": DateValue("2025-02-10"), "status": StatusValue(0),
        "sizes": DropdownValue((1, 3))}


@pytest.mark.parametrize(("column", "value", "expected"), VALID)
def test_every_valid_encoding_is_accepted_by_the_sandbox(column: ColumnMapping, value: object,
                                                         expected: object) -> None:
    board_column = BOARD[column.column_id]
    written = write_json(board_column, encode_value(column, value))
    assert written.value is not None


def test_cleared_cells_are_accepted_by_the_sandbox() -> None:
    new = {**RECORD, "NOTES": None, "SIZES": [], "TOTAL QTY": None, "ORDER TYPE": None,
           "PLANNED DELIVERY DATE": None, "ORDER KEY": None}
    for column_id, value in changed_values(MAPPING, new, RECORD).items():
        assert write_json(BOARD[column_id], value).value is None


def test_new_status_label_is_created_only_where_the_mapping_allows_it() -> None:
    creating = ColumnMapping("status", ColumnType.STATUS, "ORDER TYPE",
                             create_labels_if_missing=True)
    encoded = encode_value(creating, "REPEAT")
    written = write_json(BOARD["status"], encoded,
                         create_labels_if_missing=creating.create_labels_if_missing)
    assert written.column.label_named("REPEAT") is not None


finite_numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.decimals(allow_nan=False, allow_infinity=False, places=4,
                min_value=-(10**9), max_value=10**9),
)


@given(finite_numbers)
def test_any_finite_number_is_stored_by_the_sandbox_with_its_value(number: Any) -> None:
    encoded = encode_value(NUMBERS, number)
    assert isinstance(encoded, str)
    written = write_json(BOARD["qty"], encoded)
    assert written.value == NumberValue(encoded)
    assert Decimal(encoded) == Decimal(repr(number) if isinstance(number, float) else number)


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1),
                    timezones=st.one_of(st.none(), st.just(UTC),
                                        st.just(timezone(timedelta(hours=-5))))))
def test_any_date_is_stored_by_the_sandbox_as_its_utc_day(moment: datetime) -> None:
    encoded = encode_value(DATE, moment)
    day = (moment.astimezone(UTC) if moment.tzinfo else moment).date().isoformat()
    assert write_json(BOARD["eta"], encoded).value == DateValue(day)
