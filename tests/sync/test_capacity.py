"""The sync refuses, before sending anything, a run that would fill a board past
[monday.limits] items_per_board (issue #10); a run that fits goes ahead."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import ConfigFactory, WorkbookFactory, fetch, order_row
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


def test_a_sync_stopped_by_the_daily_cap_says_when_to_run_again_and_the_next_day_resumes(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    from dataclasses import replace

    from ordersync.db import open_database
    from ordersync.sandbox import FakeClock, Sandbox
    from ordersync.sandbox.limits import Limits
    from sync.conftest import board_problems, monday_table

    clock = FakeClock()
    sandbox = Sandbox(limits=replace(Limits.for_plan("standard"), daily_calls=6), clock=clock,
                      blocking_sleep=clock.advance)
    ids = sandbox.create_order_board()
    config = make_config(monday=monday_table(ids, limits={"max_mutations_per_request": 4}))
    h = Harness(sandbox, clock, ids, config, open_database(config))
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1, "M": 2}) for n in range(1, 9)])
    h.pipeline()

    first = h.sync()

    assert first.stopped is not None and "DAILY_LIMIT_EXCEEDED" in first.stopped
    assert "run again after" in first.stopped and "UTC" in first.stopped
    assert "resumes where this one stopped" in first.stopped
    assert fetch(h.db, "SELECT status FROM sync_runs")[0].status == "interrupted"
    pending = fetch(h.db, "SELECT COUNT(*) AS n FROM order_lines WHERE sync_state <> 'SYNCED'")
    assert 0 < pending[0].n < 16  # some sent, the rest wait for tomorrow

    clock.advance(24 * 3600)  # the next day
    second = h.sync()
    while second.stopped is not None:
        clock.advance(24 * 3600)
        second = h.sync()

    assert len(h.items()) == 8 and board_problems(h) == []
    assert h.sync().mutations == 0
    h.db.dispose()
