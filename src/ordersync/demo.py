"""``ordersync demo``: sample workbooks → config → pipeline → what happened, twice.

Everything lands in one work folder: ``orders/`` (generated workbooks),
``ordersync.toml`` (the shipped example with the generated customers' profiles)
and ``ordersync.db``.  The second run shows that unchanged files are skipped and
nothing is written; the third, after a few customers revise quantities, that
only their files are re-read and only the revised orders and lines change.  The
printed counts are read back from the database with the same code as
``ordersync status``, and checked against the stage reports.

Then the whole order book is synced to the in-process monday.com sandbox, routed by
season onto as many boards as it needs (``[monday.routing]``: each duplicated from the
demo's board) — monday's personal-token limits (standard plan: 10,000,000 complexity a
minute), on a fast clock, so waiting for the budget takes no real time — each board's
fill is printed, and it is synced again to show that nothing is sent.  The sandbox (used
through ``ordersync.sandbox``'s public API only) is saved to ``sandbox.json`` and the
config points at ``ordersync sandbox``'s address, so the user can carry on with
``ordersync sandbox --state sandbox.json`` and ``ordersync sync``.
"""

from __future__ import annotations

import shutil
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import tomli_w
from rich.console import Console
from rich.table import Table

from ordersync import render
from ordersync.config import example_config_text, load_config
from ordersync.db import Database, open_database
from ordersync.errors import OrderSyncError
from ordersync.listings.rejects import list_rejects
from ordersync.pipeline import RunResult, run_pipeline, sync_board
from ordersync.progress import ProgressReporter
from ordersync.render import literal
from ordersync.report import write_report
from ordersync.routing import registered_boards
from ordersync.sample_data import SampleDataSet, generate_sample_data, mutate_sample_data
from ordersync.sandbox import FakeClock, OrderBoard, Sandbox
from ordersync.status import read_status
from ordersync.sync import SyncReport, make_client, run_sync

SANDBOX_URL = "http://127.0.0.1:8765/v2"  # where `ordersync sandbox` serves by default
SANDBOX_PLAN = "standard"
DEMO_ROUTING = {"key": "{AAG SEASON}", "board_name": "Customer Master Schedule {AAG SEASON}",
                "overflow": "split"}
"""One board per season, duplicated from the demo's board (a season past a board's limit
opens "… (2)")."""


_COUNT = {0: "no", 1: "one", 2: "two", 3: "three"}


def demo_config(dataset: SampleDataSet) -> dict[str, Any]:
    """The example configuration, with one profile per generated customer."""
    config = tomllib.loads(example_config_text())
    # The example's environments name other databases; the demo's keeps its own, and a
    # dev run writes a log beside it (`ordersync run --env dev`).
    config["env"] = {"dev": {"logging": {"file": "ordersync-dev.log"}}}
    config["database"] = {"url": "sqlite:///ordersync.db"}
    config["sources"]["directory"] = "orders"
    config["sources"]["profiles"] = {
        c.code: {"customer": c.name, "glob": c.glob, "aliases": dict(c.aliases),
                 **({"sheet": c.sheet} if c.sheet else {})}
        for c in dataset.customers
    }
    config["columns"].pop("customer_names", None)
    # The sample files spell customers and seasons several ways (as real ones do): one
    # customer is one customer and one season one season, so one board group each.
    config["customers"] = {
        c.name: sorted({s for s in c.customer_names if s != c.name}) for c in dataset.customers}
    config["seasons"] = {season: list(names) for season, names in dataset.season_names.items()}
    return config


def monday_table(ids: OrderBoard) -> dict[str, Any]:
    """The [monday] table for the demo's sandbox board (as `sandbox --create-board` prints)."""
    return {"api_url": SANDBOX_URL, "board_id": ids.board_id,
            "subitems_board_id": ids.subitems_board_id,
            "columns": {"identity": ids.identity, "customer": ids.customer,
                        "notes": ids.notes, "quantity": ids.quantity, "eta": ids.eta,
                        "status": ids.status, "delivery": ids.delivery,
                        "subitems": ids.subitems},
            "subitem_columns": {"size": ids.size, "order_qty": ids.order_qty,
                                "line_status": ids.line_status}}


