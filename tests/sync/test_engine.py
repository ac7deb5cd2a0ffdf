"""End-to-end: the database synced to a sandbox board — and the board mirrors it."""

from __future__ import annotations

from conftest import WorkbookFactory, order_row
from sync.conftest import Harness, board_problems


def test_first_sync_mirrors_the_database_and_a_second_sends_nothing(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20}),
                                  order_row(2, {"S": 1, "M": 2, "L": 3}),
                                  order_row(3, {"S": 5}, order_type="CANCELLED")])
    harness.pipeline()

    first = harness.sync()

    assert board_problems(harness) == []
    assert first.counts["items_created"] == 2
    assert first.counts["subitems_created"] == 5
    assert first.counts["groups_created"] == 1
    second = harness.sync()
    assert second.mutations == 0 and second.requests == 0
    assert board_problems(harness) == []
