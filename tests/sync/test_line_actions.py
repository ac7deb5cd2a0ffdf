"""A created line shows action CREATE until it is synced (and after, as orders do)."""

from __future__ import annotations

from conftest import WorkbookFactory, order_row
from ordersync.status import read_status
from sync.conftest import Harness


def test_created_lines_show_create_until_synced_and_after(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2}), order_row(2, {"L": 3})])
    harness.pipeline()
    before = read_status(harness.db)["lines"]
    assert before["by_action"] == {"CREATE": 3} and before["by_state"] == {"PENDING": 3}

    assert harness.sync().counts["subitems_created"] == 3

    after = read_status(harness.db)["lines"]
    assert after["by_action"] == {"CREATE": 3} and after["by_state"] == {"SYNCED": 3}
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 5, "M": 2}), order_row(2, {"L": 3})])
    harness.pipeline()
    assert read_status(harness.db)["lines"]["by_action"] == {"CREATE": 2, "UPDATE": 1}