@dataclass(frozen=True)
class DemoResult:
    dataset: SampleDataSet
    first: RunResult  # everything new
    second: RunResult  # nothing changed
    third: RunResult  # three customers revised quantities
    sync: SyncReport  # the whole order list to the sandbox board
    resync: SyncReport  # nothing to send
    board: dict[str, Any]  # the first routed board after the sync (Sandbox.board)
    boards: dict[str, dict[str, Any]]  # every routed board by name


def run_demo(workdir: Path, *, customers: int = 40, orders: int = 5000,
             console: Console | None = None,
             progress: ProgressReporter | None = None) -> DemoResult:
    """The demo; results go to ``console`` (stdout), progress to ``progress`` (stderr)."""
    console = console or Console()
    progress = progress or ProgressReporter(enabled=False)
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in ("orders", "ordersync.db", "ordersync.db-wal", "ordersync.db-shm",
                  "sandbox.json", "report.html"):
        path = workdir / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()

    started = time.perf_counter()
    dataset = generate_sample_data(workdir / "orders", customers=customers, orders=orders)
    console.print(
        f"[bold]1. sample data[/]: {len(dataset.files)} workbooks from {len(dataset.customers)} "
        f"customers in {literal(workdir / 'orders')} — {dataset.orders} orders in "
        f"{dataset.data_rows} rows "
        f"(with {dataset.duplicate_rows} duplicate keys, {dataset.cancelled_orders} cancelled, "
        f"{dataset.bad_rows} rows with a typo, {dataset.blank_rows} blank rows) "
        f"[{time.perf_counter() - started:.1f} s]")

    clock = FakeClock()
    sandbox = Sandbox(plan=SANDBOX_PLAN, clock=clock, blocking_sleep=clock.advance)
    ids = sandbox.create_order_board("Orders (demo)")
    config_path = workdir / "ordersync.toml"
    config_path.write_text(
        "# Written by `ordersync demo`: the shipped example with the sample customers and\n"
        "# the demo's sandbox board (serve it with `ordersync sandbox --state sandbox.json`).\n"
        + tomli_w.dumps({**demo_config(dataset), "monday": {**monday_table(ids),
                                                            "routing": DEMO_ROUTING}}),
        encoding="utf-8")
    config = load_config(config_path)
    db = open_database(config)
    console.print(f"[bold]2. config[/]: {literal(config_path)}; database "
                  f"{literal(db.display_url)}")

    started = time.perf_counter()
    with progress:
        first = run_pipeline(config, db, progress=progress.ingest_file())
    console.print(f"[bold]3. first run[/] [{time.perf_counter() - started:.1f} s]")
    render.print_ingest(console, first.ingest, problems_only=True)
    render.print_merge(console, first.merge)
    _print_rejects(console, config, db)

    started = time.perf_counter()
    with progress:
        second = run_pipeline(config, db, progress=progress.ingest_file())
    elapsed = time.perf_counter() - started
    written = (second.merge.orders.new + second.merge.orders.changed
               + second.merge.orders.cancelled + second.merge.lines.written)
    console.print(
        f"[bold]4. second run, nothing changed[/] [{elapsed:.2f} s]: "
        f"{second.ingest.count('skipped')} files skipped by content hash, "
        f"{written} orders or lines written")

    groups = _group_names(db)
    _check_agreement(dataset, first, read_status(db), groups)
    console.print(f"   {len(groups)} groups, one per customer and season, as the files hold "
                  f"({len(dataset.groups)} customer seasons, whatever their spelling)")

    # Three workbooks revised (fewer when the demo has fewer with orders in them).
    revised = min(3, sum(1 for path in dataset.files if dataset.generation is not None
                         and dataset.generation.data_rows.get(path.name, 0) > 0))
    changed_keys = mutate_sample_data(dataset, files=revised, fraction=0.05, seed=7)
    started = time.perf_counter()
    with progress:
        third = run_pipeline(config, db, progress=progress.ingest_file())
    console.print(
        f"[bold]5. {_COUNT.get(revised, str(revised))} workbook(s) come back with revised "
        f"quantities[/] ({len(changed_keys)} orders) "
        f"[{time.perf_counter() - started:.2f} s]: {third.ingest.count('staged')} files re-read, "
        f"{third.ingest.count('skipped')} skipped")
    render.print_merge(console, third.merge)

    status = read_status(db)
    console.print("[bold]6. status[/] (read back from the database, as `ordersync status`):")
    render.print_status(console, status)

    console.print(f"[bold]7. sync[/] of the whole order book to the in-process monday.com "
                  f"sandbox — {SANDBOX_PLAN} plan limits (10,000,000 complexity a minute), on a "
                  "fast clock: waits for the budget take no real time.  A monday board holds "
                  f"at most {config.monday.limits.items_per_board:,} items (and its subitems "
                  "board as many subitems), so orders are routed by season "
                  f"(\\[monday.routing] key = {literal(repr(config.monday.routing.key))}) onto "
                  f"boards duplicated from template board {ids.board_id}, as many as needed")
    started = time.perf_counter()
    with make_client(config, "demo-token", transport=sandbox.mock_transport(),
                     sleep=clock.advance, clock=clock.now) as client:
        progress.use_clock(clock.now)  # waits and minutes on the sandbox's clock
        with progress:
            synced = sync_board(config, db, client=client, progress=progress,
                                clock=clock.now, sleep=clock.advance)
        render.print_sync(console, synced)
        console.print(f"   [{time.perf_counter() - started:.1f} s of real time, "
                      f"{clock.now() / 60:.0f} min on the sandbox's clock]")
        boards = {board.name: sandbox.board(board.board_id)
                  for board in registered_boards(db).values()}
        _print_boards(console, boards, config.monday.limits.items_per_board)
        started = time.perf_counter()
        resynced = run_sync(config, db, client, clock=clock.now, sleep=clock.advance)
    console.print(f"[bold]8. sync again, nothing changed[/] "
                  f"[{time.perf_counter() - started:.2f} s]: {resynced.mutations} mutations "
                  f"in {resynced.requests} requests")
    board = next(iter(boards.values())) if boards else sandbox.board(ids.board_id)
    _check_boards(boards, _unsynced(db), synced)
    sandbox.state_path = workdir / "sandbox.json"
    sandbox.save()

    page = write_report(config, db, workdir / "report.html")
    console.print(f"[bold]9. report page[/]: {literal(page)}  (open it in a browser; "
                  "`ordersync report --config …` writes a fresh one any time)")

    console.print(f"\nTry: ordersync status --config {literal(config_path)} --json   "
                  "(after `make demo`, the command is .venv/bin/ordersync)")
    console.print(f"     ordersync sandbox --state {literal(sandbox.state_path)} &   then   "
                  f"MONDAY_API_TOKEN=x ordersync plan --config {literal(config_path)}")
    return DemoResult(dataset, first, second, third, synced, resynced, board, boards)


