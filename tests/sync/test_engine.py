"""End-to-end: the database synced to a sandbox board — and the board mirrors it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import WorkbookFactory, fetch, order_row
from ordersync.errors import UnknownCustomerError
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
    assert second.mutations == 0 and second.requests == 1  # the preflight read, nothing else
    assert board_problems(harness) == []


def _change_requests(h: Harness) -> list[dict[str, object]]:
    """column_values of every change_multiple_column_values call sent, in order."""
    import json
    found = []
    for body in h.sent:
        variables = body.get("variables") or {}
        for name, value in variables.items():
            if name.endswith("_column_values") and "change_multiple_column_values" in body["query"]:
                alias = name.split("_", 1)[0]
                if f"{alias}: change_multiple_column_values" in body["query"]:
                    found.append(json.loads(str(value)))
    return found


def test_a_changed_order_updates_only_its_changed_columns(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20}), order_row(2, {"S": 1})])
    harness.pipeline()
    harness.sync()
    harness.sent.clear()
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 25}, ETA="2025-04-01"),
                                  order_row(2, {"S": 1})])
    harness.pipeline()

    report = harness.sync()

    assert board_problems(harness) == []
    assert report.counts["items_updated"] == 1 and report.counts["subitems_updated"] == 1
    changes = _change_requests(harness)
    ids = harness.ids
    assert {ids.eta: {"date": "2025-04-01"}, ids.quantity: "35"} in changes
    assert {ids.order_qty: "25"} in changes
    assert len(changes) == 2  # nothing for order 2, nothing for size S


def test_a_cancelled_order_gets_its_status_and_its_sizes_zeroed(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20}), order_row(2, {"S": 1})])
    harness.pipeline()
    harness.sync()
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20}, order_type="CANCELLED"),
                                  order_row(2, {"S": 1})])
    harness.pipeline()

    report = harness.sync()

    assert board_problems(harness) == []
    assert report.counts["items_cancelled"] == 1 and report.counts["subitems_zeroed"] == 2
    item = next(i for i in harness.items() if i["name"].startswith("GRE-00001"))
    assert item["values"][harness.ids.status] == "Cancelled"
    assert {s["values"][harness.ids.order_qty] for s in item["subitems"]} == {"0"}
    assert {s["values"][harness.ids.line_status] for s in item["subitems"]} == {"Cancelled"}


@pytest.mark.parametrize(("mode", "expected"), [("zero", {"S": "10", "M": "0"}),
                                               ("delete", {"S": "10"})])
def test_a_removed_size_is_zeroed_or_deleted_per_config(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory, mode: str,
        expected: dict[str, str]) -> None:
    h = harness_factory(removed_lines=mode)
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20})])
    h.pipeline()
    h.sync()
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10})])
    h.pipeline()

    report = h.sync()

    assert board_problems(h) == []
    (item,) = h.items()
    assert {s["name"]: s["values"][h.ids.order_qty] for s in item["subitems"]} == expected
    assert report.counts["subitems_zeroed" if mode == "zero" else "subitems_deleted"] == 1
    assert h.sync().mutations == 0


def test_a_value_the_column_cannot_take_fails_that_order_before_sending(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(columns={"identity": "order_key", "status": "status",
                                 "quantity": {"id": "total_qty", "type": "numbers",
                                              "source": "CUSTOMER STYLE"}})
    write_workbook("GRE_a.xlsx", [order_row(1, style="42"), order_row(2, style="NOT-A-NUMBER")])
    h.pipeline()

    report = h.sync()

    assert report.counts["items_created"] == 1 and report.counts["failed"] == 1
    (failure,) = report.failures
    assert "total_qty" in failure.reason and "NOT-A-NUMBER" in failure.reason
    (row,) = fetch(h.db, "SELECT sync_state, last_error FROM orders WHERE sync_state <> "
                         "'SYNCED'")
    assert row.sync_state == "FAILED" and "NOT-A-NUMBER" in row.last_error
    assert len(h.items()) == 1


def test_customer_and_limit_bound_the_run(harness: Harness,
                                          write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": n}) for n in range(1, 6)]
                   + [order_row(9, {"S": 9}, CUSTOMER="BLUEWAVE")])
    harness.pipeline()

    with pytest.raises(UnknownCustomerError, match="BLUEWAVE, GREYSTONE"):
        harness.sync(customers=("nobody",))  # an error listing the known ones, not a no-op
    only_blue = harness.sync(customers=("bluewave",))
    assert only_blue.counts["items_created"] == 1
    limited = harness.sync(limit=2)
    assert limited.counts["items_created"] == 2 and limited.counts["subitems_created"] == 2
    rest = harness.sync()
    assert rest.counts["items_created"] == 3
    assert board_problems(harness) == []


def test_dry_run_prints_the_requests_and_changes_nothing(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    from io import StringIO

    from rich.console import Console

    from ordersync.sync import SyncOptions, run_sync
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20}, style='ST "9"')])
    harness.pipeline()
    before = fetch(harness.db, "SELECT * FROM orders ORDER BY record_uuid")
    out = StringIO()

    report = run_sync(harness.config, harness.db, None, options=SyncOptions(dry_run=True),
                      out=Console(file=out, width=200))

    printed = out.getvalue()
    assert "create_group" in printed and "create_item" in printed
    assert "create_subitem" in printed and '"<id of new item' in printed
    assert 'ST \\"9\\"' in printed  # the name is a variable, JSON-escaped
    assert report.requests == 3 and report.mutations == 4
    assert report.counts["failed"] == 0 and report.failures == []  # nothing sent, none failed
    assert harness.sent == [] and harness.items() == []
    assert fetch(harness.db, "SELECT * FROM orders ORDER BY record_uuid") == before
    assert fetch(harness.db, "SELECT * FROM sync_runs") == []


def test_sync_runs_and_events_record_every_attempt(harness: Harness,
                                                   write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10, "M": 20})])
    harness.pipeline()

    report = harness.sync()

    (run,) = fetch(harness.db, "SELECT * FROM sync_runs")
    assert (run.status, run.requests, run.succeeded, run.failed) == (
        "ok", report.requests, 4, 0)
    assert run.complexity == report.complexity > 0
    events = fetch(harness.db, "SELECT operation, outcome, request_id, monday_id, size_code "
                               "FROM sync_events ORDER BY id")
    assert [(e.operation, e.outcome) for e in events] == [
        ("create_group", "created"), ("create_item", "created"),
        ("create_subitem", "created"), ("create_subitem", "created")]
    assert all(e.request_id and e.monday_id for e in events)
    assert sorted(e.size_code for e in events if e.size_code) == ["M", "S"]


def test_a_full_board_stops_the_run_instead_of_failing_every_create(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    from ordersync.sync.context import BoardFull
    harness.sandbox.store.items_limit = 3
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1}) for n in range(1, 6)])
    harness.pipeline()

    with pytest.raises(BoardFull, match="is full"):
        harness.sync()

    states = fetch(harness.db, "SELECT sync_state, COUNT(*) AS n FROM orders "
                               "GROUP BY sync_state ORDER BY sync_state")
    assert [(s.sync_state, s.n) for s in states] == [("PENDING", 2), ("SYNCED", 3)]
    assert len(harness.items()) == 3
    assert fetch(harness.db, "SELECT status FROM sync_runs")[0].status == "failed"


def test_concurrent_requests_when_configured_keep_the_board_exact(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(limits={"concurrency": 3, "max_mutations_per_request": 2})
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": n, "M": n + 1}) for n in range(1, 13)])
    h.pipeline()

    report = h.sync()

    assert len(h.threads) > 1  # requests really left from several threads
    assert report.counts["items_created"] == 12 and report.counts["subitems_created"] == 24
    assert board_problems(h) == []
    assert h.sync().mutations == 0


def test_a_changed_season_moves_the_item_to_its_new_group(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10}), order_row(2, {"S": 1})])
    harness.pipeline()
    harness.sync()
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10}, **{"CUSTOMER SEASON": "SPRING 2026"}),
                                  order_row(2, {"S": 1})])
    harness.pipeline()

    report = harness.sync()

    assert report.counts["items_moved"] == 1 and report.counts["groups_created"] == 1
    assert board_problems(harness) == []
    groups = {g["title"]: [i["name"] for i in g["items"]] for g in harness.board()["groups"]}
    assert groups["GREYSTONE SPRING 2026"] == ["GRE-00001 GR-1-TEE SEA"]
    assert groups["GREYSTONE FALL 2025"] == ["GRE-00002 GR-2-TEE SEA"]
    assert harness.sync().mutations == 0


def test_status_shows_the_last_sync_run(harness: Harness,
                                        write_workbook: WorkbookFactory) -> None:
    from ordersync.status import read_status
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10})])
    harness.pipeline()
    report = harness.sync()

    run = read_status(harness.db)["last_sync"]

    assert (run["id"], run["board_id"], run["status"]) == (report.run_id, harness.ids.board_id,
                                                           "ok")
    assert (run["succeeded"], run["failed"], run["requests"]) == (3, 0, report.requests)


def test_one_client_serves_runs_one_after_another_with_their_own_counts(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    from ordersync.sync import SyncOptions, run_sync
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10})])
    harness.pipeline()

    with harness.client() as client:
        first = run_sync(harness.config, harness.db, client, clock=harness.clock.now,
                         sleep=harness.clock.advance)
        second = run_sync(harness.config, harness.db, client, clock=harness.clock.now,
                          sleep=harness.clock.advance, options=SyncOptions())

        assert client.observers == []
    assert first.requests == len(harness.sent) and second.requests == 0


def test_an_order_gone_from_its_file_before_it_reached_the_board_is_not_created(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    """It was created (with the active status) on the first sync after its removal, and
    `plan` counted it as a create."""
    from ordersync.plan import plan_sync
    from ordersync.verify import VerifyOptions, run_verify

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10}), order_row(2, {"S": 1, "M": 2})])
    harness.pipeline()
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10})])
    harness.pipeline()
    plan = plan_sync(harness.config, harness.db)
    assert (plan.totals["items_create"], plan.totals["subitems_create"]) == (1, 1)

    report = harness.sync()

    assert [i["name"].split(" ")[0] for i in harness.items()] == ["GRE-00001"]
    assert (report.counts["items_created"], report.counts["subitems_created"]) == (1, 1)
    assert not report.incomplete and harness.sync().mutations == 0
    with harness.client() as client:  # verify finds nothing missing either
        found = run_verify(harness.config, harness.db, client, options=VerifyOptions(),
                           clock=harness.clock.now, sleep=harness.clock.advance).found
    assert found.equal and found.differences == 0

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 10}), order_row(2, {"S": 1, "M": 2})])
    harness.pipeline()  # back in the file: now it goes to the board

    report = harness.sync()

    assert (report.counts["items_created"], report.counts["subitems_created"]) == (1, 2)
    assert board_problems(harness) == []


def test_a_merge_while_the_sync_is_sending_loses_no_change(
        harness: Harness, write_workbook: WorkbookFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync reads its orders, then sends them; a merge in between (an `ordersync run`
    beside a running sync) changed orders it had read: it sent the old values and recorded
    them as synced with the new row's hash — the board kept the old quantities and no later
    sync sent anything.  Now such an order stays PENDING and the next sync sends it."""
    from ordersync.sync import engine

    rows = [order_row(1, {"S": 10, "M": 20}), order_row(2, {"S": 1}),
            order_row(3, {"S": 5}, order_type="CANCELLED")]
    write_workbook("GRE_a.xlsx", rows)
    harness.pipeline()
    harness.sync()
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 11, "M": 20}), *rows[1:]])
    harness.pipeline()  # order 1: PENDING UPDATE, read by the next sync as S = 11
    merged = [order_row(1, {"S": 12, "M": 20}), order_row(2, {"S": 1}),
              order_row(3, {"S": 5}, order_type="CANCELLED")]
    real = engine.sync_items

    def merge_first(*args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(engine, "sync_items", real)
        write_workbook("GRE_a.xlsx", merged)
        harness.pipeline()  # S = 12 now, while the sync holds S = 11
        real(*args, **kwargs)

    monkeypatch.setattr(engine, "sync_items", merge_first)
    harness.sync()

    (order,) = fetch(harness.db, "SELECT sync_state FROM orders "
                                 "WHERE \"AAG ORDER NUMBER\" = 'GRE-00001'")
    assert order.sync_state == "PENDING"
    harness.sync()
    assert board_problems(harness) == []
    item = next(i for i in harness.items() if i["name"].startswith("GRE-00001"))
    assert {s["name"]: s["values"][harness.ids.order_qty] for s in item["subitems"]} == {
        "S": "12", "M": "20"}
