"""Merge: change classification, stable record_uuid, duplicates, removals — on both engines."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import sqlalchemy as sa

from conftest import WorkbookFactory, execute, fetch, order_row
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.pipeline import (
    MergeResult,
    RunResult,
    run_ingest,
    run_merge,
    run_pipeline,
)


def _orders(db: Database) -> dict[str, Any]:
    rows = fetch(db, 'SELECT business_key, record_uuid, change_kind, sync_state, sync_action, '
                     'is_cancelled, group_name, item_name, removed_at, "S", "TOTAL QTY" '
                     "FROM orders")
    return {r.business_key.split("\x1f")[0]: r for r in rows}


def _run(config: Config, db: Database) -> RunResult:
    return run_pipeline(config, db)


def test_first_load_classifies_new_and_cancelled(config: Config, db: Database,
                                                 write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, order_type="Cancelled")])

    result = _run(config, db)

    assert (result.merge.orders.new, result.merge.orders.cancelled) == (1, 1)
    orders = _orders(db)
    assert orders["GRE-00001"].change_kind == "NEW"
    assert (orders["GRE-00001"].sync_state, orders["GRE-00001"].sync_action) == (
        "PENDING", "CREATE")
    assert orders["GRE-00002"].change_kind == "CANCELLED"
    assert orders["GRE-00002"].sync_action == "CANCEL"
    assert orders["GRE-00001"].group_name == "GREYSTONE FALL 2025"
    assert orders["GRE-00001"].item_name == "GRE-00001 GR-1-TEE SEA"


def test_reload_classifies_changed_unchanged_removed(config: Config, db: Database,
                                                     write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2), order_row(3), order_row(4)])
    _run(config, db)
    before = _orders(db)

    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, {"S": 11, "M": 20}),
                                  order_row(3, order_type="CANCELLED"), order_row(5)])
    result = _run(config, db)

    report = result.merge.orders
    assert (report.new, report.changed, report.cancelled, report.unchanged, report.removed) == (
        1, 1, 1, 1, 1)
    after = _orders(db)
    assert after["GRE-00001"].change_kind == "NEW"  # untouched: still as first classified
    assert after["GRE-00002"].change_kind == "CHANGED" and after["GRE-00002"].S == 11
    assert after["GRE-00003"].change_kind == "CANCELLED"
    assert after["GRE-00004"].change_kind == "REMOVED" and after["GRE-00004"].removed_at
    assert after["GRE-00005"].change_kind == "NEW"
    for number in ("GRE-00001", "GRE-00002", "GRE-00003", "GRE-00004"):
        assert after[number].record_uuid == before[number].record_uuid


def test_record_uuid_is_stable_across_reloads_and_removal(config: Config, db: Database,
                                                          write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])
    _run(config, db)
    first = {k: r.record_uuid for k, r in _orders(db).items()}

    write_workbook("GRE_a.xlsx", [order_row(2)])  # order 1 disappears…
    _run(config, db)
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 5}), order_row(2)])  # …and comes back
    _run(config, db)

    again = _orders(db)
    assert {k: r.record_uuid for k, r in again.items()} == first
    assert again["GRE-00001"].removed_at is None
    assert len(set(first.values())) == 2


def test_new_record_uuids_are_version_7_in_file_and_row_order(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """Time-ordered: a merge's new orders in (file, row) order, and a later merge's after
    them, so new orders are written at the end of the record_uuid indexes."""
    write_workbook("GRE_b.xlsx", [order_row(3), order_row(4)])
    write_workbook("GRE_a.xlsx", [order_row(2), order_row(1), order_row(5, order_type="Cancelled")])
    _run(config, db)
    write_workbook("GRE_c.xlsx", [order_row(6)])
    _run(config, db)

    uuids = {k: uuid.UUID(r.record_uuid) for k, r in _orders(db).items()}
    assert {(u.version, u.variant) for u in uuids.values()} == {(7, uuid.RFC_4122)}
    in_order = ["GRE-00002", "GRE-00001", "GRE-00005", "GRE-00003", "GRE-00004", "GRE-00006"]
    assert sorted(uuids, key=lambda k: str(uuids[k])) == in_order
    assert all(str(uuids[k]) == _orders(db)[k].record_uuid for k in uuids)  # lower-case text
    millis = uuids["GRE-00006"].int >> 80
    assert abs(millis / 1000 - time.time()) < 600


def test_unchanged_rerun_writes_nothing(config: Config, db: Database,
                                        write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(n) for n in range(1, 6)])
    _run(config, db)
    snapshot = fetch(db, "SELECT * FROM orders ORDER BY business_key")
    lines = fetch(db, "SELECT * FROM order_lines ORDER BY record_uuid, size_code")

    second = _run(config, db)

    assert [f.status for f in second.ingest.files] == ["skipped"]
    assert second.merge.orders.rows == 0 and second.merge.lines.written == 0
    assert fetch(db, "SELECT * FROM orders ORDER BY business_key") == snapshot
    assert fetch(db, "SELECT * FROM order_lines ORDER BY record_uuid, size_code") == lines


def test_same_content_rewritten_changes_nothing(config: Config, db: Database,
                                                write_workbook: WorkbookFactory) -> None:
    """A file re-saved with formatting noise is re-read, and every order is UNCHANGED."""
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20})])
    _run(config, db)
    snapshot = fetch(db, "SELECT * FROM orders")

    # Same values, different bytes: numbers as text, padded text, a different column order.
    noisy = order_row(1, {"M": "20", "S": " 10 "}, **{"FOB PRICE": "4.50",
                                                       "CUSTOMER": "GREYSTONE ",
                                                       "TOTAL QTY": "30.0"})
    descriptive = [h for h in noisy if h not in ("UNIT OF MEASURE", "M", "S", "TOTAL QTY")]
    headers = [*reversed(descriptive), "UNIT OF MEASURE", "M", "S", "TOTAL QTY"]
    write_workbook("GRE_a.xlsx", [noisy], headers=headers)
    result = _run(config, db)

    assert result.ingest.files[0].status == "staged"
    assert result.merge.orders.unchanged == 1 and result.merge.orders.changed == 0
    assert fetch(db, "SELECT * FROM orders") == snapshot


def test_duplicate_keys_keep_the_last_row_and_reject_the_others(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1}), order_row(2), order_row(1, {"S": 7})])

    result = _run(config, db)

    assert result.merge.orders.duplicates == 1 and result.merge.orders.new == 2
    assert _orders(db)["GRE-00001"].S == 7
    (reject,) = fetch(db, 'SELECT "row", reason FROM rejected_rows')
    assert reject.row == 2
    assert reject.reason.startswith("duplicate key: row 4 of GRE_a.xlsx was kept")
    (counts,) = fetch(db, "SELECT rows_staged, rows_rejected FROM ingest_files")
    assert (counts.rows_staged, counts.rows_rejected) == (2, 1)


def test_duplicate_keys_across_files(config: Config, db: Database,
                                     write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1})])
    write_workbook("GRE_b.xlsx", [order_row(1, {"S": 2})])

    result = _run(config, db)

    assert result.merge.orders.duplicates == 1
    assert _orders(db)["GRE-00001"].S == 2  # GRE_b.xlsx sorts last
    (reject,) = fetch(db, "SELECT file, reason FROM rejected_rows")
    assert reject.file == "GRE_a.xlsx" and "row 2 of GRE_b.xlsx was kept" in reject.reason


def _duplicate_rejects(db: Database) -> list[tuple[str, int, str]]:
    return [(r.file, r.row, r.reason.split(" (")[0]) for r in fetch(
        db, "SELECT file, \"row\", reason FROM rejected_rows ORDER BY file, \"row\"")]


def test_a_re_read_file_s_duplicate_never_displaces_the_row_another_file_holds(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """An order in two files: GRE_b.xlsx's row wins (last by path).  When only GRE_a.xlsx
    changed (another order of it), its losing row was the only one staged: the order took
    its quantities, its duplicate reject vanished, and emptying GRE_a.xlsx then flagged the
    order REMOVED although GRE_b.xlsx still held it."""
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1}), order_row(2, {"S": 5})])
    write_workbook("GRE_b.xlsx", [order_row(1, {"S": 2})])
    _run(config, db)
    kept = [("GRE_a.xlsx", 2, "duplicate key: row 2 of GRE_b.xlsx was kept")]
    assert _orders(db)["GRE-00001"].S == 2 and _duplicate_rejects(db) == kept

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1}), order_row(2, {"S": 6})])
    result = _run(config, db)

    assert [f.status for f in result.ingest.files] == ["staged", "skipped"]
    assert (result.merge.orders.changed, result.merge.orders.duplicates,
            result.merge.orders.unchanged) == (1, 1, 0)
    orders = _orders(db)
    assert (orders["GRE-00001"].S, orders["GRE-00002"].S) == (2, 6)
    assert _duplicate_rejects(db) == kept
    counts = {r.path: (r.rows_staged, r.rows_rejected) for r in fetch(
        db, "SELECT path, rows_staged, rows_rejected FROM ingest_files")}
    assert counts == {"GRE_a.xlsx": (1, 1), "GRE_b.xlsx": (1, 0)}

    write_workbook("GRE_a.xlsx", [order_row(2, {"S": 6})])
    result = _run(config, db)

    assert result.merge.orders.removed == 0 and _orders(db)["GRE-00001"].removed_at is None
    assert _duplicate_rejects(db) == []


def test_only_orders_of_files_read_well_last_time_compete(
        config: Config, db: Database, write_workbook: WorkbookFactory, tmp_path: Any) -> None:
    """A failed file's order (its counters went to rows_staged -1) must not compete with a
    new row: the new row wins.  An order whose own row was since rejected does not compete
    with its old values either, but its rejected row holds the key's place: GRE_d.xlsx is
    last by path, so the rule picks its (rejected) row and GRE_c.xlsx's row is the
    duplicate — the order keeps what it had until the row is corrected."""
    write_workbook("GRE_b.xlsx", [order_row(1, {"S": 1})])
    write_workbook("GRE_d.xlsx", [order_row(2, {"S": 1}), order_row(3)])
    _run(config, db)
    (tmp_path / "orders" / "GRE_b.xlsx").write_bytes(b"not a workbook")
    write_workbook("GRE_d.xlsx", [order_row(2, {"S": 1}, ETA="garbage"), order_row(3)])
    _run(config, db)
    write_workbook("GRE_c.xlsx", [order_row(1, {"S": 5}), order_row(2, {"S": 5})])

    result = _run(config, db)

    assert (result.merge.orders.duplicates, result.merge.orders.displaced) == (1, 0)
    orders = _orders(db)
    assert (orders["GRE-00001"].S, orders["GRE-00002"].S) == (5, 1)
    assert ("GRE_c.xlsx", 3, "duplicate key: row 2 of GRE_d.xlsx holds this key and was "
            "rejected") in _duplicate_rejects(db)
    counts = {r.path: (r.status, r.rows_read, r.rows_staged, r.rows_rejected) for r in fetch(
        db, "SELECT path, status, rows_read, rows_staged, rows_rejected FROM ingest_files")}
    assert counts == {"GRE_b.xlsx": ("failed", 0, 0, 0), "GRE_c.xlsx": ("merged", 2, 1, 1),
                      "GRE_d.xlsx": ("merged", 2, 1, 1)}


def test_a_rejected_last_row_keeps_an_earlier_row_of_its_key_from_winning(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """The customer corrected an order in a later row, with a typo: the earlier row (the
    quantities they corrected) took over in silence.  Now the rejected row holds its place:
    the order is not made from the earlier row, which is rejected naming the row to fix;
    once fixed, the order takes its values.  A rejected row that loses stays rejected for
    its own reason only."""
    write_workbook("GRE_a.xlsx", [order_row(1, {"M": 10}), order_row(2),
                                  order_row(1, {"M": "12 pcs"}),
                                  order_row(3, {"M": "x"}), order_row(3, {"M": 6})])

    result = _run(config, db)

    assert (result.merge.orders.new, result.merge.orders.duplicates) == (2, 1)
    quantities = {r.business_key.split("\x1f")[0]: r.M
                  for r in fetch(db, 'SELECT business_key, "M" FROM orders')}
    assert quantities == {"GRE-00002": 20, "GRE-00003": 6}
    rejects = [(r.row, r.reason) for r in fetch(
        db, 'SELECT "row", reason FROM rejected_rows ORDER BY "row"')]
    assert rejects == [
        (2, "duplicate key: row 4 of GRE_a.xlsx holds this key and was rejected "
            "(merge.duplicates = last: the last row wins); correct that row and the order "
            "takes its values"),
        (4, "not a number"), (5, "not a number")]
    (counts,) = fetch(db, "SELECT rows_staged, rows_rejected FROM ingest_files")
    assert (counts.rows_staged, counts.rows_rejected) == (2, 3)

    write_workbook("GRE_a.xlsx", [order_row(1, {"M": 10}), order_row(2),
                                  order_row(1, {"M": 12})])
    result = _run(config, db)

    (fixed,) = fetch(db, 'SELECT "M" FROM orders WHERE "AAG ORDER NUMBER" = \'GRE-00001\'')
    assert fixed.M == 12
    assert [r.reason.split(" (")[0] for r in fetch(db, "SELECT reason FROM rejected_rows")] == [
        "duplicate key: row 4 of GRE_a.xlsx was kept"]


def test_an_order_its_file_drops_goes_to_the_duplicate_another_file_holds(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """GRE_b.xlsx's row of the order won over GRE_a.xlsx's; then GRE_b.xlsx dropped it
    while GRE_a.xlsx, unchanged, still held it: the order was flagged REMOVED.  The file
    holding the duplicate is read again with it, and its row becomes the order."""
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1}), order_row(3)])
    write_workbook("GRE_b.xlsx", [order_row(1, {"S": 2}), order_row(2)])
    write_workbook("GRE_c.xlsx", [order_row(4)])
    _run(config, db)
    write_workbook("GRE_b.xlsx", [order_row(2)])

    result = _run(config, db)

    reasons = {f.path: (f.status, f.reason) for f in result.ingest.files}
    assert reasons == {
        "GRE_a.xlsx": ("staged", "holds a duplicate of an order of a file read again"),
        "GRE_b.xlsx": ("staged", "changed"), "GRE_c.xlsx": ("skipped", "unchanged")}
    assert (result.merge.orders.removed, result.merge.orders.changed) == (0, 1)
    (order,) = fetch(db, 'SELECT source_file, "S", removed_at FROM orders '
                         "WHERE \"AAG ORDER NUMBER\" = 'GRE-00001'")
    assert (order.source_file, order.S, order.removed_at) == ("GRE_a.xlsx", 1, None)
    assert _duplicate_rejects(db) == []
    assert [f.status for f in _run(config, db).ingest.files] == ["skipped"] * 3


def test_a_stored_order_a_new_file_s_row_displaces_becomes_a_duplicate_reject(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """GRE_a.xlsx holds the order; GRE_b.xlsx (last by path) arrives with it too: its row
    wins, and GRE_a.xlsx's row, not read again, is reported as the duplicate it now is."""
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1})])
    _run(config, db)
    write_workbook("GRE_b.xlsx", [order_row(1, {"S": 2})])

    result = _run(config, db)

    assert (result.merge.orders.changed, result.merge.orders.duplicates,
            result.merge.orders.displaced) == (1, 1, 1)
    (order,) = fetch(db, 'SELECT source_file, "S" FROM orders')
    assert (order.source_file, order.S) == ("GRE_b.xlsx", 2)
    assert _duplicate_rejects(db) == [
        ("GRE_a.xlsx", 2, "duplicate key: row 2 of GRE_b.xlsx was kept")]
    counts = {r.path: (r.rows_staged, r.rows_rejected) for r in fetch(
        db, "SELECT path, rows_staged, rows_rejected FROM ingest_files")}
    assert counts == {"GRE_a.xlsx": (0, 1), "GRE_b.xlsx": (1, 0)}