def _print_boards(console: Console, boards: Mapping[str, dict[str, Any]], limit: int) -> None:
    """Each routed board's fill against monday's limit, then the first board in detail."""
    table = Table(show_edge=False, pad_edge=False)
    for header in ("board", "groups", "items", "subitems", "fill"):
        table.add_column(header, justify="left" if header == "board" else "right")
    for name, board in boards.items():
        items = [i for g in board["groups"] for i in g["items"]]
        subitems = sum(len(i["subitems"]) for i in items)
        table.add_row(literal(name), str(sum(1 for g in board["groups"] if g["items"])),
                      f"{len(items):,}", f"{subitems:,}",
                      f"{max(len(items), subitems) / limit:.0%}")
    console.print(f"   {len(boards)} boards (limit {limit:,} items and {limit:,} subitems each):")
    console.print(table)
    if boards:
        _print_board(console, next(iter(boards.values())))


def _print_board(console: Console, board: dict[str, Any]) -> None:
    """What a planner sees: groups with their items and subitems, and one item in full."""
    groups = [g for g in board["groups"] if g["items"]]
    items = [i for g in groups for i in g["items"]]
    subitems = sum(len(i["subitems"]) for i in items)
    console.print(f"   the board now holds {len(groups)} groups, {len(items):,} items, "
                  f"{subitems:,} subitems:")
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("group")
    table.add_column("items", justify="right")
    table.add_column("subitems", justify="right")
    for group in groups[:6]:
        table.add_row(literal(group["title"]), f"{len(group['items']):,}",
                      f"{sum(len(i['subitems']) for i in group['items']):,}")
    if len(groups) > 6:
        table.add_row(f"… {len(groups) - 6} more groups", "", "")
    console.print(table)
    if items:
        item = items[0]
        sizes = ", ".join(f"{s['name']}={s['values'].get('order_qty', '')}"
                          for s in item["subitems"])
        values = ", ".join(f"{k}={v}" for k, v in item["values"].items() if v)
        console.print(f"   e.g. item {literal(repr(item['name']))}: {literal(values)}; "
                      f"sizes {literal(sizes)}")


