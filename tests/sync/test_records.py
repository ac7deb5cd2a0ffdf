"""The shared record pass: what each alias outcome means for its record (``sync.records``)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from conftest import WorkbookFactory, fetch, order_row
from ordersync.monday.wire import parse_response
from ordersync.sync import make_client, run_sync
from ordersync.sync.records import Fate, fate
from sync.conftest import TOKEN, Harness, board_problems


def _alias_error(code: str, message: str, **extensions: Any) -> Any:
    body = {"data": {"m0": None}, "errors": [{"message": message, "path": ["m0"],
                                              "extensions": {"code": code, **extensions}}]}
    (error,) = parse_response(200, {}, json.dumps(body).encode()).errors
    return error


@pytest.mark.parametrize(("code", "message", "extensions", "expected"), [
    ("INTERNAL_SERVER_ERROR", "Internal server error", {"status_code": 500}, Fate.FAULT),
    ("SomethingNew", "Upstream timed out", {"status_code": 504}, Fate.FAULT),
    ("RESOURCE_LOCKED", "Resource is currently locked", {"status_code": 423}, Fate.FAULT),
    ("FIELD_LIMIT_EXCEEDED", "Too many", {"retry_in_seconds": 10}, Fate.LIMITED),
    ("ItemsLimitationException", "exceeded the limit of 10,000 items", {}, Fate.LIMITED),
    ("rateLimitExceeded", "Rate Limit Exceeded", {}, Fate.LIMITED),
    ("SomethingNew", "Minute limit rate exceeded", {}, Fate.LIMITED),
    ("ResourceNotFoundException", "Item not found in board", {"status_code": 404}, Fate.GONE),
    ("InvalidArgumentException", "Cannot change column value for inactive items", {},
     Fate.GONE),
    ("ResourceNotFoundException", "Group not found", {"status_code": 404,
                                                      "error_data": {"group_id": "g1"}},
     Fate.GONE),
    ("ColumnValueException", "invalid value - label does not exist in column", {},
     Fate.REFUSED),
    ("ItemNameTooLongException", "Item name must be between 1 and 255 characters", {},
     Fate.REFUSED),
    ("ResourceNotFoundException", "Column not found", {"status_code": 404}, Fate.REFUSED),
    ("InvalidColumnIdException", "This column ID doesn't exist for the board", {},
     Fate.REFUSED),
], ids=["500-in-200", "504-status-code", "423", "field-limit", "board-full",
        "throttle-code-no-time", "throttle-message-no-time", "item-not-found",
        "inactive-item", "group-not-found", "label-missing", "name-too-long",
        "column-deleted", "column-id-unknown"])
def test_each_alias_error_has_its_fate(code: str, message: str, extensions: dict[str, Any],
                                       expected: Fate) -> None:
    assert fate(_alias_error(code, message, **extensions)) is expected


def test_a_rate_limited_move_waits_for_the_next_run_instead_of_failing_the_order(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.csv", [order_row(1, {"S": 1})])
    harness.pipeline()
    harness.sync()
    write_workbook("GRE_a.csv", [order_row(1, {"S": 1}, **{"CUSTOMER SEASON": "SPRING 2026"})])
    harness.pipeline()
    inner = harness.transport()

    class LimitedMoves(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if "move_item_to_group(" in json.loads(request.read())["query"]:
                return httpx.Response(200, json={
                    "data": {"m0": None}, "errors": [{
                        "message": "Field limit exceeded", "path": ["m0"],
                        "extensions": {"code": "FIELD_LIMIT_EXCEEDED",
                                       "retry_in_seconds": 10}}],
                    "extensions": {"request_id": "r1"}})
            return inner.handle_request(request)

    with make_client(harness.config, TOKEN, transport=LimitedMoves(),
                     sleep=harness.clock.advance, clock=harness.clock.now) as client:
        report = run_sync(harness.config, harness.db, client, clock=harness.clock.now,
                          sleep=harness.clock.advance)

    assert report.counts["failed"] == 0 and report.failed_total == 0
    assert report.counts["items_moved"] == 0 and report.counts["items_updated"] == 0
    (row,) = fetch(harness.db, "SELECT sync_state FROM orders")
    assert row.sync_state == "PENDING"

    again = harness.sync()

    assert again.counts["items_moved"] == 1
    assert board_problems(harness) == []