def test_same_order_number_with_two_delivery_methods_is_two_orders(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, method="SEA"), order_row(1, method="AIR")])

    result = _run(config, db)

    assert result.merge.orders.new == 2 and result.merge.orders.duplicates == 0


def test_key_parts_holding_the_key_separator_stay_two_orders(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """The key's parts are joined by \\x1f: a cell holding one (with a NUL, an escape) read
    A / SEA / B\\x1fC and A\\x1fSEA / B / C as one key, and one order was lost as a
    duplicate.  Control characters (C1 too: U+009B is a terminal's CSI) are dropped from text
    as it is cleaned."""
    write_workbook("GRE_a.xlsx", [
        order_row(1, method="SEA", style="B\x1fC", **{"AAG ORDER NUMBER": "A"}),
        order_row(2, method="B", style="C", **{"AAG ORDER NUMBER": "A\x1fSEA"}),
        order_row(3, style="X\x00Y\x1b[2J\x9b2J\x85", **{"AAG SEASON": "line 1\nline 2\ttab"})])

    result = _run(config, db)

    assert (result.merge.orders.new, result.merge.orders.duplicates) == (3, 0)
    rows = fetch(db, 'SELECT business_key, "AAG SEASON" AS season FROM orders '
                     "ORDER BY business_key")
    assert [r.business_key.split("\x1f") for r in rows] == [
        ["A", "SEA", "BC"], ["ASEA", "B", "C"], ["GRE-00003", "SEA", "XY[2J2J"]]
    assert rows[2].season == "line 1\nline 2\ttab"


def test_order_moving_to_another_file_is_not_removed(config: Config, db: Database,
                                                     write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])
    _run(config, db)

    write_workbook("GRE_a.xlsx", [order_row(1)])
    write_workbook("GRE_b.xlsx", [order_row(2)])
    result = _run(config, db)

    assert result.merge.orders.removed == 0
    (row,) = fetch(db, "SELECT source_file, change_kind FROM orders WHERE business_key LIKE "
                       "'GRE-00002%'")
    assert row.source_file == "GRE_b.xlsx"


