"""Ingest end to end: every row read is staged or rejected with a reason; quirks are handled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import ConfigFactory, WorkbookFactory, fetch, layout, order_row, write_xls
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.ingest import ingest
from ordersync.pipeline import run_pipeline


def _rejects(db: Database) -> list[tuple[int, str | None, str | None, str]]:
    rows = fetch(db, 'SELECT "row", "column", raw_value, reason FROM rejected_rows '
                     'ORDER BY "row", "column"')
    return [(r.row, r.column, r.raw_value, r.reason) for r in rows]


def test_every_row_is_staged_or_rejected_with_its_reason(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    rows = [
        order_row(1),
        order_row(2, {"S": "abc", "M": -1}),
        order_row(3, ETA="next week"),
        order_row(4, **{"FOB PRICE": "cheap"}),
        order_row(5, **{"AAG ORDER NUMBER": None}),
        order_row(6, {"S": 2.5}),
    ]
    write_workbook("GRE_a.xlsx", rows)

    report = ingest(config, db)

    (file,) = report.files
    assert (file.rows_read, file.rows_staged, file.rows_rejected) == (6, 1, 5)
    assert _rejects(db) == [
        (3, "M", "-1", "negative quantity"),
        (3, "S", "abc", "not a number"),
        (4, "ETA", "next week", "not a date (expected an Excel date, a serial number or text "
                                "like 2025-03-05, 05/03/2025, 05-Mar-2025)"),
        (5, "FOB PRICE", "cheap", "not a number"),
        (6, "AAG ORDER NUMBER", None, "missing business key value"),
        (7, "S", "2.5", "not a whole number"),
    ]
    (reject,) = fetch(db, "SELECT file, sheet, business_key FROM rejected_rows WHERE \"row\" = 5")
    assert reject.file == "GRE_a.xlsx" and reject.sheet == "Sheet1"
    assert reject.business_key.startswith("GRE-00004")


def test_a_key_cell_holding_a_null_word_is_rejected_showing_the_word(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, **{"AAG ORDER NUMBER": " TBC "}),
                                  order_row(2, **{"AAG ORDER NUMBER": "  "}), order_row(3)])

    report = ingest(config, db)

    assert report.files[0].rows_staged == 1
    assert _rejects(db) == [
        (2, "AAG ORDER NUMBER", "TBC",
         "missing business key value: TBC is a null word (columns.null_values)"),
        (3, "AAG ORDER NUMBER", None, "missing business key value"),
    ]


def test_a_key_written_decomposed_is_the_same_order(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """CAFÉ with a combining accent (as a Mac writes it) looks like CAFÉ: it is one key."""
    write_workbook("GRE_a.xlsx", [order_row(1, style="CAF\u00c9-1")])
    write_workbook("GRE_b.xlsx", [order_row(1, style="CAFE\u0301-1")])

    run_pipeline(config, db)

    (order,) = fetch(db, 'SELECT business_key, "CUSTOMER STYLE" AS style FROM orders')
    assert order.style == "CAF\u00c9-1" and "CAF\u00c9-1" in order.business_key
    assert [r.reason.split(" (")[0] for r in fetch(db, "SELECT reason FROM rejected_rows")] == [
        "duplicate key: row 2 of GRE_b.xlsx was kept"]


def test_a_header_over_two_rows_with_a_band_over_the_sizes_is_read(
        config: Config, db: Database, tmp_path: Path) -> None:
    """Order books often head their sizes with a merged SIZES band and the size labels in
    the row below, every other header merged down over both rows: every row was rejected
    for values in columns with no header."""
    import xlsxwriter

    descriptive = [h for h in order_row(1) if h not in ("S", "M")]
    book = xlsxwriter.Workbook(str(tmp_path / "orders" / "GRE_a.xlsx"))
    sheet = book.add_worksheet()
    for column, header in enumerate(descriptive):
        sheet.merge_range(0, column, 1, column, header)
    width = len(descriptive)
    sheet.merge_range(0, width, 0, width + 1, "SIZES")
    sheet.write_row(1, width, ["S", "M"])
    sheet.merge_range(0, width + 2, 1, width + 2, "TOTAL QTY")
    for row, number in enumerate((1, 2), start=2):
        values = order_row(number, {"S": number, "M": 10})
        sheet.write_row(row, 0, [values[h] for h in descriptive] + [number, 10, number + 10])
    book.close()

    report = ingest(config, db)

    (file,) = report.files
    assert (file.rows_read, file.rows_staged, file.rows_rejected) == (2, 2, 0), file
    lines = fetch(db, "SELECT _row, size_code, qty FROM staging_lines ORDER BY _row, size_code")
    assert [(r._row, r.size_code, r.qty) for r in lines] == [
        (3, "M", 10), (3, "S", 1), (4, "M", 10), (4, "S", 2)]


def test_a_file_whose_every_row_is_rejected_says_its_layout_is_the_likely_cause(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": "x"}) for n in (1, 2, 3)])

    (file,) = ingest(config, db).files

    assert file.rows_staged == 0 and any(
        "every one of its 3 rows was rejected" in n and "ordersync rejects --file" in n
        for n in file.notes)


def test_title_rows_blank_rows_and_trailing_blank_columns(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    rows = [order_row(1), {}, order_row(2), {}, {}, order_row(3)]
    headers = [*order_row(1).keys(), "TOTAL QTY", "", ""]
    write_workbook("GRE_a.xlsx", rows, headers=headers,
                   title_rows=[["GREYSTONE ORDER BOOK – AW25"], []])

    report = ingest(config, db)

    (file,) = report.files
    assert (file.rows_read, file.rows_staged, file.rows_blank) == (3, 3, 3)
    (registered,) = fetch(db, "SELECT header_row FROM ingest_files")
    assert registered.header_row == 3
    staged = fetch(db, 'SELECT _row FROM staging_orders ORDER BY _row')
    assert [r._row for r in staged] == [4, 6, 9]


def test_value_under_a_headerless_column_rejects_the_row(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    headers = [*order_row(1).keys(), "TOTAL QTY", ""]
    write_workbook("GRE_a.xlsx", [order_row(1)], headers=headers,
                   raw_rows=[[*order_row(2).values(), 30, "stray note"]])

    ingest(config, db)

    assert _rejects(db) == [(3, "(column N, no header)", "stray note",
                             "value in a column with no header")]


LISTED_SIZES = {"sizes": {"labels": ["XS", "S", "M", "L", "XL", "XXL"]}}


def test_sizes_without_their_markers_are_said_with_the_columns_left_as_text(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    """A misspelled end marker (TOTAL for TOTAL QTY) left only the sizes of sizes.labels:
    2XL and 3XL beside them became text columns and their quantities no lines, silently."""
    row = order_row(1, {"S": 1, "M": 2, "XL": 4}) | {"2XL": 5, "3XL": 6, "TOTAL": 18}
    write_workbook("GRE_a.xlsx", [row], headers=list(row))
    plain = {k: v for k, v in order_row(2).items() if k != "UNIT OF MEASURE"}
    write_workbook("GRE_b.xlsx", [plain], headers=list(plain))
    config = make_config(**LISTED_SIZES)
    db = open_database(config)

    report = ingest(config, db)
    db.dispose()

    notes = {f.path: [n for n in f.notes if "sizes not found" in n] for f in report.files}
    assert notes == {"GRE_a.xlsx": [
        "GRE_a.xlsx: sizes not found between markers (no column 'TOTAL QTY' (is 'TOTAL' it? "
        "then add an alias \"TOTAL\" = \"TOTAL QTY\" under [columns.aliases])): the size "
        "columns are those listed in sizes.labels (S, M, XL); 2XL and 3XL beside them hold "
        "only whole numbers but are read as text, so their quantities are not order lines: "
        "fix the marker's spelling, or add them to sizes.labels"],
        "GRE_b.xlsx": []}  # no markers, every size listed: as configured


def test_a_listed_size_after_the_total_column_is_a_size(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    headers = [*order_row(1).keys(), "TOTAL QTY", "XXL"]
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2, "XXL": 7}, **{"TOTAL QTY": 10})],
                   headers=headers)
    config = make_config(**LISTED_SIZES)
    db = open_database(config)

    ingest(config, db)

    lines = fetch(db, "SELECT size_code, qty FROM staging_lines ORDER BY size_code")
    db.dispose()
    assert [(r.size_code, r.qty) for r in lines] == [("M", 2), ("S", 1), ("XXL", 7)]


def test_header_variants_aliases_and_customer_names(
        make_config, write_workbook: WorkbookFactory) -> None:  # type: ignore[no-untyped-def]
    from ordersync.db import open_database

    config = make_config(columns={"dates": ["ETA"], "decimals": ["FOB PRICE"],
                                  "aliases": {"PO #": "PO NUMBER", "STYLE NO": "CUSTOMER STYLE"},
                                  "customer_names": {"greystone ltd": "GREYSTONE"}})
    row = order_row(1, CUSTOMER="Greystone  Ltd", **{"PO #": "4500123"})
    row["STYLE NO"] = row.pop("CUSTOMER STYLE")
    headers = [" aag  ORDER number ", "Planned Delivery Method", "STYLE NO", "CUSTOMER",
               "Customer Season", "AAG SEASON", "ORDER TYPE", "ETA", "FOB PRICE", "PO #",
               "UNIT OF MEASURE", "S", "M", "TOTAL QTY"]
    values = [row["AAG ORDER NUMBER"], "SEA", row["STYLE NO"], row["CUSTOMER"], "FALL 2025",
              "AW25", "BULK", "2025-03-05", 4.5, "4500123", "PCS", 10, 20, 30]
    write_workbook("GRE_a.xlsx", [], headers=headers, raw_rows=[values])
    db = open_database(config)

    run_pipeline(config, db)

    (order,) = fetch(db, 'SELECT "CUSTOMER STYLE", "PO NUMBER", "CUSTOMER" FROM orders')
    assert order == ("GR-1-TEE", "4500123", "GREYSTONE")


def test_dates_as_cells_serials_and_text(config: Config, db: Database,
                                         write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    import datetime

    import xlsxwriter

    path = tmp_path / "orders" / "GRE_dates.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    headers = [*order_row(1).keys(), "TOTAL QTY"]
    sheet.write_row(0, 0, headers)
    eta = headers.index("ETA")
    values: list[object] = [datetime.datetime(2025, 3, 5), 45721, "45721", "05/03/2025",
                            "5-Mar-2025", "2025-03-05"]
    for r, value in enumerate(values, start=1):
        sheet.write_row(r, 0, [*order_row(r).values(), 30])
        if isinstance(value, datetime.datetime):
            sheet.write_datetime(r, eta, value, workbook.add_format({"num_format": "dd/mm/yy"}))
        else:
            sheet.write(r, eta, value)
    workbook.close()

    run_pipeline(config, db)

    etas = {str(r.ETA)[:10] for r in fetch(db, 'SELECT "ETA" FROM orders')}
    assert etas == {"2025-03-05"}


@pytest.mark.parametrize("suffix", [".csv", ".xls", ".xlsm"])
def test_other_formats(make_config: ConfigFactory, write_workbook: WorkbookFactory,
                       tmp_path: Path, suffix: str) -> None:
    # B'HOOD is a known customer, so a GRE file's row naming it is B'HOOD's.
    config = make_config(customers={"B'HOOD": []})
    db = open_database(config)
    rows = [order_row(1, {"S": 1}, CUSTOMER="B'HOOD", **{"CUSTOMER STYLE": "CRÈME BRÛLÉE"}),
            order_row(2, {"S": "4"})]
    if suffix == ".csv":
        write_workbook("GRE_a.csv", rows)
    elif suffix == ".xlsm":
        write_workbook("GRE_a.xlsx", rows).rename(tmp_path / "orders" / "GRE_a.xlsm")
    else:
        write_xls(tmp_path / "orders" / "GRE_a.xls", rows)

    result = run_pipeline(config, db)

    assert result.ingest.files[0].status == "staged", result.ingest.files[0].error
    orders = fetch(db, 'SELECT "CUSTOMER", "CUSTOMER STYLE", "S" FROM orders ORDER BY "S"')
    assert [tuple(o) for o in orders] == [("B'HOOD", "CRÈME BRÛLÉE", 1),
                                          ("GREYSTONE", "GR-2-TEE", 4)]


def test_windows_1252_csv(config: Config, db: Database, tmp_path: Path) -> None:
    headers = [*order_row(1).keys(), "TOTAL QTY"]
    values = [str(v) for v in order_row(1, **{"CUSTOMER STYLE": "LÖWE & CO"}).values()] + ["30"]
    text = ",".join(headers) + "\r\n" + ",".join(values) + "\r\n"
    (tmp_path / "orders" / "GRE_win.csv").write_bytes(text.encode("cp1252"))

    run_pipeline(config, db)

    assert fetch(db, 'SELECT "CUSTOMER STYLE" FROM orders')[0][0] == "LÖWE & CO"


def test_unchanged_file_is_skipped_and_changed_file_is_reread(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    write_workbook("GRE_b.xlsx", [order_row(2)])
    assert {f.status for f in ingest(config, db).files} == {"staged"}

    write_workbook("GRE_b.xlsx", [order_row(2, {"S": 1})])
    report = ingest(config, db)

    assert {f.path: f.status for f in report.files} == {"GRE_a.xlsx": "skipped",
                                                        "GRE_b.xlsx": "staged"}


def test_failed_file_is_retried_and_keeps_no_staged_rows(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    path = write_workbook("GRE_a.xlsx", [order_row(1)])
    ingest(config, db)
    path.write_bytes(b"garbage")

    assert ingest(config, db).files[0].status == "failed"
    assert fetch(db, "SELECT COUNT(*) FROM staging_orders")[0][0] == 0
    assert ingest(config, db).files[0].status == "failed"  # not skipped: retried each time


def test_new_size_label_becomes_a_new_column(config: Config, db: Database,
                                             write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1})])
    run_pipeline(config, db)

    write_workbook("GRE_b.xlsx", [order_row(2, {"S": 2, "3/6 MTHS": 5, "32x30": 4})])
    result = run_pipeline(config, db)

    assert set(result.ingest.new_columns) == {"3/6 MTHS", "32X30"}
    (order,) = fetch(db, 'SELECT "3/6 MTHS", "32X30" FROM orders WHERE "S" = 2')
    assert tuple(order) == (5, 4)
    (old,) = fetch(db, 'SELECT "3/6 MTHS" FROM orders WHERE "S" = 1')
    assert old[0] is None


def test_columns_blank_in_a_whole_batch_are_stored_blank_beside_filled_ones(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """The bulk load leaves out columns no row of the batch fills; they are stored NULL,
    and the same columns filled by another run's file are stored with their values."""
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": None, "XL": None}, **{
        "FOB PRICE": None, "ETA": None, "TOTAL QTY": 1})])
    run_pipeline(config, db)
    write_workbook("GRE_b.xlsx", [order_row(2, {"S": 2, "M": 3, "XL": 4}, **{
        "TOTAL QTY": 9})])
    run_pipeline(config, db)

    rows = fetch(db, 'SELECT "S", "M", "XL", "FOB PRICE", CAST("ETA" AS TEXT) FROM orders '
                     'ORDER BY "S"')
    assert [tuple(r) for r in rows] == [(1, None, None, None, None),
                                        (2, 3, 4, 4.5, "2025-03-05")]
    lines = fetch(db, "SELECT size_code, qty FROM order_lines ORDER BY qty")
    assert [tuple(r) for r in lines] == [("S", 1), ("S", 2), ("M", 3), ("XL", 4)]


