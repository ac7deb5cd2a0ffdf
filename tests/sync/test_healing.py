"""Issue #8: a self-healing sync — what people do to the board does not fail orders forever.

An item, subitem or group deleted (or archived) on the board, for a record the database
believes is there, is found again by identity or created again in the same run, never
duplicated; the run says how many items it re-created.  Each test checks the board
against the rows the workbook holds (``truth_problems``) and against the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import httpx
from rich.console import Console

from conftest import WorkbookFactory, fetch, order_row
from ordersync import render
from ordersync.sync import make_client, run_sync
from sync.conftest import TOKEN, Harness, board_problems, truth_problems

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


def test_a_new_order_for_a_group_deleted_on_the_board_makes_the_group_again(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    # monday's "not found" for a create into a deleted group does not say it is the group
    # (no error_data, API_NOTES §5): the sync asks the board instead of re-creating the
    # item into the same dead group run after run
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1}), order_row(
        2, {"S": 2}, **{"CUSTOMER SEASON": "SPRING 2026"})])
    (group,) = [g for g in harness.board()["groups"] if g["title"] == "GREYSTONE FALL 2025"]
    harness.sandbox.store.delete_group(harness.ids.board_id, group["id"])  # item 1 too
    rows = [order_row(2, {"S": 2}, **{"CUSTOMER SEASON": "SPRING 2026"}),
            order_row(3, {"S": 3})]  # a new order for the deleted group; order 1 is gone
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.failed_total == 0 and report.unsent == 0
    assert report.counts["groups_gone"] == 1 and report.counts["groups_created"] == 1
    assert truth_problems(harness, rows) == []
    (order,) = fetch(harness.db, "SELECT sync_state, monday_item_id FROM orders "
                     "WHERE item_name LIKE 'GRE-00003%'")
    assert order.sync_state == "SYNCED" and order.monday_item_id == item_of(harness, 3)["id"]
    assert harness.sync().mutations == 0  # nothing left over for the next run


def test_an_order_moved_to_a_group_deleted_on_the_board_makes_the_group_again(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1}), order_row(
        2, {"S": 2}, **{"CUSTOMER SEASON": "SPRING 2026"})])
    (group,) = [g for g in harness.board()["groups"] if g["title"] == "GREYSTONE SPRING 2026"]
    harness.sandbox.store.delete_group(harness.ids.board_id, group["id"])  # item 2 too
    rows = [order_row(1, {"S": 1}, **{"CUSTOMER SEASON": "SPRING 2026"})]  # moves there
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.failed_total == 0 and report.unsent == 0
    assert report.counts["groups_gone"] == 1 and report.counts["items_moved"] == 1
    assert report.counts["items_recreated"] == 0  # the item was fine: never made twice
    assert truth_problems(harness, rows) == []


def test_a_move_of_an_item_found_on_another_board_never_makes_it_twice(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    """monday does not find the group on the item's board because the item is on another
    board (a board move applied but not recorded, or a planner's): the group is there and
    the item is active, so nothing is gone — the order waits, never re-created."""
    rows = synced(harness, write_workbook, [order_row(1, {"S": 1}), order_row(
        2, {"S": 2}, **{"CUSTOMER SEASON": "SPRING 2026"})])
    other = harness.sandbox.create_order_board("Elsewhere")
    (group,) = harness.sandbox.board(other.board_id)["groups"]
    harness.sandbox.store.move_item_to_board(item_of(harness, 1)["id"], other.board_id,
                                             group["id"])
    rows[0] = order_row(1, {"S": 1}, **{"CUSTOMER SEASON": "SPRING 2026"})  # a group move
    change(harness, write_workbook, rows)

    report = harness.sync()

    assert report.counts["items_recreated"] == 0 and report.counts["groups_gone"] == 0
    assert [i["name"] for i in harness.items()].count(
        "GRE-00001 GR-1-TEE SEA") == 0  # not made again on the order board
    (order,) = fetch(harness.db, "SELECT sync_state FROM orders "
                     "WHERE item_name LIKE 'GRE-00001%'")
    assert order.sync_state == "PENDING"


def test_a_create_monday_says_not_found_while_its_group_is_there_fails_once(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    """Neither the group nor an item is gone: the order is FAILED with monday's answer
    and the next step, not re-created into the same answer run after run."""
    synced(harness, write_workbook, [order_row(1, {"S": 1})])
    change(harness, write_workbook, [order_row(1, {"S": 1}), order_row(2, {"S": 2})])
    inner = harness.transport()

    class CreatesNotFound(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if "create_item(" in json.loads(request.read())["query"]:
                return httpx.Response(200, json={
                    "data": {"m0": None}, "errors": [{
                        "message": "Group not found", "path": ["m0"],
                        "extensions": {"code": "ResourceNotFoundException",
                                       "status_code": 404}}],
                    "extensions": {"request_id": "r1"}})
            return inner.handle_request(request)

    with make_client(harness.config, TOKEN, transport=CreatesNotFound(),
                     sleep=harness.clock.advance, clock=harness.clock.now) as client:
        report = run_sync(harness.config, harness.db, client, clock=harness.clock.now,
                          sleep=harness.clock.advance)

    assert report.counts["failed"] == 1 and report.counts["groups_gone"] == 0
    assert report.counts["items_created"] == 0
    (order,) = fetch(harness.db, "SELECT sync_state, last_error FROM orders "
                     "WHERE item_name LIKE 'GRE-00002%'")
    assert order.sync_state == "FAILED"
    assert "GREYSTONE FALL 2025" in order.last_error and "--retry-failed" in order.last_error
    assert "ResourceNotFoundException" in order.last_error
    assert harness.sync(retry_failed=True).counts["items_created"] == 1
    assert board_problems(harness) == []


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