def test_rejected_row_is_not_flagged_removed(config: Config, db: Database,
                                             write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])
    _run(config, db)

    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, {"S": "lots"})])
    result = _run(config, db)

    assert result.merge.orders.removed == 0
    assert _orders(db)["GRE-00002"].change_kind == "NEW"


def test_changed_never_synced_order_stays_create(config: Config, db: Database,
                                                 write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    _run(config, db)
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 99})])
    _run(config, db)
    assert _orders(db)["GRE-00001"].sync_action == "CREATE"

   # pretend the sync created it on the board
    execute(db, "UPDATE orders SET monday_item_id = '123', sync_state = 'SYNCED'")
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 98})])
    _run(config, db)
    order = _orders(db)["GRE-00001"]
    assert (order.change_kind, order.sync_state, order.sync_action) == (
        "CHANGED", "PENDING", "UPDATE")


def test_in_doubt_order_stays_sending(config: Config, db: Database,
                                      write_workbook: WorkbookFactory) -> None:
    """A crash left it SENDING: a data change must not hide it from reconciliation."""
    write_workbook("GRE_a.xlsx", [order_row(1)])
    _run(config, db)
    execute(db, "UPDATE orders SET sync_state = 'SENDING'")

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 3})])
    _run(config, db)

    assert _orders(db)["GRE-00001"].sync_state == "SENDING"


