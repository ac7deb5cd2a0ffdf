"""Changing the canonical names re-keys nothing: the sync moves the same items to the new
group (issue #9)."""

from __future__ import annotations

from conftest import WorkbookFactory, fetch, order_row
from sync.conftest import Harness, board_problems


def test_mapping_two_season_spellings_moves_items_into_one_group(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [
        order_row(1, {"S": 10}, **{"CUSTOMER SEASON": "SS26"}),
        order_row(2, {"S": 1}, **{"CUSTOMER SEASON": "SS 2026"})])
    harness.pipeline()
    harness.sync()
    items = {i["name"]: i["id"] for i in harness.items()}
    uuids = {r.record_uuid for r in fetch(harness.db, "SELECT record_uuid FROM orders")}
    assert {g["title"] for g in harness.board()["groups"] if g["items"]} == {
        "GREYSTONE SS26", "GREYSTONE SS 2026"}

    harness.config = harness.config.model_copy(update={"seasons": {"SS26": ["SS 2026"]}})
    harness.pipeline()
    report = harness.sync()

    assert report.counts["items_moved"] == 1 and report.counts["items_created"] == 0
    assert {r.record_uuid for r in fetch(harness.db, "SELECT record_uuid FROM orders")} == uuids
    groups = {g["title"]: sorted(i["name"] for i in g["items"])
              for g in harness.board()["groups"] if g["items"]}
    assert groups == {"GREYSTONE SS26": sorted(items)}
    assert {i["name"]: i["id"] for i in harness.items()} == items  # the same items
    assert board_problems(harness) == []
    assert harness.sync().mutations == 0
