"""The demo a new user runs first: it works, and its story matches the database."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from ordersync.cli import cli
from ordersync.demo import run_demo


def test_demo_runs_and_agrees_with_status(tmp_path: Path) -> None:
    console = Console(file=open(tmp_path / "out.txt", "w"), width=120)  # noqa: SIM115

    workdir = tmp_path / "demo [v2]"  # brackets: rich markup, were the path not escaped
    demo = run_demo(workdir, customers=6, orders=300, console=console)
    first, second, third = demo.first, demo.second, demo.third

    expected = 300 - demo.dataset.bad_rows  # rows with a typo are rejected, with their reason
    assert demo.dataset.bad_rows > 0
    assert first.merge.orders.new + first.merge.orders.cancelled == expected
    assert first.merge.lines.created > 300
    assert second.ingest.count("skipped") == len(second.ingest.files)
    assert second.merge.orders.rows == 0 and second.merge.lines.written == 0
    assert third.merge.orders.changed > 0 and third.merge.lines.updated > 0
    assert third.merge.orders.new == 0

    status = CliRunner().invoke(cli, ["status", "--json", "--config",
                                      str(workdir / "ordersync.toml")])
    counts = json.loads(status.stdout)
    assert counts["orders"]["total"] == expected
    assert counts["rejected_rows"] == first.merge.orders.duplicates + first.ingest.rows_rejected
    assert counts["files"]["failed"] == 0
    console.file.close()
    text = (tmp_path / "out.txt").read_text()
    assert "second run, nothing changed" in text and "0 orders or lines written" in text
    groups = {f"{c} {s}" for c, s in demo.dataset.groups}
    assert f"{len(groups)} groups, one per customer and season" in text
    assert "look like one customer's one season" not in text
    assert f"2. config: {workdir / 'ordersync.toml'};" in " ".join(text.split())


def test_demo_rejects_exactly_the_typos_the_generator_wrote(tmp_path: Path) -> None:
    console = Console(file=open(tmp_path / "out.txt", "w"), width=120)  # noqa: SIM115

    demo = run_demo(tmp_path / "demo", customers=8, orders=800, console=console)
    console.file.close()

    from ordersync.config import load_config
    from ordersync.db import open_database

    db = open_database(load_config(tmp_path / "demo" / "ordersync.toml"))
    from conftest import fetch

    rejected = fetch(db, 'SELECT file, "row", "column", raw_value FROM rejected_rows '
                         "WHERE reason NOT LIKE 'duplicate key%' ORDER BY file, \"row\"")
    expected = sorted((f, r, c.upper(), v) for f, r, c, v in demo.dataset.bad_cells)
    assert sorted(tuple(row) for row in rejected) == expected
    assert len(expected) >= 2


def test_demo_syncs_the_whole_order_book_by_season_and_the_second_sync_sends_nothing(
        tmp_path: Path) -> None:
    console = Console(file=open(tmp_path / "out.txt", "w"), width=120)  # noqa: SIM115

    demo = run_demo(tmp_path / "demo", customers=4, orders=200, console=console)

    assert demo.sync.counts["items_created"] > 0 and demo.sync.counts["failed"] == 0
    assert demo.sync.counts["subitems_created"] > demo.sync.counts["items_created"]
    assert demo.resync.mutations == 0 and demo.resync.requests == 0
    seasons = {"Customer Master Schedule AW25", "Customer Master Schedule AW26",
               "Customer Master Schedule SS26"}
    assert len(demo.boards) >= 2 and set(demo.boards) <= seasons  # one board per season
    items = [i for board in demo.boards.values() for g in board["groups"] for i in g["items"]]
    assert len(items) == demo.sync.counts["items_created"]
    assert len({i["values"]["order_key"] for i in items}) == len(items)
    expected = 200 - demo.dataset.bad_rows - demo.dataset.cancelled_orders
    assert len(items) >= expected - demo.dataset.duplicate_rows  # every live order, once
    assert (tmp_path / "demo" / "sandbox.json").is_file()
    # one group per customer and season, whatever the files' spellings (the generator's truth)
    assert any(len(names) > 1 for names in demo.dataset.season_names.values())
    synced = {i["values"]["customer"] for i in items}
    titles = sorted(g["title"] for board in demo.boards.values() for g in board["groups"]
                    if g["items"])  # across the season boards (no board split at this size)
    assert titles == sorted(f"{c} {s}" for c, s in demo.dataset.groups if c in synced)
    console.file.close()
    text = (tmp_path / "out.txt").read_text()
    assert "fast clock" in text and "sync again, nothing changed" in text
    assert f"{len(demo.boards)} boards (limit 10,000 items and 10,000 subitems each)" in text


def test_a_demo_of_one_customer_runs(tmp_path: Path) -> None:
    """`ordersync demo --customers 1` (the CLI takes 1) ended in a traceback: it revised
    three workbooks of a customer that has two."""
    console = Console(file=io.StringIO(), width=200)

    demo = run_demo(tmp_path / "demo", customers=1, orders=20, console=console)

    assert "2 files re-read" in console.file.getvalue()
    assert demo.third.merge.orders.changed >= 1