def test_awkward_and_overlong_headers_are_quoted_safely(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    long_header = "PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT) " + "VERY LONG " * 5
    awkward = {"CUSTOMER'S COLOUR CODE": "O'NEIL", "∆": "x", 'QUOTE "Q"': "q",
               long_header: "hot", "ROW_HASH": "clash with a system column",
               "NOTE: FACTORY": "colon", "DUTY %": "percent"}
    row = order_row(1, **awkward)
    headers = [*awkward, *order_row(1).keys(), "TOTAL QTY"]
    write_workbook("GRE_a.xlsx", [row], headers=headers)

    result = run_pipeline(config, db)

    assert result.merge.orders.new == 1
    names = {r.label: r.name for r in fetch(db, "SELECT label, name FROM order_columns")}
    assert len(names[long_header.strip()].encode()) <= 63
    assert names["ROW_HASH"] != "ROW_HASH"
    values = fetch(db, f'SELECT "CUSTOMER\'S COLOUR CODE", "∆", "QUOTE ""Q""", '
                       f'"{names[long_header.strip()]}", "{names["ROW_HASH"]}", '
                       '"NOTE\\: FACTORY", "DUTY %" FROM orders')
    assert tuple(values[0]) == ("O'NEIL", "x", "q", "hot", "clash with a system column",
                                "colon", "percent")


def test_dry_run_writes_nothing(config: Config, db: Database,
                                write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, {"S": "bad"})])

    result = run_pipeline(config, db, dry_run=True)

    assert result.ingest.dry_run and result.ingest.rows_staged == 1
    assert result.ingest.rows_rejected == 1
    import sqlalchemy as sa

    assert not sa.inspect(db.engine).has_table("ingest_files")
    real = run_pipeline(config, db)
    assert real.ingest.files[0].status == "staged"  # the dry run recorded nothing


