"""The CLI tells the truth: --env where the init comment says, the sandbox recipe that
appends valid TOML, a busy port as one error, the demo's results on stdout and its
progress on stderr."""

from __future__ import annotations

import json
import socket
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from ordersync.cli import cli
from ordersync.config import load_config


def test_env_works_before_the_command_as_the_init_comment_says(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    config = tmp_path / "ordersync.toml"
    assert "`ordersync --env prod run`" in config.read_text()

    result = runner.invoke(cli, ["--env", "dev", "status", "--json", "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["database"].endswith("ordersync-dev.db")
    wrong = runner.invoke(cli, ["--env", "nope", "status", "--config", str(config)])
    assert wrong.exit_code == 1 and "env.nope: no such environment" in wrong.stderr


def test_the_sandbox_snippet_appends_to_an_init_config_as_valid_toml(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    snippet = runner.invoke(cli, ["sandbox", "--state", str(tmp_path / "sandbox.json"),
                                  "--create-board", "--no-serve"])
    assert snippet.exit_code == 0, snippet.output
    config_path = tmp_path / "ordersync.toml"
    with config_path.open("a", encoding="utf-8") as handle:  # what `>> ordersync.toml` does
        handle.write(snippet.stdout)

    tomllib.loads(config_path.read_text(encoding="utf-8"))
    config = load_config(config_path)
    assert config.monday.board_id and config.monday.subitems_board_id
    assert config.monday.api_url == "http://127.0.0.1:8765/v2"
    assert config.monday.status_labels.cancelled == "Cancelled"  # the init config's tables kept
    assert config.monday.columns["identity"]


def test_a_busy_port_is_one_clear_error_with_exit_1(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(cli, ["sandbox", "--port", str(port)])

    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "listening" not in result.output and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_demo_prints_results_on_stdout_progress_on_stderr_and_ends_with_the_report(
        tmp_path: Path) -> None:
    work = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--workdir", str(work), "--customers", "3",
                                      "--orders", "120"])

    assert result.exit_code == 0, result.output
    assert "1. sample data" in result.stdout and "7. sync" in result.stdout
    assert "1. sample data" not in result.stderr
    assert "ingest: reading file" in result.stderr
    report = work / "report.html"
    assert report.is_file() and report.stat().st_size > 5_000
    report_line = [line for line in result.stdout.splitlines() if "report page" in line]
    assert report_line and str(report) in report_line[0]


@pytest.mark.parametrize("command", ["rejects", "failures", "runs", "report"])
def test_every_new_command_has_an_example_in_its_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    example = result.output.split("Example:")[1].split("Options:")[0].strip()
    assert example.startswith(f"ordersync {command}")


def test_an_error_naming_a_table_in_brackets_prints_it_as_written(tmp_path: Path) -> None:
    """Error messages are text, not rich markup: '[monday.routing]' must not vanish."""
    import click

    from ordersync.cli import _handles_errors
    from ordersync.errors import ConfigError

    @click.command()
    @_handles_errors
    def failing() -> None:
        raise ConfigError("[monday.routing] key", ["'{SEASON}' names no order column"])

    result = CliRunner().invoke(failing, [])
    assert result.exit_code == 1
    assert "[monday.routing] key" in result.output


def test_plan_with_a_token_holding_non_ascii_characters_says_so_in_one_line(
        tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    snippet = runner.invoke(cli, ["sandbox", "--state", str(tmp_path / "sandbox.json"),
                                  "--create-board", "--no-serve"])
    with (tmp_path / "ordersync.toml").open("a", encoding="utf-8") as handle:
        handle.write(snippet.stdout)

    result = runner.invoke(cli, ["plan", "--config", str(tmp_path / "ordersync.toml")],
                           env={"MONDAY_API_TOKEN": "tok-é"})

    assert result.exit_code == 1
    assert "characters an API token never has" in result.stderr
    assert "Traceback" not in result.output
