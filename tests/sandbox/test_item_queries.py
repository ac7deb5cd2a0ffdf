"""``items_page(query_params:)`` filters and sorts as monday does, and refuses what it cannot.

A board of five orders with every mapped column type; each rule is checked against the
names of the items it must return, through the API.
"""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_api import Api

from ordersync.sandbox import FakeClock, OrderBoard, Sandbox

QUERY = """query ($b: [ID!], $q: ItemsQuery, $limit: Int!) { boards(ids: $b) {
    items_page(limit: $limit, query_params: $q) { cursor items { name } } } }"""
NEXT = """query ($c: String!) { next_items_page(cursor: $c, limit: 2) { cursor items { name } } }"""

ORDERS = [  # name, customer, notes, quantity, eta, status, delivery
    ("PO-1", "ACME", "rush order", "10", "2026-03-01", "Done", ["SEA"]),
    ("PO-2", "acme", "", "25", "2026-04-15", "Working on it", ["AIR"]),
    ("PO-3", "Globex", "fragile, rush", "5", "2026-05-30", "Stuck", ["SEA", "AIR"]),
    ("PO-4", "Initech", "", "", "", "", []),
    ("PO-5", "Globex", "standard", "40", "2026-03-01", "Done", ["AIR"]),
]


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=FakeClock())


@pytest.fixture
def board(sandbox: Sandbox) -> OrderBoard:
    return sandbox.create_order_board()


@pytest.fixture
def api(sandbox: Sandbox, board: OrderBoard) -> Api:
    api = Api(sandbox)
    for name, customer, notes, qty, eta, status, delivery in ORDERS:
        values: dict[str, Any] = {board.customer: customer}
        if notes:
            values[board.notes] = {"text": notes}
        if qty:
            values[board.quantity] = qty
        if eta:
            values[board.eta] = {"date": eta}
        if status:
            values[board.status] = {"label": status}
        if delivery:
            values[board.delivery] = {"labels": delivery}
        api.create(board, name, values=values)
    return api


def names(api: Api, board: OrderBoard, query: dict[str, Any], limit: int = 500) -> list[str]:
    found = api.data(QUERY, b=[board.board_id], q=query, limit=limit)
    return [i["name"] for i in found["boards"][0]["items_page"]["items"]]


def rule(column: str, operator: str, value: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"column_id": column, "operator": operator,
                             "compare_value": value if value is not None else []}
    return found


CASES = [  # (column attribute of OrderBoard or a literal id, operator, value, expected)
    ("customer", "any_of", ["acme"], ["PO-1", "PO-2"]),
    ("customer", "not_any_of", ["ACME", "Initech"], ["PO-3", "PO-5"]),
    ("customer", "contains_text", ["lob"], ["PO-3", "PO-5"]),
    ("notes", "contains_text", ["RUSH"], ["PO-1", "PO-3"]),
    ("notes", "not_contains_text", ["rush"], ["PO-2", "PO-4", "PO-5"]),
    ("notes", "is_empty", None, ["PO-2", "PO-4"]),
    ("notes", "is_not_empty", None, ["PO-1", "PO-3", "PO-5"]),
    ("quantity", "greater_than", [10], ["PO-2", "PO-5"]),
    ("quantity", "greater_than_or_equals", ["10"], ["PO-1", "PO-2", "PO-5"]),
    ("quantity", "lower_than", [10], ["PO-3"]),
    ("quantity", "lower_than_or_equal", [10], ["PO-1", "PO-3"]),
    ("quantity", "between", [5, 25], ["PO-1", "PO-2", "PO-3"]),
    ("quantity", "any_of", [40], ["PO-5"]),
    ("quantity", "is_empty", None, ["PO-4"]),
    ("eta", "any_of", ["EXACT", "2026-03-01"], ["PO-1", "PO-5"]),
    ("eta", "greater_than", ["2026-03-01"], ["PO-2", "PO-3"]),
    ("eta", "lower_than", ["2026-04-15"], ["PO-1", "PO-5"]),
    ("eta", "between", ["2026-04-01", "2026-06-01"], ["PO-2", "PO-3"]),
    ("eta", "is_empty", None, ["PO-4"]),
    ("status", "any_of", [1], ["PO-1", "PO-5"]),
    ("status", "any_of", ["Stuck", 0], ["PO-2", "PO-3"]),
    ("status", "not_any_of", [1], ["PO-2", "PO-3", "PO-4"]),
    ("status", "is_empty", None, ["PO-4"]),
    ("delivery", "any_of", [2], ["PO-2", "PO-3", "PO-5"]),
    ("delivery", "any_of", ["SEA"], ["PO-1", "PO-3"]),
    ("delivery", "not_any_of", ["SEA"], ["PO-2", "PO-4", "PO-5"]),
    ("delivery", "is_not_empty", None, ["PO-1", "PO-2", "PO-3", "PO-5"]),
    ("name", "any_of", ["po-4"], ["PO-4"]),
    ("name", "contains_text", ["-5"], ["PO-5"]),
]


@pytest.mark.parametrize(("column", "operator", "value", "expected"), CASES,
                         ids=[f"{c}-{o}-{i}" for i, (c, o, _, _) in enumerate(CASES)])
def test_a_rule_returns_exactly_the_matching_items(api: Api, board: OrderBoard, column: str,
                                                   operator: str, value: Any,
                                                   expected: list[str]) -> None:
    column_id = getattr(board, column, column)
    assert names(api, board, {"rules": [rule(column_id, operator, value)]}) == expected


