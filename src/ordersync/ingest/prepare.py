"""Turning read sheets into staged rows, size lines and rejects — columnar, all files at once.

The sheets of one ingest are stacked into one frame (columns renamed to their
labels, each row tagged with its file), so every typing rule runs once over all
rows rather than once per file: polars' cost is per expression, and a 305-column
layout has hundreds of them.  Then: drop fully blank rows (counted), clean and
type every column, reject refused cells, rows missing a key part or a name, and
values under header-less columns; for the rest compute the business key, row
hash, cancellation flag and group / item names, and unpivot the sizes into
lines (in slices, so memory stays flat).  Number columns whose every cell is
already a valid plain number (the size columns, as a rule) and date columns of
ISO dates only (Excel date cells) are typed by one cast, without the clean-up
and refusal checks the other columns need: the same values, a third of the time.
A column blank in every file of the batch (half the sizes, as a rule: a
customer uses a few of the 245) becomes nulls of its type without any rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ordersync import timing
from ordersync.config import Config, ProfileConfig
from ordersync.db.kinds import ColumnKind, ColumnRequest, ValueType
from ordersync.hashing import canonical_value, row_hashes, size_texts
from ordersync.ingest import naming, rejects
from ordersync.ingest.headers import SheetLayout, data_rows
from ordersync.ingest.reader import RawSheet
from ordersync.ingest.totals import check_totals
from ordersync.ingest.values import (
    Typed,
    clean_text,
    iso_date_columns,
    plain_numeric,
    type_column,
    valid_column,
    valid_numbers,
    with_controls,
    without_currency,
)

KEY_SEPARATOR = "\x1f"
_DTYPES: dict[ValueType, type[pl.DataType]] = {
    "text": pl.String, "integer": pl.Int64, "decimal": pl.Float64, "date": pl.Date}
"""What each value type's rule gives (see ``values``)."""


@dataclass(frozen=True)
class SheetInput:
    """One sheet to prepare, with how it was read."""

    sheet: RawSheet
    layout: SheetLayout
    profile: ProfileConfig


@dataclass(frozen=True)
class FileStats:
    sheet: str
    header_row: int
    rows_read: int
    rows_blank: int
    rows_rejected: int
    rows_staged: int


@dataclass(frozen=True)
class PreparedBatch:
    """Everything the sheets contribute; ``_file`` is the sheet's index in the input."""

    columns: tuple[ColumnRequest, ...]
    staged: pl.DataFrame  # _file, _row, labels…, _key _hash _cancelled _group _item _sheet
    lines: pl.DataFrame  # _file, _row, size_code, qty
    rejects: pl.DataFrame  # _file, row, column, raw_value, reason, business_key
    stats: tuple[FileStats, ...]
    warnings: pl.DataFrame  # _file, row, business_key, message: staged rows to look at
    names: pl.DataFrame  # distinct customer, season (as written), group of the staged rows


def column_conflicts(inputs: Sequence[SheetInput]) -> dict[int, str]:
    """Sheets whose column types contradict an earlier sheet's: index → reason."""
    first: dict[str, tuple[str, str, str]] = {}  # label → (kind, type, file)
    conflicts: dict[int, str] = {}
    for index, item in enumerate(inputs):
        for column in item.layout.columns:
            seen = first.setdefault(column.label,
                                    (column.kind, column.value_type, item.sheet.file))
            if seen[:2] != (column.kind, column.value_type) and index not in conflicts:
                conflicts[index] = (
                    f"column {column.label!r} is a {column.kind} column here but a {seen[0]} "
                    f"column in {seen[2]}: check the size marker columns of both files")
    return conflicts


