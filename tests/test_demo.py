"""The demo a new user runs first: it works, and its story matches the database."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from ordersync.cli import cli
from ordersync.demo import run_demo


def test_demo_runs_and_agrees_with_status(tmp_path: Path) -> None:
    console = Console(file=open(tmp_path / "out.txt", "w"), width=120)  # noqa: SIM115

    first, second, third = run_demo(tmp_path / "demo", customers=6, orders=300,
                                    console=console)

    assert first.merge.orders.new + first.merge.orders.cancelled == 300
    assert first.merge.lines.created > 300
    assert second.ingest.count("skipped") == len(second.ingest.files)
    assert second.merge.orders.rows == 0 and second.merge.lines.written == 0
    assert third.merge.orders.changed > 0 and third.merge.lines.updated > 0
    assert third.merge.orders.new == 0

    status = CliRunner().invoke(cli, ["status", "--json", "--config",
                                      str(tmp_path / "demo" / "ordersync.toml")])
    counts = json.loads(status.stdout)
    assert counts["orders"]["total"] == 300
    assert counts["rejected_rows"] == first.merge.orders.duplicates + first.ingest.rows_rejected
    assert counts["files"]["failed"] == 0
    console.file.close()
    text = (tmp_path / "out.txt").read_text()
    assert "second run, nothing changed" in text and "0 orders or lines written" in text