def test_interrupted_load_is_discarded_and_reread(config: Config, db: Database,
                                                  write_workbook: WorkbookFactory) -> None:
    """A crash between the bulk load and the final commit leaves the file 'loading'."""
    write_workbook("GRE_a.xlsx", [order_row(1)])
    ingest(config, db)
    with db.begin() as conn:
        import sqlalchemy as sa

        conn.execute(sa.text("UPDATE ingest_files SET status = 'loading'"))

    report = ingest(config, db)

    assert report.files[0].status == "staged"
    assert fetch(db, "SELECT COUNT(*) FROM staging_orders")[0][0] == 1


def test_header_only_file_is_staged_empty_and_its_orders_flagged_removed(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    run_pipeline(config, db)

    write_workbook("GRE_a.xlsx", [], headers=[*order_row(1).keys(), "TOTAL QTY"])
    result = run_pipeline(config, db)

    (file,) = result.ingest.files
    assert (file.status, file.rows_read, file.rows_staged) == ("staged", 0, 0)
    assert result.merge.orders.removed == 1


def test_batches_hold_a_file_per_reader_thread_even_when_files_exceed_the_batch_size() -> None:
    """Files bigger than batch_mb would otherwise go one per batch and be read one at a time
    (at 500,000 orders the main thread waited 16 s for a single busy reader)."""
    from pathlib import PurePosixPath
    from types import SimpleNamespace

    from ordersync.ingest import _batches

    def pending(name: str, size: int) -> Any:
        return SimpleNamespace(file=SimpleNamespace(path=PurePosixPath(name)), size=size)

    big = [pending(f"f{i}.xlsx", 4 << 20) for i in range(5)]
    assert [len(b) for b in _batches(big, 6 << 20)] == [1, 1, 1, 1, 1]
    assert [len(b) for b in _batches(big, 6 << 20, least=2)] == [2, 2, 1]
    small = [pending(f"f{i}.xlsx", 1 << 20) for i in range(8)]
    assert [len(b) for b in _batches(small, 3 << 20, least=2)] == [3, 3, 2]
    csv = [pending(f"f{i}.csv", 4 << 20) for i in range(4)]  # a CSV weighs a quarter
    assert [len(b) for b in _batches(csv, 2 << 20, least=1)] == [2, 2]


def test_columns_blank_in_every_file_of_a_batch_are_typed_and_named_like_any_other(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    # ETA (a date) and a size are blank in every row of both files; the item name uses
    # the date, so the blank column must be a date column of nulls (an "ETA?" fallback).
    config = make_config(names={"item": "{AAG ORDER NUMBER} {ETA|CUSTOMER STYLE}"})
    db = open_database(config)
    blank = {"ETA": None}
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "XL": None}, **blank),
                                  order_row(2, {"S": 2, "XL": None}, **blank)])
    write_workbook("GRE_b.xlsx", [order_row(3, {"S": 3, "XL": None}, **blank)])

    result = run_pipeline(config, db)

    assert (result.ingest.rows_staged, result.ingest.rows_rejected) == (3, 0)
    rows = fetch(db, 'SELECT business_key, item_name, "ETA", "XL" FROM orders '
                     "ORDER BY business_key")
    assert [(r.item_name, r.ETA, r.XL) for r in rows] == [
        ("GRE-00001 GR-1-TEE", None, None), ("GRE-00002 GR-2-TEE", None, None),
        ("GRE-00003 GR-3-TEE", None, None)]
    lines = fetch(db, "SELECT size_code, qty FROM order_lines ORDER BY qty")
    assert [(r.size_code, r.qty) for r in lines] == [("S", 1), ("S", 2), ("S", 3)]


