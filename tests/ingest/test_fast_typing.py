"""The fast typing paths give exactly what the full rules give, or are not taken.

``valid_numbers`` lets a number column whose every cell is already a valid plain
number skip the clean-up and the refusal checks (one cast instead); and
``iso_date_columns`` types a date column whose every cell is an ISO date without
trying the other date forms.  Properties: whenever a column takes a fast path,
its values equal the full rule's (and the full rule refuses nothing); a column
with any cell the full rule refuses or changes never takes it.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ordersync.config import ColumnsConfig
from ordersync.db.schema import ColumnKind, ValueType
from ordersync.ingest.values import (
    clean_text,
    iso_date_columns,
    type_column,
    valid_column,
    valid_numbers,
)

NULL_VALUES = ColumnsConfig().null_values
DATE_FORMATS = ColumnsConfig().date_formats

NUMBER_TEXTS = st.one_of(
    st.integers(-10**17, 10**17).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "12", "12.0", "1e3", "+5", ".5", "5.", " 12", "12 ", "1,200", "-0",
                     "nan", "inf", "-", "TBC", "", "12 pcs", "9e15", "9000000000000001",
                     "0x10", "1_000", "1.000", "-12.500", "0.000", "1.00"]),
)
DATE_TEXTS = st.one_of(
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.sampled_from(["2025-03-05 00:00:00", "2025-02-31", "2025-13-01 00:00:00", "45356",
                     "05/03/2025", "TBC", "", " 2025-03-05", "2025-03-05T10:00", "2025-3-5"]),
)


def full_rule(cells: list[str | None], value_type: ValueType, kind: ColumnKind,
              null_values: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame({"c": cells}, schema={"c": pl.String})
    rule = type_column("c", value_type, kind, DATE_FORMATS)
    return frame.select(clean_text("c", null_values).alias("c")).select(
        rule.value.alias("value"), rule.problem.alias("problem"))


def same(a: list[Any], b: list[Any]) -> bool:
    return all(x == y or (x != x and y != y) for x, y in zip(a, b, strict=True))


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), NUMBER_TEXTS), min_size=1, max_size=8),
       value_type=st.sampled_from(["integer", "decimal"]),
       kind=st.sampled_from(["size", "descriptive"]),
       null_values=st.sampled_from([NULL_VALUES, [*NULL_VALUES, "0"], ["n/a"]]))
def test_a_number_column_takes_the_fast_path_only_when_it_changes_nothing(
        cells: list[str | None], value_type: ValueType, kind: ColumnKind,
        null_values: list[str]) -> None:
    frame = pl.DataFrame({"c": cells}, schema={"c": pl.String})
    full = full_rule(cells, value_type, kind, null_values)
    if "c" not in valid_numbers(frame, {"c": (value_type, kind)}, null_values):
        return
    fast = frame.select(valid_column("c", value_type, kind).value.alias("value"))
    assert full["problem"].null_count() == len(cells)  # the full rule refuses nothing
    assert fast["value"].dtype == full["value"].dtype
    assert same(fast["value"].to_list(), full["value"].to_list())


def test_refused_or_cleaned_cells_keep_a_number_column_off_the_fast_path() -> None:
    columns = {"bad": ["12", "12 pcs"], "spaced": [" 12", "3"], "negative": ["-1", "2"],
               "fraction": ["1.5", None], "null_word": ["-", "4"], "ok": ["12", None],
               "dotted": ["1.000", "12.0"], "exported": ["12.0", "1e3"]}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    found = valid_numbers(frame, {c: ("integer", "size") for c in columns}, NULL_VALUES)
    assert found == {"ok", "exported"}  # a CSV export's 12.0 keeps the fast path


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), DATE_TEXTS), min_size=1, max_size=8))
def test_a_date_column_takes_the_iso_path_only_when_it_changes_nothing(
        cells: list[str | None]) -> None:
    frame = pl.DataFrame({"c": cells}, schema={"c": pl.String})
    cleaned = frame.select(clean_text("c", NULL_VALUES).alias("c"))
    full = full_rule(cells, "date", "descriptive", NULL_VALUES)
    fast = iso_date_columns(cleaned, ["c"])
    if "c" not in fast.columns:
        return
    assert full["problem"].null_count() == len(cells)
    assert fast["c"].to_list() == full["value"].to_list()


def test_a_date_column_with_any_other_form_types_the_long_way() -> None:
    frame = pl.DataFrame({"iso": ["2025-03-05 00:00:00", None], "mixed": ["2025-03-05", "45356"],
                          "bad": ["2025-02-31", None]})
    assert iso_date_columns(frame, ["iso", "mixed", "bad"]).columns == ["iso"]


def test_a_column_blank_in_the_whole_batch_is_nulls_of_the_type_its_rule_gives() -> None:
    """``prepare`` skips the rule for such a column and makes it nulls of ``_DTYPES``."""
    from ordersync.ingest.prepare import _DTYPES

    for value_type in ("text", "integer", "decimal", "date"):
        for kind in ("size", "descriptive"):
            full = full_rule([None, None], value_type, kind, NULL_VALUES)  # type: ignore[arg-type]
            assert full["value"].dtype == _DTYPES[value_type], (value_type, kind)
