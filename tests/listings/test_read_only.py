"""The commands that only read (status, rejects, failures, runs, plan, report) change nothing
in the database: a user allowed to read and no more can run every one of them, a database
an older ordersync wrote is read as it is, and one without ordersync's tables is said to
be so — and is not created by looking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from conftest import PG_URL, ConfigFactory, WorkbookFactory, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.listings.runs import list_runs
from ordersync.pipeline import run_pipeline

READ_COMMANDS = [["status"], ["rejects"], ["failures"], ["runs"], ["plan"],
                 ["report", "--out", "page.html"]]
COMMAND_IDS = [c[0] for c in READ_COMMANDS]


def _columns(db: Database, role: str) -> set[str]:
    with db.peek() as peek:
        return set(peek.columns(getattr(db.tables, role)))


@pytest.mark.parametrize("command", READ_COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize("engine", ["postgresql"] if PG_URL else [])
def test_a_user_who_may_only_read_can_run_every_read_command(
        make_config: ConfigFactory, write_workbook: WorkbookFactory,
        pg_role: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        command: list[str], engine: str) -> None:
    """`runs` and `report` ran create_tables() — CREATE SCHEMA, ALTER TABLE — and a
    SELECT-only user got "permission denied for database"."""
    config = make_config()
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    run_pipeline(config, db)
    with db.begin() as conn:  # written by an older ordersync: a run column is missing
        conn.execute(sa.text('ALTER TABLE sync_runs DROP COLUMN "counts"'))
    db.dispose()
    schema = config.database.schema_name
    url = pg_role(f'GRANT USAGE ON SCHEMA "{schema}" TO {{role}}',
                  f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {{role}}')
    path = write_config(config, tmp_path)
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", url)
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, [*command, "--config", str(path)])

    assert result.exit_code == 0, result.output
    assert "no ordersync tables" not in result.stderr


def test_runs_reads_a_database_an_older_ordersync_wrote_without_changing_it(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """It added the run columns the tables lacked first: an ALTER TABLE from a listing."""
    write_workbook("GRE_a.xlsx", [order_row(1)])
    run_pipeline(config, db)
    with db.begin() as conn:  # as an ordersync before budget waits and run counts
        for column in ("mutations", "budget_waits", "waited_seconds", "counts"):
            conn.execute(sa.text(f'ALTER TABLE sync_runs DROP COLUMN "{column}"'))
        conn.execute(sa.text('ALTER TABLE ingest_runs DROP COLUMN "lines_written"'))
        conn.execute(sa.text("INSERT INTO sync_runs (board_id, status, started_at) "
                             "VALUES ('7', 'ok', :t)"), {"t": db.timestamp()})
    missing = {"mutations", "budget_waits", "waited_seconds", "counts"}

    runs = list_runs(db)

    assert [(r.kind, r.status) for r in runs] == [("sync", "ok"), ("ingest", "ok")]
    assert runs[0].mutations == 0 and runs[0].counts == {"succeeded": 0, "failed": 0}
    assert runs[1].counts["orders_written"] == 1 and "lines_written" not in runs[1].counts
    assert not missing & _columns(db, "sync_runs")  # read as it is, not altered
    assert "lines_written" not in _columns(db, "ingest_runs")


def test_runs_reads_a_database_without_a_runs_table(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    run_pipeline(config, db)
    with db.begin() as conn:
        conn.execute(sa.text("DROP TABLE ingest_runs"))

    assert list_runs(db) == []
    assert not _columns(db, "ingest_runs")
    assert fetch(db, "SELECT COUNT(*) FROM orders")[0][0] == 1


@pytest.mark.parametrize("command", READ_COMMANDS, ids=COMMAND_IDS)
def test_a_database_without_ordersync_s_tables_is_said_so_and_left_alone(
        config: Config, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        command: list[str]) -> None:
    """`runs` said "no runs yet" of a mistyped database as of a new one."""
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    path = write_config(config, tmp_path)

    result = CliRunner().invoke(cli, [*command, "--config", str(path)])

    assert result.exit_code == 0, result.output
    assert "no ordersync tables in" in " ".join(result.stderr.split())  # it, or the schema
    if db.is_sqlite:
        assert db.sqlite_file is not None and not Path(db.sqlite_file).exists()
    else:
        assert not db.schema_exists()
