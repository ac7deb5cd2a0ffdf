"""Issue #8: a self-healing sync — what people do to the board does not fail orders forever.

An item, subitem or group deleted (or archived) on the board, for a record the database
believes is there, is found again by identity or created again in the same run, never
duplicated; the run says how many items it re-created.  Each test checks the board
against the rows the workbook holds (``truth_problems``) and against the database.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

from rich.console import Console

from conftest import WorkbookFactory, fetch, order_row
from ordersync import render
from sync.conftest import Harness, board_problems, truth_problems

HarnessFactory = Callable[..., Harness]


def synced(h: Harness, write_workbook: WorkbookFactory,
           rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    write_workbook("GRE_a.csv", rows)
    h.pipeline()
    assert h.sync().failed_total == 0
    assert truth_problems(h, rows) == []
    return rows


def item_of(h: Harness, number: int) -> dict[str, Any]:
    (item,) = [i for i in h.items() if i["name"].startswith(f"GRE-{number:05d} ")]
    return item


def change(h: Harness, write_workbook: WorkbookFactory, rows: list[dict[str, Any]]) -> None:
    write_workbook("GRE_a.csv", rows)
    h.pipeline()


def printed(report: Any) -> str:
    out = StringIO()
    render.print_sync(Console(file=out, width=200), report)
    return out.getvalue()


def test_an_item_deleted_on_the_board_is_created_again_when_its_order_changes(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1, "M": 2}),
                                            order_row(2, {"S": 3})])
    deleted = item_of(harness, 1)["id"]
    harness.sandbox.store.delete_item(deleted)
    rows[0] = order_row(1, {"S": 1, "M": 2}, ETA="2025-07-01")
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.failed_total == 0 and report.counts["failed"] == 0
    assert report.counts["items_recreated"] == 1 and report.counts["subitems_created"] == 2
    assert "re-created 1 item(s) deleted or archived on the board" in printed(report)
    assert item_of(harness, 1)["id"] != deleted
    assert truth_problems(harness, rows) == []
    assert board_problems(harness) == []
    assert harness.sync().mutations == 0
    gone = fetch(harness.db, "SELECT operation, outcome FROM sync_events WHERE outcome = 'gone'")
    assert [(e.operation, e.outcome) for e in gone] == [("change_multiple_column_values",
                                                         "gone")]


def test_an_archived_item_whose_size_changes_is_created_again_with_all_its_sizes(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1, "M": 2, "L": 3})])
    harness.sandbox.store.archive_item(item_of(harness, 1)["id"])
    rows[0] = order_row(1, {"S": 1, "M": 9, "L": 3})  # a subitem update hits the archive
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.failed_total == 0 and report.counts["items_recreated"] == 1
    assert truth_problems(harness, rows) == []
    assert board_problems(harness) == []


def test_a_size_added_to_an_order_whose_item_was_deleted_re_creates_the_item_first(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1}), order_row(2, {"S": 2})])
    harness.sandbox.store.delete_item(item_of(harness, 2)["id"])
    rows[1] = order_row(2, {"S": 2, "XL": 4})  # create_subitem under a deleted parent
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.failed_total == 0 and report.counts["items_recreated"] == 1
    assert {s["name"] for s in item_of(harness, 2)["subitems"]} == {"S", "XL"}
    assert truth_problems(harness, rows) == []
    assert board_problems(harness) == []


def test_a_subitem_deleted_on_the_board_is_created_again_without_a_duplicate(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1, "M": 2})])
    (sub,) = [s for s in item_of(harness, 1)["subitems"] if s["name"] == "M"]
    harness.sandbox.store.delete_item(sub["id"])
    rows[0] = order_row(1, {"S": 5, "M": 6})
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.failed_total == 0 and report.counts["items_recreated"] == 0
    assert report.counts["subitems_gone"] == 1 and report.counts["subitems_created"] == 1
    assert truth_problems(harness, rows) == []
    assert board_problems(harness) == []


def test_a_group_deleted_on_the_board_is_made_again_with_its_items(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    rows = synced(harness, write_workbook, [
        order_row(1, {"S": 1}), order_row(2, {"S": 2}),
        order_row(3, {"S": 3}, **{"CUSTOMER SEASON": "SPRING 2026"})])
    (group,) = [g for g in harness.board()["groups"] if g["title"] == "GREYSTONE FALL 2025"]
    harness.sandbox.store.delete_group(harness.ids.board_id, group["id"])  # items 1, 2 too
    rows[0] = order_row(1, {"S": 7})  # an update of a deleted item
    rows.append(order_row(4, {"S": 4}))  # a create into the deleted group
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.failed_total == 0
    assert report.counts["groups_gone"] == 1 and report.counts["groups_created"] == 1
    assert report.counts["items_recreated"] == 1
    # order 2 did not change: nothing was sent for it, so nothing told the sync (verify does)
    assert truth_problems(harness, rows) == [
        "GRE-00002 | SEA | GR-2-TEE: 0 items on the board"]
    titles = [g["title"] for g in harness.board()["groups"]]
    assert titles.count("GREYSTONE FALL 2025") == 1


def test_an_item_deleted_after_a_person_copied_it_is_found_by_identity_not_duplicated(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1})])
    original = item_of(harness, 1)
    store = harness.sandbox.store
    copy = store.duplicate_item(harness.ids.board_id, original["id"])
    store.delete_item(original["id"])
    rows[0] = order_row(1, {"S": 1}, ETA="2025-09-09")
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.failed_total == 0 and report.counts["items_recreated"] == 0
    assert [i["id"] for i in harness.items()] == [copy.id]
    assert truth_problems(harness, rows) == []
    assert board_problems(harness) == []


def test_an_order_gone_from_its_file_whose_item_was_deleted_is_not_created_again(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    """A heal within the run re-created it (a later run would have left it alone): an
    order its file dropped has no business on the board once its item is deleted."""
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1}), order_row(2, {"S": 3})])
    change(harness, write_workbook, [rows[0], order_row(2, {"S": 4})])  # PENDING UPDATE
    change(harness, write_workbook, [rows[0]])  # then gone from the file
    harness.sandbox.store.delete_item(item_of(harness, 2)["id"])

    report = harness.sync()

    assert report.counts["items_recreated"] == 0 and report.failed_total == 0
    assert [i["name"].split(" ")[0] for i in harness.items()] == ["GRE-00001"]
    assert harness.sync().mutations == 0