def test_group_name_falls_back_and_template_change_reclassifies(
        make_config, db_settings, write_workbook: WorkbookFactory) -> None:  # type: ignore[no-untyped-def]
    from ordersync.db import open_database

    config = make_config()
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1, **{"CUSTOMER SEASON": None})])
    _run(config, db)
    assert _orders(db)["GRE-00001"].group_name == "GREYSTONE AW25"

    renamed = make_config(names={"group": "{AAG SEASON} / {CUSTOMER}"})
    result = _run(renamed, db)  # the config fingerprint changed: the file is re-read

    assert result.merge.orders.changed == 1
    assert _orders(db)["GRE-00001"].group_name == "AW25 / GREYSTONE"


def _stage_another_loading_file(db: Database) -> None:
    """Play an ingest in another process half-way through loading a file."""
    execute(db, "INSERT INTO ingest_files (path, profile, status) "
                "VALUES ('GRE_loading.xlsx', 'GRE', 'loading')")
    execute(db, "INSERT INTO staging_lines (_file_id, _row, size_code, qty) SELECT id, 2, 'S', "
                "7 FROM ingest_files WHERE path = 'GRE_loading.xlsx'")


def test_merge_empties_staging_but_keeps_a_file_still_loading(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])

    run_ingest(config, db)
    _stage_another_loading_file(db)

    merged = run_merge(config, db)

    assert merged.orders.new == 2
    assert fetch(db, "SELECT _row, size_code, qty FROM staging_lines") == [(2, "S", 7)]
    assert fetch(db, "SELECT COUNT(*) FROM staging_orders") == [(0,)]
    # Nothing loading: the next merge empties the tables outright.
    execute(db, "UPDATE ingest_files SET status = 'staged' WHERE path = 'GRE_loading.xlsx'")
    run_merge(config, db)
    assert fetch(db, "SELECT COUNT(*) FROM staging_lines") == [(0,)]


