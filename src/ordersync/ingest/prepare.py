"""Turning read sheets into staged rows, size lines and rejects — columnar, all files at once.

The sheets of one ingest are stacked into one frame (columns renamed to their
labels, each row tagged with its file), so every typing rule runs once over all
rows rather than once per file: polars' cost is per expression, and a 305-column
layout has hundreds of them.  Then: drop fully blank rows (counted), clean and
type every column, reject refused cells, rows missing a key part or a name, and
values under header-less columns; for the rest compute the business key, row
hash, cancellation flag and group / item names, and unpivot the sizes into
lines (in slices, so memory stays flat).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ordersync import timing
from ordersync.config import Config, ProfileConfig
from ordersync.db.schema import ColumnKind, ColumnRequest, ValueType
from ordersync.hashing import canonical_value, row_hashes, size_texts
from ordersync.ingest import rejects
from ordersync.ingest.headers import SheetLayout, data_rows
from ordersync.ingest.reader import RawSheet
from ordersync.ingest.values import clean_text, plain_numeric, type_column
from ordersync.names import NameTemplate, TemplateField

KEY_SEPARATOR = "\x1f"
_UNPIVOT_SLICE = 12_500


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

    frames, strays = [], []
    for index, item in enumerate(inputs):
        rows = data_rows(item.sheet, item.layout)
        unnamed = [clean_text(s, null_values).alias(s) for s in item.layout.unnamed]
        rows = rows.with_columns(unnamed) if unnamed else rows
        strays.append(rejects.stray_rejects(rows, index, item.layout.unnamed))
        has_stray = (pl.any_horizontal(pl.col(list(item.layout.unnamed)).is_not_null())
                     if item.layout.unnamed else pl.lit(False))
        frames.append(rows.select(
            pl.lit(index, dtype=pl.Int32).alias("_file"), "_row", has_stray.alias("_stray"),
            *(pl.col(c.source).alias(c.label) for c in item.layout.columns)))
    # Intermediate frames are dropped as soon as the next one exists: a 305-column batch
    # of text is a few hundred MB.
    combined = pl.concat(frames, how="diagonal")
    del frames
    cleaned = combined.select("_file", "_row", "_stray",
                              *(clean_text(label, null_values).alias(label) for label in labels))
    del combined
    blank = pl.all_horizontal(pl.col(labels).is_null()) & ~pl.col("_stray")
    blanks = cleaned.filter(blank).group_by("_file").len()
    cleaned = cleaned.filter(~blank)
    read = cleaned.group_by("_file").len()

    plain = plain_numeric(cleaned, [k for k, t in types.items() if t in ("integer", "decimal")])
    rules = {label: type_column(label, types[label], kinds[label], config.columns.date_formats,
                                plain=label in plain) for label in labels}
    checked = [label for label in labels if types[label] != "text"]
    flags = cleaned.select(rules[label].problem.is_not_null().any().alias(label)
                           for label in checked).row(0) if checked else ()
    flagged = [label for label, bad in zip(checked, flags, strict=True) if bad]
    problems = cleaned.select(
        "_file", "_row", *(rules[label].problem.alias(label) for label in flagged),
        *(pl.col(label).alias(f"raw:{label}") for label in flagged))
    typed = cleaned.select("_file", "_row",
                           *(rule.value.alias(label) for label, rule in rules.items()))
    del cleaned
    typed = _with_customer(typed, config, inputs, types)
    key = pl.concat_str([canonical_value(k, types[k]) for k in config.merge.key],
                        separator=KEY_SEPARATOR)
    typed = typed.with_columns(key.alias("_key"))
    typed = typed.with_columns(_render(config.names.group_template, types).alias("_group"),
                               _render(config.names.item_template, types).alias("_item"))

    rejected = pl.concat([
        rejects.cell_rejects(problems, typed["_key"], flagged),
        rejects.missing_key_rejects(typed, config),
        rejects.name_rejects(typed, config),
        *strays,
    ])
    bad = rejected.select("_file", pl.col("row").alias("_row")).unique()
    staged = typed.join(bad, on=["_file", "_row"], how="anti")
    timing.lap("type")

    sizes = [label for label in labels if kinds[label] == "size"]
    lines = _unpivot(staged, sizes)
    timing.lap("unpivot")
    hashed = set(config.merge.hash_columns or labels)
    descriptive = {k: v for k, v in types.items() if kinds.get(k) != "size" and k in hashed}
    hashed_lines = lines if not config.merge.hash_columns else lines.filter(
        pl.col("size_code").is_in([s for s in sizes if s in hashed]))
    staged = staged.join(size_texts(hashed_lines, ["_file", "_row"]), on=["_file", "_row"],
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
    requests = tuple(ColumnRequest(label, kinds[label], types[label]) for label in labels)
    return PreparedBatch(requests, staged, lines, rejected,
                         _stats(inputs, read, staged, rejected, blanks))


def _unpivot(staged: pl.DataFrame, sizes: list[str]) -> pl.DataFrame:
    """One line per row × size with qty > 0; in slices so no N × 245 frame is materialised."""
    schema = {"_file": pl.Int32, "_row": pl.Int64, "size_code": pl.String, "qty": pl.Int64}
    if not sizes or not staged.height:
        return pl.DataFrame(schema=schema)
    parts = [
        part.select("_file", "_row", *sizes)
        .unpivot(index=["_file", "_row"], on=sizes, variable_name="size_code", value_name="qty")
        .filter(pl.col("qty") > 0)
        for part in staged.iter_slices(_UNPIVOT_SLICE)
    ]
    return pl.concat(parts).cast(schema)  # type: ignore[arg-type]


def _stats(inputs: Sequence[SheetInput], read_counts: pl.DataFrame, staged: pl.DataFrame,
           rejected: pl.DataFrame, blanks: pl.DataFrame) -> tuple[FileStats, ...]:
    def counts(frame: pl.DataFrame) -> dict[int, int]:
        return dict(frame.group_by("_file").len().iter_rows()) if frame.height else {}

    read, staged_n = dict(read_counts.iter_rows()), counts(staged)
    rejected_n = counts(rejected.select("_file", "row").unique())
    blank_n = dict(blanks.iter_rows()) if blanks.height else {}
    return tuple(
        FileStats(item.sheet.sheet, item.layout.header_row, read.get(i, 0), blank_n.get(i, 0),
                  rejected_n.get(i, 0), staged_n.get(i, 0))
        for i, item in enumerate(inputs)
    )


def _with_customer(typed: pl.DataFrame, config: Config, inputs: Sequence[SheetInput],
                   types: dict[str, ValueType]) -> pl.DataFrame:
    """Canonical customer names; blank or missing customer cells get the profile's customer."""
    column = config.columns.customer
    fallback = pl.col("_file").replace_strict(
        {i: item.profile.customer for i, item in enumerate(inputs)}, return_dtype=pl.String)
    if column not in typed.columns:
        types[column] = "text"
        return typed.with_columns(fallback.alias(column))
    names = config.columns.customer_names
    upper = pl.col(column).str.replace_all(r"\s+", " ").str.to_uppercase()
    mapped = upper.replace_strict(names, default=pl.col(column)) if names else pl.col(column)
    return typed.with_columns(mapped.fill_null(fallback).alias(column))


def _render(template: NameTemplate, types: dict[str, ValueType]) -> pl.Expr:
    parts: list[pl.Expr] = []
    for part in template.parts:
        if isinstance(part, TemplateField):
            present = [canonical_value(c, types[c]) for c in part.columns if c in types]
            parts.append(pl.coalesce(present).fill_null("") if present else pl.lit(""))
        else:
            parts.append(pl.lit(part))
    text = pl.concat_str(parts).str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)
