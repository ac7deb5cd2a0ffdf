"""Turning a read sheet into staged rows, their size lines and rejects — columnar, no row loops.

For one sheet: drop fully blank rows (counted), clean and type every column,
collect each refused cell as a reject, reject rows missing a business-key part
or a name, then for the rows that remain compute the business key, row hash,
cancellation flag and group / item names, and unpivot the sizes into lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ordersync.config import Config, ProfileConfig
from ordersync.db.schema import ColumnRequest, ValueType
from ordersync.hashing import canonical_value, row_hashes
from ordersync.ingest.headers import SheetLayout, data_rows
from ordersync.ingest.reader import RawSheet
from ordersync.ingest.values import clean_text, type_column
from ordersync.names import NameTemplate, TemplateField

KEY_SEPARATOR = "\x1f"
_REJECT_SCHEMA = {"row": pl.Int64, "column": pl.String, "raw_value": pl.String,
                  "reason": pl.String, "business_key": pl.String}


@dataclass(frozen=True)
class PreparedSheet:
    """What one sheet contributes: staged rows, their lines, rejects and counts."""

    sheet: str
    header_row: int
    columns: tuple[ColumnRequest, ...]
    staged: pl.DataFrame  # label-named business columns + _row _key _hash _cancelled _group _item
    lines: pl.DataFrame  # _row, size_code, qty
    rejects: pl.DataFrame  # row, column, raw_value, reason, business_key
    rows_read: int
    rows_blank: int

    @property
    def rows_rejected(self) -> int:
        return self.rejects["row"].n_unique() if self.rejects.height else 0


def prepare_sheet(sheet: RawSheet, layout: SheetLayout, config: Config,
                  profile: ProfileConfig) -> PreparedSheet:
    rows = data_rows(sheet, layout)
    sources = [c.source for c in layout.columns] + list(layout.unnamed)
    cleaned = rows.select(
        "_row", *(clean_text(s, config.columns.null_values).alias(s) for s in sources))
    blank = cleaned.select(pl.all_horizontal(pl.col(sources).is_null()).alias("b"))["b"]
    cleaned = cleaned.filter(~blank)
    rows_blank = int(blank.sum())

    typed_exprs, problem_exprs = [], []
    types: dict[str, ValueType] = {}
    for column in layout.columns:
        rule = type_column(column.source, column.value_type, column.kind,
                           config.columns.date_formats)
        typed_exprs.append(rule.value.alias(column.label))
        problem_exprs.append(rule.problem.alias(column.label))
        types[column.label] = column.value_type
    typed = cleaned.select("_row", *typed_exprs)
    typed = _with_customer(typed, config, profile, types)

    key_expr = pl.concat_str(
        [canonical_value(k, types[k]) for k in config.merge.key], separator=KEY_SEPARATOR)
    typed = typed.with_columns(key_expr.alias("_key"))

    rejects = [
        _cell_rejects(cleaned, typed, layout, problem_exprs),
        _missing_key_rejects(typed, config),
        _unnamed_rejects(cleaned, layout),
    ]
    typed = _with_names(typed, config, types)
    rejects.append(_name_rejects(typed, config))
    rejected = pl.concat(rejects)
    bad_rows = rejected["row"].unique()
    staged = typed.filter(~pl.col("_row").is_in(bad_rows.implode()))

    hash_columns = {k: v for k, v in types.items()
                    if not config.merge.hash_columns or k in config.merge.hash_columns}
    cancel = config.merge.cancel
    cancelled = (pl.col(cancel.column).str.to_uppercase().is_in([v.upper() for v in cancel.values])
                 if cancel.column in types else pl.lit(False))
    staged = staged.with_columns(
        row_hashes(staged, hash_columns),
        cancelled.fill_null(False).cast(pl.Int64).alias("_cancelled"),
        pl.lit(sheet.sheet).alias("_sheet"),
    )
    sizes = [c.label for c in layout.sizes]
    lines = (
        staged.select("_row", *sizes)
        .unpivot(index="_row", on=sizes, variable_name="size_code", value_name="qty")
        .filter(pl.col("qty") > 0)
    )
    requests = tuple(ColumnRequest(label, "size" if label in sizes else "descriptive", t)
                     for label, t in types.items())
    return PreparedSheet(sheet.sheet, layout.header_row, requests, staged, lines, rejected,
                         rows_read=cleaned.height, rows_blank=rows_blank)


def _with_customer(typed: pl.DataFrame, config: Config, profile: ProfileConfig,
                   types: dict[str, ValueType]) -> pl.DataFrame:
    """Canonical customer names; blank or missing customer cells get the profile's customer."""
    column = config.columns.customer
    names = config.columns.customer_names
    if column not in typed.columns:
        types[column] = "text"
        return typed.with_columns(pl.lit(profile.customer).alias(column))
    upper = pl.col(column).str.replace_all(r"\s+", " ").str.to_uppercase()
    mapped = upper.replace_strict(names, default=pl.col(column)) if names else pl.col(column)
    return typed.with_columns(mapped.fill_null(profile.customer).alias(column))


