"""One ingest and merge at a time per database: a second run is refused before it does
anything, and two runs started together end with exactly what one run gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ConfigFactory, WorkbookFactory, fetch, order_row, write_config
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.db.locks import exclusive
from ordersync.errors import DatabaseBusy
from ordersync.pipeline import run_ingest, run_merge, run_pipeline


def _held(db: Database) -> object:
    return exclusive(db, "ingest", DatabaseBusy)


def test_a_run_while_another_ingests_does_nothing_and_says_so(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])
    other = open_database(config)  # another process's connection to the same database
    try:
        with _held(other):
            for attempt in (run_pipeline, run_ingest, run_merge):
                with pytest.raises(DatabaseBusy, match="another ordersync run is reading"):
                    attempt(config, db)
            assert run_pipeline(config, db, dry_run=True).ingest.count("staged") == 1
        assert not db.has_table("ingest_files") or not fetch(db, "SELECT * FROM ingest_files")
    finally:
        other.dispose()

    result = run_pipeline(config, db)  # the lock went with the other run

    assert result.merge.orders.new == 2


def test_the_lock_is_one_per_database(make_config: ConfigFactory, tmp_path: Path) -> None:
    first = open_database(make_config())
    second = open_database(make_config(database={"url": f"sqlite:///{tmp_path / 'b.db'}"})
                           ) if first.is_sqlite else None
    if second is None:
        pytest.skip("on PostgreSQL each test has its own schema: covered by the test above")
    with _held(first), _held(second):
        pass
    first.dispose()
    second.dispose()


def test_two_runs_started_together_give_what_one_run_gives(
        make_config: ConfigFactory, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    """The overlap that lost a changed workbook for good: each run took the other's
    half-loaded files for a crash's leftovers and deleted their rows."""
    for n in range(6):
        write_workbook(f"GRE_{n}.xlsx", [order_row(n * 100 + i, {"S": i + 1}) for i in range(40)])
    config = make_config()
    path = write_config(config, tmp_path)
    command = [sys.executable, "-c", "from ordersync.cli import main; main()", "run",
               "--config", str(path)]
    runs = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True) for _ in range(3)]
    outcomes = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "")
                for run in runs]

    assert all(code == 0 or (code == 1 and "another ordersync run" in err)
               for code, err in outcomes), outcomes
    db = open_database(config)
    try:
        lines = fetch(db, "SELECT COUNT(*) AS n, SUM(qty) AS q FROM order_lines")[0]
        files = fetch(db, "SELECT status, COUNT(*) AS n FROM ingest_files GROUP BY status")
        staged = fetch(db, "SELECT COUNT(*) AS n FROM staging_lines")[0]
    finally:
        db.dispose()
    assert (lines.n, lines.q) == (240, 6 * sum(range(1, 41)))
    assert [(f.status, f.n) for f in files] == [("merged", 6)] and staged.n == 0
