"""``read_status``: counts straight from the tables, whatever values they hold."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from conftest import WorkbookFactory, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.config import Config
from ordersync.db import Database
from ordersync.status import read_status


def test_counts_by_state_action_and_change_match_the_tables(
        config: Config, db: Database, tmp_path: Path, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2}), order_row(2),
                                  order_row(3, order_type="CANCELLED")])
    assert CliRunner().invoke(cli, ["run", "--config", str(write_config(config, tmp_path))]
                              ).exit_code == 0

    status = read_status(db)
    for table, column, key in (("orders", "sync_state", "by_state"),
                               ("orders", "sync_action", "by_action"),
                               ("orders", "change_kind", "by_change"),
                               ("order_lines", "sync_state", "by_state"),
                               ("order_lines", "sync_action", "by_action")):
        expected = {str(v): n for v, n in fetch(
            db, f"SELECT {column}, COUNT(*) FROM {table} GROUP BY {column}")}
        assert status["orders" if table == "orders" else "lines"][key] == expected
    assert status["orders"]["total"] == 3
    assert status["files"] == {"total": 1, "failed": 0, "by_status": {"merged": 1},
                                 "failed_files": []}


def test_a_value_ordersync_never_writes_is_still_counted(
        config: Config, db: Database, tmp_path: Path, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])
    assert CliRunner().invoke(cli, ["run", "--config", str(write_config(config, tmp_path))]
                              ).exit_code == 0
    with db.begin() as conn:  # e.g. a hand edit, or an older version's state name
        conn.execute(sa.text("UPDATE orders SET sync_state = 'ON HOLD' WHERE business_key = "
                             "(SELECT MIN(business_key) FROM orders)"))
        conn.execute(sa.text("UPDATE orders SET sync_action = NULL"))

    status = read_status(db)
    assert status["orders"]["by_state"] == {"ON HOLD": 1, "PENDING": 1}
    assert status["orders"]["by_action"] == {"none": 2}


def test_a_failed_file_is_named_with_its_reason(config: Config, db: Database, tmp_path: Path,
                                                write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_good.xlsx", [order_row(1)])
    (config.source_dir / "GRE_bad.xlsx").write_bytes(b"\x01\x02 not a workbook")
    path = write_config(config, tmp_path)
    assert CliRunner().invoke(cli, ["run", "--config", str(path)]).exit_code == 3

    files = read_status(db)["files"]

    assert files["failed"] == 1
    ((failed),) = files["failed_files"]
    assert failed["path"] == "GRE_bad.xlsx" and "not a valid .xlsx file" in failed["error"]
    shown = CliRunner().invoke(cli, ["status", "--config", str(path)])
    assert shown.exit_code == 0
    assert "failed: GRE_bad.xlsx: not a valid .xlsx file" in shown.stderr


def test_a_database_without_ordersync_s_tables_says_so(config: Config, tmp_path: Path) -> None:
    """A misspelled database file name showed zeros everywhere, as if all were well."""
    path = write_config(config.model_copy(update={"database": config.database.model_copy(
        update={"url": f"sqlite:///{tmp_path / 'typo.db'}"})}), tmp_path)

    result = CliRunner().invoke(cli, ["status", "--config", str(path)])

    assert result.exit_code == 0
    assert "no ordersync tables in it yet — `ordersync run` makes them; if they should be " \
           "there, check database.url" in " ".join(result.stderr.split())
    assert not (tmp_path / "typo.db").exists()  # looking made no file
