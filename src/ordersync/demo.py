"""``ordersync demo``: sample workbooks → config → pipeline → what happened, twice.

Everything lands in one work folder: ``orders/`` (generated workbooks),
``ordersync.toml`` (the shipped example with the generated customers' profiles)
and ``ordersync.db``.  The second run shows that unchanged files are skipped and
nothing is written.  The printed counts are read back from the database with
the same code as ``ordersync status``, and checked against the stage reports.
"""

from __future__ import annotations

import shutil
import time
import tomllib
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
from ordersync.sample_data import SampleDataSet, generate_sample_data
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


def run_demo(workdir: Path, *, customers: int = 40, orders: int = 5000,
             console: Console | None = None) -> tuple[RunResult, RunResult]:
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
        f"{dataset.blank_rows} blank rows) [{time.perf_counter() - started:.1f} s]")

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
    render.print_ingest(console, first.ingest)
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

    status = read_status(db)
    _check_agreement(first, status)
    console.print("[bold]5. status[/] (read back from the database, as `ordersync status`):")
    render.print_status(console, status)
    console.print(f"\nTry: cd {workdir} && ordersync status --json")
    return first, second


def _print_rejects(console: Console, db: Database) -> None:
    with db.begin() as conn:
        rows = conn.execute(sa.text(
            f"SELECT reason, COUNT(*) AS n, MIN(file || ' row ' || CAST(\"row\" AS TEXT)) AS ex "
            f"FROM {db.table('rejected_rows')} GROUP BY reason ORDER BY n DESC LIMIT 8")).all()
    if not rows:
        return
    table = Table(show_edge=False, pad_edge=False, title="rejected rows by reason")
    table.add_column("reason")
    table.add_column("rows", justify="right")
    table.add_column("e.g.")
    for reason, n, example in rows:
        table.add_row(reason, str(n), example)
    console.print(table)


def _check_agreement(first: RunResult, status: dict[str, Any]) -> None:
    """The stage reports and the database must tell the same story."""
    merged = first.merge.orders
    expected_orders = merged.new + merged.changed + merged.cancelled
    problems = []
    if status["orders"]["total"] != expected_orders:
        problems.append(f"orders: report {expected_orders}, database {status['orders']['total']}")
    if status["lines"]["total"] != first.merge.lines.created:
        problems.append(f"lines: report {first.merge.lines.created}, "
                        f"database {status['lines']['total']}")
    rejected = first.ingest.rows_rejected + merged.duplicates
    if status["rejected_rows"] != rejected:
        problems.append(f"rejected rows: report {rejected}, database {status['rejected_rows']}")
    if problems:
        raise OrderSyncError("demo: the database disagrees with the run: " + "; ".join(problems))