def test_merge_does_not_wait_for_someone_using_the_staging_tables(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """On PostgreSQL another session holding the staging tables (an ingest's open COPY
    transaction) neither blocks the merge nor loses its rows: the merged rows are deleted."""
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])

    run_ingest(config, db)
    if db.is_sqlite:  # one writer at a time: nothing can hold the tables meanwhile
        assert run_merge(config, db).orders.new == 2
        return
    other = open_database(config)
    merged: list[MergeResult] = []
    try:
        with other.begin() as conn:
            conn.execute(sa.text("LOCK TABLE staging_lines IN ROW EXCLUSIVE MODE"))
            merging = threading.Thread(target=lambda: merged.append(run_merge(config, db)))
            merging.start()
            merging.join(60)
            waited = merging.is_alive()  # blocked by the lock held here
            conn.execute(sa.text(
                "INSERT INTO staging_lines (_file_id, _row, size_code, qty) VALUES (999, 1, "
                "'M', 3)"))
        merging.join()
    finally:
        other.dispose()
    assert not waited
    assert merged[0].orders.new == 2
    assert fetch(db, "SELECT _file_id, size_code FROM staging_lines") == [(999, "M")]
    assert fetch(db, "SELECT COUNT(*) FROM staging_orders") == [(0,)]