def test_a_customer_column_left_blank_hashes_as_if_the_customer_were_written(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    # The file's CUSTOMER column is blank on every row, so the profile's customer fills it:
    # the order's hash is taken from the filled value, as when the file writes it.
    write_workbook("GRE_a.xlsx", [order_row(1, CUSTOMER=None), order_row(2, CUSTOMER=None)])
    run_pipeline(config, db)
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])  # CUSTOMER: GREYSTONE

    result = run_pipeline(config, db)

    assert (result.merge.orders.unchanged, result.merge.orders.changed) == (2, 0)


def test_a_date_written_as_a_plain_number_counts_from_the_workbook_s_own_epoch(
        config: Config, db: Database, tmp_path: Path) -> None:
    """A workbook counting its dates from 1904 (Excel for Mac's old default): 44259 in a
    General-format date cell was read from 1900 — 2021-03-04 instead of 2025-03-05, silently.
    In one batch with a 1900 workbook, each file keeps its own epoch."""
    import xlsxwriter

    headers = list(layout([order_row(1)]))
    for name, number, mac in (("GRE_mac.xlsx", 1, True), ("GRE_pc.xlsx", 2, False)):
        workbook = xlsxwriter.Workbook(str(tmp_path / "orders" / name), {"date_1904": mac})
        sheet = workbook.add_worksheet("Sheet1")
        row = order_row(number, ETA=44259 if mac else 45721)
        row["TOTAL QTY"] = 30
        sheet.write_row(0, 0, headers)
        sheet.write_row(1, 0, [row.get(h) for h in headers])
        workbook.close()

    report = ingest(config, db)

    assert {f.status for f in report.files} == {"staged"}, report.files
    etas = {r.key.split("\x1f")[0]: str(r.eta) for r in fetch(
        db, 'SELECT _key AS key, "ETA" AS eta FROM staging_orders')}
    assert etas == {"GRE-00001": "2025-03-05", "GRE-00002": "2025-03-05"}


