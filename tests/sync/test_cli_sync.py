"""`ordersync sync` and `ordersync run` from the command line: exit codes, messages, the token."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import WorkbookFactory, execute, fetch, order_row, write_config
from ordersync.cli import cli
from sync.conftest import Harness

SECRET = "s3cr3t-token-value-9f8e7d"


def _config_file(h: Harness, tmp_path: Path, **monday: object) -> Path:
    config = h.config.model_copy(update={"monday": h.config.monday.model_copy(update=monday)})
    return write_config(config, tmp_path)


def test_sync_without_a_token_says_how_to_set_one(
        harness: Harness, write_workbook: WorkbookFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    harness.pipeline()

    result = CliRunner().invoke(cli, ["sync", "--config", str(_config_file(harness, tmp_path))])

    assert result.exit_code == 1
    assert "MONDAY_API_TOKEN is not set" in result.stderr and "export" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_a_token_still_reports_its_ingest_and_merge(
        harness: Harness, write_workbook: WorkbookFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """It printed only the token error: the files read and the orders merged went unreported,
    and the next run said "nothing changed"."""
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])

    result = CliRunner().invoke(cli, ["run", "--config", str(_config_file(harness, tmp_path))])

    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "ingest: 1 files read" in message and "merge: 1 files, 2 staged rows" in message
    assert "error: the sync could not run: MONDAY_API_TOKEN is not set" in message
    assert "Traceback" not in result.output

    again = CliRunner().invoke(cli, ["run", "--json", "--config",
                                     str(_config_file(harness, tmp_path))])
    assert again.exit_code == 1
    assert "MONDAY_API_TOKEN is not set" in json.loads(again.stdout)["error"]


def test_unreachable_monday_stops_the_run_cleanly_and_never_shows_the_token(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    h = harness_factory(retry={"max_attempts": 2, "base_delay": 0, "max_delay": 0})
    monkeypatch.setenv("MONDAY_API_TOKEN", SECRET)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    h.pipeline()
    path = _config_file(h, tmp_path, api_url="http://127.0.0.1:9/v2")  # nothing listens there

    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(cli, ["sync", "--config", str(path)])

    # A connection refused on every try (retry.max_attempts) ends the run, saying where to look.
    assert result.exit_code == 1, result.output
    assert "cannot reach monday.com at http://127.0.0.1:9/v2" in result.stderr
    assert "start `ordersync sandbox --port 9`" in result.stderr
    assert "monday.api_url" in result.stderr
    assert "Traceback" not in result.output
    assert SECRET not in result.output + result.stderr + caplog.text
    (run,) = fetch(h.db, "SELECT status, error, requests FROM sync_runs")
    assert run.status == "failed" and SECRET not in run.error and run.requests == 0
    assert {r.sync_state for r in fetch(h.db, "SELECT sync_state FROM orders")} == {"PENDING"}


def test_dry_run_prints_documents_on_stdout_and_needs_no_token(
        harness: Harness, write_workbook: WorkbookFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 3})])
    harness.pipeline()

    result = CliRunner().invoke(cli, ["sync", "--dry-run", "--config",
                                      str(_config_file(harness, tmp_path))])

    assert result.exit_code == 0, result.stderr
    assert "mutation (" in result.stdout and "m0: create_item(" in result.stdout
    assert "would send 3 mutation(s) in 3 request(s)" in result.stderr
    assert fetch(harness.db, "SELECT sync_state FROM orders")[0].sync_state == "PENDING"


def test_sync_json_and_exit_3_when_a_record_fails(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness_factory(columns={"identity": "order_key", "quantity": {
        "id": "total_qty", "type": "numbers", "source": "CUSTOMER STYLE"}})
    write_workbook("GRE_a.xlsx", [order_row(1, style="NOT-A-NUMBER")])
    h.pipeline()
    execute(h.db, "INSERT INTO monday_groups (board_id, group_name, group_id) VALUES "
                  "(:b, 'GREYSTONE FALL 2025', 'g1')", b=h.ids.board_id)
    monkeypatch.setenv("MONDAY_API_TOKEN", SECRET)
    h.serve_cli(monkeypatch)  # the group is registered and the bad value fails before sending

    result = CliRunner().invoke(cli, ["sync", "--json", "--config", str(_config_file(h, tmp_path))])

    assert result.exit_code == 3, result.stderr
    report = json.loads(result.stdout)
    # one request: the preflight read of the boards' columns; no mutation
    assert report["counts"]["failed"] == 1 and report["requests"] == 1
    assert report["mutations"] == 0
    assert "NOT-A-NUMBER" in report["failures"][0]["reason"]


def test_run_without_a_board_skips_the_sync_and_says_so(
        config_path_factory: Callable[[], Path]) -> None:
    result = CliRunner().invoke(cli, ["run", "--config", str(config_path_factory())])

    assert result.exit_code == 0, result.stderr
    assert "sync skipped: set monday.board_id" in result.stderr


@pytest.fixture
def config_path_factory(make_config: Callable[..., object], tmp_path: Path,
                        write_workbook: WorkbookFactory) -> Callable[[], Path]:
    def factory() -> Path:
        write_workbook("GRE_a.xlsx", [order_row(1)])
        return write_config(make_config(), tmp_path)  # type: ignore[arg-type]
    return factory