def test_with_hash_columns_set_a_quantity_moved_between_sizes_still_changes_the_order(
        make_config: Any, write_workbook: WorkbookFactory) -> None:
    """merge.hash_columns narrows the descriptive columns that count; the sizes always do
    (10 moved from S to M, same total: the board's subitems must follow)."""
    config = make_config(merge={"hash_columns": ["TOTAL QTY", "TOTAL QTYY"]})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20})])
    run_pipeline(config, db)
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 20, "M": 10})])

    result = run_pipeline(config, db)

    assert result.merge.orders.changed == 1
    assert sorted((r.size_code, r.qty) for r in fetch(
        db, "SELECT size_code, qty FROM order_lines")) == [("M", 10), ("S", 20)]
    (warning,) = [w for w in result.ingest.warnings if "hash_columns" in w]
    assert "'TOTAL QTYY' is a column of no file read" in warning
    db.dispose()


def test_a_cancel_column_no_file_has_is_named_in_the_warnings(
        make_config: Any, write_workbook: WorkbookFactory) -> None:
    config = make_config(merge={"cancel": {"column": "ORDER TYP"}})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])

    result = run_pipeline(config, db)

    assert any("merge.cancel.column 'ORDER TYP' is a column of no file read: no order is "
               "read as cancelled" in w for w in result.ingest.warnings)
    db.dispose()


def test_a_name_template_field_no_file_has_is_named_in_the_warnings(
        make_config: Any, write_workbook: WorkbookFactory) -> None:
    config = make_config(names={"group": "{CUSTOMER} {AAG SEASONS}"})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])

    result = run_pipeline(config, db)

    assert any("names.group: {AAG SEASONS} is a column of no file read" in w
               for w in result.ingest.warnings), result.ingest.warnings
    db.dispose()
