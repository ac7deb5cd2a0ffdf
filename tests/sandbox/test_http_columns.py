"""Every column type of the order board and its subitems board, through HTTP.

Hand-written GraphQL through ``Sandbox.transport()``: a valid value written three ways
(``create_item``/``create_subitem`` with ``column_values`` as a JSON string variable,
``change_multiple_column_values``, ``change_simple_column_value``) and read back with
``items(ids:) { column_values { id text value } }``; an invalid value written the same
three ways, answered with one exact error entry and nothing written.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ordersync.sandbox.app import Sandbox
from ordersync.sandbox.clock import FakeClock
from ordersync.sandbox.columns import INVALID_VALUE, MISSING_LABEL, SIMPLE_NOT_SUPPORTED
from ordersync.sandbox.store import OrderBoard

AUTH = {"Authorization": "test-token", "API-Version": "2026-07"}

CREATE_ITEM = """mutation ($board: ID!, $name: String!, $values: JSON, $create: Boolean) {
  create_item(board_id: $board, item_name: $name, column_values: $values,
              create_labels_if_missing: $create) { id }
}"""
CREATE_SUBITEM = """mutation ($parent: ID!, $name: String!, $values: JSON, $create: Boolean) {
  create_subitem(parent_item_id: $parent, item_name: $name, column_values: $values,
                 create_labels_if_missing: $create) { id }
}"""
CHANGE_MULTIPLE = """mutation ($board: ID!, $item: ID!, $values: JSON!, $create: Boolean) {
  change_multiple_column_values(board_id: $board, item_id: $item, column_values: $values,
                                create_labels_if_missing: $create) { id }
}"""
CHANGE_SIMPLE = """mutation ($board: ID!, $item: ID!, $column: String!, $value: String,
                     $create: Boolean) {
  change_simple_column_value(board_id: $board, item_id: $item, column_id: $column,
                             value: $value, create_labels_if_missing: $create) { id }
}"""
READ = """query ($ids: [ID!]) { items(ids: $ids) { id column_values { id text value } } }"""
COLUMNS = """query ($ids: [ID!]) { boards(ids: $ids) { columns { id settings_str } } }"""


class Api:
    def __init__(self, sandbox: Sandbox, ids: OrderBoard) -> None:
        self.sandbox, self.ids = sandbox, ids

    def gql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        async def send() -> httpx.Response:
            async with httpx.AsyncClient(transport=self.sandbox.transport(),
                                         base_url="https://api.monday.com") as client:
                return await client.post("/v2", headers=AUTH,
                                         json={"query": query, "variables": variables})
        response = asyncio.run(send())
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = self.gql(query, variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def board_id(self, sub: bool) -> str:
        return self.ids.subitems_board_id if sub else self.ids.board_id

    def create(self, sub: bool, values: dict[str, Any] | None = None) -> str:
        """A new item (an order) or subitem (under a new order), with ``values``."""
        encoded = json.dumps(values or {})
        if not sub:
            data = self.ok(CREATE_ITEM, {"board": self.ids.board_id, "name": "PO-1",
                                         "values": encoded})
            return str(data["create_item"]["id"])
        parent = self.create(False)
        data = self.ok(CREATE_SUBITEM, {"parent": parent, "name": "M", "values": encoded})
        return str(data["create_subitem"]["id"])

    def cells(self, item_id: str) -> dict[str, dict[str, Any]]:
        [item] = self.ok(READ, {"ids": [item_id]})["items"]
        return {cell["id"]: cell for cell in item["column_values"]}

    def columns(self, sub: bool) -> dict[str, Any]:
        [board] = self.ok(COLUMNS, {"ids": [self.board_id(sub)]})["boards"]
        return {c["id"]: json.loads(c["settings_str"]) for c in board["columns"]}


@pytest.fixture
def api() -> Api:
    sandbox = Sandbox(clock=FakeClock())
    return Api(sandbox, sandbox.create_order_board())


HOW = ["create", "change_multiple", "change_simple"]


def write(api: Api, how: str, sub: bool, column: str, json_value: Any, simple: str | None,
          *, item: str | None = None, create_labels: bool | None = None) -> dict[str, Any]:
    """Write one value ``how``; the whole response body.  ``item``: the item to change, or
    for ``create`` on the subitems board the parent order (default: a new one)."""
    board = api.board_id(sub)
    if how == "create":
        values = json.dumps({column: json_value})
        if sub:
            parent = item or api.create(False)
            return api.gql(CREATE_SUBITEM, {"parent": parent, "name": "M", "values": values,
                                            "create": create_labels})
        return api.gql(CREATE_ITEM, {"board": board, "name": "PO-1", "values": values,
                                     "create": create_labels})
    assert item is not None
    if how == "change_multiple":
        return api.gql(CHANGE_MULTIPLE, {"board": board, "item": item, "create": create_labels,
                                         "values": json.dumps({column: json_value})})
    return api.gql(CHANGE_SIMPLE, {"board": board, "item": item, "column": column,
                                   "value": simple, "create": create_labels})


# --- valid values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Valid:
    id: str
    column: str
    json_value: Any  # inside column_values (create_item, change_multiple_column_values)
    simple: str  # change_simple_column_value's value
    text: str
    value: str
    sub: bool = False  # on the subitems board


VALID = [
    Valid("identity-text", "order_key", "PO-2026-001", "PO-2026-001",
          "PO-2026-001", '"PO-2026-001"'),
    Valid("text", "customer", "ACME Ltd", "ACME Ltd", "ACME Ltd", '"ACME Ltd"'),
    Valid("long_text", "notes", {"text": "Fragile, keep dry"}, "Fragile, keep dry",
          "Fragile, keep dry", '{"text":"Fragile, keep dry"}'),
    Valid("numbers", "total_qty", "12.5", "12.5", "12.5", '"12.5"'),
    Valid("date", "eta", {"date": "2026-02-10"}, "2026-02-10",
          "2026-02-10", '{"date":"2026-02-10","icon":null}'),
    Valid("date-with-time", "eta", {"date": "2026-02-10", "time": "18:05:00"},
          "2026-02-10 18:05:00", "2026-02-10 18:05",
          '{"date":"2026-02-10","time":"18:05:00","icon":null}'),
    Valid("status-by-label", "status", {"label": "Done"}, "Done",
          "Done", '{"index":1,"post_id":null}'),
    Valid("status-by-index", "status", {"index": 2}, "2", "Stuck", '{"index":2,"post_id":null}'),
    Valid("dropdown-by-labels", "delivery", {"labels": ["SEA", "AIR"]}, "SEA, AIR",
          "SEA, AIR", '{"ids":[1,2]}'),
    Valid("dropdown-by-ids", "delivery", {"ids": [2]}, "2", "AIR", '{"ids":[2]}'),
    Valid("sub-numbers", "order_qty", "3", "3", "3", '"3"', sub=True),
    Valid("sub-dropdown-by-labels", "size", {"labels": ["M"]}, "M", "M", '{"ids":[3]}',
          sub=True),
    Valid("sub-dropdown-by-ids", "size", {"ids": [5, 6]}, "5,6", "XL, XXL", '{"ids":[5,6]}',
          sub=True),
    Valid("sub-status-by-label", "line_status", {"label": "Working on it"}, "Working on it",
          "Working on it", '{"index":0,"post_id":null}', sub=True),
    Valid("sub-status-by-index", "line_status", {"index": 1}, "1",
          "Done", '{"index":1,"post_id":null}', sub=True),
]


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("case", VALID, ids=[c.id for c in VALID])
def test_valid_value_reads_back_in_mondays_shapes(api: Api, case: Valid, how: str) -> None:
    item = None if how == "create" else api.create(case.sub)
    body = write(api, how, case.sub, case.column, case.json_value, case.simple, item=item)
    assert "errors" not in body, body
    [written] = body["data"].values()
    assert item is None or written["id"] == item
    cells = api.cells(written["id"])
    assert cells[case.column] == {"id": case.column, "text": case.text, "value": case.value}
    others = {k: c["value"] for k, c in cells.items() if k != case.column}
    assert others == dict.fromkeys(others)  # every other cell stays empty


def test_simple_date_without_seconds_is_stored_with_seconds(api: Api) -> None:
    item = api.create(False)
    write(api, "change_simple", False, "eta", None, "2026-02-10 07:30", item=item)
    assert api.cells(item)["eta"]["value"] == (
        '{"date":"2026-02-10","time":"07:30:00","icon":null}')


# --- invalid values ----------------------------------------------------------------------------


def _column_value_error(message: str, column_value: str, column_type: str,
                        code: str = "ColumnValueException") -> dict[str, Any]:
    return {"message": message, "extensions": {
        "code": code, "status_code": 200,
        "error_data": {"column_value": column_value, "column_type": column_type}}}


UNKNOWN_COLUMN = {"message": "This column ID doesn't exist for the board", "extensions": {
    "code": "InvalidColumnIdException", "status_code": 200,
    "error_data": {"column_id": "no_such_column"}}}


@dataclass(frozen=True)
class Invalid:
    id: str
    column: str
    json_value: Any
    simple: str
    json_error: dict[str, Any]  # create and change_multiple (column_values JSON)
    simple_error: dict[str, Any]  # change_simple_column_value
    create_labels: bool | None = None
    sub: bool = False


INVALID = [
    Invalid("numbers-not-numeric", "total_qty", "twelve", "twelve",
            _column_value_error(INVALID_VALUE, "twelve", "numeric"),
            _column_value_error(INVALID_VALUE, "twelve", "numeric")),
    Invalid("date-impossible", "eta", {"date": "2026-02-30"}, "2026-02-30",
            _column_value_error(INVALID_VALUE, '{"date":"2026-02-30"}', "date"),
            _column_value_error(INVALID_VALUE, "2026-02-30", "date")),
    Invalid("date-impossible-time", "eta", {"date": "2026-02-10", "time": "24:00:00"},
            "2026-02-10 24:00:00",
            _column_value_error(INVALID_VALUE, '{"date":"2026-02-10","time":"24:00:00"}',
                                "date"),
            _column_value_error(INVALID_VALUE, "2026-02-10 24:00:00", "date")),
    Invalid("status-unknown-label", "status", {"label": "Shipped"}, "Shipped",
            _column_value_error(MISSING_LABEL, '{"label":"Shipped"}', "color"),
            _column_value_error(MISSING_LABEL, "Shipped", "color")),
    Invalid("status-unknown-label-create-false", "status", {"label": "Shipped"}, "Shipped",
            _column_value_error(MISSING_LABEL, '{"label":"Shipped"}', "color"),
            _column_value_error(MISSING_LABEL, "Shipped", "color"), create_labels=False),
    Invalid("status-unknown-index-even-with-create", "status", {"index": 7}, "7",
            _column_value_error(MISSING_LABEL, '{"index":7}', "color"),
            _column_value_error(MISSING_LABEL, "7", "color"), create_labels=True),
    Invalid("dropdown-labels-and-ids-mixed", "delivery", {"labels": ["SEA"], "ids": [2]},
            "SEA, 2",
            _column_value_error(INVALID_VALUE, '{"labels":["SEA"],"ids":[2]}', "dropdown"),
            _column_value_error(MISSING_LABEL, "SEA, 2", "dropdown")),
    Invalid("dropdown-unknown-label", "delivery", {"labels": ["RAIL"]}, "RAIL",
            _column_value_error(MISSING_LABEL, '{"labels":["RAIL"]}', "dropdown"),
            _column_value_error(MISSING_LABEL, "RAIL", "dropdown")),
    Invalid("unknown-column-id", "no_such_column", "x", "x", UNKNOWN_COLUMN, UNKNOWN_COLUMN),
    Invalid("subitems-column", "subitems", "x", "x",
            _column_value_error(INVALID_VALUE, "x", "subtasks"),
            _column_value_error(SIMPLE_NOT_SUPPORTED, "x", "subtasks",
                                code="CorrectedValueException")),
    Invalid("sub-status-unknown-label", "line_status", {"label": "Packed"}, "Packed",
            _column_value_error(MISSING_LABEL, '{"label":"Packed"}', "color"),
            _column_value_error(MISSING_LABEL, "Packed", "color"), sub=True),
    Invalid("sub-dropdown-unknown-id", "size", {"ids": [99]}, "99",
            _column_value_error(MISSING_LABEL, '{"ids":[99]}', "dropdown"),
            _column_value_error(MISSING_LABEL, "99", "dropdown"), sub=True),
]

# what an item already holds when an invalid change arrives (it must survive unchanged)
BASELINE = {False: {"order_key": "PO-9", "customer": "ACME", "notes": {"text": "n"},
                    "total_qty": "5", "eta": {"date": "2026-01-31"},
                    "status": {"label": "Working on it"}, "delivery": {"labels": ["SEA"]}},
            True: {"size": {"labels": ["S"]}, "order_qty": "2", "line_status": {"index": 2}}}
FIELD = {"create": "create_item", "change_multiple": "change_multiple_column_values",
         "change_simple": "change_simple_column_value"}


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("case", INVALID, ids=[c.id for c in INVALID])
def test_invalid_value_is_one_exact_error_and_writes_nothing(api: Api, case: Invalid,
                                                             how: str) -> None:
    if how == "create":  # on the subitems board: under an existing order
        item = api.create(False) if case.sub else None
        before = None
    else:
        item = api.create(case.sub, BASELINE[case.sub])
        before = api.cells(item)
    columns = api.columns(case.sub)
    boards = api.sandbox.board(api.ids.board_id)  # with every item's subitems
    body = write(api, how, case.sub, case.column, case.json_value, case.simple, item=item,
                 create_labels=case.create_labels)
    field = "create_subitem" if how == "create" and case.sub else FIELD[how]
    expected = case.simple_error if how == "change_simple" else case.json_error
    assert body["data"] == {field: None}
    assert body["errors"] == [{"message": expected["message"], "path": [field],
                               "extensions": expected["extensions"]}]
    assert api.sandbox.board(api.ids.board_id) == boards  # nothing created or changed
    assert api.columns(case.sub) == columns  # no label created
    if before is not None:
        assert api.cells(str(item)) == before


def test_change_multiple_is_all_or_nothing(api: Api) -> None:
    item = api.create(False, BASELINE[False])
    before = api.cells(item)
    body = api.gql(CHANGE_MULTIPLE, {"board": api.ids.board_id, "item": item, "values":
                                     json.dumps({"customer": "Globex", "total_qty": "7",
                                                 "eta": {"date": "2026-13-01"}})})
    assert body["data"] == {"change_multiple_column_values": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["ColumnValueException"]
    assert api.cells(item) == before


@pytest.mark.parametrize("how", HOW)
def test_unknown_status_label_with_create_labels_if_missing_adds_it(api: Api, how: str) -> None:
    item = None if how == "create" else api.create(False)
    body = write(api, how, False, "status", {"label": "Shipped"}, "Shipped", item=item,
                 create_labels=True)
    assert "errors" not in body, body
    [written] = body["data"].values()
    # index 3: the first free index after monday's defaults 0-2 (5 is reserved)
    assert api.cells(written["id"])["status"] == {
        "id": "status", "text": "Shipped", "value": '{"index":3,"post_id":null}'}
    assert api.columns(False)["status"]["labels"] == {
        "0": "Working on it", "1": "Done", "2": "Stuck", "3": "Shipped"}


@pytest.mark.parametrize("how", HOW)
def test_unknown_dropdown_label_with_create_labels_if_missing_adds_it(api: Api,
                                                                       how: str) -> None:
    item = None if how == "create" else api.create(False)
    body = write(api, how, False, "delivery", {"labels": ["AIR", "RAIL"]}, "AIR, RAIL",
                 item=item, create_labels=True)
    assert "errors" not in body, body
    [written] = body["data"].values()
    assert api.cells(written["id"])["delivery"] == {
        "id": "delivery", "text": "AIR, RAIL", "value": '{"ids":[2,3]}'}
    assert api.columns(False)["delivery"]["labels"] == [
        {"id": 1, "name": "SEA"}, {"id": 2, "name": "AIR"}, {"id": 3, "name": "RAIL"}]
