"""The sync refuses, before sending anything, a run that would fill a board past
[monday.limits] items_per_board (issue #10); a run that fits goes ahead."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import WorkbookFactory, fetch, order_row
from ordersync.errors import CapacityExceeded
from sync.conftest import Harness


def test_the_sync_refuses_a_board_past_its_limit_before_sending_anything(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(limits={"items_per_board": 4})
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1, "M": 1}) for n in range(1, 4)])
    h.pipeline()

    with pytest.raises(CapacityExceeded) as caught:
        h.sync()

    message = str(caught.value)
    assert "nothing was sent" in message
    assert (f"board {h.ids.board_id} would hold 3 items and 6 subitems after this sync, past "
            "[monday.limits] items_per_board = 4: route the orders to several boards") in message
    assert [body for body in h.sent if body["query"].lstrip().startswith("mutation")] == []
    assert h.items() == []
    assert {r.sync_state for r in fetch(h.db, "SELECT sync_state FROM orders")} == {"PENDING"}

    # A run scoped to what fits goes ahead (the others stay off the board).
    report = h.sync(limit=2)
    assert report.counts["failed"] == 0 and len(h.items()) == 2
