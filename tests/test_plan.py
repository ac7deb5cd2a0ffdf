"""Plan: what the next sync would do per customer and group, its cost — and it writes nothing."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from conftest import ConfigFactory, WorkbookFactory, execute, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.monday.batching import BatchPlanner, call_cost
from ordersync.monday.operations import Call
from ordersync.pipeline import run_pipeline
from ordersync.plan import GroupPlan, SyncPlan, plan_sync

BOARD = "111"


def _by_group(plan: SyncPlan) -> dict[tuple[str, str | None], GroupPlan]:
    return {(g.customer, g.group_name): g for g in plan.groups}


def _counts(g: GroupPlan) -> tuple[int, ...]:
    return (g.items_create, g.items_update, g.items_cancel, g.subitems_create,
            g.subitems_update, g.subitems_zero, g.nothing_to_do, g.failed)


def _pretend_synced(db: Database) -> None:
    execute(db, "UPDATE orders SET monday_item_id = 'i-' || business_key, "
                "sync_state = 'SYNCED', synced_hash = row_hash WHERE sync_action <> 'CANCEL'")
    execute(db, "UPDATE order_lines SET monday_subitem_id = 's-' || record_uuid || size_code, "
                "sync_state = 'SYNCED', synced_qty = qty WHERE sync_action <> 'CANCEL'")


def test_empty_database_gives_an_empty_plan_and_creates_nothing(config: Config,
                                                                db: Database) -> None:
    plan = plan_sync(config, db)

    assert plan.groups == () and plan.groups_to_create == ()
    assert (plan.requests, plan.complexity, plan.seconds) == (0, 0, 0.0)
    assert sa.inspect(db.engine).get_table_names(schema=config.database.schema_name) == []


def test_first_load_counts_per_customer_and_group(make_config: ConfigFactory,
                                                  write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={"board_id": BOARD})
    db = open_database(config)
    spring = {"CUSTOMER SEASON": "SPRING 2026"}
    blue = {"CUSTOMER": "BLUEWAVE"}
    write_workbook("GRE_a.xlsx", [
        order_row(1, {"S": 10, "M": 20}),
        order_row(2, {"S": 1, "M": 2, "L": 3}),
        order_row(3, {"S": 5}, order_type="CANCELLED"),
        order_row(4, {"XL": 7}, **spring),
        order_row(5, {"S": 1, "M": 1}, **blue),
        order_row(6, {"M": 4}, order_type="CANCELLED", **blue),
    ])
    run_pipeline(config, db)

    plan = plan_sync(config, db)

    groups = _by_group(plan)
    assert set(groups) == {("GREYSTONE", "GREYSTONE FALL 2025"),
                           ("GREYSTONE", "GREYSTONE SPRING 2026"),
                           ("BLUEWAVE", "BLUEWAVE FALL 2025")}
    # A cancelled order never sent, and its lines, are pending with nothing to do.
    assert _counts(groups["GREYSTONE", "GREYSTONE FALL 2025"]) == (2, 0, 0, 5, 0, 0, 2, 0)
    assert _counts(groups["GREYSTONE", "GREYSTONE SPRING 2026"]) == (1, 0, 0, 1, 0, 0, 0, 0)
    assert _counts(groups["BLUEWAVE", "BLUEWAVE FALL 2025"]) == (1, 0, 0, 2, 0, 0, 2, 0)
    assert all(g.create_group for g in plan.groups)
    assert plan.groups_to_create == ("BLUEWAVE FALL 2025", "GREYSTONE FALL 2025",
                                     "GREYSTONE SPRING 2026")
    calls = {op.operation: op.calls for op in plan.operations}
    assert calls == {"create_group": 3, "create_item": 4, "create_subitem": 8}
    assert plan.requests == 3
    assert plan.totals["nothing_to_do"] == 4 and plan.totals["groups_create"] == 3
    db.dispose()


def test_after_a_sync_changes_plan_updates_cancels_and_zeroes(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={"board_id": BOARD})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20}), order_row(2, {"S": 1, "M": 2}),
                                  order_row(3, {"S": 5}), order_row(7, {"S": 9})])
    run_pipeline(config, db)
    _pretend_synced(db)
    execute(db, "INSERT INTO monday_groups (board_id, group_name, group_id) "
                "VALUES (:b, 'GREYSTONE FALL 2025', 'g1')", b=BOARD)
    assert plan_sync(config, db).requests == 0

    write_workbook("GRE_a.xlsx", [
        order_row(1, {"S": 11, "M": 20}),  # item update, one subitem update
        order_row(2, {"S": 1}),  # item update, M removed: zeroed
        order_row(3, {"S": 5}, order_type="CANCELLED"),  # item cancelled, S zeroed
        order_row(4, {"L": 3}),  # new item and subitem
        order_row(7, {"S": 8}),  # changed, but left FAILED below
    ])
    run_pipeline(config, db)
    execute(db, "UPDATE orders SET sync_state = 'FAILED' WHERE business_key LIKE 'GRE-00007%'")
    execute(db, "UPDATE order_lines SET sync_state = 'FAILED' WHERE record_uuid IN "
                "(SELECT record_uuid FROM orders WHERE business_key LIKE 'GRE-00007%')")

    plan = plan_sync(config, db)

    assert plan.groups_to_create == ()  # the registry knows the group
    (group,) = plan.groups
    assert (group.customer, group.group_name, group.create_group) == (
        "GREYSTONE", "GREYSTONE FALL 2025", False)
    assert _counts(group) == (1, 2, 1, 1, 1, 2, 0, 2)
    calls = {op.operation: op.calls for op in plan.operations}
    assert calls == {"create_item": 1, "change_multiple_column_values": 2 + 1 + 1 + 2,
                     "create_subitem": 1}
    assert plan.totals["failed"] == 2


def test_cancelling_an_unsent_order_is_nothing_to_do(config: Config, db: Database,
                                                     write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2})])
    run_pipeline(config, db)
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2}, order_type="CANCELLED")])
    run_pipeline(config, db)

    plan = plan_sync(config, db)

    (group,) = plan.groups
    assert _counts(group) == (0, 0, 0, 0, 0, 0, 3, 0)
    assert plan.groups_to_create == () and plan.requests == 0


def test_cost_requests_and_time_for_200_orders_of_3_sizes(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={"board_id": BOARD})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1, "M": 2, "L": 3}) for n in range(1, 201)])
    run_pipeline(config, db)

    plan = plan_sync(config, db)

    group_cost, item_cost, subitem_cost = (call_cost(op) for op in
                                           ("create_group", "create_item", "create_subitem"))
    assert (group_cost, item_cost, subitem_cost) == (30_002, 30_001, 30_012)
    per_request = 5_000_000 // 30_012  # 166: the complexity selection (14) still fits
    assert {op.operation: (op.calls, op.per_request, op.requests) for op in plan.operations} == {
        "create_group": (1, 166, 1), "create_item": (200, 166, 2),
        "create_subitem": (600, per_request, math.ceil(600 / 166))}
    assert plan.requests == 1 + 2 + 4
    assert plan.complexity == 30_002 + 200 * 30_001 + 600 * 30_012 + 7 * 14 == 24_037_500
    assert plan.seconds == round(24_037_500 / 10_000_000 * 60, 1) == 144.2
    # The counted batches are the ones BatchPlanner cuts.
    planner = BatchPlanner(with_complexity=True)
    assert len(list(planner.plan([Call("create_subitem")] * 600))) == 4
    assert sum(map(planner.batch_cost, planner.plan([Call("create_item")] * 200))) == (
        200 * 30_001 + 2 * 14)

    capped = make_config(monday={"board_id": BOARD, "limits": {
        "max_mutations_per_request": 50, "requests_per_minute": 5,
        "complexity_per_minute": 1_000_000_000}})
    slow = plan_sync(capped, db)
    assert slow.requests == 1 + 4 + 12
    assert slow.seconds == round(17 / 5 * 60, 1)  # requests, not complexity, bind here
    db.dispose()


def test_registry_and_board_groups_suppress_group_creation(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={"board_id": BOARD})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, **{"CUSTOMER SEASON": "SPRING"}),
                                  order_row(3, **{"CUSTOMER SEASON": "SUMMER"})])
    run_pipeline(config, db)
    execute(db, "INSERT INTO monday_groups (board_id, group_name, group_id) VALUES "
                "('999', 'GREYSTONE FALL 2025', 'x'), (:b, 'GREYSTONE SPRING', 'g2')", b=BOARD)

    plan = plan_sync(config, db, board_groups={"GREYSTONE SUMMER"})

    assert plan.groups_to_create == ("GREYSTONE FALL 2025",)  # another board's entry
    assert plan.board_groups_checked
    assert {g.group_name: g.create_group for g in plan.groups} == {
        "GREYSTONE FALL 2025": True, "GREYSTONE SPRING": False, "GREYSTONE SUMMER": False}
    assert {op.operation: op.calls for op in plan.operations}["create_group"] == 1
    db.dispose()


# --- the CLI ---------------------------------------------------------------------------------


def _snapshot(db: Database, config: Config) -> dict[str, Any]:
    tables = sorted(sa.inspect(db.engine).get_table_names(schema=config.database.schema_name))
    counts = {t: fetch(db, f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables}
    return {"counts": counts,
            "files": fetch(db, "SELECT * FROM ingest_files ORDER BY id") if tables else [],
            "orders": fetch(db, "SELECT * FROM orders ORDER BY record_uuid") if tables else []}


def test_cli_plan_json_shape_and_it_writes_nothing(
        make_config: ConfigFactory, write_workbook: WorkbookFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    config = make_config(monday={"board_id": BOARD})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, order_type="CANCELLED")])
    run_pipeline(config, db)
    path = write_config(config, tmp_path)
    before = _snapshot(db, config)

    result = CliRunner().invoke(cli, ["plan", "--json", "--config", str(path)])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"board_id", "board_groups_checked", "groups_to_create", "groups",
                         "totals", "cost", "boards", "items_per_board", "capacity_problems",
                         "look_alikes"}
    assert data["board_id"] == BOARD and data["groups_to_create"] == ["GREYSTONE FALL 2025"]
    (group,) = data["groups"]
    assert group["customer"] == "GREYSTONE" and group["create_group"] is True
    assert (group["items_create"], group["subitems_create"], group["nothing_to_do"]) == (1, 2, 3)
    assert group["mutations"] == 3
    assert set(data["cost"]) == {"requests", "complexity", "seconds", "limits", "operations",
                                 "bound_by", "days", "by_limit", "summary"}
    assert data["cost"]["bound_by"] == "complexity per minute" and data["cost"]["days"] == 1
    (board,) = data["boards"]
    assert (board["board_id"], board["items_now"], board["items_after"],
            board["subitems_after"], board["over_limit"]) == (BOARD, 0, 1, 2, False)
    assert data["capacity_problems"] == []
    assert data["cost"]["requests"] == 3
    assert data["cost"]["operations"][0] == {
        "operation": "create_group", "calls": 1, "cost_per_call": 30_002, "per_request": 166,
        "requests": 1, "complexity": 30_016}
    assert _snapshot(db, config) == before

    table = CliRunner().invoke(cli, ["plan", "--config", str(path)])
    assert table.exit_code == 0, table.output
    assert "GREYSTONE FALL 2025" in table.stderr and "3 requests" in table.stderr
    assert _snapshot(db, config) == before
    db.dispose()


def test_cli_plan_on_a_fresh_database_creates_no_tables(
        config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    path = write_config(config, tmp_path)

    result = CliRunner().invoke(cli, ["plan", "--json", "--config", str(path)])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["groups"] == [] and data["cost"]["requests"] == 0
    db = open_database(config)
    assert sa.inspect(db.engine).get_table_names(schema=config.database.schema_name) == []
    db.dispose()


def test_board_groups_are_read_from_the_board(make_config) -> None:  # type: ignore[no-untyped-def]
    """With a token, the plan asks the board for its groups (here: the sandbox, in-process)."""
    from ordersync.plan import fetch_board_groups
    from ordersync.sandbox import Sandbox

    sandbox = Sandbox()
    ids = sandbox.create_order_board()
    sandbox.store.create_group(ids.board_id, "GREYSTONE FALL 2025")
    config = make_config(monday={"board_id": ids.board_id,
                                 "api_url": "https://api.monday.com/v2"})

    titles = fetch_board_groups(config, "token", transport=sandbox.mock_transport())

    assert "GREYSTONE FALL 2025" in titles


def test_plan_does_not_import_the_sync_engine() -> None:
    """Issue #10's structure: plan and sync share ordersync.limits; plan.py imports nothing
    of the sync, not even inside a function."""
    import ast

    import ordersync.plan

    tree = ast.parse(Path(ordersync.plan.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert "ordersync.limits" in imported
    assert not {m for m in imported if m.startswith("ordersync.sync")}


def test_look_alike_names_are_listed_with_the_config_lines_that_merge_them(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={"board_id": BOARD})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [
        order_row(1, **{"CUSTOMER SEASON": "SS 2026", "AAG SEASON": "SS26"}),
        order_row(2, **{"CUSTOMER SEASON": "SPRING 2026", "AAG SEASON": "SS26"}),
        order_row(3, **{"CUSTOMER SEASON": None, "AAG SEASON": "SS26"}),
        order_row(4, **{"CUSTOMER SEASON": "FALL 2025", "AAG SEASON": "AW25"})])

    ingested = run_pipeline(config, db).ingest
    plan = plan_sync(config, db)

    expected = ("3 groups look like one customer's one season: 'GREYSTONE SPRING 2026', "
                "'GREYSTONE SS 2026', 'GREYSTONE SS26' — to merge them add under [seasons]: "
                '"SS26" = ["SS 2026", "SPRING 2026"]')
    assert plan.look_alikes == (expected,)
    assert ingested.look_alikes == (expected,)
    assert plan.to_json()["look_alikes"] == [expected]

    # the suggested line merges them: one group, nothing left to list
    merged = make_config(monday={"board_id": BOARD},
                         seasons={"SS26": ["SS 2026", "SPRING 2026"]})
    run_pipeline(merged, db)
    plan = plan_sync(merged, db)
    assert plan.look_alikes == ()
    assert {g.group_name for g in plan.groups} == {"GREYSTONE SS26", "GREYSTONE FALL 2025"}