def _with_names(typed: pl.DataFrame, config: Config,
                types: dict[str, ValueType]) -> pl.DataFrame:
    return typed.with_columns(
        _render(config.names.group_template, types).alias("_group"),
        _render(config.names.item_template, types).alias("_item"),
    )


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


def _cell_rejects(cleaned: pl.DataFrame, typed: pl.DataFrame, layout: SheetLayout,
                  problem_exprs: list[pl.Expr]) -> pl.DataFrame:
    problems = cleaned.select(
        "_row", *problem_exprs, *(pl.col(c.source).alias(f"raw:{c.label}") for c in layout.columns)
    ).with_columns(typed["_key"])
    frames = [
        problems.filter(pl.col(c.label).is_not_null()).select(
            pl.col("_row").alias("row"), pl.lit(c.label).alias("column"),
            pl.col(f"raw:{c.label}").alias("raw_value"), pl.col(c.label).alias("reason"),
            pl.col("_key").alias("business_key"))
        for c in layout.columns
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=_REJECT_SCHEMA)


def _missing_key_rejects(typed: pl.DataFrame, config: Config) -> pl.DataFrame:
    frames = []
    for column in config.merge.key:
        bad = typed.filter(pl.col(column).is_null())
        if bad.height:
            frames.append(bad.select(
                pl.col("_row").alias("row"), pl.lit(column).alias("column"),
                pl.lit(None, dtype=pl.String).alias("raw_value"),
                pl.lit("missing business key value").alias("reason"),
                pl.lit(None, dtype=pl.String).alias("business_key")))
    return pl.concat(frames) if frames else pl.DataFrame(schema=_REJECT_SCHEMA)


def _unnamed_rejects(cleaned: pl.DataFrame, layout: SheetLayout) -> pl.DataFrame:
    frames = []
    for source in layout.unnamed:
        bad = cleaned.filter(pl.col(source).is_not_null())
        if bad.height:
            letter = _column_letter(int(source[1:]))
            frames.append(bad.select(
                pl.col("_row").alias("row"), pl.lit(f"(column {letter}, no header)").alias(
                    "column"),
                pl.col(source).alias("raw_value"),
                pl.lit("value in a column with no header").alias("reason"),
                pl.lit(None, dtype=pl.String).alias("business_key")))
    return pl.concat(frames) if frames else pl.DataFrame(schema=_REJECT_SCHEMA)


def _name_rejects(typed: pl.DataFrame, config: Config) -> pl.DataFrame:
    frames = []
    for role, template in (("group", config.names.group), ("item", config.names.item)):
        bad = typed.filter(pl.col(f"_{role}").is_null() & pl.col("_key").is_not_null())
        if bad.height:
            frames.append(bad.select(
                pl.col("_row").alias("row"), pl.lit(f"names.{role}").alias("column"),
                pl.lit(None, dtype=pl.String).alias("raw_value"),
                pl.lit(f"the {role} name template {template!r} gives an empty name").alias(
                    "reason"),
                pl.col("_key").alias("business_key")))
    return pl.concat(frames) if frames else pl.DataFrame(schema=_REJECT_SCHEMA)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
