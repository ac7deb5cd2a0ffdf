"""Typing cell text: one vectorised rule per value type, each able to say why a cell is bad.

Every rule takes the cleaned text of a column (stripped; configured null words
and empty cells already null) and gives a typed value plus, per cell, the reason
it was refused (null when fine).  Rules:

- text: kept as written; an integral number written as ``12.0`` becomes ``12``
  (CSV exports and Excel number cells disagree on this).
- integer: whole numbers, ``1,200`` (or a no-break space for the comma) and ``12.0``
  accepted, ``1.000`` refused as ambiguous (a thousands dot?); sizes must be ≥ 0 and a
  zero size is the same as a blank cell (no quantity).
- decimal: numbers, ``1,234.50`` and a currency sign (``$12.50``, ``12.50 €``) accepted.
- date: Excel date cells, Excel serial numbers (``45356``), ISO date-times, or
  text in one of ``columns.date_formats``.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from ordersync.db.kinds import ColumnKind, ValueType

_EXCEL_EPOCH = pl.date(1899, 12, 30)
_EPOCH_1904 = pl.date(1904, 1, 1)  # a workbook's date1904 system (Excel for Mac's old default)
_FIRST_DATE = pl.date(1900, 1, 1)
_EXAMPLE_DATE = datetime.date(2025, 3, 5)
_INTEGRAL_FLOAT = r"^-?\d+\.0+$"
_THOUSANDS = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"
# Thousands set off as number formats and European exports write them: a no-break space
# (U+00A0), a narrow no-break space (U+202F) or a thin space (U+2009).  Not a plain space:
# "100 200" typed in a size may as well be two quantities (refused, as ever); nor
# "12 500,0" (a decimal comma is refused, never guessed).
_SPACES = "\u00a0\u202f\u2009"
_THOUSANDS_SPACED = rf"^-?\d{{1,3}}([{_SPACES}]\d{{3}})+(\.\d+)?$"
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
# "1.000" or "12.500" in a whole-number column: one (a decimal point) or a thousand (a
# thousands dot, as much of Europe writes)?  Never guessed; "1.200" is refused anyway.
_DOTTED_THOUSANDS = r"^-?[1-9]\d{0,2}(\.\d{3})+$"
_CURRENCY_BEFORE = r"^([-+]?)\s*[$€£¥]\s*"
_CURRENCY_AFTER = r"\s*[$€£¥]$"


@dataclass(frozen=True)
class Typed:
    """A typed column and, per cell, why it was refused (null when the cell is fine)."""

    value: pl.Expr
    problem: pl.Expr


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
"""Control characters, which show as nothing (tab, line feed and carriage return excepted:
a cell's lines): a NUL no PostgreSQL text takes, the unit separator that joins the parts
of a business key, a terminal's escape sequences, the C1 controls a mis-decoded byte
becomes."""


def clean_text(column: str, null_values: Sequence[str], *, controls: bool = True) -> pl.Expr:
    """Strip, drop control characters (unless told the column has none: see
    :func:`with_controls`); empty cells and the configured null words (any case) become null."""
    # One case-insensitive match per cell: about twice as fast as lower-casing every cell.
    words = "|".join(re.escape(w) for w in null_values if w)
    blank = rf"(?i)^\s*({words})?\s*$" if words else r"^\s*$"
    text = pl.col(column)
    text = text.str.replace_all(_CONTROL, "") if controls else text
    return pl.when(text.str.contains(blank)).then(None).otherwise(text.str.strip_chars())


def with_controls(frame: pl.DataFrame, columns: Sequence[str]) -> set[str]:
    """The columns holding a control character anywhere (as a rule none: looking costs a
    third of removing them from every cell)."""
    if not columns:
        return set()
    found = frame.select(pl.col(columns).str.contains(_CONTROL).any()).row(0)
    return {c for c, hit in zip(columns, found, strict=True) if hit}


def plain_numeric(frame: pl.DataFrame, columns: Sequence[str]) -> set[str]:
    """The columns whose every cell is blank or a plain finite number (``12``, ``4.5``, ``1e3``).

    Most number columns are; they skip the text clean-up (thousands separators,
    validation by pattern), which over 245 size columns is most of the typing time.
    """
    if not columns:
        return set()
    direct = [pl.col(c).cast(pl.Float64, strict=False) for c in columns]
    clean = frame.select(
        (pl.col(c).is_null() | (d.is_not_null() & d.is_finite())).all().alias(c)
        for c, d in zip(columns, direct, strict=True)
    ).row(0)
    return {c for c, ok in zip(columns, clean, strict=True) if ok}


def valid_numbers(frame: pl.DataFrame, columns: Mapping[str, tuple[ValueType, ColumnKind]],
                  null_values: Sequence[str]) -> set[str]:
    """The number columns whose every cell, as read, is blank or a valid value written plainly.

    ``frame`` holds the text as read (not cleaned).  Such a column needs neither the
    clean-up (``12`` stays ``12``) nor a refusal check: :func:`valid_column` types it
    with one cast.  Most number columns are, the 245 size columns above all, and typing
    them the long way is most of the cost of preparing a batch.
    """
    if not columns:
        return set()
    names = list(columns)
    # Each column cast once; a cell that is not blank but does not cast is not plain.  A
    # whole-number column is cast as integers (as number cells read: "12"); the few with
    # other texts ("12.0" from CSV exports) are cast again as floats, unless a cell is the
    # ambiguous "1.000" (one, or a thousand with a thousands dot?), which goes the long way.
    numbers = frame.select(
        pl.col(c).cast(pl.Int64 if columns[c][0] == "integer" else pl.Float64, strict=False)
        for c in names)
    blank = dict(zip(names, frame.select(names).null_count().row(0), strict=True))
    unparsed = dict(zip(names, numbers.null_count().row(0), strict=True))
    again = [c for c in names if columns[c][0] == "integer" and unparsed[c] != blank[c]]
    dotted: set[str] = set()
    if again:
        numbers = numbers.with_columns(
            frame.select(pl.col(c).cast(pl.Float64, strict=False) for c in again))
        unparsed |= dict(zip(again, numbers.select(again).null_count().row(0), strict=True))
        found = frame.select(pl.col(c).str.contains(_DOTTED_THOUSANDS).any()
                             for c in again).row(0)
        dotted = {c for c, hit in zip(again, found, strict=True) if hit}
    checks = []
    for column, (value_type, kind) in columns.items():
        number = pl.col(column)
        if value_type == "integer":
            fine = number.abs() <= 9e15
            if column in again:
                fine = fine & number.is_finite() & (number == number.floor())
            if kind == "size":
                fine = fine & (number >= 0)
        else:
            fine = number.is_finite() & (number.abs() <= _DECIMAL_LIMIT)
        checks.append((number.is_null() | fine).all().alias(column))
    fits = dict(zip(names, numbers.select(checks).row(0), strict=True))
    valid = {c for c in names if blank[c] == unparsed[c] and fits[c] and c not in dotted}
    words = {w.strip().lower() for w in null_values}
    numeric_words = [w for w in words if _is_finite_number(w)]  # "nan" is never valid anyway
    if numeric_words and valid:  # a number configured as a null word goes the long way
        hit = frame.select(pl.col(c).str.to_lowercase().is_in(numeric_words).any()
                           for c in valid).row(0, named=True)
        valid -= {c for c, found in hit.items() if found}
    return valid


def valid_column(column: str, value_type: ValueType, kind: ColumnKind, *,
                 typed: bool = False) -> Typed:
    """The rule for a column :func:`valid_numbers` found valid: the same values as
    :func:`type_column` gives it, by one cast (none when ``typed``: the column holds its
    values already, as :func:`iso_date_columns` gives them)."""
    if typed:
        return Typed(pl.col(column), pl.lit(None, dtype=pl.String))
    number = pl.col(column).cast(pl.Float64, strict=False)
    if value_type == "decimal":
        return Typed(number, pl.lit(None, dtype=pl.String))
    value = number.cast(pl.Int64, strict=False)
    if kind == "size":  # a zero size is no quantity, the same as a blank cell
        value = pl.when(value == 0).then(None).otherwise(value)
    return Typed(value, pl.lit(None, dtype=pl.String))


def _is_finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def type_column(column: str, value_type: ValueType, kind: ColumnKind,
                date_formats: Sequence[str], *, plain: bool = False,
                dates_from_1904: bool = False) -> Typed:
    """The rule for one column whose cleaned text is in ``column``.

    ``plain`` (see :func:`plain_numeric`) takes the fast path for number columns;
    it gives the same result as the full rule on such columns.  ``dates_from_1904``: a date
    written as a plain number counts from 1904-01-01 (the workbook's date system), not
    from Excel's usual 1899-12-30.
    """
    if value_type == "integer":
        return _integer(column, size=kind == "size", plain=plain)
    if value_type == "decimal":
        return _decimal(column, plain=plain)
    if value_type == "date":
        return _date(column, date_formats, _EPOCH_1904 if dates_from_1904 else _EXCEL_EPOCH)
    text = pl.col(column)
    value = pl.when(text.str.contains(_INTEGRAL_FLOAT)).then(
        text.str.replace(r"\.0+$", "")).otherwise(text)
    return Typed(value, pl.lit(None, dtype=pl.String))


def without_currency(text: pl.Expr) -> pl.Expr:
    """A price's text without its currency sign: "$12.50", "-£3", "12,50 €" → "12.50",
    "-3", "12,50"."""
    return text.str.replace(_CURRENCY_BEFORE, "${1}").str.replace(_CURRENCY_AFTER, "")


def _number(column: str, *, plain: bool = False, currency: bool = False) -> pl.Expr:
    text = pl.col(column)
    if plain:
        return text.cast(pl.Float64, strict=False)
    if currency:
        text = without_currency(text)
    digits = (pl.when(text.str.contains(_THOUSANDS)).then(text.str.replace_all(",", ""))
              .when(text.str.contains(_THOUSANDS_SPACED))
              .then(text.str.replace_all(f"[{_SPACES}]", ""))
              .otherwise(text))
    return pl.when(digits.str.contains(_NUMBER)).then(digits.cast(pl.Float64, strict=False))


def _integer(column: str, *, size: bool, plain: bool = False) -> Typed:
    text = pl.col(column)
    number = _number(column, plain=plain)
    negative = (number < 0) if size else pl.lit(False)
    problem = (
        pl.when(text.is_null()).then(None)
        .when(text.str.contains(_DOTTED_THOUSANDS)).then(
            pl.lit("ambiguous: ") + text + pl.lit(" is a decimal point or a thousands dot — "
                                                  "write the whole number without it"))
        .when(number.is_null()).then(pl.lit("not a number"))
        .when(number != number.floor()).then(pl.lit("not a whole number"))
        .when(number.abs() > 9e15).then(pl.lit("number too large"))
        .when(negative).then(pl.lit("negative quantity"))
        .otherwise(None)
    )
    value = number.cast(pl.Int64, strict=False)
    if size:  # a zero size is no quantity, the same as a blank cell
        value = pl.when(value == 0).then(None).otherwise(value)
    return Typed(pl.when(problem.is_null()).then(value), problem)


# Decimals are hashed as whole millionths in 64 bits (see hashing.py): 9.2e12 is the
# ceiling, far above any price, weight or rate on an order.
_DECIMAL_LIMIT = 9e12


def _decimal(column: str, *, plain: bool = False) -> Typed:
    text = pl.col(column)
    number = _number(column, plain=plain, currency=True)
    problem = (
        pl.when(text.is_null()).then(None)
        .when(number.is_null() | number.is_nan()).then(pl.lit("not a number"))
        .when(number.abs() > _DECIMAL_LIMIT).then(pl.lit("number too large"))
        .otherwise(None)
    )
    return Typed(pl.when(problem.is_null()).then(number), problem)


# Years from 1900: Excel has no earlier date, and a time of day alone (12:00) reads as
# "1899-12-31 12:00:00" — refused, never stored as a date.
_ISO_DATE = r"^(19\d\d|[2-9]\d{3})-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"


def _iso_date(text: pl.Expr) -> pl.Expr:
    """The date of an ISO date or date-time text; Excel date cells arrive as
    "2025-03-05 00:00:00" (or with fractional seconds)."""
    return pl.when(text.str.contains(_ISO_DATE)).then(
        text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))


def iso_date_columns(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """The date columns (cleaned text in ``frame``) whose every cell is blank or an ISO
    date, typed: as Excel date cells read, most date columns are, and for them this is
    what :func:`type_column` gives, without trying the other forms on every cell."""
    if not columns:
        return pl.DataFrame()
    dates = frame.select(_iso_date(pl.col(c)).alias(c) for c in columns)
    blank = frame.select(columns).null_count().row(0)
    parsed = dates.null_count().row(0)
    return dates.select(c for c, b, p in zip(columns, blank, parsed, strict=True) if b == p)


def _date(column: str, date_formats: Sequence[str], epoch: pl.Expr) -> Typed:
    text = pl.col(column)
    iso = _iso_date(text)
    serial_number = pl.when(text.str.contains(r"^\d{1,7}(\.\d+)?$")).then(
        text.cast(pl.Float64, strict=False))
    as_serial = pl.when((serial_number >= 1) & (serial_number < _PAST_LAST_SERIAL)).then(
        epoch + pl.duration(days=serial_number.floor().cast(pl.Int64))).cast(pl.Date)
    # A bare number is an Excel date serial only where it gives a date an order can have:
    # 2025 (a year) or 12 (a week) would be 1905-07-17 or 1900-01-11.
    serial = pl.when(as_serial.is_between(pl.lit(_FIRST_SERIAL_DATE), pl.lit(_LAST_SERIAL_DATE))
                     ).then(as_serial)
    formats = [text.str.to_date(fmt, strict=False, exact=True) for fmt in date_formats]
    value = pl.coalesce(iso, serial, *formats)
    value = pl.when(value >= _FIRST_DATE).then(value)  # nothing earlier is an Excel date
    # Show what would have worked as dates, not as strptime codes.
    examples = ", ".join(_EXAMPLE_DATE.strftime(fmt) for fmt in date_formats[:3])
    expected = f"expected an Excel date, a serial number or text like {examples}"
    problem = pl.when(text.is_not_null() & value.is_null()).then(
        pl.when(as_serial.is_not_null()).then(pl.concat_str(
            pl.lit("not a date: a number, which as an Excel date serial would be "),
            as_serial.dt.strftime("%Y-%m-%d"),
            pl.lit(f", outside {_FIRST_SERIAL_DATE}–{_LAST_SERIAL_DATE} ({expected})")))
        .when(text.str.contains(r"^\d+(\.\d+)?$")
              & (text.cast(pl.Float64, strict=False) >= _PAST_LAST_SERIAL)).then(pl.lit(
            f"not a date: a number too large to be an Excel date, which ends at 9999-12-31 "
            f"({expected})"))
        .otherwise(pl.lit(f"not a date ({expected})"))
    ).otherwise(None)
    return Typed(value, problem)


_PAST_LAST_SERIAL = 2958466  # 10000-01-01 as an Excel date serial
_FIRST_SERIAL_DATE, _LAST_SERIAL_DATE = datetime.date(1950, 1, 1), datetime.date(2199, 12, 31)
"""The dates a bare number may be the Excel serial of (one definition: the rule and its
message)."""
