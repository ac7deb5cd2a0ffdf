"""Every limit monday sets, in one place for plan and sync: the time a sync takes under each,
which one binds, and each board's fill against items per board — refused before sending."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import ConfigFactory, WorkbookFactory, order_row
from ordersync.config import config_from_dict
from ordersync.db import open_database
from ordersync.limits import describe_time, estimate_time
from ordersync.pipeline import run_pipeline
from ordersync.plan import plan_sync


def _config(**limits: Any) -> Any:
    return config_from_dict({"monday": {"limits": limits}})


def test_the_daily_cap_binds_a_sync_of_more_calls_than_a_day_allows() -> None:
    config = _config()
    time = estimate_time(config, requests=2_900, complexity=2_900 * 4_000_000)

    assert time.days == 3 and time.binding.limit == "calls per day"
    assert describe_time(config, time) == (
        "needs 2,900 calls: 3 days on the standard plan's 1,000 calls a day")


@pytest.mark.parametrize(("limits", "expected"), [
    ({"plan": "pro"}, "bound by complexity per minute"),
    ({"daily_calls": 500}, "needs 2,900 calls: 6 days on [monday.limits] daily_calls = 500"),
    ({"plan": "enterprise", "complexity_per_minute": 10**12, "requests_per_minute": 100},
     "bound by requests per minute (2,900 needed, 100 allowed)"),
], ids=["pro-fits-a-day", "configured-cap", "request-rate"])
def test_the_binding_limit_is_named(limits: dict[str, Any], expected: str) -> None:
    config = _config(**limits)
    text = describe_time(config, estimate_time(config, requests=2_900,
                                               complexity=2_900 * 4_000_000))
    assert expected in text


def test_a_complexity_bound_sync_takes_the_minutes_its_budget_allows() -> None:
    config = _config()
    time = estimate_time(config, requests=60, complexity=60 * 5_000_000)

    assert time.days == 1 and time.binding.limit == "complexity per minute"
    assert time.seconds == 1_800.0  # 300M at 10M a minute
    assert describe_time(config, time).startswith("about 30 min 0 s, bound by complexity")


# --- capacity: plan shows it, sync refuses before any write ---------------------------------

ROUTING = {"key": "{CUSTOMER SEASON}", "board_name": "Schedule {CUSTOMER SEASON}"}


def test_plan_reports_a_route_past_the_board_limit_with_the_fix(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={"board_id": "900", "limits": {"items_per_board": 4},
                                 "routing": ROUTING})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1}) for n in range(1, 4)]
                   + [order_row(9, {"S": 1, "M": 1}, **{"CUSTOMER SEASON": "SPRING 2026"})])
    run_pipeline(config, db)

    plan = plan_sync(config, db)

    fills = {b.name: (b.items_after, b.subitems_after) for b in plan.boards}
    assert fills == {"Schedule FALL 2025": (3, 3), "Schedule SPRING 2026": (1, 2)}
    assert plan.capacity_problems == ()
    calls = {op.operation: op.calls for op in plan.operations}
    assert calls["duplicate_board"] == 2 == plan.totals["boards_create"]
    assert "move_item_to_board" not in calls

    split = make_config(monday={"board_id": "900", "limits": {"items_per_board": 2},
                                "routing": {**ROUTING, "overflow": "split"}})
    assert plan_sync(split, db).capacity_problems == ()
    assert [b.name for b in plan_sync(split, db).boards] == [
        "Schedule FALL 2025", "Schedule FALL 2025 (2)", "Schedule SPRING 2026"]

    tight = make_config(monday={"board_id": "900", "limits": {"items_per_board": 2},
                                "routing": ROUTING})
    (problem,) = plan_sync(tight, db).capacity_problems
    assert problem == (
        'board "Schedule FALL 2025" (route "FALL 2025") would hold 3 items and 3 subitems '
        "after this sync, past [monday.limits] items_per_board = 2: set [monday.routing] "
        'overflow = "split" (opens "Schedule FALL 2025 (2)" for the route\'s next orders) or '
        'a finer key than "{CUSTOMER SEASON}"')
    db.dispose()
