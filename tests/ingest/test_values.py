"""Cell typing: what each cell of a column becomes, and why a refused cell was refused.

Each case runs the real pipeline step on a one-column frame of strings: ``clean_text``
(strip, null words → null) then the column's ``type_column`` rule, with the default
``[columns]`` null words and date formats.  The value and the problem text are what a
user sees: the first in the database, the second in ``rejected_rows.reason``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
import pytest

from ordersync.config import ColumnsConfig
from ordersync.db.schema import ColumnKind, ValueType
from ordersync.ingest.values import clean_text, type_column

DEFAULTS = ColumnsConfig()
NULL_VALUES: list[str] = DEFAULTS.null_values
DATE_FORMATS: list[str] = DEFAULTS.date_formats

Case = tuple[str | None, Any, str | None]  # raw cell, expected value, expected problem


def type_cells(
    cells: Sequence[str | None],
    value_type: ValueType,
    kind: ColumnKind = "descriptive",
    date_formats: Sequence[str] = DATE_FORMATS,
) -> pl.DataFrame:
    """Clean then type ``cells`` as one column; columns ``value`` and ``problem``."""
    frame = pl.DataFrame({"cell": list(cells)}, schema={"cell": pl.String})
    rule = type_column("cell", value_type, kind, date_formats)
    return frame.select(clean_text("cell", NULL_VALUES).alias("cell")).select(
        rule.value.alias("value"), rule.problem.alias("problem")
    )


def type_cell(
    raw: str | None,
    value_type: ValueType,
    kind: ColumnKind = "descriptive",
    date_formats: Sequence[str] = DATE_FORMATS,
) -> tuple[Any, str | None]:
    value, problem = type_cells([raw], value_type, kind, date_formats).row(0)
    return value, problem


def ids(cases: Sequence[Case]) -> list[str]:
    return [repr(raw) for raw, _, _ in cases]


# --- text ---------------------------------------------------------------------------------

TEXT_CASES: list[Case] = [
    ("GREYSTONE", "GREYSTONE", None),
    ("  GR-1001-TEE \t", "GR-1001-TEE", None),
    ("\u00a0SEA\u00a0", "SEA", None),
    ("inner  spaces kept", "inner  spaces kept", None),
    ("nan", None, None),
    ("None", None, None),
    ("NULL", None, None),
    ("n/a", None, None),
    ("N/A", None, None),
    ("#N/A", "#N/A", None),  # not a null word: in a workbook it is an error cell (a reject)
    (" n/a ", None, None),
    ("", None, None),
    ("   ", None, None),
    (None, None, None),
    ("12.0", "12", None),
    ("12.000", "12", None),
    ("-3.0", "-3", None),
    ("12.5", "12.5", None),
    ("12.0.0", "12.0.0", None),
    ("B'HOOD", "B'HOOD", None),
    ("O\u2019NEIL", "O\u2019NEIL", None),
    ("CRÈME BRÛLÉE", "CRÈME BRÛLÉE", None),
    ("東京", "東京", None),
]


@pytest.mark.parametrize(("raw", "value", "problem"), TEXT_CASES, ids=ids(TEXT_CASES))
def test_text_cell(raw: str | None, value: str | None, problem: str | None) -> None:
    assert type_cell(raw, "text") == (value, problem)


# --- integers -----------------------------------------------------------------------------

AMBIGUOUS = " is a decimal point or a thousands dot — write the whole number without it"

SIZE_CASES: list[Case] = [
    ("12", 12, None),
    (" 12 ", 12, None),
    ("12.0", 12, None),
    ("1,200", 1200, None),
    ("1,200,000", 1_200_000, None),
    ("1\u00a0200", 1200, None),  # thousands set off by a no-break space, as exports do
    ("1\u202f200\u202f000", 1_200_000, None),  # … a narrow no-break space
    ("0", None, None),  # a zero size is no quantity: same as a blank cell
    ("0.0", None, None),
    ("", None, None),
    ("   ", None, None),
    (None, None, None),
    ("n/a", None, None),
    ("-1", None, "negative quantity"),
    ("-1,200", None, "negative quantity"),
    ("2.5", None, "not a whole number"),
    # One, or a thousand with a thousands dot?  Never guessed (a number cell never reads so).
    ("1.000", None, "ambiguous: 1.000" + AMBIGUOUS),
    ("12.500", None, "ambiguous: 12.500" + AMBIGUOUS),
    ("0.000", None, None),  # a thousands group never starts with 0
    ("1.00", 1, None),
    ("abc", None, "not a number"),
    ("1,2", None, "not a number"),
    ("12 pcs", None, "not a number"),
    ("12 00", None, "not a number"),  # not groups of three: never guessed
    ("100 200", None, "not a number"),  # a plain space: two quantities? never guessed
    ("1 200,5", None, "not a number"),
    ("99999999999999999", None, "number too large"),
]


@pytest.mark.parametrize(("raw", "value", "problem"), SIZE_CASES, ids=ids(SIZE_CASES))
def test_size_cell(raw: str | None, value: int | None, problem: str | None) -> None:
    assert type_cell(raw, "integer", "size") == (value, problem)


INTEGER_CASES: list[Case] = [
    ("48", 48, None),
    ("12.0", 12, None),
    ("1,200", 1200, None),
    ("0", 0, None),  # only sizes treat zero as blank
    ("-5", -5, None),  # only sizes must be ≥ 0
    ("-1,200", -1200, None),
    ("", None, None),
    ("2.5", None, "not a whole number"),
    ("-1.000", None, "ambiguous: -1.000" + AMBIGUOUS),
    ("abc", None, "not a number"),
]


@pytest.mark.parametrize(("raw", "value", "problem"), INTEGER_CASES, ids=ids(INTEGER_CASES))
def test_non_size_integer_cell(raw: str | None, value: int | None, problem: str | None) -> None:
    assert type_cell(raw, "integer", "descriptive") == (value, problem)


# --- decimals -----------------------------------------------------------------------------

DECIMAL_CASES: list[Case] = [
    ("4.50", 4.5, None),
    ("4", 4.0, None),
    ("-2.5", -2.5, None),
    (".5", 0.5, None),
    ("1,234.5", 1234.5, None),
    ("1,234,567.89", 1234567.89, None),
    ("1\u00a0234.5", 1234.5, None),
    ("1e3", 1000.0, None),
    ("2.5E-2", 0.025, None),
    ("", None, None),
    ("nan", None, None),
    ("x", None, "not a number"),
    ("1,23", None, "not a number"),  # a decimal comma is refused, never read as 123
    ("inf", None, "not a number"),
]


@pytest.mark.parametrize(("raw", "value", "problem"), DECIMAL_CASES, ids=ids(DECIMAL_CASES))
def test_decimal_cell(raw: str | None, value: float | None, problem: str | None) -> None:
    assert type_cell(raw, "decimal") == (value, problem)


def test_decimal_too_large_for_a_float_is_refused() -> None:
    value, problem = type_cell("1e400", "decimal")
    assert value is None or math.isfinite(value)
    assert problem is not None


# --- dates --------------------------------------------------------------------------------

MARCH_5 = date(2025, 3, 5)
DATE_CASES: list[Case] = [
    ("2025-03-05 00:00:00", MARCH_5, None),  # an Excel date cell as read
    ("2025-03-05 00:00:00.000", MARCH_5, None),
    ("2025-03-05T10:30", MARCH_5, None),
    ("2025-03-05", MARCH_5, None),
    ("45721", MARCH_5, None),  # Excel serial number
    ("45721.5", MARCH_5, None),  # serial with a time of day
    ("05/03/2025", MARCH_5, None),  # day first, as the customers write
    ("5/3/2025", MARCH_5, None),
    ("5-Mar-2025", MARCH_5, None),
    ("05-MAR-2025", MARCH_5, None),
    ("05 Mar 2025", MARCH_5, None),
    ("05.03.2025", MARCH_5, None),
    ("", None, None),
    ("N/A", None, None),
]


@pytest.mark.parametrize(("raw", "value", "problem"), DATE_CASES, ids=ids(DATE_CASES))
def test_date_cell(raw: str | None, value: date | None, problem: str | None) -> None:
    assert type_cell(raw, "date") == (value, problem)


BAD_DATES = ["next week", "31/02/2025", "2025-02-30", "2025-13-01", "0", "03-05-2025x",
             # a time of day alone, as the reader gives an Excel time cell: not a date
             "1899-12-31 12:00:00", "1899-12-30"]


@pytest.mark.parametrize(("raw", "would_be"), [
    ("2025", "1905-07-17"), ("12", "1900-01-11"), ("250305", "2585-04-22"),
    ("18262", "1949-12-30")])
def test_a_number_giving_no_date_an_order_can_have_is_refused(raw: str, would_be: str) -> None:
    """2025 (a year) and 12 (a week) in a date column were stored as 1905-07-17 and
    1900-01-11, in silence."""
    value, problem = type_cell(raw, "date")
    assert value is None
    assert problem is not None and problem.startswith(
        f"not a date: a number, which as an Excel date serial would be {would_be}, outside "
        "1950-01-01–2199-12-31 (expected an Excel date, a serial number or text like")


def test_a_serial_at_either_end_of_the_window_is_a_date() -> None:
    assert type_cell("18264", "date") == (date(1950, 1, 1), None)
    assert type_cell("109574", "date") == (date(2199, 12, 31), None)


@pytest.mark.parametrize("raw", BAD_DATES, ids=[repr(r) for r in BAD_DATES])
def test_not_a_date_is_refused_with_the_expected_forms(raw: str) -> None:
    value, problem = type_cell(raw, "date")
    assert value is None
    assert problem is not None
    assert problem.startswith("not a date")
    assert "2025-03-05" in problem  # the message shows what would have worked


def test_date_formats_setting_decides_day_or_month_first() -> None:
    assert type_cell("03/05/2025", "date") == (date(2025, 5, 3), None)
    assert type_cell("03/05/2025", "date", date_formats=["%m/%d/%Y"]) == (MARCH_5, None)


# --- whole columns ------------------------------------------------------------------------

ALL_TABLES: list[tuple[str, ValueType, ColumnKind, list[Case]]] = [
    ("text", "text", "descriptive", TEXT_CASES),
    ("size", "integer", "size", SIZE_CASES),
    ("integer", "integer", "descriptive", INTEGER_CASES),
    ("decimal", "decimal", "descriptive", DECIMAL_CASES),
    ("date", "date", "descriptive", DATE_CASES),
]


@pytest.mark.parametrize(
    ("value_type", "kind", "cases"), [t[1:] for t in ALL_TABLES], ids=[t[0] for t in ALL_TABLES]
)
def test_typing_a_whole_column_gives_each_cell_its_own_result(
    value_type: ValueType, kind: ColumnKind, cases: list[Case]
) -> None:
    typed = type_cells([raw for raw, _, _ in cases], value_type, kind)
    assert typed.rows() == [(value, problem) for _, value, problem in cases]


@pytest.mark.parametrize(
    ("value_type", "kind", "dtype"),
    [
        ("text", "descriptive", pl.String),
        ("integer", "size", pl.Int64),
        ("integer", "descriptive", pl.Int64),
        ("decimal", "descriptive", pl.Float64),
        ("date", "descriptive", pl.Date),
    ],
    ids=["text", "size", "integer", "decimal", "date"],
)
def test_an_entirely_blank_column_still_has_its_type(
    value_type: ValueType, kind: ColumnKind, dtype: pl.DataType
) -> None:
    typed = type_cells(["", None, "n/a"], value_type, kind)
    assert typed.schema["value"] == dtype
    assert typed.schema["problem"] == pl.String
    assert typed["value"].null_count() == 3
    assert typed["problem"].null_count() == 3


def test_configured_null_words_replace_the_defaults() -> None:
    frame = pl.DataFrame({"cell": ["TBC", "n/a", " tbc "]})
    cleaned = frame.select(clean_text("cell", ["TBC"]).alias("cell"))["cell"].to_list()
    assert cleaned == [None, "n/a", None]