def test_a_header_row_repeated_mid_sheet_is_one_reject_not_a_refusal_per_cell(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """An exported report writes its header again after each page break: that row was
    refused cell by cell ("not a number" in every number column)."""
    rows = [order_row(1), order_row(2)]
    headers = layout(rows)
    again = [f" {h.lower()} " if h == "CUSTOMER STYLE" else h for h in headers]
    third = order_row(3)
    third["TOTAL QTY"] = 30
    write_workbook("GRE_a.xlsx", rows, raw_rows=[again, [third.get(h) for h in headers]])

    report = ingest(config, db)

    (file,) = report.files
    assert (file.rows_read, file.rows_staged, file.rows_rejected) == (4, 3, 1)
    (reject,) = fetch(db, 'SELECT "row", "column", reason FROM rejected_rows')
    assert reject.row == 4 and reject.column is None
    assert reject.reason.startswith("the header row again")


@pytest.mark.parametrize(("header", "note"), [
    ("ORDER TYP", "no column 'ORDER TYPE' (merge.cancel.column) — is 'ORDER TYP' it, "
                  "misspelled? Then add an alias: \"ORDER TYP\" = \"ORDER TYPE\" under "
                  "[columns.aliases]"),
    ("ETA DATE", "no column 'ETA' (columns.dates) — is 'ETA DATE' it, misspelled? Then add an "
                 "alias: \"ETA DATE\" = \"ETA\" under [columns.aliases]"),
    ("REMARKS", "no column 'ORDER TYPE' (merge.cancel.column): none of its orders can be "
                "read as cancelled"),
], ids=["cancel-column-misspelled", "date-column-misspelled", "cancel-column-absent"])
def test_a_file_without_a_column_the_config_names_says_so(
        config: Config, db: Database, write_workbook: WorkbookFactory, header: str,
        note: str) -> None:
    """One misspelled header un-cancelled a file's orders (or left their dates blank) with
    exit 0: its values went to a column of their own, named only in a list cut at 12."""
    renamed = {"ORDER TYP": "ORDER TYPE", "ETA DATE": "ETA", "REMARKS": "ORDER TYPE"}[header]
    rows = [order_row(1, order_type="CANCELLED")]
    headers = [header if h == renamed else h for h in layout(rows)]
    rows = [{(header if k == renamed else k): v for k, v in row.items()} for row in rows]
    write_workbook("GRE_a.xlsx", rows, headers=headers)

    report = ingest(config, db)

    (file,) = report.files
    assert file.status == "staged" and f"GRE_a.xlsx: {note}" in file.notes, file.notes


def test_an_empty_folder_and_a_profile_matching_nothing_are_said(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """Both ended "0 files read" with exit 0 and no word on why."""
    report = ingest(config, db)
    assert _own(report.warnings) == ["no file in the source folder matches a profile's glob: "
                                     "nothing was read (check sources.directory and the "
                                     "profiles' globs)"]

    write_workbook("GRE_a.xlsx", [order_row(1)])
    report = ingest(config, db)
    assert _own(report.warnings) == ["profile BLU: no file matches its glob 'BLU*.xlsx' (check "
                                     "it against the files' names)"]


def _own(warnings: tuple[str, ...]) -> list[str]:
    """The warnings but the one of a new PostgreSQL schema beside other ordersync schemas,
    which the test database holds or not (other tests', other runs')."""
    return [w for w in warnings if "new, empty order list" not in w]


def test_a_file_sent_again_without_rows_says_its_orders_are_flagged_removed(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])
    write_workbook("BLU_a.xlsx", [order_row(3, CUSTOMER="BLUEWAVE")])
    run_pipeline(config, db)
    write_workbook("GRE_a.xlsx", [], headers=layout([order_row(1)]))

    result = run_pipeline(config, db)

    assert result.ingest.warnings == (
        "GRE_a.xlsx: it holds no orders (a header and no rows): any orders it held are "
        "flagged REMOVED — if it was sent by mistake, put the full file back",)
    assert result.merge.orders.removed == 2


def test_when_no_file_could_be_read_the_names_settings_are_not_doubted(
        config: Config, db: Database, tmp_path: Path) -> None:
    """Every file failed, and four warnings said to check the spelling of the template
    columns, which were right."""
    (tmp_path / "orders" / "GRE_a.xlsx").write_bytes(b"not a workbook")
    (tmp_path / "orders" / "BLU_a.xlsx").write_bytes(b"not one either")

    report = ingest(config, db)

    assert [f.status for f in report.files] == ["failed", "failed"]
    assert not any("spelling" in w for w in report.warnings), report.warnings
