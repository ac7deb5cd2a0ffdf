"""`ordersync verify` and `sync --repair` from the command line against a sandbox server
process (issue #8): drift named, exit 4, repaired once, exit 0."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BASE_HEADERS, ConfigFactory, WorkbookFactory, order_row, write_config
from ordersync.cli import cli
from ordersync.db import open_database
from ordersync.pipeline import run_pipeline
from ordersync.sync import make_client
from sync import drift
from sync.conftest import TOKEN, board_problems, duplicates, monday_table
from sync.server import Server, running_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path) as found:
        yield found


def test_verify_and_repair_through_the_cli_against_a_server_process(
        server: Server, make_config: ConfigFactory, write_workbook: WorkbookFactory,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(monday=monday_table(server.ids, api_url=server.url))
    rows = [order_row(n, {"S": n, "M": n + 1}) for n in range(1, 7)]
    write_workbook("GRE_a.csv", rows, headers=[*BASE_HEADERS, "S", "M", "TOTAL QTY"])
    db = open_database(config)
    run_pipeline(config, db)
    monkeypatch.setenv("MONDAY_API_TOKEN", TOKEN)
    path = write_config(config, tmp_path)
    run = CliRunner()
    try:
        assert run.invoke(cli, ["sync", "--config", str(path)]).exit_code == 0
        assert run.invoke(cli, ["verify", "--config", str(path)]).exit_code == 0
        items = server.board(config, db).items()
        with make_client(config, TOKEN) as client:
            drift.delete_item(client, items[0]["id"])
            drift.change_values(client, server.ids.board_id, items[1]["id"],
                                {server.ids.quantity: "7777"})
            drift.delete_item(client, items[2]["subitems"][0]["id"])
            copy = drift.duplicate_item(client, server.ids.board_id, items[3]["id"])

        found = run.invoke(cli, ["verify", "--json", "--config", str(path)])

        assert found.exit_code == 4, found.stderr
        counts = json.loads(found.stdout)["found"]["counts"]
        assert {k: v for k, v in counts.items() if v} == {
            "item_gone": 1, "value_differs": 1, "missing_subitem": 1, "duplicate_items": 1}

        kept = run.invoke(cli, ["verify", "--repair", "--config", str(path)])
        assert kept.exit_code == 4, kept.stderr  # the duplicate stays until asked
        assert "duplicate items for one key" in kept.stderr and copy in kept.stderr

        fixed = run.invoke(cli, ["sync", "--repair", "--delete-extras", "--config", str(path)])

        assert fixed.exit_code == 0, fixed.stderr
        assert run.invoke(cli, ["verify", "--config", str(path)]).exit_code == 0
        h = server.board(config, db)
        assert board_problems(h) == [] and duplicates(h) == [] and len(h.items()) == 6
    finally:
        db.dispose()
