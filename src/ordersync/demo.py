"""``ordersync demo``: sample workbooks → config → pipeline → what happened, twice.

Everything lands in one work folder: ``orders/`` (generated workbooks),
``ordersync.toml`` (the shipped example with the generated customers' profiles)
and ``ordersync.db``.  The second run shows that unchanged files are skipped and
nothing is written; the third, after a few customers revise quantities, that
only their files are re-read and only the revised orders and lines change.  The
printed counts are read back from the database with the same code as
``ordersync status``, and checked against the stage reports.
"""

from __future__ import annotations

import shutil
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import tomli_w
from rich.console import Console
from rich.table import Table

from ordersync import render
from ordersync.config import example_config_text, load_config
from ordersync.db import Database
from ordersync.errors import OrderSyncError
from ordersync.pipeline import RunResult, open_database, run_pipeline
from ordersync.sample_data import SampleDataSet, generate_sample_data, mutate_sample_data
from ordersync.status import read_status


def demo_config(dataset: SampleDataSet) -> dict[str, Any]:
    """The example configuration, with one profile per generated customer."""
    config = tomllib.loads(example_config_text())
    config.pop("env", None)
    config["database"] = {"url": "sqlite:///ordersync.db"}
    config["sources"]["directory"] = "orders"
    config["sources"]["profiles"] = {
        c.code: {"customer": c.name, "glob": c.glob, "aliases": dict(c.aliases),
                 **({"sheet": c.sheet} if c.sheet else {})}
        for c in dataset.customers
    }
    names: dict[str, str] = {}
    for c in dataset.customers:
        names.update(c.customer_names)
    config["columns"]["customer_names"] = names
    return config


@dataclass(frozen=True)
class DemoResult:
    dataset: SampleDataSet
    first: RunResult  # everything new
    second: RunResult  # nothing changed
    third: RunResult  # three customers revised quantities


def run_demo(workdir: Path, *, customers: int = 40, orders: int = 5000,
             console: Console | None = None) -> DemoResult:
    console = console or Console(stderr=True)
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in ("orders", "ordersync.db", "ordersync.db-wal", "ordersync.db-shm"):
        path = workdir / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()

    started = time.perf_counter()
    dataset = generate_sample_data(workdir / "orders", customers=customers, orders=orders)
    console.print(
        f"[bold]1. sample data[/]: {len(dataset.files)} workbooks from {len(dataset.customers)} "
        f"customers in {workdir / 'orders'} — {dataset.orders} orders in {dataset.data_rows} rows "
        f"(with {dataset.duplicate_rows} duplicate keys, {dataset.cancelled_orders} cancelled, "
        f"{dataset.bad_rows} rows with a typo, {dataset.blank_rows} blank rows) "
        f"[{time.perf_counter() - started:.1f} s]")

    config_path = workdir / "ordersync.toml"
    config_path.write_text(
        "# Written by `ordersync demo`: the shipped example with the sample customers.\n"
        + tomli_w.dumps(demo_config(dataset)), encoding="utf-8")
    config = load_config(config_path)
    db = open_database(config)
    console.print(f"[bold]2. config[/]: {config_path}; database {db.display_url}")

    started = time.perf_counter()
    first = run_pipeline(config, db)
    console.print(f"[bold]3. first run[/] [{time.perf_counter() - started:.1f} s]")
    render.print_ingest(console, first.ingest, problems_only=True)
    render.print_merge(console, first.merge)
    _print_rejects(console, db)

    started = time.perf_counter()
    second = run_pipeline(config, db)
    elapsed = time.perf_counter() - started
    written = (second.merge.orders.new + second.merge.orders.changed
               + second.merge.orders.cancelled + second.merge.lines.written)
    console.print(
        f"[bold]4. second run, nothing changed[/] [{elapsed:.2f} s]: "
        f"{second.ingest.count('skipped')} files skipped by content hash, "
        f"{written} orders or lines written")

    _check_agreement(dataset, first, read_status(db))

    changed_keys = mutate_sample_data(dataset, files=3, fraction=0.05, seed=7)
    started = time.perf_counter()
    third = run_pipeline(config, db)
    console.print(
        f"[bold]5. three customers send revised quantities[/] ({len(changed_keys)} orders) "
        f"[{time.perf_counter() - started:.2f} s]: {third.ingest.count('staged')} files re-read, "
        f"{third.ingest.count('skipped')} skipped")
    render.print_merge(console, third.merge)

    status = read_status(db)
    console.print("[bold]6. status[/] (read back from the database, as `ordersync status`):")
    render.print_status(console, status)
    console.print(f"\nTry: ordersync status --config {config_path} --json   (after `make "
                  "demo`, the command is .venv/bin/ordersync)")
    return DemoResult(dataset, first, second, third)


def _print_rejects(console: Console, db: Database) -> None:
    with db.begin() as conn:
        rows = conn.execute(sa.text(
            f'SELECT file, "row", "column", raw_value, reason FROM {db.table("rejected_rows")} '
            'ORDER BY file, "row"')).all()
    if not rows:
        return
    by_reason: dict[str, list[Any]] = {}
    for row in rows:  # "duplicate key: row 9 of … was kept" → "duplicate key"
        by_reason.setdefault(row.reason.split(":")[0], []).append(row)
    table = Table(show_edge=False, pad_edge=False, title="rejected rows, by reason")
    table.add_column("reason")
    table.add_column("count", justify="right")
    table.add_column("first example")
    for reason, found in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        first = found[0]
        where = f"{first.file} row {first.row}" + (f", {first.column} = {first.raw_value!r}"
                                                    if first.column else "")
        table.add_row(reason, str(len(found)), where)
    console.print(table)


def _check_agreement(dataset: SampleDataSet, first: RunResult, status: dict[str, Any]) -> None:
    """The generated files, the stage reports and the database must tell the same story."""
    merged = first.merge.orders
    reported = merged.new + merged.changed + merged.cancelled
    expected = dataset.orders - dataset.bad_rows  # rows with a typo are rejected
    problems = []
    if not status["orders"]["total"] == reported == expected:
        problems.append(f"orders: files {expected}, report {reported}, "
                        f"database {status['orders']['total']}")
    if status["lines"]["total"] != first.merge.lines.created:
        problems.append(f"lines: report {first.merge.lines.created}, "
                        f"database {status['lines']['total']}")
    rejected = first.ingest.rows_rejected + merged.duplicates
    if status["rejected_rows"] != rejected:
        problems.append(f"rejected rows: report {rejected}, database {status['rejected_rows']}")
    if problems:
        raise OrderSyncError("demo: the database disagrees with the run: " + "; ".join(problems))