def prepare_batch(inputs: Sequence[SheetInput], config: Config) -> PreparedBatch:
    types: dict[str, ValueType] = {}
    kinds: dict[str, ColumnKind] = {}
    for item in inputs:
        for column in item.layout.columns:
            types.setdefault(column.label, column.value_type)
            kinds.setdefault(column.label, column.kind)
    labels = list(types)
    null_values = config.columns.null_values

    frames, strays, errors, repeats = [], [], [], []
    for index, item in enumerate(inputs):
        rows, repeated = rejects.repeated_headers(data_rows(item.sheet, item.layout), index,
                                                  item.layout, config.merge.key)
        repeats.append(repeated)
        unnamed = [clean_text(s, null_values).alias(s) for s in item.layout.unnamed]
        rows = rows.with_columns(unnamed) if unnamed else rows
        strays.append(rejects.stray_rejects(rows, index, item.layout.unnamed))
        found = rejects.error_cells(item.sheet.errors, index, item.layout)
        errors.append(found)
        has_stray = (pl.any_horizontal(pl.col(list(item.layout.unnamed)).is_not_null())
                     if item.layout.unnamed else pl.lit(False))
        if found.height:  # a row whose only cells are errors is not blank
            has_stray = has_stray | pl.col("_row").is_in(found["row"].implode())
        frames.append(_labelled(rows, index, has_stray, item))
    # Intermediate frames are dropped as soon as the next one exists: a 305-column batch
    # of text is a few hundred MB.  One chunk per column: every rule below runs over it, and
    # a column in hundreds of pieces (a batch of hundreds of small files) made each slower.
    combined = pl.concat(frames, how="diagonal", rechunk=True)
    del frames
    # A column blank in every file of the batch (most sizes: a customer uses a few of the
    # 245) is a column of nulls of its type, without a pass over its cells.
    blank = {label for label, nulls in zip(combined.columns, combined.null_count().row(0),
                                           strict=True)
             if nulls == combined.height and label in types} if combined.height else set()
    live = [label for label in labels if label not in blank]
    valid = valid_numbers(combined, {k: (types[k], kinds[k]) for k in live
                                     if types[k] in ("integer", "decimal")}, null_values)
    controlled = with_controls(combined, [label for label in live if label not in valid])
    cleaned = combined.select("_file", "_row", "_stray", *(
        pl.col(label) if label in valid
        else clean_text(label, null_values, controls=label in controlled).alias(label)
        for label in live))
    key_columns = [k for k in config.merge.key if k in combined.columns]
    raw_keys = combined.select("_file", "_row", *key_columns)
    del combined
    cleaned, blanks = _without_blank_rows(cleaned, live, config.merge.key)
    read = cleaned.select("_file").group_by("_file").len()

    dates = iso_date_columns(cleaned, [k for k in live if types[k] == "date"])
    cleaned = cleaned.with_columns(dates)  # typed already
    valid |= set(dates.columns)
    plain = plain_numeric(cleaned, [k for k in live
                                    if types[k] in ("integer", "decimal") and k not in valid])
    date_rules = _date_rules(inputs, config)
    rules = {label: valid_column(label, types[label], kinds[label], typed=label in dates)
             if label in valid
             else _per_sheet(label, types[label], kinds[label], date_rules, plain=label in plain)
             for label in live}
    checked = [label for label in live if types[label] != "text" and label not in valid]
    flags = cleaned.select(rules[label].problem.is_not_null().any().alias(label)
                           for label in checked).row(0) if checked else ()
    flagged = [label for label, bad in zip(checked, flags, strict=True) if bad]
    problems = cleaned.select(
        "_file", "_row", *(rules[label].problem.alias(label) for label in flagged),
        *(pl.col(label).alias(f"raw:{label}") for label in flagged))
    typed = cleaned.select("_file", "_row", *(
        rules[label].value.alias(label) if label in rules
        else pl.lit(None, dtype=_DTYPES[types[label]]).alias(label) for label in labels))
    del cleaned
    typed = naming.with_customer(typed, config, [i.profile for i in inputs], types)
    kinds.setdefault(config.columns.customer, "descriptive")
    # A key's text in Unicode's composed form: CAFÉ typed on a Mac (E + a combining accent)
    # looks the same as Windows' É but made a second order.
    typed = typed.with_columns(pl.col(k).str.normalize("NFC")
                               for k in config.merge.key if types[k] == "text")
    key = pl.concat_str([canonical_value(k, types[k]) for k in config.merge.key],
                        separator=KEY_SEPARATOR)
    typed = typed.with_columns(key.alias("_key"))
    sizes = [label for label in labels if kinds[label] == "size"]
    totals = check_totals(typed, config, sizes, types, blank)
    seasons = naming.canonical_seasons(typed, config)
    group = naming.render("group", config.names.group_template, types, seasons)
    item_name = naming.render("item", config.names.item_template, types, {})
    typed = typed.with_columns(group.value.alias("_group"), item_name.value.alias("_item"),
                               group.problem.alias("_group_problem"),
                               item_name.problem.alias("_item_problem"))

    rejected = pl.concat([
        rejects.with_keys(pl.concat(errors), typed),
        rejects.cell_rejects(problems, typed["_key"], flagged),
        *totals.rejects,
        rejects.missing_key_rejects(typed, config, raw_keys),
        rejects.name_rejects(typed),
        *strays,
        *repeats,
    ])
    bad = rejected.select("_file", pl.col("row").alias("_row")).unique()
    staged = (typed.join(bad, on=["_file", "_row"], how="anti") if bad.height else typed).drop(
        "_group_problem", "_item_problem")
    timing.lap("type")

    lines = _unpivot(staged, [size for size in sizes if size not in blank])
    timing.lap("unpivot")
    hashed = set(config.merge.hash_columns or labels)
    # Every descriptive column (of merge.hash_columns, when set), blank in the files or not:
    # the customer's is filled in above.  The sizes always count: a quantity the hash did
    # not see would never reach the board.
    descriptive = {k: v for k, v in types.items() if kinds.get(k) != "size" and k in hashed}
    staged = staged.join(size_texts(lines, ["_file", "_row"]), on=["_file", "_row"],
                         how="left", maintain_order="left")
    cancel = config.merge.cancel
    cancelled = (pl.col(cancel.column).str.to_uppercase().is_in([v.upper() for v in cancel.values])
                 if cancel.column in types else pl.lit(False))
    sheets = {i: item.sheet.sheet for i, item in enumerate(inputs)}
    staged = staged.with_columns(
        row_hashes(staged, descriptive, sizes="_sizes"),
        cancelled.fill_null(False).cast(pl.Int64).alias("_cancelled"),
        pl.col("_file").replace_strict(sheets, return_dtype=pl.String).alias("_sheet"),
    ).drop("_sizes")
    timing.lap("hash")
    requests = tuple(ColumnRequest(label, kinds[label], types[label]) for label in types)
    return PreparedBatch(requests, staged, lines, rejected,
                         _stats(inputs, read, staged, rejected, blanks, pl.concat(repeats)),
                         totals.warnings.join(bad, left_on=["_file", "row"],
                                              right_on=["_file", "_row"], how="anti"),
                         naming.name_rows(staged, config))


