"""The CLI: exit codes, one-line errors, JSON on stdout, --dry-run, --help examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import WorkbookFactory, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.config import Config
from ordersync.db import Database


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_init_writes_the_example_config_which_loads(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["init", str(tmp_path / "proj")])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "proj" / "orders").is_dir()
    status = runner.invoke(cli, ["status", "--json", "--config",
                                 str(tmp_path / "proj" / "ordersync.toml")])
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["orders"]["total"] == 0
    again = runner.invoke(cli, ["init", str(tmp_path / "proj")])
    assert again.exit_code == 2 and "--force" in again.output


def test_run_then_status_json_agrees_with_the_database(
        runner: CliRunner, config: Config, db: Database, tmp_path: Path,
        write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2}), order_row(2, {"S": "x"}),
                                  order_row(3, order_type="CANCELLED"), order_row(1)])
    path = write_config(config, tmp_path)

    run = runner.invoke(cli, ["run", "--config", str(path), "--json"])
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report["merge"]["orders"]["new"] == 1 and report["merge"]["orders"]["cancelled"] == 1
    status = runner.invoke(cli, ["status", "--json", "--config", str(path)])
    counts = json.loads(status.stdout)

    assert counts["orders"]["total"] == fetch(db, "SELECT COUNT(*) FROM orders")[0][0] == 2
    assert counts["orders"]["by_state"] == {"PENDING": 2}
    assert counts["orders"]["by_action"] == {"CANCEL": 1, "CREATE": 1}
    assert counts["lines"]["total"] == fetch(db, "SELECT COUNT(*) FROM order_lines")[0][0]
    assert counts["lines"]["by_state"] == {"PENDING": counts["lines"]["total"]}
    assert counts["rejected_rows"] == 2  # one bad size, one duplicate key
    assert counts["files"] == {"total": 1, "failed": 0, "by_status": {"merged": 1},
                                 "failed_files": []}


def test_dry_run_writes_nothing_and_says_so(runner: CliRunner, config: Config, db: Database,
                                            tmp_path: Path,
                                            write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    path = write_config(config, tmp_path)

    result = runner.invoke(cli, ["run", "--dry-run", "--config", str(path)])

    assert result.exit_code == 0, result.output
    assert "[dry run] would ingest" in result.stderr
    counts = json.loads(runner.invoke(cli, ["status", "--json", "--config", str(path)]).stdout)
    assert counts["files"]["total"] == 0 and counts["orders"]["total"] == 0


def test_failed_file_exits_3_with_its_reason(runner: CliRunner, config: Config, tmp_path: Path,
                                             write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    (tmp_path / "orders" / "GRE_b.xlsx").write_bytes(b"nope")
    path = write_config(config, tmp_path)

    result = runner.invoke(cli, ["ingest", "--config", str(path)])

    assert result.exit_code == 3
    assert "GRE_b.xlsx: not a valid .xlsx file" in result.stderr
    assert "Traceback" not in result.output


def test_file_names_and_errors_print_as_written_not_as_markup(
        runner: CliRunner, config: Config, tmp_path: Path,
        write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    (tmp_path / "orders" / "GRE_b [v2] [bold]x :x:.xlsx").write_bytes(b"nope")
    path = write_config(config, tmp_path)

    result = runner.invoke(cli, ["ingest", "--config", str(path)])

    assert result.exit_code == 3, result.output
    assert "GRE_b [v2] [bold]x :x:.xlsx: not a valid .xlsx file" in result.stderr
    assert "Traceback" not in result.output


def test_init_prints_the_path_it_wrote_as_written(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "orders [v2] :x:"

    result = runner.invoke(cli, ["init", str(target)])

    assert result.exit_code == 0, result.output
    # the line wraps at the runner's 80 columns: compare without the line breaks
    assert "".join(str(target / "ordersync.toml").split()) in "".join(result.stderr.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--config", "missing.toml"], "file not found: create one with `ordersync init"),
        (["run", "--config", "{bad}", "--env", "nope"], "env.nope: no such environment"),
        (["ingest", "--config", "{bad_toml}"], "not valid TOML"),
        (["merge", "--config", "{bad_value}"], "merge.duplicates"),
    ],
    ids=["missing-config", "unknown-env", "bad-toml", "bad-value"],
)
def test_user_errors_exit_1_with_one_clear_message(runner: CliRunner, tmp_path: Path,
                                                   args: list[str], message: str) -> None:
    (tmp_path / "bad.toml").write_text('[env.dev]\n', encoding="utf-8")
    (tmp_path / "bad_toml.toml").write_text("[database\n", encoding="utf-8")
    (tmp_path / "bad_value.toml").write_text('[merge]\nduplicates = "middle"\n', encoding="utf-8")
    args = [a.replace("{bad}", str(tmp_path / "bad.toml"))
            .replace("{bad_toml}", str(tmp_path / "bad_toml.toml"))
            .replace("{bad_value}", str(tmp_path / "bad_value.toml")) for a in args]

    result = runner.invoke(cli, args)

    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_database_url_from_environment(runner: CliRunner, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    runner.invoke(cli, ["init", str(tmp_path)])
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")

    result = runner.invoke(cli, ["status", "--json", "--config", str(tmp_path / "ordersync.toml")])

    assert json.loads(result.stdout)["database"].endswith("elsewhere.db")


@pytest.mark.parametrize("command", ["init", "sample-data", "ingest", "merge", "run", "status",
                                     "demo"])
def test_every_help_ends_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli, [command, "--help"])

    assert result.exit_code == 0
    assert "Example:" in result.output and "ordersync " in result.output.split("Example:")[1]


@pytest.mark.parametrize("command", ["status", "ingest", "run", "runs", "rejects", "plan"])
def test_a_file_that_is_no_database_is_one_clear_error(runner: CliRunner, tmp_path: Path,
                                                       command: str) -> None:
    runner.invoke(cli, ["init", str(tmp_path)])
    (tmp_path / "ordersync.db").write_text("a text file where the database should be " * 40)

    result = runner.invoke(cli, [command, "--config", str(tmp_path / "ordersync.toml")])

    message = " ".join(result.stderr.split())
    assert result.exit_code == 1, result.output
    assert "file is not a database" in message and "database.url" in message
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(("args", "path", "why"), [
    (["report", "--out", "{blocker}/r.html"], "{blocker}", "a file is in the way"),
    (["rejects", "--csv", "{blocker}/x.csv"], "{blocker}/x.csv", "a file is in the way"),
    (["rejects", "--csv", "{tmp}/no such folder/x.csv"], "{tmp}/no such folder/x.csv",
     "no such file or folder — check the path"),
    (["--log-file", "{blocker}/o.log", "status"], "{blocker}", "a file is in the way"),
    (["init", "{blocker}/sub"], "{blocker}/sub", "a file is in the way"),
    (["sandbox", "--state", "{blocker}/sb.json", "--create-board", "--no-serve"], "{blocker}",
     "a file is in the way"),
], ids=["report-out", "rejects-csv", "rejects-csv-folder", "log-file", "init", "sandbox-state"])
def test_an_output_path_the_system_refuses_is_one_clear_line(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
        path: str, why: str) -> None:
    """Each printed a traceback (PermissionError, NotADirectoryError, FileExistsError), and
    `rejects --csv` made any missing folders on its way, even at the file system's root."""
    runner.invoke(cli, ["init", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blocker").write_text("a file, not a folder")
    fill = {"blocker": str(tmp_path / "blocker"), "tmp": str(tmp_path)}

    result = runner.invoke(cli, [a.format(**fill) for a in args])

    message = " ".join(result.stderr.split())
    assert result.exit_code == 1, result.output
    assert f"{path.format(**fill)}: {why}" in message
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not (tmp_path / "no such folder").exists()


@pytest.mark.parametrize("command", ["status", "ingest", "run", "merge"])
def test_unreachable_database_is_one_clear_error(runner: CliRunner, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 command: str) -> None:
    runner.invoke(cli, ["init", str(tmp_path)])
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")

    result = runner.invoke(cli, [command, "--config", str(tmp_path / "ordersync.toml")])

    message = " ".join(result.stderr.split())  # the console wraps long lines
    assert result.exit_code == 1
    assert "database postgresql://nobody@127.0.0.1:9/none" in message
    assert "check database.url" in message
    assert "Traceback" not in result.output


def test_a_sqlite_file_in_a_missing_folder_names_the_folder_not_a_server(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner.invoke(cli, ["init", str(tmp_path)])
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", f"sqlite:///{tmp_path}/nowhere/o.db")

    result = runner.invoke(cli, ["ingest", "--config", str(tmp_path / "ordersync.toml")])

    message = " ".join(result.stderr.split())
    assert result.exit_code == 1, result.output
    assert "its folder exists" in message and "server" not in message


def test_sample_data_beside_other_workbooks_warns_in_one_line(runner: CliRunner,
                                                               tmp_path: Path) -> None:
    (tmp_path / "GRE_stray.xlsx").write_bytes(b"")

    result = runner.invoke(cli, ["sample-data", str(tmp_path), "--customers", "3",
                                 "--orders", "30"])

    assert result.exit_code == 0, result.output
    assert "! " in result.stderr and "'GRE_stray.xlsx'" in result.stderr
    assert "UserWarning" not in result.stderr and "warnings.warn" not in result.stderr


def test_long_file_names_show_whole_in_a_log(runner: CliRunner, config: Config, tmp_path: Path,
                                             write_workbook: WorkbookFactory) -> None:
    """Out of a terminal (a cron job's log, a pipe) the tables were cut at 80 columns: two
    files differing only at the end of their names both showed as "GRE_Open_Orders_20…"."""
    names = [f"GRE_Open_Orders_for_the_whole_season_2025{day}.xlsx" for day in ("1114", "1201")]
    for number, name in enumerate(names, 1):
        write_workbook(name, [order_row(number)])

    result = runner.invoke(cli, ["ingest", "--config", str(write_config(config, tmp_path))])

    assert result.exit_code == 0, result.output
    assert all(name in result.stderr for name in names), result.stderr
