"""The script a user writes without ordersync: the baseline ``bench/pipeline.py`` measures against.

    python bench/naive.py ORDERS_DIR DATABASE_URL [--schema NAME]

Every workbook is read with ``pandas.read_excel`` (openpyxl, the engine pandas
has always used for .xlsx) and appended to ``orders`` with ``DataFrame.to_sql``;
its size columns (between ``UNIT OF MEASURE`` and ``TOTAL QTY``) are melted into
one line per order and size with a quantity, appended to ``order_lines``.  That is
the same orders and lines ordersync writes, without ordersync's checks (no
header detection, no typing rules, no rejects, no change detection).

Needs the ``bench`` extra (pandas, openpyxl): ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

KEY = ["AAG ORDER NUMBER", "PLANNED DELIVERY METHOD", "CUSTOMER STYLE"]


def engine_for(url: str, schema: str | None) -> sa.Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if schema:
        engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        return engine
    return sa.create_engine(url)


def load(orders_dir: Path, engine: sa.Engine) -> tuple[int, int]:
    orders = lines = 0
    for path in sorted(orders_dir.glob("*.xlsx")):
        frame = pd.read_excel(path, engine="openpyxl")
        columns = list(frame.columns)
        sizes = columns[columns.index("UNIT OF MEASURE") + 1 : columns.index("TOTAL QTY")]
        frame.to_sql("orders", engine, if_exists="append", index=False)
        melted = frame.melt(id_vars=KEY, value_vars=sizes, var_name="size", value_name="qty")
        melted = melted[melted["qty"] > 0]
        melted.to_sql("order_lines", engine, if_exists="append", index=False)
        orders += len(frame)
        lines += len(melted)
    return orders, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("orders_dir", type=Path)
    parser.add_argument("url")
    parser.add_argument("--schema")
    args = parser.parse_args()
    engine = engine_for(args.url, args.schema)
    orders, lines = load(args.orders_dir, engine)
    engine.dispose()
    print(f"{orders} orders, {lines} lines")


if __name__ == "__main__":
    main()
