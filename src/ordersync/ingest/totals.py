"""The total column against the sum of the sizes (``merge.total_check``).

A row whose ``sizes.total_column`` disagrees with the sum of its size cells is
rejected (``reject``), staged and reported per order (``warn``, the default), or
not looked at (``off``).  A blank total is not checked: there is nothing to compare.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import polars as pl

from ordersync.config import Config
from ordersync.db.kinds import ValueType
from ordersync.ingest import rejects

WARNING_SCHEMA = {"_file": pl.Int32, "row": pl.Int64, "business_key": pl.String,
                  "message": pl.String}


@dataclass(frozen=True)
class TotalCheck:
    rejects: tuple[pl.DataFrame, ...]
    warnings: pl.DataFrame  # _file, row, business_key, message


def check_totals(typed: pl.DataFrame, config: Config, sizes: Sequence[str],
                 types: dict[str, ValueType], blank: Collection[str] = ()) -> TotalCheck:
    """Rows of ``typed`` (typed cells, with ``_key``) whose total disagrees with their sizes.

    ``blank`` names size columns known to be blank on every row: they add nothing, and
    summing them would cost as much as the rest (most of the 245 sizes, as a rule).
    """
    total = config.sizes.total_column
    mode = config.merge.total_check
    none = TotalCheck((), pl.DataFrame(schema=WARNING_SCHEMA))
    if mode == "off" or total not in types or types[total] != "integer" or not sizes:
        return none
    filled = [size for size in sizes if size not in blank]
    summed = (pl.sum_horizontal(pl.col(filled).fill_null(0)) if filled
              else pl.lit(0, dtype=pl.Int64))
    wrong = typed.select(
        "_file", pl.col("_row").alias("row"), pl.col(total).alias("total"),
        summed.alias("summed"), pl.col("_key").alias("business_key"),
    ).filter(pl.col("total").is_not_null() & (pl.col("total") != pl.col("summed")))
    if not wrong.height:
        return none
    text = (pl.lit(f"{total} ") + pl.col("total").cast(pl.String)
            + pl.lit(" but the sizes add up to ") + pl.col("summed").cast(pl.String))
    if mode == "reject":
        return TotalCheck((rejects.cast(wrong.select(
            "_file", "row", pl.lit(total).alias("column"),
            pl.col("total").cast(pl.String).alias("raw_value"),
            (text + pl.lit(" (merge.total_check = reject)")).alias("reason"),
            "business_key")),), pl.DataFrame(schema=WARNING_SCHEMA))
    return TotalCheck((), wrong.select(
        "_file", "row", "business_key",
        (text + pl.lit(" (merge.total_check = warn: staged as the sizes say)")).alias("message")
    ).cast(WARNING_SCHEMA))  # type: ignore[arg-type]


_LISTED = 10


def total_warnings(batch: object) -> dict[int, tuple[str, ...]]:
    """Per file index of the batch, one line per order whose total disagrees (the first few)."""
    warnings = getattr(batch, "warnings", None)
    if warnings is None or not warnings.height:
        return {}
    found: dict[int, tuple[str, ...]] = {}
    for (index,), rows in warnings.sort("_file", "row").group_by(["_file"], maintain_order=True):
        lines = [f"row {r['row']} (order {_key(r['business_key'])}): {r['message']}"
                 for r in rows.head(_LISTED).iter_rows(named=True)]
        if rows.height > _LISTED:
            lines.append(f"… and {rows.height - _LISTED} more rows whose total disagrees")
        found[int(index)] = tuple(lines)
    return found


def _key(key: str | None) -> str:
    return " / ".join((key or "").split("\x1f"))
