"""``read_status``: counts straight from the tables, whatever values they hold."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from conftest import ConfigFactory, WorkbookFactory, fetch, order_row, write_config
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


# -- the PostgreSQL schema, wherever the database is named -----------------------------------------


def _drop_schema(name: str) -> None:
    from conftest import PG_URL

    assert PG_URL is not None
    admin = sa.create_engine(Database(PG_URL).engine.url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    admin.dispose()


def test_status_and_the_report_name_the_schema(config: Config, db: Database, tmp_path: Path,
                                               write_workbook: WorkbookFactory) -> None:
    """They printed the URL alone: on PostgreSQL the schema decides what is seen as much."""
    from ordersync.pipeline import run_pipeline
    from ordersync.report import write_report

    write_workbook("GRE_a.xlsx", [order_row(1)])
    run_pipeline(config, db)
    path = write_config(config, tmp_path)

    shown = CliRunner().invoke(cli, ["status", "--config", str(path)])
    as_json = CliRunner().invoke(cli, ["status", "--json", "--config", str(path)])

    assert shown.exit_code == 0 and as_json.exit_code == 0
    assert '"schema": ' + ("null" if db.is_sqlite else f'"{db.schema}"') in as_json.stdout
    page = write_report(config, db, tmp_path / "page.html").read_text(encoding="utf-8")
    if db.is_sqlite:
        assert "schema" not in shown.stderr.split("\n")[0]
    else:
        assert f"database: {db.display_url}, schema '{db.schema}'" in shown.stderr
        assert f"{db.display_url} (schema &#x27;{db.schema}&#x27;)" in page


def test_a_refusal_names_the_schema(db: Database) -> None:
    db.ensure_schema()
    with db.begin() as conn:
        conn.execute(sa.text("CREATE TABLE keyed (k TEXT PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO keyed VALUES ('a')"))
    from ordersync.errors import DatabaseError

    try:
        with db.begin() as conn:
            conn.execute(sa.text("INSERT INTO keyed VALUES ('a')"))
    except DatabaseError as exc:
        message = str(exc)
    assert message.startswith(f"database {db.display_url}"
                              + ("" if db.is_sqlite else f" (schema '{db.schema}')"))


def test_a_mistyped_schema_says_where_the_tables_are_and_is_not_created(
        make_config: ConfigFactory, config: Config, db: Database, tmp_path: Path,
        write_workbook: WorkbookFactory, engine: str) -> None:
    """status said "no ordersync tables in it yet … check database.url" — the URL was right,
    the schema mistyped; and a run would have created that schema and started empty."""
    from ordersync.pipeline import run_pipeline

    if db.is_sqlite:
        pytest.skip("PostgreSQL schemas")
    write_workbook("GRE_a.xlsx", [order_row(1)])
    run_pipeline(config, db)
    typo = make_config(database={"url": config.database.url,
                                 "schema": f"{db.schema}_typo"})
    path = write_config(typo, tmp_path)

    shown = CliRunner().invoke(cli, ["status", "--config", str(path)])
    runs = CliRunner().invoke(cli, ["runs", "--config", str(path)])

    said = " ".join(shown.stderr.split())
    assert shown.exit_code == 0
    assert f"no ordersync tables in schema '{db.schema}_typo' (database.schema): it does not " \
           "exist, but schema(s) " in said
    assert f"'{db.schema}'" in said and "check database.url" not in said
    assert f"'{db.schema}'" in " ".join(runs.stderr.split())
    typo_db = Database(typo.database_url, schema=f"{db.schema}_typo")
    assert not typo_db.schema_exists()  # looking created nothing


def test_a_first_run_into_a_new_schema_beside_ordersync_tables_warns_naming_both(
        make_config: ConfigFactory, config: Config, db: Database,
        write_workbook: WorkbookFactory, engine: str) -> None:
    from ordersync.pipeline import run_pipeline

    if db.is_sqlite:
        pytest.skip("PostgreSQL schemas")
    write_workbook("GRE_a.xlsx", [order_row(1)])
    run_pipeline(config, db)
    new = make_config(database={"url": config.database.url, "schema": f"{db.schema}_new"})
    new_db = Database(new.database_url, schema=f"{db.schema}_new")
    try:
        dry = run_pipeline(new, new_db, dry_run=True).ingest.warnings
        warnings = run_pipeline(new, new_db).ingest.warnings
    finally:
        new_db.dispose()
        _drop_schema(f"{db.schema}_new")

    (warning,) = [w for w in warnings if "empty order list" in w]
    assert warning.startswith(f"database.schema '{db.schema}_new' does not exist in "
                              f"{db.display_url}: ordersync creates it as it first writes "
                              "there, with a new, empty order list, while schema(s) ")
    assert f"'{db.schema}'" in warning and "fix database.schema" in warning
    assert any("empty order list" in w for w in dry)