_DateRule = tuple[tuple[str, ...], bool]
"""How a sheet's dates read: the date formats of its text, and whether a date written as
a plain number counts from 1904."""


def _date_rules(inputs: Sequence[SheetInput], config: Config) -> dict[_DateRule, list[int]]:
    """The date rules in force → the sheets (by ``_file``) they hold for: a profile's own
    ``date_formats`` (a US customer's month first), else ``columns.date_formats``; and the
    workbook's date system."""
    groups: dict[_DateRule, list[int]] = {}
    for index, item in enumerate(inputs):
        formats = item.profile.date_formats or config.columns.date_formats
        groups.setdefault((tuple(formats), item.sheet.dates_from_1904), []).append(index)
    return groups


def _per_sheet(label: str, value_type: ValueType, kind: ColumnKind,
               date_rules: dict[_DateRule, list[int]], *, plain: bool) -> Typed:
    """``type_column``, a date column with each sheet's date rule when the batch's differ."""
    def rule(formats: tuple[str, ...], from_1904: bool) -> Typed:
        return type_column(label, value_type, kind, list(formats), plain=plain,
                           dates_from_1904=from_1904)

    if value_type != "date" or len(date_rules) == 1:
        return rule(*next(iter(date_rules)))
    value: pl.Expr = pl.lit(None, dtype=pl.Date)
    problem: pl.Expr = pl.lit(None, dtype=pl.String)
    for (formats, from_1904), files in reversed(date_rules.items()):
        typed, condition = rule(formats, from_1904), pl.col("_file").is_in(files)
        value = pl.when(condition).then(typed.value).otherwise(value)
        problem = pl.when(condition).then(typed.problem).otherwise(problem)
    return Typed(value, problem)