def test_rules_combine_with_and_or_and_nested_groups(api: Api, board: OrderBoard) -> None:
    globex = rule(board.customer, "any_of", ["Globex"])
    done = rule(board.status, "any_of", [1])
    assert names(api, board, {"rules": [globex, done]}) == ["PO-5"]
    assert names(api, board, {"rules": [globex, done], "operator": "or"}) == [
        "PO-1", "PO-3", "PO-5"]
    nested = {"rules": [rule(board.quantity, "greater_than", [20])], "operator": "or",
              "groups": [{"rules": [globex, done], "operator": "and"}]}
    assert names(api, board, nested) == ["PO-2", "PO-5"]


def test_ids_and_order_by(api: Api, board: OrderBoard) -> None:
    everything = api.data(QUERY, b=[board.board_id], q=None, limit=500)
    assert [i["name"] for i in everything["boards"][0]["items_page"]["items"]] == [
        o[0] for o in ORDERS]
    by_qty = {"order_by": [{"column_id": board.quantity, "direction": "desc"}]}
    assert names(api, board, by_qty) == ["PO-5", "PO-2", "PO-1", "PO-3", "PO-4"]
    by_eta = {"order_by": [{"column_id": board.eta}, {"column_id": "name",
                                                      "direction": "desc"}]}
    assert names(api, board, by_eta) == ["PO-5", "PO-1", "PO-2", "PO-3", "PO-4"]


def test_a_filtered_page_continues_through_next_items_page(api: Api,
                                                           board: OrderBoard) -> None:
    query = {"rules": [rule(board.quantity, "is_not_empty")],
             "order_by": [{"column_id": board.quantity}]}
    first = api.data(QUERY, b=[board.board_id], q=query, limit=2)
    page = first["boards"][0]["items_page"]
    seen = [i["name"] for i in page["items"]]
    while page["cursor"]:
        page = api.data(NEXT, c=page["cursor"])["next_items_page"]
        seen += [i["name"] for i in page["items"]]
    assert seen == ["PO-3", "PO-1", "PO-2", "PO-5"]


REFUSED = [
    pytest.param(rule("customer", "starts_with", ["A"]), "starts_with", id="unsupported-operator"),
    pytest.param(rule("status", "greater_than", [1]), "greater_than", id="operator-not-for-type"),
    pytest.param(rule("subitems", "is_empty"), "is_empty", id="unsupported-column-type"),
    pytest.param(rule("total_qty", "between", [1]), "between", id="between-one-value"),
    pytest.param(rule("total_qty", "greater_than", ["many"]), "greater_than", id="not-a-number"),
    pytest.param(rule("eta", "lower_than", ["next week"]), "lower_than", id="not-a-date"),
    pytest.param(rule("status", "any_of", ["Nope"]), "any_of", id="unknown-label"),
    pytest.param({**rule("customer", "any_of", ["x"]), "compare_attribute": "x"}, "any_of",
                 id="compare-attribute"),
]


@pytest.mark.parametrize(("bad", "operator"), REFUSED)
def test_an_unsupported_rule_is_an_error_not_ignored(api: Api, board: OrderBoard,
                                                     bad: dict[str, Any], operator: str) -> None:
    body = api.gql(QUERY, b=[board.board_id], q={"rules": [bad]}, limit=50)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "InvalidArgumentException"
    assert error["extensions"]["error_data"]["operator"] == operator


def test_an_unknown_column_in_a_rule_is_monday_s_column_error(api: Api,
                                                              board: OrderBoard) -> None:
    body = api.gql(QUERY, b=[board.board_id], q={"rules": [rule("nope", "any_of", [1])]},
                   limit=50)
    assert body["errors"][0]["extensions"]["code"] == "InvalidColumnIdException"


def test_cursor_and_query_params_cannot_be_combined(api: Api, board: OrderBoard) -> None:
    body = api.gql("""query ($b: [ID!], $q: ItemsQuery) { boards(ids: $b) {
        items_page(cursor: "abc", query_params: $q) { cursor } } }""",
                   b=[board.board_id], q={"rules": []})
    assert body["errors"][0]["extensions"]["code"] == "InvalidArgumentException"


BY_VALUES = """query ($b: ID!, $c: [ItemsPageByColumnValuesQuery!]) {
  items_page_by_column_values(board_id: $b, columns: $c, limit: 50) { items { name } } }"""


def test_items_page_by_column_values_ands_columns_and_ors_values(api: Api,
                                                                 board: OrderBoard) -> None:
    def found(*columns: tuple[str, list[str]]) -> list[str]:
        page = api.data(BY_VALUES, b=board.board_id, c=[
            {"column_id": c, "column_values": v} for c, v in columns])
        return [i["name"] for i in page["items_page_by_column_values"]["items"]]

    assert found((board.customer, ["globex", "Initech"])) == ["PO-3", "PO-4", "PO-5"]
    assert found((board.customer, ["Globex"]), (board.status, ["Done"])) == ["PO-5"]
    assert found((board.customer, ["ACME"]), (board.delivery, ["SEA"])) == ["PO-1"]
    refused = api.gql(BY_VALUES, b=board.board_id, c=[])
    assert refused["errors"][0]["extensions"]["code"] == "InvalidArgumentException"
