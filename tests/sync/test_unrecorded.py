"""Orders about to be created whose item the board already has: looked up by identity and
taken over, never made a second time — and a first sync onto an empty board pays nothing
for it.

A database restored from a backup older than the last sync, a new, empty database pointed
at a board an earlier database synced (SQLite to PostgreSQL, a schema typo), an item a
planner made by hand before the sync sent it: each created every such item again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from conftest import WorkbookFactory, execute, fetch, order_row
from ordersync.db import open_database
from sync.conftest import Harness, board_problems, duplicates
from sync.drift import create_item, create_subitem

HarnessFactory = Callable[..., Harness]

THREE = [order_row(1, {"S": 10, "M": 20}), order_row(2, {"S": 1, "M": 2, "L": 3}),
         order_row(3, {"S": 5})]


def load(h: Harness, write_workbook: WorkbookFactory, rows: list[dict[str, Any]]) -> None:
    write_workbook("GRE_a.csv", rows)
    h.pipeline()


def lookups(h: Harness) -> list[dict[str, Any]]:
    return [b for b in h.sent if "items_page_by_column_values(" in b["query"]]


def new_empty_database(h: Harness) -> None:
    """Every table dropped and the database opened again: what a new database (another
    engine, another schema) holds before its first ingest — record_uuids are made anew."""
    meta = sa.MetaData(schema=h.db.schema)
    with h.db.begin() as conn:
        meta.reflect(bind=conn)
        meta.drop_all(bind=conn)
    h.db.dispose()
    h.db = open_database(h.config)


def test_a_new_empty_database_pointed_at_a_synced_board_takes_its_items_over(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    h = harness
    load(h, write_workbook, THREE)
    h.sync()
    before = {i["id"]: sorted(s["id"] for s in i["subitems"]) for i in h.items()}
    old_uuids = {r.record_uuid for r in fetch(h.db, "SELECT record_uuid FROM orders")}
    new_empty_database(h)
    # the files changed meanwhile: order 1's M quantity, order 3 cancelled
    load(h, write_workbook, [order_row(1, {"S": 10, "M": 25}), THREE[1],
                             order_row(3, {"S": 5}, order_type="CANCELLED")])
    assert not old_uuids & {r.record_uuid for r in fetch(h.db, "SELECT record_uuid FROM orders")}

    report = h.sync()

    assert duplicates(h) == []
    assert {i["id"]: sorted(s["id"] for s in i["subitems"]) for i in h.items()} == before
    assert report.counts["items_created"] == report.counts["subitems_created"] == 0
    assert report.counts["items_found"] == 3 and report.counts["subitems_found"] == 6
    # what the board shows was read with them: only what the files changed is sent
    assert report.counts["items_updated"] == 1 and report.counts["items_cancelled"] == 1
    assert report.counts["subitems_updated"] == 1 and report.counts["subitems_zeroed"] == 1
    assert report.counts["unchanged"] == 5 and report.mutations == 4
    assert report.counts["groups_adopted"] == 1 and report.counts["groups_created"] == 0
    assert board_problems(h) == []
    found = fetch(h.db, "SELECT size_code, outcome FROM sync_events WHERE operation = "
                        "'lookup' ORDER BY id")
    assert [(e.size_code is None, e.outcome) for e in found] == (
        [(True, "found")] * 3 + [(False, "found")] * 6)
    assert h.sync().mutations == 0


def test_a_database_restored_from_a_backup_older_than_the_last_sync_makes_no_duplicate(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    h = harness
    load(h, write_workbook, THREE)
    h.sync()
    items = len(h.items())
    # the backup was taken after the merge, before the sync: nothing of the board recorded
    execute(h.db, "UPDATE orders SET monday_item_id = NULL, monday_group_id = NULL, "
                  "synced_values = NULL, synced_hash = NULL, sync_state = 'PENDING', "
                  "sync_action = 'CREATE'")
    execute(h.db, "UPDATE order_lines SET monday_subitem_id = NULL, synced_values = NULL, "
                  "synced_qty = NULL, sync_state = 'PENDING', sync_action = 'CREATE'")
    execute(h.db, "DELETE FROM monday_groups")

    report = h.sync()

    assert duplicates(h) == [] and len(h.items()) == items
    assert report.counts["items_created"] == 0 and report.counts["items_found"] == 3
    assert report.mutations == 0  # the board already shows what the database holds
    assert board_problems(h) == []


def test_an_item_a_planner_made_before_the_sync_is_taken_over_with_its_subitem(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    h = harness
    load(h, write_workbook, THREE)
    h.sync()
    with h.client() as client:  # order 4, typed in by a planner before the file came
        made = create_item(client, h.ids.board_id, "GRE-00004 typed by hand",
                           {h.ids.identity: "GRE-00004 | SEA | GR-4-TEE"})
        sub = create_subitem(client, made, "M", {h.ids.order_qty: "7"})
    load(h, write_workbook, [*THREE, order_row(4, {"S": 4, "M": 8})])
    h.sent.clear()

    report = h.sync()

    assert duplicates(h) == []
    assert report.counts["items_found"] == 1 and report.counts["items_created"] == 0
    assert report.counts["subitems_found"] == 1 and report.counts["subitems_created"] == 1
    assert report.counts["items_updated"] == report.counts["subitems_updated"] == 1
    (row,) = fetch(h.db, "SELECT monday_item_id FROM orders WHERE item_name LIKE 'GRE-00004 %'")
    assert row.monday_item_id == made
    (line,) = fetch(h.db, "SELECT monday_subitem_id FROM order_lines WHERE size_code = 'M' AND "
                          "record_uuid IN (SELECT record_uuid FROM orders WHERE item_name "
                          "LIKE 'GRE-00004 %')")
    assert line.monday_subitem_id == sub
    # its values and quantities are the file's now; its name stays the planner's (items
    # are not renamed)
    assert board_problems(h) == [f"item {made} is named 'GRE-00004 typed by hand'"]
    assert len(lookups(h)) == 1 and lookups(h)[0]["variables"]["identities"] == [
        "GRE-00004 | SEA | GR-4-TEE"]


def test_a_first_sync_onto_an_empty_board_looks_nothing_up(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory) -> None:
    h = harness_factory(limits={"max_mutations_per_request": 50})
    load(h, write_workbook, [order_row(n, {"S": n}) for n in range(1, 121)])

    report = h.sync()

    assert lookups(h) == []  # the group read said the board was empty
    assert report.counts["items_created"] == 120
    assert board_problems(h) == []


def test_new_orders_for_a_board_that_has_items_are_looked_up_in_bulk(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    h = harness
    load(h, write_workbook, [order_row(1, {"S": 1})])
    h.sync()
    load(h, write_workbook, [order_row(n, {"S": n}) for n in range(1, 121)])
    h.sent.clear()

    report = h.sync()

    assert report.counts["items_created"] == 119 and report.counts["items_found"] == 0
    # 119 keys, 50 a request: three lookups, not one per order
    assert len(lookups(h)) == 3
    assert sum(len(b["variables"]["identities"]) for b in lookups(h)) == 119
    assert board_problems(h) == []