def _without_blank_rows(cleaned: pl.DataFrame, labels: list[str], key: Sequence[str]
                        ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows with a value (or a stray value or an error cell), and blank rows per file.

    Only rows without any key part can be blank, so the 300-column test runs on those
    alone, and the frame is copied only when it has a blank row.
    """
    present = [k for k in key if k in labels] or labels
    keyless = cleaned.select(
        pl.all_horizontal(pl.col(present).is_null()) & ~pl.col("_stray")).to_series()
    if not keyless.any():  # as a rule: no 300-column frame is filtered at all
        return cleaned, pl.DataFrame(schema={"_file": pl.Int32, "len": pl.UInt32})
    candidates = cleaned.filter(keyless)
    blank = candidates.filter(pl.all_horizontal(pl.col(labels).is_null())).select("_file", "_row")
    if blank.height:
        cleaned = cleaned.join(blank, on=["_file", "_row"], how="anti", maintain_order="left")
    return cleaned, blank.group_by("_file").len()


def _labelled(rows: pl.DataFrame, index: int, has_stray: pl.Expr, item: SheetInput
              ) -> pl.DataFrame:
    """One sheet's rows as ``_file``, ``_row``, ``_stray`` and its columns under their labels.

    Picked and renamed as a frame, not by an expression per column: polars' cost is per
    expression, and a batch of hundreds of small files spent most of its time here.
    """
    columns = item.layout.columns
    frame = rows[["_row", *(c.source for c in columns)]]
    frame.columns = ["_row", *(c.label for c in columns)]
    frame.insert_column(0, pl.repeat(index, rows.height, dtype=pl.Int32, eager=True)
                        .alias("_file"))
    frame.insert_column(2, rows.select("_row", has_stray.alias("_stray"))["_stray"])
    if item.sheet.decimal_comma:
        # Numbers of every kind: a quantity of 1.000 in such a file is a thousand.
        numbers = [c.label for c in columns if c.value_type in ("decimal", "integer")]
        frame = frame.with_columns(_decimal_comma(label).alias(label)
                                   for label in _comma_columns(frame, numbers))
    return frame


def _bare(column: str) -> pl.Expr:
    return without_currency(pl.col(column).str.strip_chars())


def _comma_columns(frame: pl.DataFrame, labels: Sequence[str]) -> list[str]:
    """The number columns of a decimal-comma file that write its decimal mark: a column
    whose numbers show a decimal point (12.50, 0.500) and never a decimal comma is read as
    written — 0.500 there is half, not five hundred."""
    if not labels:
        return []
    flags = frame.select(
        *(_bare(label).str.contains(r",\d+$").any().alias(f"comma:{label}")
          for label in labels),
        *(_bare(label).str.contains(_DOT_DECIMAL).any().alias(f"dot:{label}")
          for label in labels)).row(0, named=True)
    return [label for label in labels
            if flags[f"comma:{label}"] or not flags[f"dot:{label}"]]


_DOT_DECIMAL = r"^[-+]?(\d*\.(\d{1,2}|\d{4,})|0\.\d+)$"
"""A number that can only be written with a decimal point: not three digits after the dot
(12.50, 3.1415), or a whole part of 0 (0.500)."""


def _decimal_comma(column: str) -> pl.Expr:
    """A ';' CSV's decimal text: 1.234,50 (or 12,50 €) becomes 1234.50; 0.500 stays (a
    thousands group never starts with 0)."""
    bare = _bare(column)
    european = bare.str.contains(r"^[-+]?([1-9]\d{0,2}(\.\d{3})+|\d+)(,\d+)?$")
    return pl.when(european).then(
        bare.str.replace_all(".", "", literal=True)
        .str.replace(",", ".", literal=True)).otherwise(pl.col(column))


def _unpivot(staged: pl.DataFrame, sizes: list[str]) -> pl.DataFrame:
    """One line per row × size with qty > 0, in slices of rows, so the N × 245 frame the
    unpivot makes before its filter stays small (the size columns are mostly blank)."""
    schema = {"_file": pl.Int32, "_row": pl.Int64, "size_code": pl.String, "qty": pl.Int64}
    if not sizes or not staged.height:
        return pl.DataFrame(schema=schema)
    rows = max(1, _UNPIVOT_CELLS // len(sizes))
    parts = [part.select("_file", "_row", *(pl.col(size).cast(pl.Int64) for size in sizes))
             .unpivot(index=["_file", "_row"], variable_name="size_code", value_name="qty")
             .filter(pl.col("qty") > 0)
             for part in staged.iter_slices(rows)]
    return pl.concat(parts).cast(schema)  # type: ignore[arg-type]


_UNPIVOT_CELLS = 2_000_000
"""Size cells unpivoted at once (~60 MB before the filter); measured 2–4× faster than one
select per size column, which has a fixed cost per column that small batches feel most."""


def _stats(inputs: Sequence[SheetInput], read_counts: pl.DataFrame, staged: pl.DataFrame,
           rejected: pl.DataFrame, blanks: pl.DataFrame, repeated: pl.DataFrame
           ) -> tuple[FileStats, ...]:
    """Per sheet: rows read (the header repeated in them counts: it is rejected), blank,
    rejected, staged."""
    def counts(frame: pl.DataFrame) -> dict[int, int]:
        if not frame.height:
            return {}
        return dict(frame.select("_file").group_by("_file").len().iter_rows())

    read, staged_n = dict(read_counts.iter_rows()), counts(staged)
    for index, n in counts(repeated).items():
        read[index] = read.get(index, 0) + n
    rejected_n = counts(rejected.select("_file", "row").unique())
    blank_n = dict(blanks.iter_rows()) if blanks.height else {}
    return tuple(
        FileStats(item.sheet.sheet, item.layout.header_row, read.get(i, 0), blank_n.get(i, 0),
                  rejected_n.get(i, 0), staged_n.get(i, 0))
        for i, item in enumerate(inputs)
    )
