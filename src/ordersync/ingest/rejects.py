"""Building reject records: one per refused cell, missing key part, empty name or stray value.

Every builder returns frames with the same columns (``_file``, ``row``,
``column``, ``raw_value``, ``reason``, ``business_key``), so they stack into the
one ``rejected_rows`` load.  A row with any reject is not staged.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ordersync.config import Config
from ordersync.ingest.headers import SheetLayout
from ordersync.ingest.xlsx_cells import column_letter
from ordersync.names import normalize_header

REJECT_SCHEMA = {"_file": pl.Int32, "row": pl.Int64, "column": pl.String,
                 "raw_value": pl.String, "reason": pl.String, "business_key": pl.String}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)


def cast(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.cast(REJECT_SCHEMA)  # type: ignore[arg-type]


def _stack(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    frames = [f.cast(REJECT_SCHEMA) for f in frames if f.height]  # type: ignore[arg-type]
    return pl.concat(frames) if frames else empty()


def cell_rejects(problems: pl.DataFrame, keys: pl.Series, labels: Sequence[str]
                 ) -> pl.DataFrame:
    """A reject per refused cell.

    ``problems`` holds ``_file``, ``_row``, and for each of ``labels`` its reasons
    (column ``LABEL``) and cleaned text (``raw:LABEL``), row-aligned with ``keys``.
    """
    frame = problems.with_columns(keys.alias("_key"))
    return _stack([
        frame.filter(pl.col(label).is_not_null()).select(
            "_file", pl.col("_row").alias("row"), pl.lit(label).alias("column"),
            pl.col(f"raw:{label}").alias("raw_value"), pl.col(label).alias("reason"),
            pl.col("_key").alias("business_key"))
        for label in labels
    ])


REPEATED_HEADER = ("the header row again (an exported report repeats it after each page "
                   "break): not an order")


def repeated_headers(rows: pl.DataFrame, index: int, layout: SheetLayout,
                     key: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows without those repeating the header (every business key cell reads as its
    column's header), and one reject for each of those — not a refusal per cell."""
    parts = [c for c in layout.columns if c.label in key]
    if not parts or not rows.height:
        return rows, empty()
    same = pl.all_horizontal(
        pl.col(c.source).str.replace_all(r"\s+", " ").str.strip_chars().str.to_uppercase()
        == normalize_header(c.header) for c in parts).fill_null(False)
    hit = rows.select(same).to_series()
    if not hit.any():
        return rows, empty()
    found = rows.filter(hit).select(
        pl.lit(index, dtype=pl.Int32).alias("_file"), pl.col("_row").alias("row"),
        pl.lit(None, dtype=pl.String).alias("column"),
        pl.lit(None, dtype=pl.String).alias("raw_value"),
        pl.lit(REPEATED_HEADER).alias("reason"),
        pl.lit(None, dtype=pl.String).alias("business_key"))
    return rows.filter(~hit), cast(found)


def missing_key_rejects(typed: pl.DataFrame, config: Config,
                        raw_keys: pl.DataFrame) -> pl.DataFrame:
    """A reject per row with a blank business key column.  ``raw_keys`` holds the key
    columns as read (``_file``, ``_row``, one column per key column the batch has): a cell
    holding one of ``columns.null_values`` is blank too, and its reject shows the word."""
    frames = []
    for column in config.merge.key:
        missing = typed.filter(pl.col(column).is_null()).select("_file", "_row")
        if column in raw_keys.columns and missing.height:
            missing = missing.join(
                raw_keys.select("_file", "_row", pl.col(column).str.strip_chars().alias("raw")),
                on=["_file", "_row"], how="left", maintain_order="left")
        else:
            missing = missing.with_columns(pl.lit(None, dtype=pl.String).alias("raw"))
        raw = pl.when(pl.col("raw").str.len_chars() > 0).then(pl.col("raw"))
        frames.append(missing.select(
            "_file", pl.col("_row").alias("row"), pl.lit(column).alias("column"),
            raw.alias("raw_value"),
            pl.when(raw.is_null()).then(pl.lit("missing business key value"))
            .otherwise(pl.lit("missing business key value: ") + raw
                       + pl.lit(" is a null word (columns.null_values)")).alias("reason"),
            pl.lit(None, dtype=pl.String).alias("business_key")))
    return _stack(frames)


def name_rejects(typed: pl.DataFrame) -> pl.DataFrame:
    """A reject per row whose group or item name template has a field without a value, or
    whose name is longer than monday.com takes."""
    return _stack([
        typed.filter(pl.col(f"_{role}_problem").is_not_null() & pl.col("_key").is_not_null())
        .select("_file", pl.col("_row").alias("row"), pl.lit(f"names.{role}").alias("column"),
                pl.lit(None, dtype=pl.String).alias("raw_value"),
                pl.col(f"_{role}_problem").alias("reason"), pl.col("_key").alias("business_key"))
        for role in ("group", "item")
    ])


def error_cells(errors: pl.DataFrame, file_index: int, layout: SheetLayout) -> pl.DataFrame:
    """A reject per Excel error or uncalculated formula below the header (no business key yet:
    see :func:`with_keys`)."""
    if not errors.height:  # as a rule
        return empty()
    below = errors.filter(pl.col("_row") > layout.header_row)
    if not below.height:
        return empty()
    labels = {c.source: c.label for c in layout.columns}
    named = pl.col("source").replace_strict(
        {s: labels.get(s, f"(column {column_letter(int(s[1:]))}, no header)")
         for s in below["source"].unique().to_list()}, return_dtype=pl.String)
    formula = pl.col("error").str.starts_with("uncalculated formula")
    return _stack([below.select(
        pl.lit(file_index).alias("_file"), pl.col("_row").alias("row"), named.alias("column"),
        pl.when(formula).then(pl.col("error").str.strip_prefix("uncalculated formula "))
        .otherwise(pl.col("error")).alias("raw_value"),
        pl.when(formula).then(pl.lit("formula without a calculated value in ") + named
                              + pl.lit(" (open the file in Excel and save it)"))
        .otherwise(pl.lit("Excel error ") + pl.col("error") + pl.lit(" in ") + named)
        .alias("reason"),
        pl.lit(None, dtype=pl.String).alias("business_key"))])


def with_keys(found: pl.DataFrame, typed: pl.DataFrame) -> pl.DataFrame:
    """``found`` rejects with the business key of their row."""
    if not found.height:
        return empty()
    keys = typed.select("_file", pl.col("_row").alias("row"), pl.col("_key").alias("_k"))
    return (found.join(keys, on=["_file", "row"], how="left")
            .with_columns(pl.col("_k").alias("business_key")).drop("_k"))


def stray_rejects(rows: pl.DataFrame, file_index: int, sources: Sequence[str]) -> pl.DataFrame:
    """A reject per value found under a column that has no header (cleaned text in rows)."""
    return _stack([
        rows.filter(pl.col(source).is_not_null()).select(
            pl.lit(file_index).alias("_file"), pl.col("_row").alias("row"),
            pl.lit(f"(column {column_letter(int(source[1:]))}, no header)").alias("column"),
            pl.col(source).alias("raw_value"),
            pl.lit("value in a column with no header").alias("reason"),
            pl.lit(None, dtype=pl.String).alias("business_key"))
        for source in sources
    ])
