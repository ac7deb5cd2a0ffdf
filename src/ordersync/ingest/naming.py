"""Canonical customer and season names, and the group / item names built from them.

Every row gets one canonical customer: the ``[customers]`` (or
``columns.customer_names``) entry or the other profile's ``customer`` its
customer cell is a spelling of, else its own profile's ``customer`` — so one
customer is one customer whatever its files write.  The season columns of
the group name (every column of ``names.group`` but the customer column) are
mapped through ``[seasons]`` for the name only: the cells keep what the
customer wrote.  A name template whose field has no
value for a row gives no name; the row is rejected with the field named.

Mapping happens once per distinct value (a few hundred per batch at most), so
the rule is the same Python function everywhere (:class:`~ordersync.names.NameMap`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ordersync.config import Config, ProfileConfig
from ordersync.customers import customer_map
from ordersync.db.kinds import ValueType
from ordersync.hashing import canonical_value
from ordersync.names import NameMap, NameTemplate, TemplateField, season_fields


@dataclass(frozen=True)
class Names:
    """A rendered name and, per row, why it could not be rendered (null when it could)."""

    value: pl.Expr
    problem: pl.Expr


def season_map(config: Config) -> NameMap:
    return NameMap.build(config.seasons)


def season_columns(config: Config) -> tuple[str, ...]:
    """The columns of the group name that are mapped through [seasons]."""
    return tuple(c for field in season_fields(config.names.group_template,
                                              config.columns.customer) for c in field)


def with_customer(typed: pl.DataFrame, config: Config, profiles: Sequence[ProfileConfig],
                  types: dict[str, ValueType]) -> pl.DataFrame:
    """The customer column holds every row's canonical customer (see the module docstring)."""
    names = customer_map(config)
    column = config.columns.customer
    fallback = pl.col("_file").replace_strict(
        {i: names.canonical(p.customer) or p.customer for i, p in enumerate(profiles)},
        return_dtype=pl.String)
    types[column] = "text"
    if column not in typed.columns:
        return typed.with_columns(fallback.alias(column))
    mapped = _mapped(typed[column], names)
    return typed.with_columns(pl.coalesce(mapped, fallback).alias(column))


def canonical_seasons(typed: pl.DataFrame, config: Config) -> dict[str, pl.Expr]:
    """Season column → its values mapped through [seasons] (unmapped values as written)."""
    names = season_map(config)
    return {column: pl.coalesce(_mapped(typed[column], names), pl.col(column))
            for column in season_columns(config) if column in typed.columns
            and typed.schema[column] == pl.String}


def render(role: str, template: NameTemplate, types: dict[str, ValueType],
           overrides: dict[str, pl.Expr]) -> Names:
    """The ``role`` name of each row from ``template``; a field without a value is a problem."""
    parts: list[pl.Expr] = []
    problem: pl.Expr | None = None
    for part in template.parts:
        if not isinstance(part, TemplateField):
            parts.append(pl.lit(part))
            continue
        present = [overrides.get(c, canonical_value(c, types[c]))
                   for c in part.columns if c in types]
        value = pl.coalesce(present) if present else pl.lit(None, dtype=pl.String)
        value = pl.when(value.str.strip_chars() != "").then(value)
        field = "|".join(part.columns)
        reason = (f"the {role} name {template.source!r} has no value for {{{field}}}"
                  + ("" if present else " (no such column in the file)"))
        missing = pl.when(value.is_null()).then(pl.lit(reason))
        problem = missing if problem is None else pl.coalesce(problem, missing)
        parts.append(value)
    text = pl.concat_str(parts).str.replace_all(r"\s+", " ").str.strip_chars()
    # monday.com refuses a longer item or group name: the order could never reach the board.
    length = text.str.len_chars()
    too_long = pl.when(length > NAME_LIMIT).then(pl.concat_str(
        pl.lit(f"the {role} name is "), length.cast(pl.String),
        pl.lit(f" characters long; monday.com takes at most {NAME_LIMIT} — shorten the "
               f"values of names.{role} {template.source!r}")))
    return Names(text, too_long if problem is None else pl.coalesce(problem, too_long))


NAME_LIMIT = 255
"""The longest item, subitem or group name monday.com takes (API_NOTES: items.md, groups.md)."""


def name_rows(typed: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Distinct (customer, season as written, group) of a batch, for :func:`look_alikes`."""
    fields = [pl.coalesce([pl.col(c).cast(pl.String) for c in columns if c in typed.columns]
                          or [pl.lit(None, dtype=pl.String)])
              for columns in season_fields(config.names.group_template,
                                           config.columns.customer)]
    season = pl.concat_str(fields, separator=" ", ignore_nulls=True) if fields else pl.lit("")
    return typed.filter(pl.col("_group").is_not_null()).select(
        pl.col(config.columns.customer).alias("customer"), season.alias("season"),
        pl.col("_group").alias("group")).unique()


def _mapped(values: pl.Series, names: NameMap) -> pl.Expr:
    """The canonical name of each value, null where none is configured."""
    distinct = values.drop_nulls().unique().to_list()
    found = {v: c for v in distinct if (c := names.canonical(v)) is not None}
    if not found:
        return pl.lit(None, dtype=pl.String)
    return pl.col(values.name).replace_strict(found, default=None, return_dtype=pl.String)