def _unsynced(db: Database) -> dict[str, int]:
    """Orders and lines not in SYNCED, by table."""
    with db.begin() as conn:
        return {table: int(conn.execute(sa.text(
            f"SELECT COUNT(*) FROM {db.table(table)} WHERE sync_state <> 'SYNCED'")).scalar_one())
            for table in ("orders", "order_lines")}


def _check_boards(boards: Mapping[str, dict[str, Any]], unsynced: dict[str, int],
                  synced: SyncReport) -> None:
    """One item per order across the boards, every order and line SYNCED."""
    items = [i for board in boards.values() for g in board["groups"] for i in g["items"]]
    keys = [i["values"].get("order_key") for i in items]
    problems = []
    if len(set(keys)) != len(keys):
        problems.append(f"{len(keys) - len(set(keys))} duplicate items")
    if any(unsynced.values()):
        problems.append(f"records not synced: {unsynced}")
    if synced.counts["failed"]:
        problems.append(f"{synced.counts['failed']} records failed")
    if problems:
        raise OrderSyncError("demo: the boards disagree with the database: "
                             + "; ".join(problems))


def _group_names(db: Database) -> set[str]:
    with db.begin() as conn:
        return {str(name) for name in conn.execute(sa.text(
            f"SELECT DISTINCT group_name FROM {db.table('orders')} "
            "WHERE group_name IS NOT NULL")).scalars()}


def _print_rejects(console: Console, config: Any, db: Database) -> None:
    """Rejects by kind of reason, with one example each (`ordersync rejects` lists all)."""
    rows = list_rejects(config, db)
    if not rows:
        return
    by_reason: dict[str, list[Any]] = {}
    for row in rows:  # "duplicate key: row 9 of … was kept" → "duplicate key"
        by_reason.setdefault(row.reason_kind, []).append(row)
    table = Table(show_edge=False, pad_edge=False,
                  title="rejected rows, by reason (`ordersync rejects` lists every one)")
    table.add_column("reason")
    table.add_column("count", justify="right")
    table.add_column("first example")
    for reason, found in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        first = found[0]
        where = f"{first.file} row {first.row}" + (f", {first.column} = {first.raw_value!r}"
                                                    if first.column else "")
        table.add_row(literal(reason), str(len(found)), literal(where))
    console.print(table)


def _check_agreement(dataset: SampleDataSet, first: RunResult, status: dict[str, Any],
                     groups: set[str]) -> None:
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
    expected_groups = {f"{customer} {season}" for customer, season in dataset.groups}
    if groups != expected_groups:
        problems.append(f"groups: {len(expected_groups)} customer seasons in the files, "
                        f"{len(groups)} groups in the database (extra: "
                        f"{sorted(groups - expected_groups)[:3]}, missing: "
                        f"{sorted(expected_groups - groups)[:3]})")
    if problems:
        raise OrderSyncError("demo: the database disagrees with the run: " + "; ".join(problems))
