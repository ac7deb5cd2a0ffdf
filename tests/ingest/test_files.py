"""Nothing unnoticed: files gone from the folder, files two profiles claim, undeclared dates,
and totals that disagree with their sizes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import (
    BASE_HEADERS,
    ConfigFactory,
    WorkbookFactory,
    fetch,
    order_row,
    write_config,
)
from ordersync.cli import cli
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.ingest.files import _matches, _matching
from ordersync.pipeline import run_pipeline


@pytest.mark.parametrize("policy", ["keep", "remove"])
def test_a_file_removed_from_the_folder(make_config: ConfigFactory,
                                        write_workbook: WorkbookFactory, policy: str) -> None:
    config = make_config(sources={"directory": "orders", "missing_files": policy, "profiles": {
        "GRE": {"customer": "GREYSTONE", "glob": "GRE*.xlsx"}}})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    gone = write_workbook("GRE_b.xlsx", [order_row(2), order_row(3)])
    run_pipeline(config, db)
    gone.unlink()

    result = run_pipeline(config, db)

    (report,) = [f for f in result.ingest.files if f.path == "GRE_b.xlsx"]
    fate = ("flagged REMOVED by the merge" if policy == "remove"
            else 'kept as they are (sources.missing_files = "keep")')
    assert report.status == "missing"
    assert report.notes == (f"GRE_b.xlsx: gone from the folder; its 2 order(s) are {fate}",)
    files = {r.path: r.status for r in fetch(db, "SELECT path, status FROM ingest_files")}
    assert files == {"GRE_a.xlsx": "merged", "GRE_b.xlsx": "missing"}
    orders = {r.n: (r.change_kind, r.removed_at is not None) for r in fetch(
        db, 'SELECT "AAG ORDER NUMBER" AS n, change_kind, removed_at FROM orders')}
    removed = policy == "remove"
    assert orders == {"GRE-00001": ("NEW", False),
                      "GRE-00002": ("REMOVED" if removed else "NEW", removed),
                      "GRE-00003": ("REMOVED" if removed else "NEW", removed)}
    assert result.merge.orders.removed == (2 if removed else 0)

    # the file comes back: its orders are live again and nothing is re-created
    write_workbook("GRE_b.xlsx", [order_row(2), order_row(3)])
    run_pipeline(config, db)
    assert {r.removed_at for r in fetch(db, "SELECT removed_at FROM orders")} == {None}
    assert len(fetch(db, "SELECT 1 FROM orders")) == 3


def test_two_profiles_on_one_file_is_an_error_exit_3(
        make_config: ConfigFactory, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    config = make_config(sources={"directory": "orders", "profiles": {
        "GRE": {"customer": "GREYSTONE", "glob": "GRE*.xlsx"},
        "ALL": {"customer": "EVERYONE", "glob": "*.xlsx"}}})
    write_workbook("GRE_a.xlsx", [order_row(1)])

    result = CliRunner().invoke(cli, ["ingest", "--config", str(write_config(config, tmp_path))])

    assert result.exit_code == 3
    assert ("GRE_a.xlsx: matches profiles GRE, ALL, so it was not read — make their globs "
            "exclusive") in result.stderr


def test_a_file_two_profiles_match_is_recorded_failed_and_neither_is_called_unmatched(
        make_config: ConfigFactory, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    """`run` exited 3 but `status` and the report counted no failed file (it was never
    recorded), and the run warned that neither profile matched any file."""
    from ordersync.listings.runs import list_runs
    from ordersync.status import read_status

    config = make_config(sources={"directory": "orders", "profiles": {
        "GRE": {"customer": "GREYSTONE", "glob": "GRE*.xlsx"},
        "ALL": {"customer": "EVERYONE", "glob": "GRE_b*.xlsx"},
        "BLU": {"customer": "BLUEWAVE", "glob": "BLU*.xlsx"}}})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    write_workbook("GRE_b.xlsx", [order_row(2)])

    result = run_pipeline(config, db)

    assert result.exit_code == 3
    assert [w for w in result.ingest.warnings if "profile" in w] == [
        "profile BLU: no file matches its glob 'BLU*.xlsx' (check it against the files' names)"]
    files = read_status(db)["files"]
    assert files["failed"] == 1 and files["by_status"] == {"failed": 1, "merged": 1}
    ((failed),) = files["failed_files"]
    assert failed["path"] == "GRE_b.xlsx"
    assert "matches profiles GRE, ALL, so it was not read — make their globs exclusive" \
        in failed["error"]
    assert list_runs(db)[0].status == "partial"

    # Again, unchanged: still failed, said once; then the globs made exclusive: read.
    assert run_pipeline(config, db).exit_code == 3
    assert read_status(db)["files"]["failed"] == 1
    config = make_config(sources={"directory": "orders", "profiles": {
        "GRE": {"customer": "GREYSTONE", "glob": "GRE_a*.xlsx"},
        "ALL": {"customer": "EVERYONE", "glob": "GRE_b*.xlsx"}}})
    assert run_pipeline(config, db).exit_code == 0
    assert read_status(db)["files"]["by_status"] == {"merged": 2}
    assert fetch(db, "SELECT COUNT(*) FROM orders")[0][0] == 2


def test_a_file_read_before_then_matched_twice_drops_its_staged_rows(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    from ordersync.pipeline import run_ingest, run_merge

    config = make_config()
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    run_ingest(config, db)  # staged, not merged yet
    both = make_config(sources={"directory": "orders", "profiles": {
        "GRE": {"customer": "GREYSTONE", "glob": "GRE*.xlsx"},
        "ALL": {"customer": "EVERYONE", "glob": "*.xlsx"}}})

    assert run_ingest(both, db).count("failed") == 1

    assert fetch(db, "SELECT status, profile, customer FROM ingest_files") == [
        ("failed", "GRE/ALL", None)]
    assert fetch(db, "SELECT COUNT(*) FROM staging_orders")[0][0] == 0
    run_merge(both, db)
    assert fetch(db, "SELECT COUNT(*) FROM orders")[0][0] == 0


def test_undeclared_date_column_is_typed_as_a_date(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(columns={"dates": ["ETA"], "decimals": ["FOB PRICE"],
                                  "text": ["DATE CODE"]})
    db = open_database(config)
    headers = [*BASE_HEADERS[:-1], "SHIP DATE", "DATE CODE", "UNIT OF MEASURE", "S", "M",
               "TOTAL QTY"]
    write_workbook("GRE_a.xlsx", [
        order_row(1, **{"SHIP DATE": "05/03/2026", "DATE CODE": "W12"}),
        order_row(2, **{"SHIP DATE": "31/02/2026", "DATE CODE": "W13"})], headers=headers)

    run_pipeline(config, db)

    (reject,) = fetch(db, 'SELECT "row", "column", raw_value, reason FROM rejected_rows')
    assert (reject.row, reject.column, reject.raw_value) == (3, "SHIP DATE", "31/02/2026")
    assert reject.reason.startswith("not a date")
    (order,) = fetch(db, 'SELECT "SHIP DATE" AS d, "DATE CODE" AS c FROM orders')
    assert (str(order.d)[:10], order.c) == ("2026-03-05", "W12")


def test_undeclared_price_column_is_typed_as_a_number(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config()
    db = open_database(config)
    headers = [*BASE_HEADERS[:-1], "UNIT PRICE", "UNIT OF MEASURE", "S", "M", "TOTAL QTY"]
    write_workbook("GRE_a.xlsx", [order_row(1, **{"UNIT PRICE": "$12.50"}),
                                  order_row(2, **{"UNIT PRICE": "twelve"})], headers=headers)

    run_pipeline(config, db)

    (reject,) = fetch(db, 'SELECT "row", "column", reason FROM rejected_rows')
    assert tuple(reject) == (3, "UNIT PRICE", "not a number")
    assert float(fetch(db, 'SELECT "UNIT PRICE" AS p FROM orders')[0].p) == 12.5


@pytest.mark.parametrize("mode", ["reject", "warn", "off"])
def test_total_against_the_sizes(make_config: ConfigFactory, write_workbook: WorkbookFactory,
                                 mode: str) -> None:
    config = make_config(merge={"total_check": mode})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [
        order_row(1, {"S": 10, "M": 20}),
        order_row(2, {"S": 1000, "M": 302}, **{"TOTAL QTY": 102}),
        order_row(3, {"S": 5, "M": 5}, **{"TOTAL QTY": None})])

    report = run_pipeline(config, db).ingest

    (file,) = report.files
    rejects = [(r.row, r.column, r.raw_value, r.reason)
               for r in fetch(db, 'SELECT "row", "column", raw_value, reason FROM rejected_rows')]
    staged = sorted(r.n for r in fetch(db, 'SELECT "AAG ORDER NUMBER" AS n FROM orders'))
    if mode == "reject":
        assert rejects == [(3, "TOTAL QTY", "102", "TOTAL QTY 102 but the sizes add up to 1302 "
                                                   "(merge.total_check = reject)")]
        assert staged == ["GRE-00001", "GRE-00003"] and file.notes == ()
    else:
        assert rejects == []
        assert staged == ["GRE-00001", "GRE-00002", "GRE-00003"]
        assert file.notes == (() if mode == "off" else (
            "row 3 (order GRE-00002 / SEA / GR-2-TEE): TOTAL QTY 102 but the sizes add up to "
            "1302 (merge.total_check = warn: staged as the sizes say)",))


def test_total_is_checked_when_every_size_cell_is_blank_or_one_size_column_is(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    """Size columns blank in the whole file add nothing to the sum, yet the totals of their
    rows are still checked: against 0 when the row has no size at all."""
    config = make_config(merge={"total_check": "reject"})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [
        order_row(1, {"S": None, "M": 7, "L": None}, **{"TOTAL QTY": 7}),
        order_row(2, {"S": None, "M": None, "L": None}, **{"TOTAL QTY": 12}),
        order_row(3, {"S": None, "M": 5, "L": None}, **{"TOTAL QTY": 6})])

    run_pipeline(config, db)

    rejects = sorted((r.row, r.reason)
                     for r in fetch(db, 'SELECT "row", reason FROM rejected_rows'))
    assert rejects == [
        (3, "TOTAL QTY 12 but the sizes add up to 0 (merge.total_check = reject)"),
        (4, "TOTAL QTY 6 but the sizes add up to 5 (merge.total_check = reject)")]
    assert [r.n for r in fetch(db, 'SELECT "AAG ORDER NUMBER" AS n FROM orders')] == ["GRE-00001"]


class PanicException(BaseException):
    """What a Rust extension raises when it panics (not an Exception)."""


class RefusingDatabase(Database):
    """A database that refuses to load any frame holding order GRE-00002."""

    failure: BaseException = RuntimeError(
        "adbc_driver_manager.ProgrammingError: constraint failed")

    def bulk_append(self, table: str, frame: pl.DataFrame) -> int:
        if "AAG ORDER NUMBER" in frame.columns and "GRE-00002" in frame[
                "AAG ORDER NUMBER"].to_list():
            raise self.failure
        return super().bulk_append(table, frame)


@pytest.mark.parametrize("failure", [
    RuntimeError("adbc_driver_manager.ProgrammingError: constraint failed"),
    PanicException("constraint failed")], ids=["error", "panic"])
def test_a_file_the_database_refuses_fails_alone(config: Config, write_workbook: WorkbookFactory,
                                                 failure: BaseException) -> None:
    db = RefusingDatabase(config.database_url, schema=config.database.schema_name,
                          tables=config.database.tables)
    db.failure = failure
    write_workbook("GRE_a.xlsx", [order_row(1)])
    write_workbook("GRE_b.xlsx", [order_row(2)])

    result = run_pipeline(config, db)

    reports = {f.path: f for f in result.ingest.files}
    assert reports["GRE_a.xlsx"].status == "staged"
    assert reports["GRE_b.xlsx"].status == "failed"
    assert reports["GRE_b.xlsx"].error == (
        "GRE_b.xlsx: the database refused the file's rows (constraint failed) — please "
        "report it with the file")  # no library name
    files = {r.path: r.status for r in fetch(db, "SELECT path, status FROM ingest_files")}
    assert files == {"GRE_a.xlsx": "merged", "GRE_b.xlsx": "failed"}
    assert [r.n for r in fetch(db, 'SELECT "AAG ORDER NUMBER" AS n FROM orders')] == [
        "GRE-00001"]


def test_an_older_database_without_stamp_columns_gains_them_and_skips_unchanged_files(
        config: Config, write_workbook: WorkbookFactory) -> None:
    """known_files reads through the driver when ingest_files has every column; a database
    an older ordersync wrote (no source_etag/size/modified) gains them first."""
    import sqlalchemy as sa

    from ordersync.ingest.files import known_files

    write_workbook("GRE_a.xlsx", [order_row(1)])
    db = open_database(config)
    run_pipeline(config, db)
    with db.begin() as conn:
        for column in ("source_etag", "source_size", "source_modified"):
            conn.execute(sa.text(f"ALTER TABLE {db.table('ingest_files')} DROP COLUMN {column}"))
    db.dispose()
    older = open_database(config)  # a new process: its columns not checked yet

    known = known_files(older)

    assert list(known) == ["GRE_a.xlsx"] and known["GRE_a.xlsx"].source_etag is None
    with older.peek() as peek:
        assert {"source_etag", "source_size", "source_modified"} <= set(
            peek.columns(older.tables.ingest_files))
    result = run_pipeline(config, older)
    assert [(f.path, f.status) for f in result.ingest.files] == [("GRE_a.xlsx", "skipped")]
    older.dispose()


_SEGMENT = st.text(alphabet="abAB_.x", min_size=1, max_size=4)
_GLOB = st.text(alphabet="abAB_.x*?[]!", min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_SEGMENT, min_size=1, max_size=3).map("/".join), max_size=8),
       st.lists(st.one_of(_GLOB, st.lists(st.one_of(_GLOB, st.just("**")), min_size=1,
                                                 max_size=3).map("/".join)),
                min_size=1, max_size=3))
def test_profile_globs_match_each_path_as_one_by_one_matching_does(paths: list[str],
                                                                   patterns: list[str]) -> None:
    """The folder-at-once matching (one compiled pattern per glob) picks exactly the paths
    the segment-by-segment rule does, case-sensitively, sub-folders and ``**`` included."""
    assert _matching(paths, patterns) == {
        path for path in paths if any(_matches(path, pattern) for pattern in patterns)}
